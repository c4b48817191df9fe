"""The simulation bank: runs from the prior, kept so that inference and validation reuse them.

Neural posterior estimation is trained on it, SBC draws its data sets from its held-out
end, the time splits retrain on it with fewer figures, and a figure added to the data is
measured on it without simulating again (each run keeps its daily court cases, and the
error model is applied afresh from the run's seed). That is what makes an updated
posterior cheap.

Simulation i has its unit-cube point from one stream (`priors.sample_unit`, prefix-stable,
so a larger bank extends a smaller one) and its seed from (base seed, i). Chunks of runs
are written atomically (a temporary file renamed into place), so a bank killed at any
point resumes with the same content, and any number of workers writes the same bank.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from awol.evidence.error_model import published_figures
from awol.evidence.priors import CalibrationError, Prior, from_unit, sample_unit
from awol.evidence.simulator import CASE_COLUMNS, HIDDEN, Problem, run_seed, simulate_points
from awol.progress import Progress

CHUNK = 25
FORMAT = "awol-bank/1"


@dataclass
class Bank:
    """Runs 0..n-1 of a problem: unit points, values, seeds, daily court cases [n, days, 6], hidden totals."""

    unit: np.ndarray
    values: np.ndarray
    seeds: np.ndarray
    cases: np.ndarray
    hidden: np.ndarray
    start: pd.Timestamp
    key: str

    def __len__(self) -> int:
        return len(self.seeds)

    def published(
        self, observed: pd.DataFrame, priors: list[Prior], rows: slice | np.ndarray | None = None
    ) -> np.ndarray:
        """Every run's published figures for `observed` (error model applied from the run's seed)."""
        index = np.arange(len(self))[rows if rows is not None else slice(None)]
        names = [p.target if p.kind == "error" else None for p in priors]
        month_sd = self.values[:, names.index("court_month_sd")] if "court_month_sd" in names else np.zeros(len(self))
        relay_sd = self.values[:, names.index("relay_sd")] if "relay_sd" in names else np.zeros(len(self))
        out = np.empty((len(index), len(observed)))
        for k, i in enumerate(index):
            cases = {c: self.cases[i, :, j] for j, c in enumerate(CASE_COLUMNS)}
            out[k] = published_figures(cases, self.start, observed, month_sd[i], relay_sd[i], int(self.seeds[i]))
        return out


def bank_key(problem: Problem) -> str:
    """What identifies a bank: the scenario tree, priors, days, seed and engine (not the observed rows)."""
    text = json.dumps(
        {
            "tree": problem.tree,
            "priors": [(p.kind, p.target, p.dist, p.low, p.high) for p in problem.priors],
            "days": problem.days,
            "seed": problem.base_seed,
            "engine": problem.engine,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def simulate_chunk(problem: Problem, first: int, unit: np.ndarray) -> dict[str, np.ndarray]:
    """Runs first .. first + len(unit) - 1 (what a worker computes)."""
    values = from_unit(list(problem.priors), unit)
    seeds = np.array([run_seed(problem.base_seed, first + k) for k in range(len(unit))], dtype=np.int64)
    outcomes = simulate_points(problem, values, seeds, keep_cases=True)
    return {"unit": unit, "values": values, "seeds": seeds, "cases": np.stack([o.cases for o in outcomes]),
            "hidden": np.stack([o.hidden for o in outcomes])}


def _write_chunk(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        np.savez_compressed(handle, **arrays)
    tmp.replace(path)


def build_bank(
    problem: Problem,
    n: int,
    directory: str | Path,
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: Progress | None = None,
    log=None,
) -> Bank:
    """Simulate runs 0..n-1 into `directory` (those already there are kept) and return the bank."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = bank_key(problem)
    meta_path = directory / "bank.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("key") != key:
            raise CalibrationError(
                [
                    f"{directory}: holds a bank of another problem (key {meta.get('key')}, this one "
                    f"{key}); give another --bank directory or delete it"
                ]
            )
    else:
        meta = {
            "format": FORMAT,
            "key": key,
            "days": problem.days,
            "seed": problem.base_seed,
            "chunk": CHUNK,
            "engine": problem.engine,
            "parameters": [p.name for p in problem.priors],
            "hidden": [label for label, _, _ in HIDDEN],
            "start": str(problem.tree["simulation"]["start"]),
        }
        meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    for stale in directory.glob(".chunk-*.tmp"):
        stale.unlink(missing_ok=True)
    count = (n + CHUNK - 1) // CHUNK  # whole chunks only, so a larger bank later reuses every file
    unit = sample_unit(count * CHUNK, len(problem.priors), problem.base_seed)
    chunks = [(c, c * CHUNK, (c + 1) * CHUNK) for c in range(count)]
    missing = [c for c in chunks if not (directory / f"chunk-{c[0]:05d}.npz").exists()]
    if log and missing:
        log(f"simulation bank: {sum(b - a for _, a, b in missing)} of {n} runs to simulate in {directory}")
    done = len(chunks) - len(missing)
    if progress:
        progress(done, len(chunks))
    if missing:
        from concurrent.futures import as_completed

        from awol.experiments.execution import executor_for

        with executor_for(workers, dask) as ex:
            futures = {ex.submit(simulate_chunk, problem, a, unit[a:b]): c for c, a, b in missing}
            for future in as_completed(futures):
                _write_chunk(directory / f"chunk-{futures[future]:05d}.npz", future.result())
                done += 1
                if progress:
                    progress(done, len(chunks))
    return load_bank(directory, n, key)


def load_bank(directory: str | Path, n: int, key: str) -> Bank:
    """The first `n` runs of the bank in `directory` (every chunk must be there)."""
    directory = Path(directory)
    parts: dict[str, list] = {k: [] for k in ("unit", "values", "seeds", "cases", "hidden")}
    for c in range((n + CHUNK - 1) // CHUNK):
        path = directory / f"chunk-{c:05d}.npz"
        with np.load(path) as chunk:
            size = min(CHUNK, n - c * CHUNK)
            for k in parts:
                parts[k].append(chunk[k][:size])
    meta = json.loads((directory / "bank.json").read_text(encoding="utf-8"))
    return Bank(
        *(np.concatenate(parts[k]) for k in ("unit", "values", "seeds", "cases", "hidden")),
        start=pd.Timestamp(meta["start"]),
        key=key,
    )
