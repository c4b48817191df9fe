"""The agent engine: one record per soldier, visited only on the days something may happen to him.

Each day `Dynamics.rates` gives the probabilities of every event. Every soldier in a
status that can still change is visited only on his *candidate days*: while his daily
event probability p_t stays below his bound p̄, they form a Bernoulli(p̄) process kept
in a calendar (`calendar`), so the gap to the next one is geometric. On a candidate
day t he draws u and the events of his status's chain (`model.chain`) compete on u·p̄:
on duty killed, wounded, leaves the line, goes on leave; in hospital leaves it; on
leave his leave ends; at large found, comes back, dies, moves on; detained released.
Each day thus carries exactly the day's probability of each event, independently
across days (thinning), and a day costs the soldiers due that day, not all soldiers.

Bounds (`bounds`). A soldier's p̄ is the candidate probability of his class, stored
with him when he draws and kept until his next visit. On duty a class is (status,
role, channel, unit) and its bound is built from death plus wound by role (the most
the plan's intensity schedule reaches over the rest of the run), the line hazard
before the personal factor (fitted with headroom, since deterrence and peer effects
move it with the state, and not below a share of the class's other events) times the
channel's largest personal factor, and the leave-start probability (its largest over
the rest of the run). In hospital, on leave (by kind of leave) and detained, the bound
is the probability of the status's one event. At large a class is (region, destination,
hiding level) and its bound is that of finding (the region's detection, fitted with
headroom since search moves with the number at large), return, death and, where a
route leads on, moving. Every morning the tables are fitted to the day's rates. When a
class's p̄ rises, every soldier in it draws a fresh candidate from today, which is
exact because the candidate process is memoryless and every earlier day was covered
by the old bound. When it falls, nothing needs doing: soldiers drawn before keep
their larger bound, which still holds.

Term end (M1) falls on a fixed day: a serving soldier's next visit is the earlier of
his candidate and his contract end, where he meets M1 only (the pending candidate
is dropped; drawing anew is exact by memorylessness).

Stocks and the aggregates fed back to `Dynamics.rates` are kept incrementally at
each transition and copied into the day's counter row. Within a day a soldier
undergoes at most one transition; events compete in the order given in docs/ODD.md
(Process overview and scheduling). Draws are counter-based (`engines.rng`), keyed by
soldier, day and stream; one thread runs the kernel, so the output does not depend
on the number of threads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from awol.engines import rng
from awol.engines.agents import calendar
from awol.engines.agents.bounds import at_large_classes, bound_tables
from awol.engines.agents.kernel import Tallies, step_day
from awol.engines.agents.soldiers import Newcomers, Soldiers, expected_soldiers
from awol.engines.result import EngineRun
from awol.model import contracts
from awol.model import tallies as K
from awol.model.rates import Aggregate, Dynamics, Plan
from awol.model.states import CHANNELS, DETAINED, MOBILISED, RETAINED, SERVING


@dataclass
class KernelStats:
    """What the daily kernels did over a run: wall time and the work the calendar saved or cost."""

    seconds: float
    visits: int            # soldier-visits (candidate days and term ends)
    redraw_passes: int     # days on which a raised bound sent the kernel over every soldier
    redrawn: int           # soldiers who drew a fresh candidate because their bound was raised
    classes_redrawn: int   # classes (`bounds`) redrawn, summed over days


@dataclass
class AgentDetails:
    """What the agent engine adds to its `EngineRun`: the soldiers at the end, and its statistics."""

    soldiers: Soldiers
    stats: KernelStats


def run(plan: Plan, seed: int, progress=None) -> EngineRun:
    """Run the agent engine over the plan's days; `details` holds the soldiers and `KernelStats`."""
    scenario, days = plan.scenario, plan.days
    geo = plan.geography
    dynamics = Dynamics(plan)
    units = scenario.population.units
    n_regions = geo.n_regions
    key = rng.run_key(seed)
    init_gen = rng.generator(seed, rng.INITIAL)
    recruit_gen = rng.generator(seed, rng.RECRUITS)

    newcomers = [Newcomers.of(scenario, ch) for ch in range(len(CHANNELS))]
    soldiers = Soldiers.empty(expected_soldiers(plan))
    for ch, name in enumerate(CHANNELS):
        size = int(plan.initial_size[ch])
        if size == 0:
            continue
        span = getattr(scenario.population, name).started_within_months * contracts.DAYS_PER_MONTH
        starts = -np.floor(init_gen.random(size) * span).astype(np.int64)
        soldiers.add(key, **newcomers[ch].draw(size, starts, 0, init_gen, geo.unit_region))

    counts = np.zeros((days, K.N_TALLIES), dtype=np.int64)
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    stats = np.zeros(4, dtype=np.int64)
    B = bound_tables(plan, days, units)
    T = Tallies(
        standing=np.zeros(K.N_TALLIES, dtype=np.int64),
        class_size=np.zeros((DETAINED + 1, 3, 3, units), dtype=np.int64),
        on_duty_unit=np.zeros(units, dtype=np.int64),
        at_large_class=np.zeros(at_large_classes(plan), dtype=np.int64),
        at_large_region=np.zeros(n_regions, dtype=np.int64),
        desertions_unit=np.zeros(units, dtype=np.int64),
    )
    cal = calendar.Calendar(days, soldiers.capacity)
    C = cal.arrays()
    moves = geo.movement()
    agg = Aggregate(
        at_large_by_region=np.zeros(n_regions),
        on_duty_by_unit=np.bincount(soldiers.arrays.unit[: soldiers.n], minlength=units).astype(float),
        desertions_by_unit=np.zeros(units),
        on_duty=float(soldiers.n),
    )
    n_before = 0  # the initial force arrives on day 0
    started = time.perf_counter()
    for t in range(days):
        rates = dynamics.rates(t, agg)
        # A Poisson draw of mean 0 takes nothing from the generator (NumPy returns 0 at
        # once), so skipping an all-zero day leaves the recruits' stream as it was.
        arrivals = recruit_gen.poisson(rates.recruits) if rates.recruits.any() else np.zeros(3, dtype=np.int64)
        arrivals[MOBILISED] += rates.mobilised_quota
        for ch in range(3):
            if arrivals[ch]:
                k = int(arrivals[ch])
                capacity = soldiers.capacity
                soldiers.add(key, **newcomers[ch].draw(k, np.full(k, t), t, recruit_gen, geo.unit_region))
                if soldiers.capacity != capacity:  # the arrays grew
                    cal.reserve(soldiers.capacity)
                    C = cal.arrays()
        desertions = step_day(t, days, n_before, soldiers.n, soldiers.arrays, C, B, T, stats, rates, moves,
                              arrivals, counts)
        n_before = soldiers.n
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        dynamics.record(t, desertions)
        agg = Aggregate(
            at_large_by_region=T.at_large_region.astype(float),
            on_duty_by_unit=T.on_duty_unit.astype(float),
            desertions_by_unit=T.desertions_unit.astype(float),
            on_duty=float(T.standing[K.STOCK + SERVING] + T.standing[K.STOCK + RETAINED]),
        )
        if progress is not None:
            progress(t + 1, days)
    seconds = time.perf_counter() - started
    details = AgentDetails(soldiers, KernelStats(seconds, *(int(x) for x in stats)))
    return EngineRun(counts, search_units, checkpoints, expectation=False, seconds=seconds, details=details)
