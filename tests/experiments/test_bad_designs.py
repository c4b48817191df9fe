"""Bad designs get one clear line per problem and exit status 2; nothing runs."""

from __future__ import annotations

import pytest

from tests.command import invoke


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("desertion.no_such_thing=0:1", "desertion.no_such_thing: no such parameter"),
        ("desertion.base_per_day=0.001:0.0001", "LO 0.001 is greater than HI 0.0001"),
        ("desertion.base_per_day=0.0001:0.001:0", "N = 0 points; N must be at least 1"),
        ("desertion.base_per_day", "must look like PATH=LO:HI"),
        ("observation.reporting_share=0.5:1.5:3", "design point"),  # 1.5 is not a share
    ],
)
def test_bad_sweep_exits_2(tmp_path, small_file, vary, message):
    out = tmp_path / "out"
    result = invoke("sweep", small_file, "--vary", vary, "--out", out)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (out / "runs").exists()


def test_missing_range_for_sensitivity_exits_2(tmp_path, small_file):
    # the small test scenario carries no annotations, so no range is declared
    result = invoke("sensitivity", small_file, "--parameter", "desertion.base_per_day", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "desertion.base_per_day: no range declared" in result.stderr


def test_bad_runs_engine_and_dask_exit_2(tmp_path, small_file):
    assert "--runs: 0" in invoke("ensemble", small_file, "--runs", "0", "--out", tmp_path / "a").stderr
    result = invoke("ensemble", small_file, "--engine", "nope", "--out", tmp_path / "b")
    assert result.exit_code == 2 and "'nope' is not an engine" in result.stderr
    result = invoke("ensemble", small_file, "--dask", "local:0", "--out", tmp_path / "c")
    assert result.exit_code == 2 and "--dask" in result.stderr


def test_other_experiment_in_out_is_refused(tmp_path, small_file):
    out = tmp_path / "e"
    assert invoke("ensemble", small_file, "--runs", "2", "--days", "10", "--workers", "1", "--out", out).exit_code == 0
    result = invoke("ensemble", small_file, "--runs", "2", "--days", "12", "--workers", "1", "--out", out)
    assert result.exit_code == 2 and "holds a different experiment" in result.stderr
