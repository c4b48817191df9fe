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


def test_parameter_draw_k_is_used_in_run_k_of_every_scenario(tmp_path):
    """Run k of each scenario is that scenario at row k's values with seed child_seed(base, k), exactly."""
    import numpy as np
    import pandas as pd

    from awol.engines import simulate
    from awol.engines.rng import child_seed
    from awol.experiments import api
    from awol.scenario.edits import with_values
    from awol.scenario.load import scenario_from_tree
    from awol.store.runs import read_daily

    base, honour = (scenario_from_tree(small_tree(name, days=40)) for name in ("baseline", "honour-contracts"))
    table = pd.DataFrame({"desertion.base_per_day": [2e-5, 1.2e-4, 6e-5],
                          "observation.filing_lag_days": [10.0, 60.0, 30.0]})
    result = api.compare([base, honour], parameters=table, out=tmp_path / "c", workers=1, progress=False)
    for name, sc in (("baseline", base), ("honour-contracts", honour)):
        for k in (0, 1):
            expected = simulate(scenario_from_tree(with_values(sc.raw, table.iloc[k].to_dict())),
                                seed=child_seed(base.simulation.seed, k))
            got = read_daily(tmp_path / "c" / name / "runs" / f"run-{k:05d}.parquet")
            pd.testing.assert_frame_equal(got[expected.columns], expected)
    # row 1 deserts six times as much as row 0: the draws reach the runs
    desertions = result.summaries.set_index(["scenario", "replicate"])["total_new_desertions"]
    assert desertions[("baseline", 1)] > 2 * desertions[("baseline", 0)]
    stored = pd.read_parquet(tmp_path / "c" / "parameters.parquet")
    np.testing.assert_array_equal(stored["desertion.base_per_day"], table["desertion.base_per_day"])
    assert (result.table["runs"] == 3).all() and {"q05", "q50", "q95"} <= set(result.table.columns)


def test_a_bad_parameter_table_is_refused_before_anything_runs(tmp_path):
    import pandas as pd
    import pytest

    from awol.experiments import api
    from awol.experiments.design import DesignError
    from awol.scenario.load import scenario_from_tree

    scs = [scenario_from_tree(small_tree(name, days=20)) for name in ("baseline", "amnesty")]
    with pytest.raises(DesignError, match="4, but the parameter table has 2 rows"):
        api.compare(scs, runs=4, parameters=pd.DataFrame({"desertion.base_per_day": [1e-5, 2e-5]}), out=tmp_path / "a")
    with pytest.raises(DesignError, match="must hold finite numbers"):
        api.compare(scs, parameters=pd.DataFrame({"desertion.base_per_day": ["x", "y"]}), out=tmp_path / "b")
    with pytest.raises(DesignError, match="desertion.no_such: no such parameter"):
        api.compare(scs, parameters=pd.DataFrame({"desertion.no_such": [1.0]}), out=tmp_path / "c")
    assert not any((tmp_path / d).exists() for d in "abc")


def test_cli_compare_draws_from_the_shipped_posterior_and_fits_80_columns(tmp_path):
    import json

    a = write_tree(tmp_path / "a.yaml", small_tree(days=30))
    b = write_tree(tmp_path / "b.yaml", small_tree("honour-contracts", days=30))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(a), str(b), "--runs", "3", "--posterior", "baseline",
                                      "--workers", "1", "--out", str(out)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in result.output
    assert "retained (end)" in result.output and "90 % of draws" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["source"].endswith("baseline.posterior.json")
    assert "desertion.base_per_day" in manifest["parameters"]["paths"]
    bad = CliRunner().invoke(app, ["compare", str(a), str(b), "--posterior", "no-such", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "no-such" in bad.output


def test_keeping_only_summaries_gives_the_same_comparison_and_no_tables(tmp_path):
    """`keep_runs=False` writes no daily table, and its summaries and differences are those of the tables."""
    import pandas as pd
    import pytest

    from awol.experiments import api
    from awol.experiments.design import DesignError
    from awol.scenario.load import scenario_from_tree

    scs = [scenario_from_tree(small_tree(name, days=40)) for name in ("baseline", "honour-contracts")]
    table = pd.DataFrame({"desertion.base_per_day": [2e-5, 1.2e-4, 6e-5]})
    kept = api.compare(scs, parameters=table, out=tmp_path / "kept", workers=1, progress=False)
    lean = api.compare(scs, parameters=table, out=tmp_path / "lean", workers=1, progress=False, keep_runs=False)
    pd.testing.assert_frame_equal(lean.summaries, kept.summaries, check_exact=True)
    pd.testing.assert_frame_equal(lean.table, kept.table, check_exact=True)
    assert (lean.table["mean_difference"] != 0).any()  # the comparison says something
    assert not list((tmp_path / "lean").rglob("run-*.parquet"))
    assert len(list((tmp_path / "kept").rglob("run-*.parquet"))) == 6
    assert len(list((tmp_path / "lean").rglob("run-*.summary.json"))) == 6
    again = api.compare(scs, parameters=table, out=tmp_path / "lean", workers=1, progress=False, keep_runs=False)
    pd.testing.assert_frame_equal(again.summaries, kept.summaries, check_exact=True)  # resumed from the kept summaries
    with pytest.raises(DesignError, match="kept only each run's summaries"):
        lean.dataset()
    with pytest.raises(DesignError, match="runs_kept"):  # the same folder cannot switch to daily tables
        api.compare(scs, parameters=table, out=tmp_path / "lean", workers=1, progress=False)
