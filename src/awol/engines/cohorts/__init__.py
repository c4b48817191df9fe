"""The cohort engine: soldiers who are exchangeable for every mechanism share one count.

A cohort is a count of soldiers with the same key: status, role, channel, unit,
contract-end day (or a term code), risk-tolerance level, ever-absent flag; while on
leave which leave; while at large his region, destination, how the absence began, his
hiding level, the day it began and whether he was absent before; while detained his
sentence. Members meet the events of the one chain (`model.chain`), with the same
`DayRates` as the agent engine, and the aggregate feedback is formed the same way, so
the output has the agent engine's distribution up to the one approximation: risk
tolerance is grouped into equal-probability bins (scenario `cohorts.risk_bins`), each
carrying the conditional mean of the personal factor exp(β_tol (τ − ½)).

Soldiers on duty, in hospital and on leave are dense pools (`pools`), split over the
day's events by exact multinomials or thinning; absent and detained soldiers are in the
sparse cohort table (`table`), stepped by clocks that fall due on the days a member's
event falls (`kernel.step_table`). `kernel` steps a day; `arrivals` says where recruits
land, `levels` what the risk levels are, `draws` how counts are split exactly.

Random numbers come from the sequential stream of `engines.rng` (uniforms, binomials of
small mean) and Numba's generator (binomials of large mean, Poisson arrivals), both
seeded once per run from (seed, `rng.COHORTS`) and consumed in a fixed order by one
thread.
"""

from __future__ import annotations

import time

import numpy as np

from awol.engines import rng
from awol.engines.cohorts import pools as pooling
from awol.engines.cohorts.arrivals import NO_OFFSET, arrival_factors, term_end_hazard
from awol.engines.cohorts.draws import seed_stream, stream_seed
from awol.engines.cohorts.kernel import (
    DESERTED,
    EMPTY_COHORTS,
    ON_DUTY,
    PENDING_ROOM,
    PHASE,
    ArrivalDraw,
    CohortState,
    DayOutput,
    Scratch,
    hazard_classes,
    initial_force,
    step_day,
)
from awol.engines.cohorts.levels import binned_levels
from awol.engines.cohorts.pools import BLOCK_SHIFT, N_PARTS_AWAY, Layout
from awol.engines.cohorts.table import N_FIELDS, CohortTable, check_size
from awol.engines.result import EngineRun
from awol.model import chain
from awol.model import tallies as K
from awol.model.rates import Aggregate, Dynamics, Plan
from awol.model.states import CHANNELS, RETAINED, ROLES, SERVING


def _arrival(scenario, channel: int, level_probs: np.ndarray) -> ArrivalDraw:
    """How `kernel.arrive` places a recruit of `channel`: the (role, unit, level) groups and the
    terms with cumulative probabilities (`arrivals.arrival_factors`), and the marginals of
    role and level, cumulative (the unit is uniform)."""
    (role, unit, level, prob), (off, off_p) = arrival_factors(scenario, channel, level_probs, False)
    roles = getattr(scenario.channels, CHANNELS[channel]).roles
    role_p = np.array([roles.get(r, 0.0) for r in ROLES])
    return ArrivalDraw(role, unit, level, np.cumsum(prob), off, np.cumsum(off_p), np.cumsum(role_p),
                       np.cumsum(level_probs))


def run(plan: Plan, seed: int, progress=None) -> EngineRun:
    """Run the cohort engine over the plan's days."""
    scenario, days = plan.scenario, plan.days
    geo = plan.geography
    dynamics = Dynamics(plan)
    U = scenario.population.units
    n_regions = geo.n_regions
    factors, probs = binned_levels(scenario)
    V = factors.shape[1]
    initial = [arrival_factors(scenario, c, probs[c], True) for c in range(3)]
    arrivals = tuple(_arrival(scenario, c, probs[c]) for c in range(3))
    pre_hazard = np.stack([term_end_hazard(*initial[c][1], days) for c in range(3)])
    L = 2 + max(int(np.max(a.offset[a.offset != NO_OFFSET], initial=0)) for a in arrivals)
    L = ((L + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT) << BLOCK_SHIFT
    P = 18 * U * V
    check_size(n_regions, U, V, P, L)
    layout = Layout(U, V, L)

    table = CohortTable(4096)
    pool_keys = pooling.pool_table(layout)
    cells = max(max(len(a.cum), len(a.offset_cum)) for a in arrivals)
    cells = max(cells, max(len(g[0][3]) for g in initial))
    scratch = Scratch(np.zeros(N_FIELDS, dtype=np.int64), np.zeros(V), np.zeros(V), np.zeros(cells), np.zeros(cells),
                      np.zeros(N_PARTS_AWAY), np.zeros((chain.N_CLASS_EVENTS, N_PARTS_AWAY)))
    seed_stream(stream_seed(seed))
    rs = rng.stream_state(seed, rng.COHORTS)
    size = 64 + 2 * P + int(plan.initial_size.sum()) // 100
    state = CohortState(pooling.rings(P, L), pooling.empty_pools(P), pooling.pending(size), table.arrays,
                        np.zeros(K.N_STATUS), np.zeros(hazard_classes(n_regions, len(plan.hiding[1]))))
    for c in range(len(CHANNELS)):
        n = int(plan.initial_size[c])
        if n:
            role, unit, level, prob = initial[c][0]
            initial_force(rs, state.rings, state.pools, float(n), c, role, unit, level, np.cumsum(prob),
                          layout, scratch.per_group)

    counts = np.zeros((days, K.N_TALLIES))
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    phase = np.zeros(3, dtype=np.int64)
    info = np.array([0, 64 + 2 * P], dtype=np.int64)
    by_unit = np.zeros((days, 2, U))
    by_region = np.zeros((days, n_regions))
    on_duty_by_unit = state.pools.serving.reshape(2, 3, 3, U, V).sum(axis=(0, 1, 2, 4))
    agg = Aggregate(np.zeros(n_regions), on_duty_by_unit, np.zeros(U), float(on_duty_by_unit.sum()))
    moves = geo.movement()
    started = time.perf_counter()
    for t in range(days):
        table.compact(int(info[EMPTY_COHORTS]))  # the kernel counted the empty cohorts at the end of the day
        pend = state.pending
        if len(pend.pool) < info[PENDING_ROOM]:  # room for every soldier who may come back on duty today
            pend = pooling.pending(max(int(info[PENDING_ROOM]), 2 * len(pend.pool)), used=pend.used)
        state = state._replace(pending=pend, table=table.arrays)
        rates = dynamics.rates(t, agg)
        phase[PHASE] = 0
        out = DayOutput(counts[t], by_unit[t], by_region[t])
        while not step_day(rs, t, phase, state, layout, pool_keys, factors, pre_hazard, arrivals, rates, moves,
                           out, scratch, info):
            table.ensure(table.capacity - table.n + 1)  # doubles the table
            state = state._replace(table=table.arrays)
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        deserted = by_unit[t, DESERTED]
        dynamics.record(t, float(deserted.sum()))
        agg = Aggregate(by_region[t], by_unit[t, ON_DUTY], deserted,
                        float(counts[t, K.STOCK + SERVING] + counts[t, K.STOCK + RETAINED]))
        if progress is not None:
            progress(t + 1, days)
    seconds = time.perf_counter() - started
    return EngineRun(np.rint(counts).astype(np.int64), search_units, checkpoints, expectation=False, seconds=seconds)
