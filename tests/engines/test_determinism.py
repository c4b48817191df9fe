"""Same scenario and seed → byte-identical Parquet, whatever the number of threads."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from tests.scenarios import small_tree


def run_cli(tmp_path, scenario, out, threads, seed=11):
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    subprocess.run(
        [sys.executable, "-m", "awol.cli", "run", str(scenario), "--out", str(out), "--seed", str(seed)],
        check=True, env=env, capture_output=True, text=True,
    )
    return (out / "daily.parquet").read_bytes()


def test_identical_bytes_with_one_and_two_threads(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(small_tree(scale=0.02, days=200), sort_keys=False))
    one = run_cli(tmp_path, scenario, tmp_path / "one", threads=1)
    two = run_cli(tmp_path, scenario, tmp_path / "two", threads=2)
    again = run_cli(tmp_path, scenario, tmp_path / "again", threads=2)
    other_seed = run_cli(tmp_path, scenario, tmp_path / "other", threads=2, seed=12)
    assert one == two == again
    assert other_seed != one
