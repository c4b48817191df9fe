"""The expected course: the chain of events with every draw replaced by its expectation.

Every soldier is in the cohort table (`engines.cohorts.table`), keyed by everything
that tells soldiers apart, his exact contract-end day included. Each day every
cohort loses to each event of its status (`model.chain`) its expected share, in the
chain's order and with the same `DayRates` as the drawing engines; soldiers who move
join their new cohort after the day. When no day's rates depend on the state the
recursion is linear and this is the exact expected course (`engines.expected`); with
the cohort engine's risk bins (`cohorts.levels.binned_levels`) it measures what
binning costs. Every reachable key is populated, so it suits small key spaces: few
units, days and contract terms.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from awol.engines.cohorts.arrivals import NO_OFFSET, arrival_cells
from awol.engines.cohorts.table import (
    F_CE,
    F_CHANNEL,
    F_DEST,
    F_FLAG,
    F_LEVEL,
    F_REGION,
    F_ROLE,
    F_SENTENCE,
    F_STATUS,
    F_UNIT,
    N_FIELDS,
    NO_TERM,
    TERM_DECIDED,
    CohortTable,
    check_size,
    find_or_add,
)
from awol.model import chain
from awol.model import tallies as K
from awol.model.rates import Aggregate, Dynamics, Plan
from awol.model.states import (
    ASSAULT,
    AT_LARGE,
    CHANNELS,
    DETAINED,
    ESCAPED,
    EXIT,
    HOME,
    HOSPITAL,
    IMPRISONED,
    KILLED,
    NOT_PROSECUTED,
    PRISON,
    RELEASED,
    RETAINED,
    SERVING,
    SUSPENDED,
)

inline = njit(cache=True, inline="always")
DESERTED, ON_DUTY = 0, 1     # rows of the day's per-unit counts


@inline
def _to(T, f, status, t, k):
    """K soldiers with fields f join the cohort of `status` after today (keys merged as the table says).

    A soldier back on duty whose term ended while he was away meets M1 tomorrow, as in
    the drawing engines."""
    if k == 0.0:
        return
    f[F_STATUS] = status
    if status != AT_LARGE:
        f[F_DEST] = 0
        f[F_REGION] = 0
    if status != DETAINED:
        f[F_SENTENCE] = 0
    if status == SERVING and f[F_CE] != NO_TERM and f[F_CE] != TERM_DECIDED and f[F_CE] <= t:
        f[F_CE] = t + 1
    T.incoming[find_or_add(f, T)] += k


@njit(cache=True)
def add_arrivals(T, t, n, channel, cells_role, cells_unit, cells_offset, cells_level, cells_prob):
    """Spread n new soldiers over the arrival cells in proportion; they serve from today."""
    f = np.zeros(N_FIELDS, dtype=np.int64)
    f[F_STATUS] = SERVING
    f[F_CHANNEL] = channel
    for j in range(len(cells_prob)):
        k = n * cells_prob[j]
        if k == 0.0:
            continue
        f[F_ROLE] = cells_role[j]
        f[F_UNIT] = cells_unit[j]
        f[F_LEVEL] = cells_level[j]
        f[F_CE] = NO_TERM if cells_offset[j] == NO_OFFSET else max(t + cells_offset[j], t)
        T.count[find_or_add(f, T)] += k


@njit(cache=True)
def step_day(t, T, absorbed, level_factor, rates, moves, row, by_unit, by_region):
    """One day for every cohort: the chain's events, in expectation."""
    f = np.zeros(N_FIELDS, dtype=np.int64)
    for i in range(T.used[0]):
        n = T.count[i]
        if n == 0.0:
            continue
        s = T.fields[i, F_STATUS]
        r, c, u = T.fields[i, F_ROLE], T.fields[i, F_CHANNEL], T.fields[i, F_UNIT]
        lv, flag, ce = T.fields[i, F_LEVEL], T.fields[i, F_FLAG], T.fields[i, F_CE]
        for m in range(N_FIELDS):
            f[m] = T.fields[i, m]
        if s == SERVING and ce != NO_TERM and ce <= t:  # M1: the term ends today, nothing else
            T.count[i] = 0.0
            release, assault_share = chain.term_end_split(rates)
            released = n * release
            retained = n - released
            absorbed[RELEASED] += released
            chain.record_term_end(row, released, retained)
            f[F_CE] = TERM_DECIDED
            assault = retained if r == ASSAULT else retained * assault_share
            _to(T, f, RETAINED, t, retained - assault)
            f[F_ROLE] = ASSAULT
            _to(T, f, RETAINED, t, assault)
        elif s < AT_LARGE:  # serving, retained, hospital
            probs = chain.class_events(rates, s, r, c, u, level_factor[c, lv])
            left = n
            for event in range(chain.N_CLASS_EVENTS):
                k = n * probs[event]
                if k == 0.0:
                    continue
                left -= k
                decided = ce == TERM_DECIDED
                dst = chain.class_event_destination(s, event, decided)
                for m in range(N_FIELDS):
                    f[m] = T.fields[i, m]
                if s == HOSPITAL and event == chain.HOSPITAL_RECOVERS:
                    discharged = k * chain.discharged_share(rates)
                    absorbed[RELEASED] += discharged
                    chain.record_class_event(row, s, event, r, c, flag, discharged, RELEASED)
                    chain.record_class_event(row, s, event, r, c, flag, k - discharged, dst)
                    _to(T, f, dst, t, k - discharged)
                    continue
                chain.record_class_event(row, s, event, r, c, flag, k, dst)
                if dst == KILLED:
                    absorbed[KILLED] += k
                elif dst == HOSPITAL:
                    _to(T, f, HOSPITAL, t, k)
                else:  # M3: deserts from his unit's region, heading home or for the exit
                    by_unit[DESERTED, u] += k
                    to_exit = k * chain.exit_share(rates)
                    f[F_FLAG] = 1
                    f[F_REGION] = moves.unit_region[u]
                    f[F_DEST] = EXIT
                    _to(T, f, AT_LARGE, t, to_exit)
                    f[F_REGION] = moves.unit_region[u]
                    f[F_DEST] = HOME
                    _to(T, f, AT_LARGE, t, k - to_exit)
            T.count[i] = left
        elif s == AT_LARGE:
            g, d = T.fields[i, F_REGION], T.fields[i, F_DEST]
            p_search, p_surrender, p_move = chain.at_large_events(rates, g)
            searched, surrendered, moving = n * p_search, n * p_surrender, n * p_move
            nxt = moves.next_hop[d, g]
            if not chain.moves_on(nxt, g):
                moving = 0.0
            T.count[i] = n - searched - surrendered - moving
            stopped = moving * chain.route_stop(rates, g, nxt)
            chain.record_capture(row, chain.BY_SEARCH, searched)
            chain.record_capture(row, chain.BY_SURRENDER, surrendered)
            chain.record_capture(row, chain.BY_CHECKPOINT, stopped)
            passed = moving - stopped
            if passed != 0.0:
                if moves.is_exit[nxt]:
                    absorbed[ESCAPED] += passed
                    chain.record_escape(row, passed)
                else:
                    f[F_REGION] = nxt
                    _to(T, f, AT_LARGE, t, passed)
            caught = searched + surrendered + stopped
            if caught != 0.0:  # M6 sentence decided at capture
                prison_share, prosecuted_share = chain.sentence_shares(rates)
                prison, suspended = caught * prison_share, caught * (prosecuted_share - prison_share)
                chain.record_cases(row, prison + suspended)
                for sentence, k in ((PRISON, prison), (SUSPENDED, suspended),
                                    (NOT_PROSECUTED, caught - prison - suspended)):
                    for m in range(N_FIELDS):
                        f[m] = T.fields[i, m]
                    f[F_SENTENCE] = sentence
                    _to(T, f, DETAINED, t, k)
        elif s == DETAINED:
            done = n * chain.detention_ends(rates)
            if done == 0.0:
                continue
            T.count[i] = n - done
            sentence = T.fields[i, F_SENTENCE]
            decided = ce == TERM_DECIDED
            chain.record_detention_end(row, sentence, decided, done)
            dst = chain.after_detention(sentence, decided)
            if dst == IMPRISONED:
                absorbed[IMPRISONED] += done
                continue
            assault = done if r == ASSAULT else done * chain.returned_assault_share(rates)
            _to(T, f, dst, t, done - assault)
            f[F_ROLE] = ASSAULT
            _to(T, f, dst, t, assault)
    # the day's moves join their cohorts; end-of-day stocks
    for i in range(T.used[0]):
        if T.incoming[i] != 0.0:
            T.count[i] += T.incoming[i]
            T.incoming[i] = 0.0
        n = T.count[i]
        if n == 0.0:
            continue
        s = T.fields[i, F_STATUS]
        row[K.STOCK + s] += n
        if s == SERVING or s == RETAINED:
            row[K.ON_DUTY_ROLE + T.fields[i, F_ROLE]] += n
            row[K.ON_DUTY_CHANNEL + T.fields[i, F_CHANNEL]] += n
            by_unit[ON_DUTY, T.fields[i, F_UNIT]] += n
            if T.fields[i, F_FLAG]:
                row[K.ON_DUTY_RETURNED] += n
        elif s == AT_LARGE:
            by_region[T.fields[i, F_REGION]] += n
    for s in (IMPRISONED, RELEASED, KILLED, ESCAPED):
        row[K.STOCK + s] += absorbed[s]


