"""The versions benchmark's rules (benchmarks/versions/run.py), on made-up measurements: no timing here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[2] / "benchmarks" / "versions" / "run.py"
spec = importlib.util.spec_from_file_location("versions_run", HERE)
versions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(versions)


def measured(compile_s: float, reference_s: float, baseline_s: float) -> dict:
    fig = lambda s: {"cpu": s, "wall": s, "cpu_all": [s]}  # noqa: E731
    return {"compile": {e: fig(compile_s) for e in versions.ENGINES},
            "reference": {e: {"10000": fig(reference_s), "1000000": fig(100 * reference_s)} for e in versions.ENGINES},
            "baseline": {e: fig(baseline_s) for e in versions.ENGINES}}


def result(after: dict) -> dict:
    return {"versions": [{"rev": "old"}, {"rev": "new"}], "sizes": [10_000, 1_000_000],
            "measured": {"old": measured(10.0, 0.1, 1.0), "new": after}}


def test_each_figure_is_compared_with_the_same_figure_of_the_first_version():
    rows = versions.rows(result(measured(12.0, 0.105, 1.0)))
    new = {(r["kind"], r["engine"], r["size"]): r for r in rows if r["version"] == "new"}
    assert new[("compile", "agents", "3 days")]["ratio"] == pytest.approx(1.2)
    assert new[("reference", "cohorts", "N = 1,000,000")]["ratio"] == pytest.approx(1.05)
    assert all(r["within"] for r in rows)


@pytest.mark.parametrize(("after", "broken"), [
    (measured(12.6, 0.1, 1.0), "compile"),      # 26 % longer compile: above 25 %
    (measured(10.0, 0.111, 1.0), "reference"),  # 11 % slower: above 10 %
    (measured(10.0, 0.1, 1.01), "baseline"),    # the full baseline may not be slower at all
])
def test_a_figure_beyond_its_rule_is_flagged_and_only_that_one(after, broken):
    rows = versions.rows(result(after))
    assert {r["kind"] for r in rows if not r["within"]} == {broken}


def test_the_report_says_which_version_broke_which_rule(tmp_path):
    res = result(measured(10.0, 0.1, 1.5))
    res.update(date="today", command="run.py old new", machine={"cpu": "x", "cores": 2, "python": "3"},
               load=[[0, 0, 0], [0, 0, 0]], repeats=1, compile_repeats=1,
               versions=[{"rev": "old", "commit": "a" * 40, "subject": "before"},
                         {"rev": "new", "commit": "b" * 40, "subject": "after"}])
    versions.write_report(res, tmp_path / "results.md")
    text = (tmp_path / "results.md").read_text()
    assert "| baseline | cohorts | full | 1 (1.00×) | 1.5 (1.50×) | **no**: `new` 1.50× |" in text
