"""A run on disk: written whole or not at all, read back identical, never overwritten silently."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import awol
from awol.store.runs import RunExistsError, make_manifest, read_run, write_run
from tests.scenarios import small_scenario


def test_round_trip_and_manifest(tmp_path):
    scenario = small_scenario(days=20)
    daily = awol.simulate(scenario, seed=3)
    manifest = make_manifest(scenario, seed=3, days=20, engine="agents", wall_seconds=0.1)
    write_run(tmp_path / "run", daily, manifest, scenario.raw)
    back, meta = read_run(tmp_path / "run")
    pd.testing.assert_frame_equal(back, daily, check_dtype=False)
    assert meta["scenario_hash"] == scenario.hash and meta["seed"] == 3
    assert {"numpy", "numba", "pandas", "pyarrow", "awol", "python"} <= set(meta["versions"])
    with pytest.raises(RunExistsError):
        write_run(tmp_path / "run", daily, manifest, scenario.raw)
    assert json.loads((tmp_path / "run" / "manifest.json").read_text()) == meta


def test_failed_write_leaves_nothing(tmp_path):
    scenario = small_scenario(days=5)
    with pytest.raises(Exception):
        write_run(tmp_path / "run", "not a table", {}, scenario.raw)
    assert list(tmp_path.iterdir()) == []
