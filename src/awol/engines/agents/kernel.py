"""The agent engine's day: fit the bounds, start the arrivals, visit every soldier due today.

A visit draws one counter-based uniform u for the soldier-day and lets the events of
his status (`model.chain`) compete on u·p̄ (thinning: his class's bound p̄, under which
the day was a candidate), or on u itself at large, where every day is visited. Further
uniforms of the same soldier-day, on other streams, settle what follows an event
(released or discharged, assault role, destination, sentence, a checkpoint).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from awol.engines import rng
from awol.engines.agents import calendar
from awol.engines.agents.bounds import REDRAW_PASSES, REDRAWN, VISITS, fit_bounds
from awol.engines.agents.prefetch import prefetch
from awol.model import chain, contracts
from awol.model import tallies as K
from awol.model.states import (
    ASSAULT,
    AT_LARGE,
    DETAINED,
    ESCAPED,
    EXIT,
    HOME,
    HOSPITAL,
    IMPRISONED,
    NOT_PROSECUTED,
    PRISON,
    RELEASED,
    RETAINED,
    SERVING,
    SUSPENDED,
)

kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)

TERM_DECIDED = contracts.TERM_DECIDED

# Streams of a soldier-day's counter-based uniforms (`rng.uniform`). Each is used at
# most once per soldier and day: a soldier is visited at most once a day, redrawn at
# most once a day (before the visits), and arrives once.
EVENT, DETAIL, SENTENCE, GAP, REDRAW, ARRIVAL = range(6)

LOOKAHEAD = 4                    # visits between a soldier's prefetch and his visit


class Tallies(NamedTuple):
    """Running counts the engine keeps at every transition, for the day's stocks and the feedback."""

    standing: np.ndarray         # int64 [N_TALLIES]: the stocks, at their tally indices
    class_size: np.ndarray       # int64 [status, role, channel, unit] (statuses up to detained)
    on_duty_unit: np.ndarray     # int64 [unit]
    at_large_region: np.ndarray  # int64 [region]
    desertions_unit: np.ndarray  # int64 [unit], today's


# ---------------------------------------------------------------- running tallies

@inline
def _count(i, s, sign, S, T):
    """Add soldier i to (sign 1) or take him from (sign −1) the running tallies of status s."""
    T.standing[K.STOCK + s] += sign
    if s <= DETAINED:
        T.class_size[s, S.role[i], S.channel[i], S.unit[i]] += sign
    if s == SERVING or s == RETAINED:
        T.standing[K.ON_DUTY_ROLE + S.role[i]] += sign
        T.standing[K.ON_DUTY_CHANNEL + S.channel[i]] += sign
        T.on_duty_unit[S.unit[i]] += sign
        if S.times_deserted[i] > 0:
            T.standing[K.ON_DUTY_RETURNED] += sign
    elif s == AT_LARGE:
        T.at_large_region[S.region[i]] += sign


# ---------------------------------------------------------------- the calendar

@inline
def _schedule(i, first, h, stream, days, S, C, B):
    """Soldier i's next visit on or after day `first`: his next candidate under his class's
    candidate probability (drawn from stream `stream` of the soldier-day hash h), or his
    term end if sooner."""
    s = S.status[i]
    if s == AT_LARGE:  # every day
        calendar.schedule(C, S.visit_day, i, first, days)
        return
    if s > DETAINED:  # absorbing
        S.visit_day[i] = calendar.NEVER
        return
    r, c, u = S.role[i], S.channel[i], S.unit[i]
    p = B.candidate[s, r, c, u]
    S.bound[i] = p
    if B.nothing_from[s, r, c, u] != first:  # P(no candidate from `first` on), once per class and day
        B.nothing_left[s, r, c, u] = calendar.none_left(p, days - first)
        B.nothing_from[s, r, c, u] = first
    day = calendar.candidate_day(rng.uniform(h, stream), B.scale[s, r, c, u], B.nothing_left[s, r, c, u], first, days)
    if s == SERVING:  # back on duty after his term ended while away: M1 on his first day
        day = min(day, max(S.contract_end[i], first))
    calendar.schedule(C, S.visit_day, i, day, days)


