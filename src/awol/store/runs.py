"""One run on disk: `daily.parquet`, `manifest.json` and the resolved `scenario.yaml`.

A run directory is written to a temporary sibling and renamed into place, so a
crash never leaves half a run; an existing run is never overwritten silently.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

DAILY = "daily.parquet"
MANIFEST = "manifest.json"
SCENARIO = "scenario.yaml"
PACKAGES = ("awol", "numpy", "numba", "pandas", "pyarrow", "pydantic", "pyyaml")


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
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        **extra,
    }


def table_bytes(table: pd.DataFrame) -> pa.Table:
    """The Arrow table written for a daily DataFrame (no index, fixed schema)."""
    return pa.Table.from_pandas(table, preserve_index=False)


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write Parquet deterministically: same table, same bytes."""
    pq.write_table(table_bytes(table), path, compression="zstd", write_statistics=True)


def holds_run(path: Path) -> bool:
    return (Path(path) / MANIFEST).exists()


def write_run(out: str | Path, table: pd.DataFrame, manifest: dict, scenario_tree: dict, *, overwrite: bool = False) -> Path:
    out = Path(out)
    if out.exists() and (holds_run(out) or any(out.iterdir())):
        if not overwrite:
            raise RunExistsError(
                f"{out} already holds a run; choose another --out or pass --overwrite to replace it"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_parquet(table, tmp / DAILY)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        (tmp / SCENARIO).write_text(yaml.safe_dump(scenario_tree, sort_keys=False, allow_unicode=True))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def read_run(path: str | Path) -> tuple[pd.DataFrame, dict]:
    path = Path(path)
    if not holds_run(path):
        raise FileNotFoundError(f"{path} does not hold a run (no {MANIFEST})")
    return pd.read_parquet(path / DAILY), json.loads((path / MANIFEST).read_text())
