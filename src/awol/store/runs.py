"""One run on disk: `daily.parquet`, `manifest.json` and the resolved `scenario.yaml`.

A run directory is written to a temporary sibling and renamed into place, so a
crash never leaves half a run; an existing run is never overwritten silently.

A daily table is written from its NumPy columns (`engines.simulate_columns`) by
pyarrow alone, with no pandas metadata, so `awol run` need not import pandas; a
DataFrame from `awol.simulate` is written through the same columns and gives the
same bytes. pandas reads the file back with the same column names and dtypes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Columns = Mapping[str, np.ndarray]  # column name → one value per day, in table order
# `yaml.safe_dump`, through libyaml when PyYAML has it: a quarter of the time, and the
# same text for every bundled scenario (tests/store/test_runs.py).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

DAILY = "daily.parquet"
MANIFEST = "manifest.json"
SCENARIO = "scenario.yaml"
PACKAGES = ("awol", "numpy", "numba", "pandas", "pyarrow", "pydantic", "pyyaml")


RESULTS = Path("results")
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def safe_name(name: str, limit: int = 100) -> str:
    """`name` as one path component: letters, digits and `._+-` kept, every other run of
    characters one `-`, no leading dot, at most `limit` characters. A scenario's name is
    text a user wrote; as part of a path, `../../tmp/x` or `/etc` must not leave the
    directory it is meant for."""
    safe = _UNSAFE.sub("-", str(name)).lstrip(".-")[:limit].rstrip(".-")
    return safe or "scenario"


def default_out(name: str) -> Path:
    """The default output directory of a command: `results/<safe name>`."""
    return RESULTS / safe_name(name)


class RunExistsError(Exception):
    """The output directory already holds a run."""


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def make_manifest(scenario, *, seed: int, days: int, engine: str, wall_seconds: float, **extra) -> dict:
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        "seed": int(seed),
        "days": int(days),
        "engine": engine,
        "versions": package_versions(),
        "wall_seconds": round(float(wall_seconds), 3),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **extra,
    }


def arrow_table(table: Columns | pd.DataFrame) -> pa.Table:
    """The Arrow table written: columns in order, no index.

    Columns become Arrow arrays of their NumPy dtype; a DataFrame (the experiments'
    quantile, summary and design tables) keeps its pandas metadata.
    """
    import pyarrow as pa

    if isinstance(table, Mapping):
        return pa.Table.from_arrays([_arrow_array(v) for v in table.values()], names=list(table))
    return pa.Table.from_pandas(table, preserve_index=False)


def _arrow_array(values: np.ndarray) -> pa.Array:
    """A NumPy column as an Arrow array of the same type, sharing its memory.

    `pa.array` gives the same array, but it first asks pandas whether the column is
    categorical, which imports pandas when it is installed (about 0.3 s, half the
    cohort engine's simulation of the baseline); numbers and datetimes need none of it.
    """
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    kind = values.dtype.kind
    same_layout = kind in "iuf" or (kind == "M" and np.datetime_data(values.dtype)[0] in ("s", "ms", "us", "ns"))
    if values.ndim == 1 and values.dtype.isnative and same_layout:  # (datetime64[D] would become 32-bit days)
        return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])
    return pa.array(values)


def columns_of(daily: Columns | pd.DataFrame) -> Columns:
    """A daily table as columns: as given, or a DataFrame's columns as NumPy arrays."""
    if isinstance(daily, Mapping):
        return daily
    return {name: daily[name].to_numpy() for name in daily.columns}


def write_parquet(table: Columns | pd.DataFrame, path: Path) -> None:
    """Write Parquet deterministically: same table, same bytes."""
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(table), path, compression="zstd", write_statistics=True)


def holds_run(path: Path) -> bool:
    return (Path(path) / MANIFEST).exists()


def write_run(out: str | Path, daily: Columns | pd.DataFrame, manifest: dict, scenario_tree: dict, *,
              overwrite: bool = False) -> Path:
    """Write one run directory atomically; a daily DataFrame is written as its columns."""
    out = Path(out)
    if out.exists() and (holds_run(out) or any(out.iterdir())):
        if not overwrite:
            raise RunExistsError(
                f"{out} already holds a run; choose another --out or pass --overwrite to replace it"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_parquet(columns_of(daily), tmp / DAILY)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        (tmp / SCENARIO).write_text(yaml.dump(scenario_tree, Dumper=_DUMPER, sort_keys=False, allow_unicode=True))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


# The one date dtype of daily tables, in memory and read back: what the engines give
# (`engines.outputs`: datetime64[s]). Parquet has no seconds unit and stores the column
# as milliseconds, so `read_daily` converts it back (dates are whole days: nothing is lost).
DATE_DTYPE = "datetime64[s]"


def read_daily(path: str | Path) -> pd.DataFrame:
    """A daily table from Parquet (a run's `daily.parquet` or an experiment's `run-*.parquet`),
    with its `date` column in `DATE_DTYPE`, as `awol.simulate` gives it."""
    import pandas as pd

    table = pd.read_parquet(path)
    if "date" in table.columns:
        table["date"] = table["date"].astype(DATE_DTYPE)
    return table


def read_run(path: str | Path) -> tuple[pd.DataFrame, dict]:
    path = Path(path)
    if not holds_run(path):
        raise FileNotFoundError(f"{path} does not hold a run (no {MANIFEST})")
    return read_daily(path / DAILY), json.loads((path / MANIFEST).read_text())
