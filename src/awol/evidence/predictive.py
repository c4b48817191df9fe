"""Posterior-predictive simulation: draw particles, simulate each, summarise with full uncertainty.

Used after calibration (does the fitted model reproduce the figures it was fitted to, and
those published later?) and by the nowcast (the hidden totals at a date). Each draw carries
all three sources of uncertainty: its parameters (a particle drawn by weight, error-model
parameters included), run-to-run noise (its own seed) and observation error (the error
model applied to its figures). Draw k's seed comes from (base seed, k) alone, so results
do not depend on the number of workers. Quantiles carry a bootstrap Monte Carlo error, so
a reader sees whether the draws were enough.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from awol.engines.rng import child_seed
from awol.evidence.simulator import ENGINE, HIDDEN, HOW, Problem, hidden_values, simulate_point
from awol.experiments.analysis import quantiles
from awol.progress import Progress

__all__ = ["ENGINE", "HIDDEN", "hidden_values", "Draw", "make_draws", "run_draws", "intervals", "coverage_table",
           "hidden_table", "mc_error"]

MC_BOOTSTRAP = 200


@dataclass(frozen=True)
class Draw:
    """One posterior-predictive simulation: everything a worker needs."""

    index: int
    values: tuple
    seed: int
    problem: Problem = field(repr=False)
    keep_daily: bool = False


def simulate_draw(draw: Draw) -> tuple[np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Hidden quantities, published observed rows and (if asked) the daily table of one draw."""
    out = simulate_point(draw.problem, draw.values, draw.seed, keep_daily=draw.keep_daily)
    return out.hidden, out.published, out.daily


def choose_particles(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of `n` particles drawn with replacement by weight (reproducible from `seed`)."""
    rng = np.random.Generator(np.random.Philox(np.random.SeedSequence([int(seed) % 2**32, 7])))
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, replace=True, p=w / w.sum())


def make_draws(problem: Problem, particles: np.ndarray, weights: np.ndarray, *, n: int, seed: int,
               keep_daily: bool = False) -> list[Draw]:
    """`n` draws of particles by weight, each with its own seed from (seed, draw number)."""
    chosen = choose_particles(weights, n, seed)
    return [Draw(k, tuple(float(v) for v in particles[i]), child_seed(seed, 100_000 + k), problem, keep_daily)
            for k, i in enumerate(chosen)]


def run_draws(draws: list[Draw], executor: Executor | None, progress: Progress | None = None):
    """Simulate the draws (in order of index, whatever finishes first); return hidden, rows, dailies."""
    results: list = [None] * len(draws)
    if executor is None:
        for i, d in enumerate(draws):
            results[i] = simulate_draw(d)
            if progress:
                progress(i + 1, len(draws))
    else:
        from concurrent.futures import as_completed

        futures = {executor.submit(simulate_draw, d): i for i, d in enumerate(draws)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress(done, len(draws))
    hidden = np.stack([r[0] for r in results])
    rows = np.stack([r[1] for r in results])
    dailies = [r[2] for r in results]
    return hidden, rows, dailies


def mc_error(samples: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Bootstrap standard error of q05 and q95 of each column, relative to the quantile (0 where it is 0)."""
    samples = np.asarray(samples, dtype=float)
    rng = np.random.default_rng(seed)
    n = len(samples)
    boot = np.stack([np.quantile(samples[rng.integers(0, n, n)], [0.05, 0.95], axis=0) for _ in range(MC_BOOTSTRAP)])
    se = boot.std(axis=0, ddof=1)
    q = np.quantile(samples, [0.05, 0.95], axis=0)
    rel = np.divide(se, np.abs(q), out=np.zeros_like(se), where=np.abs(q) > 0)
    return pd.DataFrame({"mc_q05": rel[0], "mc_q95": rel[1]})


def intervals(samples: np.ndarray) -> pd.DataFrame:
    """Median and 50 % / 90 % intervals of each column of `samples` [draws, items] (`analysis.QUANTILES`)."""
    return pd.DataFrame(quantiles(samples))


def coverage_table(observed: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Observed rows with the predictive median, 50 % and 90 % intervals and whether they cover the figure."""
    from awol.evidence.observed import row_label

    table = intervals(rows)
    out = pd.DataFrame({
        "row": [row_label(r) for _, r in observed.iterrows()],
        "date_from": observed["date_from"].dt.strftime("%Y-%m-%d").to_numpy(),
        "date_to": observed["date_to"].dt.strftime("%Y-%m-%d").to_numpy(),
        "quantity": observed["quantity"].to_numpy(), "article": observed["article"].to_numpy(),
        "kind": observed["kind"].to_numpy(), "use": observed["use"].to_numpy(),
        "observed": observed["value"].to_numpy(dtype=float),
    })
    if "published" in observed:
        out["published"] = pd.to_datetime(observed["published"]).dt.strftime("%Y-%m-%d").to_numpy()
    out = pd.concat([out, table], axis=1)
    out["covered50"] = (out["observed"] >= out["q25"]) & (out["observed"] <= out["q75"])
    out["covered90"] = (out["observed"] >= out["q05"]) & (out["observed"] <= out["q95"])
    return out


def weighted_hidden_table(hidden: np.ndarray, weights: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """`hidden_table` of runs weighted by posterior over prior (importance weights), with bootstrap MC error."""
    from awol.experiments.analysis import quantiles as weighted

    w = np.asarray(weights, dtype=float) / np.sum(weights)
    out = pd.DataFrame(weighted(hidden, weights=w))
    out.insert(0, "quantity", [label for label, _, _ in HIDDEN])
    out.insert(1, "how", [HOW[how] for _, _, how in HIDDEN])
    rng = np.random.default_rng(seed)
    n = len(hidden)
    boot = []
    for _ in range(MC_BOOTSTRAP):
        pick = rng.integers(0, n, n)
        q = weighted(hidden[pick], weights=w[pick] + 1e-300)
        boot.append([q["q05"], q["q95"]])
    se = np.std(np.asarray(boot), axis=0, ddof=1)
    ends = np.abs(out[["q05", "q95"]].to_numpy().T)
    rel = np.divide(se, ends, out=np.zeros_like(se), where=ends > 0)
    out["mc_q05"], out["mc_q95"] = rel[0], rel[1]
    return out


def hidden_table(hidden: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Median, 50 % and 90 % intervals of each hidden total, with the Monte Carlo error of the 90 % ends."""
    out = intervals(hidden)
    out.insert(0, "quantity", [label for label, _, _ in HIDDEN])
    out.insert(1, "how", [HOW[how] for _, _, how in HIDDEN])
    return pd.concat([out, mc_error(hidden, seed)], axis=1)