@inline
def _prefetch_soldier(S, i):
    """Start loading the fields a visit of soldier i reads (`prefetch`)."""
    prefetch(S.key, i)
    prefetch(S.status, i)
    prefetch(S.role, i)
    prefetch(S.channel, i)
    prefetch(S.unit, i)
    prefetch(S.contract_end, i)
    prefetch(S.tolerance, i)
    prefetch(S.bound, i)
    prefetch(S.visit_day, i)
    prefetch(S.times_deserted, i)   # tallies of those on duty


# ---------------------------------------------------------------- one soldier's day

@inline
def _visit(i, t, h, S, T, rates, moves, row):
    """Soldier i's day t: at most one transition, drawn from the chain of his status.

    His tallies are taken off under his old status (`_count(…, −1)`) before any field
    they are kept by (role, region) changes, and added under the new one at the end.
    """
    s = S.status[i]
    u = rng.uniform(h, EVENT)
    r = S.role[i]
    dst = s
    if s == SERVING and t >= S.contract_end[i]:  # M1: term ends today, nothing else
        release, assault = chain.term_end_split(rates)
        _count(i, s, -1, S, T)
        if u < release:
            dst = RELEASED
            chain.record_term_end(row, 1, 0)
        else:
            dst = RETAINED
            S.contract_end[i] = TERM_DECIDED
            chain.record_term_end(row, 0, 1)
            if rng.uniform(h, DETAIL) < assault:
                S.role[i] = ASSAULT
    elif s < AT_LARGE:  # serving, retained, hospital: three competing events
        x = u * S.bound[i]  # uniform on [0, p̄): thinning
        c = S.channel[i]
        p0, p1, p2 = chain.class_events(rates, s, r, c, S.unit[i], S.tolerance[i])
        event = -1
        if x < p0:
            event = 0
        elif x < p0 + p1:
            event = 1
        elif x < p0 + p1 + p2:
            event = 2
        if event >= 0:
            decided = S.contract_end[i] == TERM_DECIDED
            dst = chain.class_event_destination(s, event, decided)
            if event == chain.HOSPITAL_RECOVERS and s == HOSPITAL:
                if rng.uniform(h, DETAIL) < chain.discharged_share(rates):
                    dst = RELEASED
            _count(i, s, -1, S, T)
            chain.record_class_event(row, s, event, r, c, S.times_deserted[i] > 0, 1, dst)
    elif s == AT_LARGE:
        g = S.region[i]
        searched, surrenders, tries = chain.at_large_events(rates, g)
        how = -1
        if u < searched:  # M5 search
            how = chain.BY_SEARCH
        elif u < searched + surrenders:  # M6 surrender
            how = chain.BY_SURRENDER
        elif u < searched + surrenders + tries:  # M5 move
            nxt = moves.next_hop[S.destination[i], g]
            if chain.moves_on(nxt, g):
                if rng.uniform(h, DETAIL) < chain.route_stop(rates, g, nxt):
                    how = chain.BY_CHECKPOINT
                elif moves.is_exit[nxt]:
                    dst = ESCAPED
                    _count(i, s, -1, S, T)
                    S.region[i] = nxt
                    chain.record_escape(row, 1)
                else:
                    T.at_large_region[g] -= 1
                    S.region[i] = nxt
                    T.at_large_region[nxt] += 1
        if how >= 0:  # M6 sentence decided at capture
            dst = DETAINED
            chain.record_capture(row, how, 1)
            prison, prosecuted = chain.sentence_shares(rates)
            v = rng.uniform(h, SENTENCE)
            if v < prison:
                S.sentence[i] = PRISON
            elif v < prosecuted:
                S.sentence[i] = SUSPENDED
            else:
                S.sentence[i] = NOT_PROSECUTED
            if v < prosecuted:
                chain.record_cases(row, 1)
            _count(i, s, -1, S, T)
    elif s == DETAINED:
        x = u * S.bound[i]
        if x < chain.detention_ends(rates):  # M6
            _count(i, s, -1, S, T)
            decided = S.contract_end[i] == TERM_DECIDED
            dst = chain.after_detention(S.sentence[i], decided)
            chain.record_detention_end(row, S.sentence[i], decided, 1)
            if dst != IMPRISONED:
                S.region[i] = moves.unit_region[S.unit[i]]
                if rng.uniform(h, DETAIL) < chain.returned_assault_share(rates):
                    S.role[i] = ASSAULT
    if dst == s:
        return
    if dst == AT_LARGE:  # M3: deserts where he is, heading home or for the exit
        T.desertions_unit[S.unit[i]] += 1
        S.destination[i] = EXIT if rng.uniform(h, DETAIL) < chain.exit_share(rates) else HOME
        S.times_deserted[i] += 1
    S.status[i] = dst
    S.status_day[i] = t
    _count(i, dst, 1, S, T)


