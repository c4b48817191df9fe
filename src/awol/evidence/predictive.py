"""Posterior-predictive simulation: draw particles by weight, simulate each, summarise.

Used twice: after calibration (does the fitted model reproduce the figures it was
fitted to, and those it was not?) and by the nowcast (what the hidden totals are at a
date). Draw k's seed comes from (base seed, k) alone, so results do not depend on
the number of workers.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from awol.evidence.measure import measure
from awol.experiments.analysis import quantiles
from awol.evidence.priors import scenario_at
from awol.engines import DEFAULT_ENGINE
from awol.engines.rng import child_seed
from awol.progress import Progress

ENGINE = DEFAULT_ENGINE

# Hidden quantities at a date: (label, daily column, how) with how = stock on the day or total since the start.
HIDDEN = (
    ("retained past term", "retained_past_term", "stock"),
    ("deserters at large", "deserters_at_large", "stock"),
    ("on duty", "on_duty", "stock"),
    ("imprisoned", "imprisoned", "stock"),
    ("desertions (total)", "new_desertions", "total"),
    ("captures (total)", "captures", "total"),
    ("voluntary returns (total)", "voluntary_returns", "total"),
    ("returned to the front (total)", "returned_to_front", "total"),
    ("deaths of returned deserters (total)", "deaths_returned", "total"),
    ("escapes beyond reach (total)", "escapes", "total"),
    ("prosecutions opened (total)", "cases_opened", "total"),
    ("deaths (total)", "deaths", "total"),
)


def hidden_values(daily: pd.DataFrame) -> np.ndarray:
    """The hidden quantities of HIDDEN at the last day of `daily`."""
    return np.array([float(daily[col].iloc[-1]) if how == "stock" else float(daily[col].sum())
                     for _, col, how in HIDDEN])


@dataclass(frozen=True)
class Draw:
    """One posterior-predictive simulation: everything a worker needs."""

    index: int
    values: dict
    seed: int
    days: int
    tree: dict = field(repr=False)
    observed: pd.DataFrame = field(repr=False)
    keep_daily: bool = False


def simulate_draw(draw: Draw) -> tuple[np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Hidden quantities, measured observed rows and (if asked) the daily table of one draw."""
    from awol.engines import simulate

    daily = simulate(scenario_at(draw.tree, draw.values), seed=draw.seed, days=draw.days, engine=ENGINE)
    rows = measure(daily, draw.observed) if len(draw.observed) else np.zeros(0)
    return hidden_values(daily), rows, (daily if draw.keep_daily else None)


def choose_particles(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of `n` particles drawn with replacement by weight (reproducible from `seed`)."""
    rng = np.random.Generator(np.random.Philox(np.random.SeedSequence([int(seed) % 2**32, 7])))
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, replace=True, p=w / w.sum())


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


def make_draws(tree: dict, paths: list[str], particles: np.ndarray, weights: np.ndarray, *, n: int, seed: int,
               days: int, observed: pd.DataFrame, keep_daily: bool = False) -> list[Draw]:
    chosen = choose_particles(weights, n, seed)
    return [Draw(k, {p: float(v) for p, v in zip(paths, particles[i])}, child_seed(seed, 100_000 + k), days, tree,
                 observed, keep_daily) for k, i in enumerate(chosen)]


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
    out = pd.concat([out, table], axis=1)
    out["covered50"] = (out["observed"] >= out["q25"]) & (out["observed"] <= out["q75"])
    out["covered90"] = (out["observed"] >= out["q05"]) & (out["observed"] <= out["q95"])
    return out


def hidden_table(hidden: np.ndarray) -> pd.DataFrame:
    out = intervals(hidden)
    out.insert(0, "quantity", [label for label, _, _ in HIDDEN])
    out.insert(1, "how", ["stock on the day" if how == "stock" else "total since the start" for _, _, how in HIDDEN])
    return out
