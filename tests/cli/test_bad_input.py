"""Every bad input gets one clear line per problem and exit status 2, never a traceback."""

from __future__ import annotations

import copy

import pytest
import yaml

from awol.scenario.load import read_tree
from tests.command import invoke
from tests.scenarios import small_tree, without_anyone


def write(tmp_path, tree, name="scenario.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(tree, sort_keys=False))
    return path


def baseline():
    return copy.deepcopy(read_tree("baseline"))


def expect_problem(tmp_path, tree, *fragments):
    result = invoke("validate", write(tmp_path, tree))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert any(all(f in line for f in fragments) for line in lines), result.stderr
    return result


def test_malformed_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsimulation: {start: 2022-09-24, days: [\n")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert "malformed YAML at line" in result.stderr


def test_unknown_field(tmp_path):
    tree = baseline()
    tree["pursuit"]["teleport"] = True
    expect_problem(tmp_path, tree, "pursuit.teleport", "unknown field")


def test_missing_field(tmp_path):
    tree = baseline()
    del tree["simulation"]["seed"]
    expect_problem(tmp_path, tree, "simulation.seed", "required field is missing")


def test_probability_outside_unit_interval(tmp_path):
    tree = baseline()
    tree["desertion"]["exit_share"] = -0.2
    expect_problem(tmp_path, tree, "desertion.exit_share", "greater than or equal to 0", "-0.2")


def test_negative_size(tmp_path):
    tree = baseline()
    tree["population"]["detainee"]["size"] = -100
    expect_problem(tmp_path, tree, "population.detainee.size", "-100")


def test_dates_out_of_order(tmp_path):
    tree = baseline()
    tree["recruitment"]["bonus"][1]["from"] = "2021-01-01"
    expect_problem(tmp_path, tree, "recruitment.bonus", "increasing order")


def test_route_to_unknown_region(tmp_path):
    tree = baseline()
    tree["pursuit"]["routes"].append({"from": "border", "to": "atlantis", "checkpoints": 1})
    expect_problem(tmp_path, tree, "pursuit.routes[9].to", "'atlantis'", "known regions")


def test_empty_population(tmp_path):
    tree = without_anyone(small_tree())
    expect_problem(tmp_path, tree, "population", "empty")


def test_all_problems_reported_together_by_run(tmp_path):
    tree = baseline()
    tree["population"]["volunteer"]["size"] = -1
    tree["policy"]["suspended_share"][0]["value"] = 2
    result = invoke("run", write(tmp_path, tree), "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "population.volunteer.size" in result.stderr
    assert "policy.suspended_share[0].value" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_file():
    result = invoke("validate", "no-such-scenario.yaml")
    assert result.exit_code == 2
    assert "no such file or bundled scenario" in result.stderr


@pytest.mark.parametrize("args, fragment", [
    (["--days", "0"], "--days: 0"),
    (["--engine", "warp"], "--engine: 'warp'"),
])
def test_bad_options(tmp_path, args, fragment):
    result = invoke("run", write(tmp_path, small_tree(days=5)), "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_existing_run_is_not_overwritten(tmp_path):
    scenario = write(tmp_path, small_tree(days=5))
    out = tmp_path / "out"
    first = invoke("run", scenario, "--out", out)
    assert first.exit_code == 0, first.output
    before = (out / "daily.parquet").read_bytes()
    manifest = (out / "manifest.json").read_text()
    second = invoke("run", scenario, "--out", out, "--seed", "99")
    assert second.exit_code == 2
    assert "already holds a run" in second.stderr
    assert (out / "daily.parquet").read_bytes() == before
    assert (out / "manifest.json").read_text() == manifest
    third = invoke("run", scenario, "--out", out, "--seed", "99", "--overwrite")
    assert third.exit_code == 0
    assert (out / "daily.parquet").read_bytes() != before


def test_a_scenario_name_cannot_move_the_default_output_out_of_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = small_tree(days=5)
    tree["name"] = "../../../../tmp/x"
    result = invoke("run", write(tmp_path, tree))
    assert result.exit_code == 0, result.output
    (written,) = [p for p in (tmp_path / "results").iterdir()]
    assert written.name == "tmp-x-seed20220924" and (written / "daily.parquet").exists()


@pytest.mark.parametrize("args, fragment", [
    (["run", "--days", "1000000000"], "--days: 1000000000; must be from 1 to 20,000"),
    (["ensemble", "--runs", "1000000000"], "--runs: 1,000,000,000 runs; at most 100,000"),
    (["ensemble", "--runs", "2", "--days", "30000"], "--days: 30000"),
    (["sweep", "--vary", "desertion.base_per_day=0:0.001:1000", "--vary", "desertion.risk_weight=0:1:1000",
      "--vary", "desertion.peer_weight=0:1:1000"], "--points: 1,000,000,000 runs"),
    (["sensitivity", "--samples", "100000000"], "--samples: 1"),
    (["expect", "--days", "1000000000"], "--days: 1000000000"),
    (["nowcast", "--until", "2100-01-01"], "--until: 2100-01-01; at most 20,000 days"),
    (["nowcast", "--until", "2023-02-30"], "--until: '2023-02-30' is not a date"),
    (["nowcast", "--draws", "1000000000"], "--draws: 1,000,000,000; must be from 1 to 100,000"),
    (["calibrate", "--params", "desertion.base_per_day", "--population", "1000000000"], "--population: 1,000,000,000"),
    (["calibrate", "--params", "desertion.base_per_day", "--generations", "1000000000"], "--generations"),
    (["ensemble", "--runs", "3", "--workers", "1000000000"], "--workers: 1,000,000,000; at most 256"),
    (["compare", "baseline", "--dask", "local:100000"], "--dask: 100,000; at most 256"),
])
def test_work_beyond_the_limits_is_refused_up_front(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    command, *options = args
    result = invoke(command, "baseline", *options)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr, result.stderr
    assert not (tmp_path / "results").exists()  # nothing started, nothing written


def test_serve_refuses_a_limit_that_is_not_a_number():
    result = invoke("serve", "--max-work", "nan")
    assert result.exit_code == 2 and "--max-work: nan" in result.stderr


def test_a_run_that_cannot_fit_in_memory_is_refused_naming_its_fields(tmp_path):
    tree = baseline()
    tree["simulation"]["days"] = 20_000
    tree["recruitment"]["volunteer_per_day"] = [{"from": "2022-09-24", "value": 1_000_000}]  # 2·10¹⁰ soldiers
    tree["recruitment"]["bonus_elasticity"] = 0.0
    out = tmp_path / "out"
    result = invoke("run", write(tmp_path, tree), "--engine", "agents", "--out", out)
    assert result.exit_code == 2, result.output
    (line,) = [x for x in result.stderr.splitlines() if x.strip()]
    assert "recruitment.volunteer_per_day" in line and "GiB" in line and "available" in line
    assert not out.exists()


@pytest.mark.parametrize("section, key, value", [
    ("recruitment", "volunteer_per_day", [{"from": "2022-09-24", "value": float("inf")}]),
    ("recruitment", "bonus_elasticity", float("inf")),
])
def test_infinite_rates_never_run(tmp_path, section, key, value):
    """An infinite recruitment rate or bonus once ran and wrote recruits of −9.2·10¹⁸."""
    tree = small_tree(days=5)
    tree[section][key] = value
    result = invoke("run", write(tmp_path, tree), "--out", tmp_path / "out")
    assert result.exit_code == 2 and f"{section}.{key}" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command, options", [("run", ["--days", "3"]), ("ensemble", ["--runs", "2", "--days", "3"]),
                                              ("ensemble", ["--runs", "2", "--days", "3", "--workers", "2"])])
def test_the_exact_expectation_of_a_scenario_that_follows_its_state_is_refused(tmp_path, monkeypatch, command, options):
    """It once ended in a traceback from inside a worker, its problems split into characters."""
    monkeypatch.chdir(tmp_path)
    result = invoke(command, "baseline", "--engine", "expected", *options)
    assert result.exit_code == 2, result.output
    assert "desertion.peer_weight: 0.5" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("args, fragment", [
    (["sbc", "--out", "x.json", "--datasets", "1000000000"], "--datasets: 1,000,000,000; must be from 10 to 100,000"),
    (["sbc", "--out", "x.json", "--simulations", "1000000000"], "--simulations: 1,000,000,000"),
    (["sbc", "--out", "x.json", "--workers", "100000"], "--workers: 100,000"),
    (["calibrate", "--dask", "local:100000"], "--dask: 100,000; at most 256"),
])
def test_evidence_work_beyond_the_limits_is_refused_up_front(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    command, *options = args
    result = invoke(command, "baseline", *options)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr, result.stderr
    assert not list(tmp_path.iterdir())  # nothing started, nothing written
