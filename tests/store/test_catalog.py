"""The DuckDB catalog over an experiment's run files: every run at once, design values joined by point."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from awol.store.catalog import connect, query


def write_run(out, run: int, point: int, days: int = 3, **extra):
    table = pd.DataFrame({"run": run, "point": point, "replicate": run % 2, "seed": 100 + run,
                          "day": range(days), "new_desertions": [run * 10 + d for d in range(days)], **extra})
    (out / "runs").mkdir(parents=True, exist_ok=True)
    table.to_parquet(out / "runs" / f"run-{run:05d}.parquet", index=False)


@pytest.fixture
def experiment(tmp_path):
    out = tmp_path / "it's an experiment"  # a quote in the path must not break the SQL
    for run, point in ((0, 0), (1, 0), (2, 1), (3, 1)):
        write_run(out, run, point)
    return out


def test_runs_view_holds_every_run_file(experiment):
    totals = query(experiment, "SELECT run, sum(new_desertions) AS d, count(*) AS days FROM runs "
                               "GROUP BY run ORDER BY run")
    assert totals["run"].tolist() == [0, 1, 2, 3]
    assert totals["d"].tolist() == [3, 33, 63, 93] and totals["days"].tolist() == [3, 3, 3, 3]


def test_files_with_more_columns_are_read_by_name(experiment):
    """Runs written before an output column existed read it as NULL, not as a misaligned column."""
    write_run(experiment, 4, 2, leave_starts=[1, 2, 3])
    got = query(experiment, "SELECT run, sum(leave_starts) AS s, sum(new_desertions) AS d FROM runs GROUP BY run "
                            "ORDER BY run")
    assert got["s"].isna().tolist() == [True, True, True, True, False] and got["s"].iloc[-1] == 6
    assert got["d"].iloc[-1] == 40 * 3 + 3


def test_design_values_join_each_run_by_its_point(experiment):
    pd.DataFrame({"point": [0, 1], "desertion.base_per_day": [1e-5, 5e-5]}).to_parquet(
        experiment / "points.parquet", index=False)
    joined = query(experiment, 'SELECT run, min("desertion.base_per_day") AS b FROM design_runs '
                               "GROUP BY run ORDER BY run")
    assert joined["b"].tolist() == [1e-5, 1e-5, 5e-5, 5e-5]


def test_without_a_design_there_is_no_points_view(experiment):
    con = connect(experiment)
    try:
        with pytest.raises(duckdb.CatalogException):
            con.execute("SELECT * FROM points")
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 12
    finally:
        con.close()
