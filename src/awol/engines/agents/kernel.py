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
from awol.model.observation import AWOL, DESERTION, DISOBEDIENCE
from awol.model.states import (
    ASSAULT,
    AT_LARGE,
    BY_CHECKPOINT,
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

kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)

TERM_DECIDED = contracts.TERM_DECIDED

# Streams of a soldier-day's counter-based uniforms (`rng.uniform`). Each is used at
# most once per soldier and day: a soldier is visited at most once a day, redrawn at
# most once a day (before the visits), and arrives once.
EVENT, DETAIL, SENTENCE, GAP, REDRAW, ARRIVAL, RETURN, DESTINATION, HIDING, ARTICLE = range(10)

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
        T.standing[K.ON_DUTY_STATUS_ROLE + s * K.N_ROLE + S.role[i]] += sign
        T.standing[K.ON_DUTY_CHANNEL + S.channel[i]] += sign
        T.on_duty_unit[S.unit[i]] += sign
        if S.times_deserted[i] > 0:
            T.standing[K.ON_DUTY_RETURNED] += sign
    elif s == AT_LARGE:
        T.at_large_region[S.region[i]] += sign
        T.standing[K.AT_LARGE_PATHWAY + S.pathway[i]] += sign


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
    prefetch(S.pathway, i)          # which leave


# ---------------------------------------------------------------- one soldier's day

@inline
def _detain(i, t, h, case, days_at_large, S, rates, row):
    """Soldier i begins detention today: his sentence and, if prosecuted, his court case (M6, M8)."""
    prison, prosecuted = chain.sentence_shares(rates, case)
    v = rng.uniform(h, SENTENCE)
    if v < prison:
        S.sentence[i] = PRISON
    elif v < prosecuted:
        S.sentence[i] = SUSPENDED
    else:
        S.sentence[i] = NOT_PROSECUTED
    if v < prosecuted:
        if case == chain.CASE_REFUSAL:
            article = DISOBEDIENCE
        elif rng.uniform(h, ARTICLE) < chain.desertion_article_share(rates):
            article = DESERTION
        else:
            article = AWOL
        chain.record_cases(row, article, days_at_large, 1)


@inline
def _leave_absent(i, t, h, pathway, convalescing, S, T, rates, moves):
    """Soldier i begins an absence by `pathway` today (M3): where he starts, where he heads,
    how well he hides."""
    S.region[i] = chain.absence_start(moves, pathway, S.unit[i], convalescing)
    S.destination[i] = EXIT if rng.uniform(h, DESTINATION) < chain.exit_share(rates) else HOME
    x = rng.uniform(h, HIDING)
    level = 0
    while level < len(rates.hiding_share) - 1 and x >= chain.hiding_share(rates, level):
        x -= chain.hiding_share(rates, level)
        level += 1
    S.hiding[i] = level
    S.pathway[i] = pathway
    S.times_deserted[i] += 1
    T.desertions_unit[S.unit[i]] += 1


@inline
def _come_back(i, t, h, s, pathway, convalescing, S, T, rates, moves, row):
    """Soldier i is due back on duty from hospital or leave (`pathway` TREATMENT or LEAVE): he
    returns, does not return, or refuses to deploy (M3). Returns his new status."""
    decided = S.contract_end[i] == TERM_DECIDED
    gone, refuses = chain.return_split(rates, pathway, decided, S.role[i], S.channel[i], S.unit[i], S.tolerance[i])
    v = rng.uniform(h, RETURN)
    if v < gone:
        chain.record_absence(row, s, pathway, S.role[i], S.channel[i], 1)
        _leave_absent(i, t, h, pathway, convalescing, S, T, rates, moves)
        return AT_LARGE
    if v < gone + refuses:
        chain.record_refusal(row, s, 1)
        _detain(i, t, h, chain.CASE_REFUSAL, chain.NO_DURATION, S, rates, row)
        return DETAINED
    dst = chain.on_duty_status(decided)
    chain.record_move(row, s, dst, 1)
    S.region[i] = moves.unit_region[S.unit[i]]
    return dst


