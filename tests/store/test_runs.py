"""A run on disk: written whole or not at all, read back identical, never overwritten silently."""

from __future__ import annotations

import json

import numpy as np
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
    with pytest.raises(AttributeError):  # a string has no columns
        write_run(tmp_path / "run", "not a table", {}, scenario.raw)
    assert list(tmp_path.iterdir()) == []


def test_the_columns_written_without_pandas_read_back_as_the_dataframe(tmp_path):
    """`awol run` writes `simulate_columns` with pyarrow alone; the API's DataFrame is written
    through the same columns. Both give the same bytes, and the file holds the same columns,
    Arrow types and values as the DataFrame written by `pyarrow.Table.from_pandas` (the
    writer before, which also stored pandas metadata)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from awol.engines import simulate_columns

    scenario = small_scenario(days=30)
    columns = simulate_columns(scenario, seed=5, engine="cohorts")
    daily = awol.simulate(scenario, seed=5, engine="cohorts")
    assert list(columns) == list(daily.columns)
    assert all(np.array_equal(columns[c], daily[c].to_numpy()) and columns[c].dtype == daily[c].dtype for c in columns)
    manifest = make_manifest(scenario, seed=5, days=30, engine="cohorts", wall_seconds=0.1)
    write_run(tmp_path / "columns", columns, manifest, scenario.raw)
    write_run(tmp_path / "frame", daily, manifest, scenario.raw)
    written = (tmp_path / "columns" / "daily.parquet").read_bytes()
    assert written == (tmp_path / "frame" / "daily.parquet").read_bytes()

    pq.write_table(pa.Table.from_pandas(daily, preserve_index=False), tmp_path / "from_pandas.parquet",
                   compression="zstd", write_statistics=True)
    ours = pq.read_table(tmp_path / "columns" / "daily.parquet")
    reference = pq.read_table(tmp_path / "from_pandas.parquet")
    assert ours.schema.metadata is None
    assert ours.schema.equals(reference.schema.remove_metadata()) and ours.equals(reference)
    back = pd.read_parquet(tmp_path / "columns" / "daily.parquet")
    pd.testing.assert_frame_equal(back, pd.read_parquet(tmp_path / "from_pandas.parquet"))  # dtypes too
    assert set(back.dtypes.astype(str)) == {"int64", "float64", str(back["date"].dtype)}
    assert back["date"].dtype.kind == "M"


def test_scenario_yaml_is_what_safe_dump_writes(tmp_path):
    """The resolved scenario is written by libyaml's dumper when PyYAML has it: the same text."""
    import yaml

    from awol.scenario.load import BUNDLED_DIR, load_scenario

    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        scenario = load_scenario(path)
        write_run(tmp_path / path.stem, {"day": np.arange(3)}, {}, scenario.raw)
        text = (tmp_path / path.stem / "scenario.yaml").read_text()
        assert text == yaml.safe_dump(scenario.raw, sort_keys=False, allow_unicode=True)


def test_arrow_columns_are_those_pyarrow_array_makes():
    """`arrow_table` builds numeric and timestamp columns from their buffers (pyarrow's own
    `pa.array` would import pandas) and hands every other dtype to `pa.array`."""
    import pyarrow as pa

    from awol.store.runs import arrow_table

    n = 7
    columns = {str(dtype): np.arange(n).astype(dtype) for dtype in
               ("int8", "int16", "int32", "int64", "uint8", "uint64", "float16", "float32", "float64",
                "datetime64[s]", "datetime64[ms]", "datetime64[ns]", "datetime64[D]", "bool")}
    columns["strided"] = np.arange(2 * n, dtype=np.int64)[::2]
    columns["text"] = np.array([f"x{i}" for i in range(n)])
    table = arrow_table(columns)
    for name, values in columns.items():
        assert table.column(name).combine_chunks().equals(pa.array(values)), name


def test_one_date_dtype_in_memory_and_read_back(tmp_path):
    """`awol.simulate` and every file read back give dates of one dtype, datetime64[s]."""
    from awol.experiments.api import ensemble
    from awol.report.results import load_result
    from awol.store.runs import DATE_DTYPE, read_daily

    scenario = small_scenario(days=10)
    daily = awol.simulate(scenario, seed=3)
    write_run(tmp_path / "run", daily, make_manifest(scenario, seed=3, days=10, engine="cohorts", wall_seconds=0),
              scenario.raw)
    assert pd.read_parquet(tmp_path / "run" / "daily.parquet")["date"].dtype != DATE_DTYPE  # Parquet keeps ms
    back, _ = read_run(tmp_path / "run")
    assert daily["date"].dtype == back["date"].dtype == DATE_DTYPE
    pd.testing.assert_frame_equal(back, daily)  # dtypes included
    e = ensemble(scenario, 2, out=tmp_path / "e", workers=1, progress=False)
    assert read_daily(tmp_path / "e" / "runs" / "run-00000.parquet")["date"].dtype == DATE_DTYPE
    assert load_result(e.out).runs[0]["date"].dtype == DATE_DTYPE
    assert e.dataset()["new_desertions"].shape == (2, 10)