# ---------------------------------------------------------------- one day

@kernel
def step_day(t, days, n_before, n, S, C, B, T, stats, rates, moves, arrivals, counts):
    """Day t: fit the bounds, put today's arrivals (soldiers n_before, …, n − 1; `arrivals`
    by channel) on the calendar, visit every soldier due today, write the day's tallies
    into counts[t] and return the day's desertions.

    S: the soldiers (`SoldierArrays`); C: the calendar; B: the bound tables; T: the
    running tallies; rates: the day's `DayRates`; moves: the graph (`Movement`).
    """
    row = counts[t]

    # 1. bounds; soldiers of a class whose candidate probability rose draw afresh from today
    if fit_bounds(t, rates, B, T.class_size, stats):
        stats[REDRAW_PASSES] += 1
        for i in range(n_before):
            s = S.status[i]
            if s <= DETAINED and B.dirty[s, S.role[i], S.channel[i], S.unit[i]]:
                stats[REDRAWN] += 1
                _schedule(i, t, rng.agent_day_hash(S.key[i], t), REDRAW, days, S, C, B)
        calendar.rebuild(C, S.visit_day, n_before, t, days)

    # 2. arrivals start serving today (M7); the initial force arrives on day 0
    for i in range(n_before, n):
        _count(i, SERVING, 1, S, T)
        _schedule(i, t, rng.agent_day_hash(S.key[i], t), ARRIVAL, days, S, C, B)

    # 3. visits
    for u_ in range(len(T.desertions_unit)):
        T.desertions_unit[u_] = 0
    b = C.first[t]
    while b != calendar.END:
        base, m, nb = b * calendar.BLOCK, C.fill[b], C.link[b]
        for k in range(m):
            ahead = k + LOOKAHEAD  # fetch the record of a soldier due a little later today
            if ahead < m:
                _prefetch_soldier(S, C.ids[base + ahead])
            elif nb != calendar.END and ahead - m < C.fill[nb]:
                _prefetch_soldier(S, C.ids[nb * calendar.BLOCK + ahead - m])
            i = C.ids[base + k]
            h = rng.agent_day_hash(S.key[i], t)
            _visit(i, t, h, S, T, rates, moves, row)
            _schedule(i, t + 1, h, GAP, days, S, C, B)
        stats[VISITS] += m
        C.link[b] = C.free[0]  # the block goes back to the pool
        C.free[0] = b
        b = nb
    C.first[t] = calendar.END
    C.last[t] = calendar.END

    # 4. end-of-day stocks
    for k in range(K.STOCK, K.ON_DUTY_CHANNEL + K.N_CHANNEL):
        row[k] = T.standing[k]
    row[K.ON_DUTY_RETURNED] = T.standing[K.ON_DUTY_RETURNED]
    desertions = 0
    for c in range(K.N_CHANNEL):
        row[K.RECRUITS_CHANNEL + c] = arrivals[c]
        desertions += row[K.DESERTIONS_CHANNEL + c]
    return desertions
