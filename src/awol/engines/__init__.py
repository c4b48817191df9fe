"""Engines step the model through time. They share the day's rates (model.rates),
the random-number scheme (engines.rng) and the output layout (engines.outputs)."""

from __future__ import annotations



import pandas as pd

from awol.scenario.schema import Scenario

ENGINES = ("agents", "cohorts")

from awol.progress import Progress


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    days: int | None = None,
    engine: str = "agents",
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run one simulation and return its daily outputs (one row per day).

    `seed` and `days` default to the scenario's; `progress(done, total)` is called
    after each simulated day.
    """
    from awol.engines.outputs import daily_table

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
    return daily_table(
        counts,
        start=scenario.simulation.start,
        search_units=search_units,
        checkpoints=checkpoints,
        scenario=scenario,
        seed=seed,
    )
