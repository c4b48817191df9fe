"""Engines step the model through time. They share the day's rates (model.rates),
the random-number scheme (engines.rng) and the output layout (engines.outputs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from awol.progress import Progress
from awol.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

ENGINES = ("agents", "cohorts")
# The engine of every entry point (`awol run`, the Python API, experiments, evidence,
# the web) unless one is named: the cohort engine, exact but for the binning of risk
# tolerance (`cohorts.risk_bins`) and the faster at full scale. The agent engine is the
# reference it is tested against (docs/engines.md).
DEFAULT_ENGINE = "cohorts"


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    days: int | None = None,
    engine: str = DEFAULT_ENGINE,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run one simulation and return its daily outputs (one row per day).

    `seed` and `days` default to the scenario's; `progress(done, total)` is called
    after each simulated day.
    """
    from awol.engines.outputs import as_frame

    return as_frame(simulate_columns(scenario, seed=seed, days=days, engine=engine, progress=progress))


def simulate_columns(
    scenario: Scenario,
    *,
    seed: int | None = None,
    days: int | None = None,
    engine: str = DEFAULT_ENGINE,
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """`simulate` without pandas: the same daily outputs as NumPy columns, in table order.

    What `awol run` and experiment workers write to Parquet (`store.runs.write_parquet`).
    """
    from awol.engines.outputs import daily_columns

    if engine not in ENGINES:
        raise ValueError(f"engine: {engine!r} is not an engine; choose one of {', '.join(ENGINES)}")
    seed = scenario.simulation.seed if seed is None else int(seed)
    days = scenario.simulation.days if days is None else int(days)
    if days < 1:
        raise ValueError(f"days: {days} must be at least 1")
    if engine == "cohorts":
        from awol.engines.cohorts import simulate_cohorts

        counts, search_units, checkpoints, _ = simulate_cohorts(scenario, seed, days, progress)
    else:
        from awol.engines.agents import simulate_agents

        counts, search_units, checkpoints, _, _ = simulate_agents(scenario, seed, days, progress)
    return daily_columns(
        counts,
        start=scenario.simulation.start,
        search_units=search_units,
        checkpoints=checkpoints,
        scenario=scenario,
        seed=seed,
    )
