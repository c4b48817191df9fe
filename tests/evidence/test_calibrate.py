"""`awol calibrate`: bad parameters exit 2 before any simulation; a tiny run writes a posterior and resumes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from awol.engines.rng import child_seed, value_keys
from tests.command import invoke


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["desertion.no_such_thing"], "desertion.no_such_thing: no such parameter in scenario"),
        (["pursuit.move_per_day"], "pursuit.move_per_day: no range declared in scenario"),
        (["desertion.form"], "desertion.form: holds 'loglinear', not a number"),
        (["policy.prosecution_share[7].value"], "no such parameter"),
        (["desertion.base_per_day", "desertion.base_per_day"], "a path is given twice"),
    ],
)
def test_bad_parameters_exit_2(tmp_path, small_file, small_data, params, message):
    out = tmp_path / "p.json"
    args = ["calibrate", small_file, "--data", small_data, "--out", out]
    for p in params:
        args += ["--params", p]
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists() and not out.with_suffix(".db").exists()


def test_every_bad_parameter_is_listed(tmp_path, small_file, small_data):
    result = invoke("calibrate", small_file, "--data", small_data, "--params", "a.b", "--params", "pursuit.search_k",
                    "--out", tmp_path / "p.json")
    assert result.exit_code == 2
    assert "2 problem(s)" in result.stderr and "a.b: no such parameter" in result.stderr
    assert "pursuit.search_k: no range declared" in result.stderr


def test_figures_outside_the_scenario_dates_exit_2(tmp_path, small_file):
    late = tmp_path / "late.csv"
    late.write_text("date_from,date_to,quantity,article,kind,value,source\n"
                    "2024-05-01,2024-05-31,cases_filed,all,monthly,929,press\n")
    result = invoke("calibrate", small_file, "--data", late, "--params", "desertion.base_per_day",
                    "--out", tmp_path / "p.json")
    assert result.exit_code == 2
    assert "2024-05-01..2024-05-31 lies outside the simulated days 2022-09-24..2022-12-22" in result.stderr


@pytest.mark.parametrize(("option", "value", "message"), [("--workers", "0", "--workers: 0"),
                                                           ("--dask", "local:x", "--dask: 'local:x'"),
                                                           ("--population", "1", "--population: 1")])
def test_bad_options_exit_2(tmp_path, small_file, small_data, option, value, message):
    result = invoke("calibrate", small_file, "--data", small_data, "--params", "desertion.base_per_day",
                    option, value, "--out", tmp_path / "p.json")
    assert result.exit_code == 2 and message in result.stderr


def test_simulation_seed_depends_on_base_seed_and_values_only():
    assert child_seed(1, *value_keys([0.5, 2.0])) == child_seed(1, *value_keys(np.array([0.5, 2.0])))
    assert len({child_seed(1, *value_keys(v)) for v in ([0.5, 2.0], [0.5, 2.0000001])} | {child_seed(2, *value_keys([0.5, 2.0]))}) == 3


def test_tiny_calibration_writes_a_posterior_and_resumes(tmp_path, small_file, small_data):
    out, db = tmp_path / "p.json", tmp_path / "abc.db"
    args = ["calibrate", small_file, "--data", small_data, "--params", "desertion.base_per_day", "--population", "8",
            "--draws", "4", "--seed", "3", "--out", out, "--db", db]
    first = invoke(*args, "--generations", "1")
    assert first.exit_code == 0, first.stderr
    doc = json.loads(out.read_text())
    assert doc["method"]["generations"] == 1
    assert len(doc["particles"]["values"]) == 8 and abs(sum(doc["particles"]["weights"]) - 1) < 1e-9
    assert doc["parameters"][0]["prior"] == ["uniform", 1e-5, 1.5e-4]
    low, high = 1e-5, 1.5e-4
    assert all(low <= v[0] <= high for v in doc["particles"]["values"])
    assert doc["data"][0]["sha256"] and doc["scenario"]["hash"]
    assert [r["use"] for r in doc["predictive"]] == [True, True, False]
    assert doc["simulations"]["calibration"] >= 8 and "pyabc" in doc["versions"]
    assert "desertion.base_per_day" in doc["summary"]

    second = invoke(*args, "--generations", "2")
    assert second.exit_code == 0, second.stderr
    assert "resuming calibration" in second.stderr
    resumed = json.loads(out.read_text())
    assert resumed["method"]["generations"] == 2
    assert resumed["simulations"]["calibration"] > doc["simulations"]["calibration"]

