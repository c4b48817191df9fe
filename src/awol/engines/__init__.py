"""Engines step the model through time: one package per engine, one interface, registered here.

Every engine draws (or takes the expectation of) the same chain of events
(`model.chain`) with the same day's rates (`model.rates`); each is a package with
`run(plan, seed, progress) -> EngineRun` (`engines.result`):

- `agents`: one record per soldier, visited only on his candidate days (the reference);
- `cohorts`: counts of exchangeable soldiers, exact draws over the counts (the default);
- `expected`: the exact expected course, for scenarios whose rates do not depend on the state.

They share the random-number scheme (`engines.rng`) and the output table (`engines.outputs`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import numpy as np

from awol.progress import Progress
from awol.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from awol.engines.result import EngineRun

ENGINES = ("agents", "cohorts", "expected")
# The engine of every entry point (`awol run`, the Python API, experiments, evidence,
# the web) unless one is named: the cohort engine, exact but for the binning of risk
# tolerance (`cohorts.risk_bins`) and the faster at full scale. The agent engine is the
# reference it is tested against (docs/engines.md).
DEFAULT_ENGINE = "cohorts"


def engine_run(scenario: Scenario, *, seed: int | None = None, days: int | None = None,
               engine: str = DEFAULT_ENGINE, progress: Progress | None = None) -> EngineRun:
    """Run one engine on a scenario and return its `EngineRun` (daily tallies, pursuit levels).

    `seed` and `days` default to the scenario's; `progress(done, total)` is called after
    each simulated day.
    """
    from awol.model.rates import make_plan

    if engine not in ENGINES:
        raise ValueError(f"engine: {engine!r} is not an engine; choose one of {', '.join(ENGINES)}")
    seed = scenario.simulation.seed if seed is None else int(seed)
    days = scenario.simulation.days if days is None else int(days)
    if days < 1:
        raise ValueError(f"days: {days} must be at least 1")
    package = importlib.import_module(f"awol.engines.{engine}")
    return package.run(make_plan(scenario, days), seed, progress)


def simulate_columns(scenario: Scenario, *, seed: int | None = None, days: int | None = None,
                     engine: str = DEFAULT_ENGINE, progress: Progress | None = None) -> dict[str, np.ndarray]:
    """One simulation's daily outputs as NumPy columns, in table order (no pandas).

    What `awol run` and experiment workers write to Parquet (`store.runs.write_parquet`).
    """
    from awol.engines.outputs import daily_columns

    seed = scenario.simulation.seed if seed is None else int(seed)
    run = engine_run(scenario, seed=seed, days=days, engine=engine, progress=progress)
    return daily_columns(run, scenario=scenario, seed=seed)


def simulate(scenario: Scenario, *, seed: int | None = None, days: int | None = None,
             engine: str = DEFAULT_ENGINE, progress: Progress | None = None) -> pd.DataFrame:
    """One simulation's daily outputs, one row per day (a pandas DataFrame); see `simulate_columns`."""
    from awol.engines.outputs import as_frame

    return as_frame(simulate_columns(scenario, seed=seed, days=days, engine=engine, progress=progress))
