"""The expected course: the chain of events with every draw replaced by its expectation.

Every soldier is in the cohort table (`engines.cohorts.table`), keyed by everything
that tells soldiers apart, his exact contract-end day and, on leave, which leave included. Each day every
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
    ABSENCE_FIELDS,
    F_CE,
    F_CHANNEL,
    F_DEST,
    F_FLAG,
    F_HIDING,
    F_LEVEL,
    F_PATHWAY,
    F_PRIOR,
    F_REGION,
    F_ROLE,
    F_SENTENCE,
    F_START,
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
from awol.model.observation import AWOL, DESERTION, DISOBEDIENCE
from awol.model.rates import Aggregate, Dynamics, Plan
from awol.model.states import (
    ASSAULT,
    AT_LARGE,
    BY_CHECKPOINT,
    CHANNELS,
    DETAINED,
    DIED,
    ESCAPED,
    ESCAPED_ABROAD,
    EXIT,
    HOME,
    HOSPITAL,
    IMPRISONED,
    KILLED,
    LEAVE,
    LINE_PATHWAY,
    NOT_PROSECUTED,
    ON_LEAVE,
    PRISON,
    RELEASED,
    RETAINED,
    RETURNED,
    SERVING,
    SUSPENDED,
    TREATMENT,
)

inline = njit(cache=True, inline="always")
DESERTED, ON_DUTY = 0, 1     # rows of the day's per-unit counts


@inline
def _to(T, f, status, t, k):
    """k soldiers with fields f join the cohort of `status` after today (keys merged as the table says).

    A soldier back on duty whose term ended while he was away meets M1 tomorrow, as in
    the drawing engines."""
    if k == 0.0:
        return
    f[F_STATUS] = status
    if status != AT_LARGE:
        for field in ABSENCE_FIELDS:
            if not (status == ON_LEAVE and field == F_PATHWAY):
                f[field] = 0
    if status != DETAINED:
        f[F_SENTENCE] = 0
    if (status == SERVING or status == RETAINED) and f[F_CE] != NO_TERM and f[F_CE] != TERM_DECIDED \
            and f[F_CE] <= t:
        f[F_CE] = t + 1
    T.incoming[find_or_add(f, T)] += k


@njit(cache=True)
def add_arrivals(T, t, days, n, channel, cells_role, cells_unit, cells_offset, cells_level, cells_prob):
    """Spread n new soldiers over the arrival cells in proportion; they serve from today.

    A term that ends after the run is stored as no term: within the run it is the same,
    and it keeps the key space (every key is populated in expectation) to what matters."""
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
        ce = NO_TERM if cells_offset[j] == NO_OFFSET else max(t + cells_offset[j], t)
        f[F_CE] = NO_TERM if ce >= days else ce
        T.count[find_or_add(f, T)] += k


@inline
def _absent(T, f, src, t, k, pathway, convalescing, rates, moves, row, by_unit):
    """M3: k soldiers with fields f begin an absence by `pathway`, spread over destinations and hiding levels."""
    u = f[F_UNIT]
    chain.record_absence(row, src, pathway, f[F_ROLE], f[F_CHANNEL], k)
    by_unit[DESERTED, u] += k
    f[F_PRIOR] = f[F_FLAG]
    f[F_FLAG] = 1
    f[F_PATHWAY] = pathway
    f[F_START] = t
    to_exit = k * chain.exit_share(rates)
    for dest, n in ((EXIT, to_exit), (HOME, k - to_exit)):
        for level in range(len(rates.hiding_share)):
            f[F_REGION] = chain.absence_start(moves, pathway, u, convalescing)
            f[F_DEST] = dest
            f[F_HIDING] = level
            _to(T, f, AT_LARGE, t, n * chain.hiding_share(rates, level))


@inline
def _detain(T, f, t, caught, case, days_at_large, rates, row):
    """`caught` soldiers with fields f begin detention: sentences and court cases, in expectation."""
    prison_share, prosecuted_share = chain.sentence_shares(rates, case)
    prosecuted = caught * prosecuted_share
    if case == chain.CASE_REFUSAL:
        chain.record_cases(row, DISOBEDIENCE, days_at_large, prosecuted)
    else:
        deserted = prosecuted * chain.desertion_article_share(rates)
        chain.record_cases(row, DESERTION, days_at_large, deserted)
        chain.record_cases(row, AWOL, days_at_large, prosecuted - deserted)
    prison = caught * prison_share
    for sentence, k in ((PRISON, prison), (SUSPENDED, prosecuted - prison), (NOT_PROSECUTED, caught - prosecuted)):
        f[F_SENTENCE] = sentence
        _to(T, f, DETAINED, t, k)


@inline
def _come_back(T, f, i, src, pathway, convalescing, t, k, level_factor, rates, moves, row, by_unit):
    """k soldiers of cohort i due back on duty from hospital or leave: back, not back, or refusing (M3)."""
    c, lv = T.fields[i, F_CHANNEL], T.fields[i, F_LEVEL]
    decided = T.fields[i, F_CE] == TERM_DECIDED
    gone_p, refuse_p = chain.return_split(rates, pathway, decided, T.fields[i, F_ROLE], c, T.fields[i, F_UNIT],
                                          level_factor[c, lv])
    _copy(f, T, i)
    _absent(T, f, src, t, k * gone_p, pathway, convalescing, rates, moves, row, by_unit)
    _copy(f, T, i)
    chain.record_refusal(row, src, k * refuse_p)
    _detain(T, f, t, k * refuse_p, chain.CASE_REFUSAL, chain.NO_DURATION, rates, row)
    back = k * (1.0 - gone_p - refuse_p)
    dst = chain.on_duty_status(decided)
    chain.record_move(row, src, dst, back)
    _copy(f, T, i)
    _to(T, f, dst, t, back)


@inline
def _copy(f, T, i):
    for m in range(N_FIELDS):
        f[m] = T.fields[i, m]


@njit(cache=True)
def step_day(t, first, room, T, absorbed, level_factor, rates, moves, row, by_unit, by_region):
    """One day for the cohorts from index `first` on: the chain's events, in expectation.

    Returns the index to go on from when fewer than `room` slots are left (the driver
    grows the table and calls again), or −1 when every cohort has had its day."""
    f = np.zeros(N_FIELDS, dtype=np.int64)
    capacity = len(T.count)
    for i in range(first, T.used[0]):
        if T.used[0] + room > capacity:
            return i
        n = T.count[i]
        if n == 0.0:
            continue
        s = T.fields[i, F_STATUS]
        r, c, u = T.fields[i, F_ROLE], T.fields[i, F_CHANNEL], T.fields[i, F_UNIT]
        lv, flag, ce = T.fields[i, F_LEVEL], T.fields[i, F_FLAG], T.fields[i, F_CE]
        _copy(f, T, i)
        if s == SERVING and ce != NO_TERM and ce <= t:  # M1: the term ends today, nothing else
            T.count[i] = 0.0
            release, assault_share = chain.term_end_split(rates, c)
            released = n * release
            retained = n - released
            absorbed[RELEASED] += released
            chain.record_term_end(row, released, retained)
            f[F_CE] = TERM_DECIDED
            assault = retained if r == ASSAULT else retained * assault_share
            if r != ASSAULT:
                chain.record_sent_to_assault(row, True, assault)
            _to(T, f, RETAINED, t, retained - assault)
            f[F_ROLE] = ASSAULT
            _to(T, f, RETAINED, t, assault)
        elif s == SERVING or s == RETAINED:
            probs = chain.class_events(rates, s, r, c, u, level_factor[c, lv])
            left = n
            for event in range(chain.N_CLASS_EVENTS):
                k = n * probs[event]
                if k == 0.0:
                    continue
                left -= k
                _copy(f, T, i)
                if event == chain.DUTY_DESERTS:
                    _absent(T, f, s, t, k, LINE_PATHWAY, False, rates, moves, row, by_unit)
                    continue
                chain.record_class_event(row, s, event, r, c, flag, k)
                dst = chain.class_event_destination(s, event, ce == TERM_DECIDED)
                if dst == KILLED:
                    absorbed[KILLED] += k
                else:
                    if dst == ON_LEAVE:
                        f[F_PATHWAY] = LEAVE
                    _to(T, f, dst, t, k)
            T.count[i] = left
        elif s == HOSPITAL:
            k = n * chain.class_events(rates, s, r, c, u, level_factor[c, lv])[chain.HOSPITAL_RECOVERS]
            if k == 0.0:
                continue
            T.count[i] = n - k
            discharged_share, convalescent_share = chain.recovery_split(rates)
            absorbed[RELEASED] += k * discharged_share
            chain.record_move(row, HOSPITAL, RELEASED, k * discharged_share)
            chain.record_move(row, HOSPITAL, ON_LEAVE, k * convalescent_share)
            f[F_PATHWAY] = TREATMENT
            _to(T, f, ON_LEAVE, t, k * convalescent_share)
            direct = k * (1.0 - discharged_share - convalescent_share)
            _come_back(T, f, i, HOSPITAL, TREATMENT, False, t, direct, level_factor, rates, moves, row, by_unit)
        elif s == ON_LEAVE:
            kind = T.fields[i, F_PATHWAY]
            k = n * chain.leave_ends(rates, kind)
            if k == 0.0:
                continue
            T.count[i] = n - k
            _come_back(T, f, i, ON_LEAVE, kind, kind == TREATMENT, t, k, level_factor, rates, moves, row, by_unit)
        elif s == AT_LARGE:
            g, d, pathway = T.fields[i, F_REGION], T.fields[i, F_DEST], T.fields[i, F_PATHWAY]
            p_found, p_returns, p_dies, p_move = chain.at_large_events(rates, g, T.fields[i, F_HIDING])
            found, returned, died, moving = n * p_found, n * p_returns, n * p_dies, n * p_move
            nxt = moves.next_hop[d, g]
            if not chain.moves_on(nxt, g):
                moving = 0.0
            T.count[i] = n - found - returned - died - moving
            stopped = moving * chain.route_stop(rates, g, nxt)
            days_at_large = t - T.fields[i, F_START]
            chain.record_ending(row, pathway, chain.found_by(moves.is_home, g), days_at_large, found, DETAINED)
            chain.record_ending(row, pathway, RETURNED, days_at_large, returned, DETAINED)
            chain.record_ending(row, pathway, BY_CHECKPOINT, days_at_large, stopped, DETAINED)
            chain.record_ending(row, pathway, DIED, days_at_large, died, KILLED)
            absorbed[KILLED] += died
            passed = moving - stopped
            if passed != 0.0:
                if moves.is_exit[nxt]:
                    absorbed[ESCAPED] += passed
                    chain.record_ending(row, pathway, ESCAPED_ABROAD, days_at_large, passed, ESCAPED)
                else:
                    f[F_REGION] = nxt
                    _to(T, f, AT_LARGE, t, passed)
            caught = found + returned + stopped
            if caught != 0.0:
                _copy(f, T, i)
                _detain(T, f, t, caught, chain.absence_case(T.fields[i, F_PRIOR], days_at_large), days_at_large,
                        rates, row)
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
            if r != ASSAULT:
                chain.record_sent_to_assault(row, False, assault)
            _to(T, f, dst, t, done - assault)
            f[F_ROLE] = ASSAULT
            _to(T, f, dst, t, assault)
    return -1


@njit(cache=True)
def close_day(T, absorbed, row, by_unit, by_region):
    """The day's moves join their cohorts; end-of-day stocks."""
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
            row[K.ON_DUTY_STATUS_ROLE + s * K.N_ROLE + T.fields[i, F_ROLE]] += n
            row[K.ON_DUTY_CHANNEL + T.fields[i, F_CHANNEL]] += n
            by_unit[ON_DUTY, T.fields[i, F_UNIT]] += n
            if T.fields[i, F_FLAG]:
                row[K.ON_DUTY_RETURNED] += n
        elif s == AT_LARGE:
            by_region[T.fields[i, F_REGION]] += n
            row[K.AT_LARGE_PATHWAY + T.fields[i, F_PATHWAY]] += n
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
            add_arrivals(table.arrays, 0, days, float(plan.initial_size[c]), c, *initial[c])
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
                add_arrivals(table.arrays, t, days, float(arrivals[c]), c, *new[c])
        row = counts[t]
        by_unit = np.zeros((2, units))
        by_region = np.zeros(geo.n_regions)
        # one cohort sends its members to at most this many others (an absence at each destination
        # and hiding level, a detention under each sentence, and a few more)
        room = 2 * len(plan.hiding[1]) + 16
        first = 0
        while first >= 0:
            table.ensure(room + 64)
            first = step_day(t, first, room, table.arrays, absorbed, factors, rates, moves, row, by_unit, by_region)
            if first >= 0:
                table.ensure(table.capacity)  # doubles
        close_day(table.arrays, absorbed, row, by_unit, by_region)
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