def expected_course(plan: Plan, levels: tuple[np.ndarray, np.ndarray]):
    """Step the expected course over the plan's days with the given risk levels
    ([channel, level] factors and probabilities); return (tallies [days, N_TALLIES] float,
    search units, checkpoints)."""
    scenario, days = plan.scenario, plan.days
    geo = plan.geography
    dynamics = Dynamics(plan)
    units = scenario.population.units
    factors, probs = levels
    initial = [arrival_cells(scenario, c, probs[c], True) for c in range(3)]
    new = [arrival_cells(scenario, c, probs[c], False) for c in range(3)]
    ring = 2 + max(int(np.max(cells[2][cells[2] != NO_OFFSET], initial=0)) for cells in initial + new)
    check_size(geo.n_regions, units, factors.shape[1], 18 * units * factors.shape[1], ring)
    table = CohortTable(4096)
    for c in range(len(CHANNELS)):
        if plan.initial_size[c]:
            table.ensure(len(initial[c][4]))
            add_arrivals(table.arrays, 0, float(plan.initial_size[c]), c, *initial[c])
    counts = np.zeros((days, K.N_TALLIES))
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    absorbed = np.zeros(K.N_STATUS)
    by_unit = np.zeros((2, units))
    on_duty = _on_duty_by_unit(table, units)
    agg = Aggregate(np.zeros(geo.n_regions), on_duty, np.zeros(units), float(on_duty.sum()))
    moves = geo.movement()
    for t in range(days):
        table.compact()
        rates = dynamics.rates(t, agg)
        arrivals = rates.recruits.astype(float).copy()
        arrivals[CHANNELS.index("mobilised")] += rates.mobilised_quota
        for c in range(3):
            if arrivals[c]:
                table.ensure(len(new[c][4]))
                add_arrivals(table.arrays, t, float(arrivals[c]), c, *new[c])
        row = counts[t]
        by_unit = np.zeros((2, units))
        by_region = np.zeros(geo.n_regions)
        table.ensure(6 * table.n + 64)  # each cohort sends its members to at most six others
        step_day(t, table.arrays, absorbed, factors, rates, moves, row, by_unit, by_region)
        row[K.RECRUITS_CHANNEL: K.RECRUITS_CHANNEL + 3] = arrivals
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        dynamics.record(t, float(by_unit[DESERTED].sum()))
        agg = Aggregate(by_region, by_unit[ON_DUTY], by_unit[DESERTED], float(by_unit[ON_DUTY].sum()))
    return counts, search_units, checkpoints


def _on_duty_by_unit(table: CohortTable, units: int) -> np.ndarray:
    """Soldiers per unit at the start: all serving."""
    T = table.arrays
    n = table.n
    return np.bincount(T.fields[:n, F_UNIT], weights=T.count[:n], minlength=units)
