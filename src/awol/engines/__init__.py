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
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from awol.problems import ProblemsError
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


class BatchError(ProblemsError, ValueError):
    """A batch of runs that cannot be made; `problems` names the argument, the value and what is allowed."""


def simulate_many(scenarios: Sequence[Scenario], seeds: Sequence[int], *, columns: Sequence[str],
                  days: int | None = None, engine: str = DEFAULT_ENGINE) -> dict[str, np.ndarray]:
    """Many runs, keeping only the named daily columns: {column: array [run, day]}.

    The one path for work that needs a few outputs of many runs (simulation banks, SBC,
    ABC, posterior draws, paired comparisons): no pandas, no Parquet, and only the asked
    columns kept, so a batch of R runs holds R × days × len(columns) numbers rather than
    every run's whole table. Run k is scenario k with seed k, and its columns are those
    `simulate_columns` gives for that scenario and seed, bit for bit, whatever else is in
    the batch (tests/engines/test_batch.py): each run has its own random streams, and
    nothing but the compiled code is shared. A scenario object given for several runs has
    its plan made once.

    The runs are made one after another: the cohort kernel has no daily work shared
    between runs worth an array axis (benchmarks/throughput/README.md measures why), so
    callers spread batches over processes (`experiments.execution.executor_for`).
    """
    from awol.engines.outputs import daily_columns
    from awol.model.rates import make_plan

    scenarios, seeds, columns = list(scenarios), [int(s) for s in seeds], list(columns)
    lengths = {scenario.simulation.days if days is None else int(days) for scenario in scenarios}
    problems = []
    if len(scenarios) != len(seeds):
        problems.append(f"seeds: {len(seeds)} seeds for {len(scenarios)} scenarios; give one seed per run")
    if engine not in ENGINES:
        problems.append(f"engine: {engine!r} is not an engine; choose one of {', '.join(ENGINES)}")
    if days is not None and int(days) < 1:
        problems.append(f"days: {days} must be at least 1")
    elif len(lengths) > 1:
        problems.append(f"days: the scenarios run for {', '.join(map(str, sorted(lengths)))} days; give `days` "
                        "so that every run of a batch covers the same days")
    if not columns:
        problems.append("columns: none named; name the daily columns to keep (`simulate_columns` lists them)")
    if not problems and scenarios:
        from awol.engines.result import EngineRun
        from awol.model.tallies import N_TALLIES

        empty = EngineRun(np.zeros((1, N_TALLIES), dtype=np.int64), np.zeros(1), np.zeros(1), False, 0.0)
        names = daily_columns(empty, scenario=scenarios[0], seed=0)  # the table's columns, from a one-day table
        problems += [f"columns: {name!r} is not a daily output; choose from {', '.join(names)}"
                     for name in columns if name not in names]
    if problems:
        raise BatchError(problems)
    run_days = lengths.pop() if lengths else int(days or 0)
    package = importlib.import_module(f"awol.engines.{engine}")
    plans: dict[int, object] = {}
    kept = {name: np.zeros((len(scenarios), run_days), dtype=np.int64) for name in columns}
    for k, (scenario, seed) in enumerate(zip(scenarios, seeds, strict=True)):
        plan = plans.get(id(scenario))  # the list holds every scenario, so an id is not reused meanwhile
        if plan is None:
            plan = plans[id(scenario)] = make_plan(scenario, run_days)
        daily = daily_columns(package.run(plan, seed, None), scenario=scenario, seed=seed)
        for name in columns:
            if kept[name].dtype != daily[name].dtype:
                kept[name] = kept[name].astype(daily[name].dtype)
            kept[name][k] = daily[name]
    return kept
