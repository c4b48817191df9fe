"""Posteriors as inputs to other work: where one is found, and parameter draws from it.

A comparison of policies under a posterior runs draw k in run k of every scenario
(`awol.experiments.api.compare(parameters=...)`); experiments know nothing of
posteriors, so this module turns one into the table they take: one row per draw,
one column per dotted parameter path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from awol.evidence.nowcast import PosteriorError, read_posterior
from awol.evidence.predictive import choose_particles
from awol.scenario.load import BUNDLED_DIR

SHIPPED = "{name}.posterior.json"


def posterior_path(posterior: str | Path) -> Path:
    """A posterior file as given, or the posterior shipped with the bundled scenario of that name.

    `awol nowcast baseline`, `awol.nowcast("baseline")` and `awol compare --posterior
    baseline` all mean `scenarios/baseline.posterior.json`.
    """
    path = Path(posterior)
    if path.exists():
        return path
    shipped = BUNDLED_DIR / SHIPPED.format(name=str(posterior))
    if shipped.exists():
        return shipped
    names = sorted(p.name[: -len(".posterior.json")] for p in BUNDLED_DIR.glob("*.posterior.json"))
    raise PosteriorError([f"{posterior}: no such file, nor a bundled scenario with a shipped posterior "
                          f"({', '.join(names) or 'none shipped'}); give a posterior written by `awol calibrate`"])


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes: draws record which posterior file they came from, and a stale
    answers file is told by its posterior's digest.
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def posterior_draws(posterior: str | Path, n: int, *, seed: int | None = None) -> pd.DataFrame:
    """`n` parameter vectors drawn by weight from a posterior (with replacement), one row per draw.

    Columns are the calibrated scenario parameters' dotted paths; the observation error
    model's parameters (kind other than "path"), which no scenario holds, are left out.
    `seed` defaults to the
    calibration's seed + 1, as for the nowcast. `attrs` records where the draws came
    from (`source`, `sha256`, `seed`), which `compare` stores in its manifest.
    """
    path = posterior_path(posterior)
    doc = read_posterior(path)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise PosteriorError([f"draws: {n!r}; must be a whole number of at least 1"])
    seed = int(doc["seed"]) + 1 if seed is None else int(seed)
    values = np.asarray(doc["particles"]["values"], dtype=float)
    chosen = choose_particles(np.asarray(doc["particles"]["weights"], dtype=float), int(n), seed)
    keep = [j for j, p in enumerate(doc["parameters"]) if p.get("kind", "path") == "path"]
    table = pd.DataFrame(values[chosen][:, keep], columns=[doc["parameters"][j]["path"] for j in keep])
    table.attrs.update(source=str(path), sha256=file_digest(path), seed=seed, scenario=doc["scenario"]["name"])
    return table


__all__ = ["posterior_draws", "posterior_path", "file_digest"]
