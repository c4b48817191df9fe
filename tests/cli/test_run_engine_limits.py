"""`awol run` turns a scenario the cohort engine cannot hold into one clear line, exit 2."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from awol.cli.main import app
from tests.scenarios import small_tree

runner = CliRunner()


def test_oversized_cohort_pools_exit_2_naming_risk_bins(tmp_path):
    tree = small_tree(scale=0.001, days=3)
    tree.setdefault("cohorts", {})["risk_bins"] = 255   # 255 bins × 24 units × ~2 years of contract days
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(tree, sort_keys=False))
    result = runner.invoke(app, ["run", str(path), "--engine", "cohorts", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "cohorts.risk_bins: 255" in lines[0] and "fewer bins" in lines[0]
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_the_same_scenario_runs_with_the_agent_engine(tmp_path):
    tree = small_tree(scale=0.001, days=3)
    tree.setdefault("cohorts", {})["risk_bins"] = 255
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(tree, sort_keys=False))
    result = runner.invoke(app, ["run", str(path), "--engine", "agents", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output + result.stderr
