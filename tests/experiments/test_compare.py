"""Comparison uses common random numbers: a scenario against itself differs by exactly 0."""

from __future__ import annotations

from typer.testing import CliRunner

from awol.cli.main import app
from tests.experiments.conftest import write_tree
from tests.scenarios import small_tree


def test_compare_pairs_runs(tmp_path):
    same = write_tree(tmp_path / "a.yaml", small_tree(days=60))
    copy = write_tree(tmp_path / "b.yaml", small_tree(days=60))
    honour = write_tree(tmp_path / "c.yaml", small_tree("honour-contracts", days=60))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(same), str(copy), str(honour), "--runs", "4",
                                      "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"awol report {out}" in " ".join(result.output.split())  # tells the user the next step
    assert all((out / name / "scenario.yaml").exists() for name in ("0-baseline", "1-baseline", "2-honour-contracts"))
    import pandas as pd

    diff = pd.read_parquet(out / "differences.parquet")
    names = list(dict.fromkeys(diff["scenario"]))
    assert names == ["1-baseline", "2-honour-contracts"]  # duplicate names get their position
    twin = diff[diff["scenario"] == names[0]]
    assert (twin["mean_difference"] == 0).all() and (twin["low"] == 0).all()
    honoured = diff[diff["scenario"] == names[1]].set_index("output")
    # honouring contracts leaves no one retained past term: a large, certain drop
    assert honoured.loc["final_retained_past_term", "high"] < 0
    assert (out / "differences.html").stat().st_size > 100_000  # plotly inlined, no CDN
