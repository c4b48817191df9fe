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
    seeds = {child_seed(1, *value_keys(v)) for v in ([0.5, 2.0], [0.5, 2.0000001])}
    assert len(seeds | {child_seed(2, *value_keys([0.5, 2.0]))}) == 3


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



def calibrate_args(small_file, small_data, out, db):
    return ["calibrate", small_file, "--data", small_data, "--params", "desertion.base_per_day", "--population", "12",
            "--generations", "3", "--draws", "0", "--seed", "5", "--out", out, "--db", db]


def particles(path) -> tuple[list, list]:
    doc = json.loads(path.read_text())
    return doc["particles"]["values"], doc["particles"]["weights"]


@pytest.mark.slow
def test_killed_at_any_point_and_resumed_gives_the_same_posterior(tmp_path, small_file, small_data):
    """SIGKILL during the second generation (and during the first), then the same command: the posterior of an
    uninterrupted run, particle for particle."""
    import sqlite3
    import subprocess
    import sys
    import time

    whole = invoke(*calibrate_args(small_file, small_data, tmp_path / "whole.json", tmp_path / "whole.db"))
    assert whole.exit_code == 0, whole.stderr
    expected = particles(tmp_path / "whole.json")
    for kill_after in (0, 1):  # generations stored before the kill: in the first, in the second
        out, db = tmp_path / f"killed{kill_after}.json", tmp_path / f"killed{kill_after}.db"
        args = [str(a) for a in calibrate_args(small_file, small_data, out, db)]
        process = subprocess.Popen([sys.executable, "-m", "awol.cli", *args], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        stored = -1
        while process.poll() is None and time.monotonic() < deadline and stored < kill_after:
            time.sleep(0.05)
            try:
                with sqlite3.connect(db) as con:
                    stored = con.execute("select max(t) from populations").fetchone()[0]
                    stored = -1 if stored is None else stored
            except sqlite3.Error:
                pass
        process.kill()
        process.wait()
        assert not out.exists(), "the run finished before it could be killed"
        resumed = invoke(*args)
        assert resumed.exit_code == 0, resumed.stderr
        assert "resuming calibration" in resumed.stderr
        assert particles(out) == expected, kill_after


def test_nan_figures_stop_with_a_clear_message(tmp_path, small_file, small_data, monkeypatch):
    import sys

    from awol.evidence.simulator import Outcome

    calibration = sys.modules["awol.evidence.calibrate"]  # the package exports a function of the same name

    monkeypatch.setattr(calibration, "simulate_point",
                        lambda problem, values, seed: Outcome(np.full(len(problem.observed), np.nan), np.zeros(1),
                                                              None))
    result = invoke(*calibrate_args(small_file, small_data, tmp_path / "p.json", tmp_path / "p.db"))
    assert result.exit_code == 2
    assert "every simulated figure was NaN or infinite" in result.stderr


def test_degenerate_weights_stop_with_what_to_change(tmp_path, small_file, small_data, monkeypatch):
    """Pyabc's own assertion (as a 2-parameter, 20-particle run of the baseline once gave) becomes a message
    saying what to change; the generations before it stay in the database."""
    import pyabc

    real_run = pyabc.ABCSMC.run

    def run(self, *args, **kwargs):
        if self.history.max_t >= 0:
            raise AssertionError("The population total weight nan is not normalized.")
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(pyabc.ABCSMC, "run", run)
    result = invoke(*calibrate_args(small_file, small_data, tmp_path / "p.json", tmp_path / "p.db"))
    assert result.exit_code == 2
    assert "generation 1: the particle weights degenerated" in result.stderr
    assert "raise --population" in result.stderr and "the same command resumes" in result.stderr


def test_a_time_split_fits_only_figures_published_by_the_date(tmp_path, small_file):
    data = tmp_path / "dated.csv"
    data.write_text("date_from,date_to,quantity,article,kind,value,use,published,source\n"
                    "2022-09-24,2022-11-15,cases_filed,all,cumulative,15,yes,2022-11-20,synthetic\n"
                    "2022-11-01,2022-11-30,cases_filed,all,monthly,12,yes,2022-12-10,synthetic\n"
                    "2022-09-24,2022-12-15,cases_filed,all,cumulative,30,yes,2022-12-20,synthetic\n")
    out = tmp_path / "split.json"
    result = invoke("calibrate", small_file, "--data", data, "--params", "desertion.base_per_day", "--population", "6",
                    "--generations", "1", "--draws", "3", "--seed", "2", "--published-by", "2022-12-10", "--out", out)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(out.read_text())
    assert doc["method"]["published_by"] == "2022-12-10" and doc["method"]["fitted_rows"] == 2
    assert len(doc["predictive"]) == 3 and doc["predictive"][2]["published"] == "2022-12-20"
    assert [r["fitted"] for r in doc["predictive"]] == [True, True, False]
    assert [r["after_cut"] for r in doc["predictive"]] == [False, False, True]
    assert doc["summary"]["time split"].startswith("figures published after 2022-12-10: ")
    bad = invoke("calibrate", small_file, "--data", data, "--params", "desertion.base_per_day",
                 "--published-by", "2022-10-01", "--out", out)
    assert bad.exit_code == 2 and "no fitted figure published by 2022-10-01" in bad.stderr