@inline
def _visit(i, t, h, S, T, rates, moves, row):
    """Soldier i's day t: at most one transition, drawn from the chain of his status.

    His tallies are taken off under his old status (`_count(…, −1)`) before any field
    they are kept by (role, region) changes, and added under the new one at the end.
    """
    s = S.status[i]
    u = rng.uniform(h, EVENT)
    r = S.role[i]
    c = S.channel[i]
    dst = s
    if s == SERVING and t >= S.contract_end[i]:  # M1: term ends today, nothing else
        release, assault = chain.term_end_split(rates, c)
        _count(i, s, -1, S, T)
        if u < release:
            dst = RELEASED
            chain.record_term_end(row, 1, 0)
        else:
            dst = RETAINED
            S.contract_end[i] = TERM_DECIDED
            chain.record_term_end(row, 0, 1)
            if rng.uniform(h, DETAIL) < assault and r != ASSAULT:
                S.role[i] = ASSAULT
                chain.record_sent_to_assault(row, True, 1)
    elif s <= HOSPITAL:  # serving, retained, hospital: the chain's class events
        x = u * S.bound[i]  # uniform on [0, p̄): thinning
        p0, p1, p2, p3 = chain.class_events(rates, s, r, c, S.unit[i], S.tolerance[i])
        event = -1
        if x < p0:
            event = 0
        elif x < p0 + p1:
            event = 1
        elif x < p0 + p1 + p2:
            event = 2
        elif x < p0 + p1 + p2 + p3:
            event = 3
        if event >= 0:
            _count(i, s, -1, S, T)
            if s == HOSPITAL:  # leaves hospital: discharged, home to convalesce, or on his way back
                discharged, convalescent = chain.recovery_split(rates)
                v = rng.uniform(h, DETAIL)
                if v < discharged:
                    dst = RELEASED
                    chain.record_move(row, s, RELEASED, 1)
                elif v < discharged + convalescent:
                    dst = ON_LEAVE
                    S.pathway[i] = TREATMENT
                    chain.record_move(row, s, ON_LEAVE, 1)
                else:
                    dst = _come_back(i, t, h, s, TREATMENT, False, S, T, rates, moves, row)
            elif event == chain.DUTY_DESERTS:
                dst = AT_LARGE
                chain.record_absence(row, s, LINE_PATHWAY, r, c, 1)
                _leave_absent(i, t, h, LINE_PATHWAY, False, S, T, rates, moves)
            else:
                dst = chain.class_event_destination(s, event, False)
                if dst == ON_LEAVE:
                    S.pathway[i] = LEAVE
                chain.record_class_event(row, s, event, r, c, S.times_deserted[i] > 0, 1)
    elif s == ON_LEAVE:
        x = u * S.bound[i]
        kind = S.pathway[i]
        if x < chain.leave_ends(rates, kind):
            _count(i, s, -1, S, T)
            dst = _come_back(i, t, h, s, kind, kind == TREATMENT, S, T, rates, moves, row)
    elif s == AT_LARGE:
        g = S.region[i]
        found, returns, dies, tries = chain.at_large_events(rates, g, S.hiding[i])
        ending = -1
        if u < found:  # M5 search, or police at home
            ending = chain.found_by(moves.is_home, g)
        elif u < found + returns:  # M6 back of his own will
            ending = RETURNED
        elif u < found + returns + dies:
            ending = DIED
        elif u < found + returns + dies + tries:  # M5 move
            nxt = moves.next_hop[S.destination[i], g]
            if chain.moves_on(nxt, g):
                if rng.uniform(h, DETAIL) < chain.route_stop(rates, g, nxt):
                    ending = BY_CHECKPOINT
                elif moves.is_exit[nxt]:
                    ending = ESCAPED_ABROAD
                else:
                    T.at_large_region[g] -= 1
                    S.region[i] = nxt
                    T.at_large_region[nxt] += 1
        if ending >= 0:
            _count(i, s, -1, S, T)
            days_at_large = t - S.status_day[i]
            if ending == DIED:
                dst = KILLED
            elif ending == ESCAPED_ABROAD:
                dst = ESCAPED
                S.region[i] = moves.next_hop[S.destination[i], g]
            else:
                dst = DETAINED
            chain.record_ending(row, S.pathway[i], ending, days_at_large, 1, dst)
            if dst == DETAINED:
                case = chain.absence_case(S.times_deserted[i] - 1, days_at_large)
                _detain(i, t, h, case, days_at_large, S, rates, row)
    elif s == DETAINED:
        x = u * S.bound[i]
        if x < chain.detention_ends(rates):  # M6
            _count(i, s, -1, S, T)
            decided = S.contract_end[i] == TERM_DECIDED
            dst = chain.after_detention(S.sentence[i], decided)
            chain.record_detention_end(row, S.sentence[i], decided, 1)
            if dst != IMPRISONED:
                S.region[i] = moves.unit_region[S.unit[i]]
                if rng.uniform(h, DETAIL) < chain.returned_assault_share(rates) and r != ASSAULT:
                    S.role[i] = ASSAULT
                    chain.record_sent_to_assault(row, False, 1)
    if dst == s:
        return
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
    for k in range(K.STOCK, K.ON_DUTY_STATUS_ROLE + 2 * K.N_ROLE):
        row[k] = T.standing[k]
    row[K.ON_DUTY_RETURNED] = T.standing[K.ON_DUTY_RETURNED]
    desertions = 0
    for c in range(K.N_CHANNEL):
        row[K.RECRUITS_CHANNEL + c] = arrivals[c]
        desertions += row[K.DESERTIONS_CHANNEL + c]
    return desertions
