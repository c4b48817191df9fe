"""A DuckDB catalog over an experiment's run files: query every run at once, in SQL.

`runs` is a view over `runs/*.parquet` (one file per run, columns `run`, `point`,
`replicate`, `seed` then the daily outputs); `points` joins the design's parameter
values when the experiment has one (`points.parquet`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def connect(out: str | Path):
    """An in-memory DuckDB connection with views `runs` (and `points`, `design_runs` when present)."""
    import duckdb

    out = Path(out)
    con = duckdb.connect()
    pattern = str(out / "runs" / "run-*.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet('{pattern}', union_by_name = true)")
    if (out / "points.parquet").exists():
        points = str(out / "points.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW points AS SELECT * FROM read_parquet('{points}')")
        con.execute("CREATE VIEW design_runs AS SELECT * FROM runs JOIN points USING (point)")
    return con


def query(out: str | Path, sql: str) -> pd.DataFrame:
    """Run one SQL query against an experiment's catalog and return a DataFrame."""
    con = connect(out)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
