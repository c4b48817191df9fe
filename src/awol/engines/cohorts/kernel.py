"""The cohort engine's day: the chain's events drawn as exact counts over pools and cohorts.

Each day, in the chain's order (`model.chain`): arrivals join; terms end (a ring day
falls due, or the hazard strikes the initial force): on duty M1 decides, away the
soldier becomes `passed`; then the soldiers away (in hospital, on rotation leave,
convalescing at home) and on duty (serving, retained) meet their competing events;
then absent and detained soldiers, who are kept in the cohort table. Soldiers who
change status join their new part or cohort after the day, so nobody moves twice.

Absent and detained soldiers are many (men hide for months) and in cohorts of one or
two, but meet an event on few of their days; the table is therefore stepped by clocks,
not day by day (`step_table`), which is exact too.

A *group* is the pools that differ only in the risk level, which scales the absence
propensity. A group with few expected events is stepped by **thinning**, which is
exact: with p_l a level-l member's probability of any event today and p* = max_l p_l,
C ~ Bin(N, p*) candidates are drawn without replacement, each accepted with probability
p_l / p* and given its event in proportion, so each soldier meets exactly his own
competing events. An accepted soldier's part is drawn in proportion to the parts'
counts (the accepted are a uniform sample of the pool), and a ring member takes his end
day from the ring without replacement. Otherwise each part of each level gets its own
exact multinomial, so at large numbers the cost follows the pools, not the soldiers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from awol.engines.cohorts.arrivals import NO_OFFSET
from awol.engines.cohorts.draws import draw_index, inline, kernel, multinomial, pick, split3, split4
from awol.engines.cohorts.pools import (
    A_NOTERM,
    A_PASSED,
    A_PRE,
    N_AWAY,
    N_PARTS_AWAY,
    N_PARTS_SERVING,
    P_CHANNEL,
    P_FLAG,
    P_LEVEL,
    P_ROLE,
    P_UNIT,
    R_SERVING,
    S_PRE,
    away_add,
    class_total,
    on_duty_after_today,
    part_count,
    pool_of,
    ring_due,
    ring_take,
    serving_add,
)
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
    PASSED,
    PRE,
    SUCC_MOVE,
    SUCC_NOT_PROSECUTED,
    SUCC_PASSED,
    SUCC_PRISON,
    SUCC_SUSPENDED,
    TERM_DECIDED,
    find_or_add,
)
from awol.engines.rng import binomial, next_uniform
from awol.model import chain
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

THIN_BELOW = 24.0            # expected candidates of a group below which it is thinned
PICK_BELOW = 256.0           # expected leavers of a pool below which their parts are picked one by one

# Phases of a day. The kernel may stop between groups to let the driver grow the
# cohort table, and is called again to go on where it stopped (`progress`).
P_ARRIVE, P_TERMS, P_CLASSES, P_TABLE_TERMS, P_TABLE, P_CLOSE, P_DONE = range(7)
NEEDS_ROOM, DONE = 0, 1
PHASE, CLASS, GROUP = 0, 1, 2             # entries of the kernel's `progress` array
EMPTY_COHORTS, PENDING_ROOM = 0, 1        # entries of its `info` array, for the driver
DESERTED, ON_DUTY = 0, 1                  # rows of the day's per-unit counts

# The classes of pools stepped each day, in the chain's order: away (hospital, rotation
# leave, convalescence), then on duty. Each is (status, place away or −1).
CLASS_STATUS = (HOSPITAL, ON_LEAVE, ON_LEAVE, SERVING, RETAINED)
CLASS_PLACE = (0, 1, 2, -1, -1)
CLASS_KIND = (TREATMENT, LEAVE, TREATMENT, LINE_PATHWAY, LINE_PATHWAY)   # which leave, for ON_LEAVE


class CohortState(NamedTuple):
    """Everything the cohort engine carries from day to day."""

    rings: object            # pools.Rings: serving soldiers and soldiers away, by term-end day
    pools: object            # pools.Pools
    pending: object          # pools.Pending: back on duty after the day
    table: object            # table.TableArrays: absent and detained
    absorbed: np.ndarray     # [status]: totals of the absorbing statuses
    hazard: np.ndarray       # [hazard class]: cumulative daily hazard of the table's events (`step_table`)


class DayOutput(NamedTuple):
    """What a day writes: its tallies, and the aggregates fed back to the rates tomorrow."""

    row: np.ndarray          # [N_TALLIES]
    by_unit: np.ndarray      # [DESERTED / ON_DUTY, unit]
    by_region: np.ndarray    # [region]: absent at the end of the day


class Scratch(NamedTuple):
    """Room the kernel works in (it allocates nothing)."""

    key: np.ndarray          # int64 [N_FIELDS]: a cohort key being built
    per_level: np.ndarray    # [level]: event probabilities, then picks
    avail: np.ndarray        # [level]: members left to pick from
    per_group: np.ndarray    # [cells]
    per_offset: np.ndarray   # [cells]
    part_n: np.ndarray       # [parts]
    took: np.ndarray         # [events, parts]


class ArrivalDraw(NamedTuple):
    """How `arrive` places a recruit of one channel (`arrivals.arrival_factors`)."""

    role: np.ndarray         # [group]
    unit: np.ndarray
    level: np.ndarray
    cum: np.ndarray          # cumulative probabilities of the groups
    offset: np.ndarray       # [offset] contract-end offsets (NO_OFFSET: no term)
    offset_cum: np.ndarray
    role_cum: np.ndarray     # marginals, cumulative, for a few recruits
    level_cum: np.ndarray


# ---------------------------------------------------------------- M1

@inline
def _term_ends(rs, p, t, k, rates, pool_keys, layout, S, row):
    """M1 for k serving soldiers of pool p: released, or retained (a share sent to assault)."""
    release, assault_share = chain.term_end_split(rates, pool_keys[p, P_CHANNEL])
    released = binomial(rs, k, release)
    retained = k - released
    S.absorbed[RELEASED] += released
    chain.record_term_end(row, released, retained)
    if pool_keys[p, P_ROLE] == ASSAULT:
        a = retained
    else:
        a = binomial(rs, retained, assault_share)
        chain.record_sent_to_assault(row, True, a)
    if retained - a != 0.0:
        on_duty_after_today(S.pending, p, TERM_DECIDED, t, retained - a)
    if a != 0.0:
        q = pool_of(pool_keys[p, P_FLAG], ASSAULT, pool_keys[p, P_CHANNEL], pool_keys[p, P_UNIT],
                    pool_keys[p, P_LEVEL], layout)
        on_duty_after_today(S.pending, q, TERM_DECIDED, t, a)


# ---------------------------------------------------------------- the table

@inline
def _key_index(T, f, status, ce, t):
    """Index of the cohort with fields f in `status` (added if new), and whether its key
    holds an exact end day. An end day already gone by is stored as PASSED (only whether
    the term has ended is ever asked); fields one status alone reads are zero in others."""
    f[F_STATUS] = status
    exact = ce != NO_TERM and ce != TERM_DECIDED and ce != PRE and ce != PASSED
    f[F_CE] = PASSED if exact and ce <= t else ce
    if status != DETAINED:
        f[F_SENTENCE] = 0
    if status != AT_LARGE:
        for field in ABSENCE_FIELDS:
            f[field] = 0
    return find_or_add(f, T), exact


@inline
def _table_add(T, f, status, ce, t, k):
    """k soldiers with fields f into the cohort table, after today."""
    T.incoming[_key_index(T, f, status, ce, t)[0]] += k


@inline
def _table_move(T, i, which, f, status, ce, t, k, now):
    """k members of cohort i to the cohort with fields f (its successor `which`): after today,
    or `now` (counted today). The successor is remembered unless the key holds an exact
    end day, which turns into PASSED once that day is over."""
    j = T.successor[i, which]
    if j < 0:
        j, exact = _key_index(T, f, status, ce, t)
        if not exact:
            T.successor[i, which] = j
    if now:
        T.count[j] += k
    else:
        T.incoming[j] += k


@inline
def _pool_key(f, pool_keys, p):
    """Fields f set to the attributes of pool p (everything else zero)."""
    f[:] = 0
    f[F_ROLE] = pool_keys[p, P_ROLE]
    f[F_CHANNEL] = pool_keys[p, P_CHANNEL]
    f[F_UNIT] = pool_keys[p, P_UNIT]
    f[F_LEVEL] = pool_keys[p, P_LEVEL]
    f[F_FLAG] = pool_keys[p, P_FLAG]


@kernel
def _absent(rs, f, src, ce, t, k, p, pathway, convalescing, pool_keys, rates, moves, T, out):
    """M3: k soldiers of pool p in `src` begin an absence by `pathway`: into the table, at
    large where the pathway starts, heading home or for the exit, at their hiding levels."""
    unit = pool_keys[p, P_UNIT]
    chain.record_absence(out.row, src, pathway, pool_keys[p, P_ROLE], pool_keys[p, P_CHANNEL], k)
    out.by_unit[DESERTED, unit] += k
    _pool_key(f, pool_keys, p)
    f[F_PRIOR] = pool_keys[p, P_FLAG]
    f[F_FLAG] = 1
    f[F_PATHWAY] = pathway
    f[F_START] = t
    f[F_REGION] = chain.absence_start(moves, pathway, unit, convalescing)
    to_exit = binomial(rs, k, chain.exit_share(rates))
    levels = len(rates.hiding_share)
    for dest, n in ((EXIT, to_exit), (HOME, k - to_exit)):
        f[F_DEST] = dest
        left = 1.0
        for level in range(levels):  # over the hiding levels by conditional binomials
            if n == 0.0:
                break
            share = chain.hiding_share(rates, level)
            m = n if level == levels - 1 else binomial(rs, n, min(1.0, share / left))
            left -= share
            n -= m
            if m != 0.0:
                f[F_HIDING] = level
                _table_add(T, f, AT_LARGE, ce, t, m)


@kernel
def _detained(rs, f, ce, t, caught, case, days_at_large, rates, T, i, row):
    """`caught` soldiers with fields f begin detention (M6): sentences and court cases (M8).
    From table cohort i (its successors), or from a pool (i < 0)."""
    prison_share, prosecuted_share = chain.sentence_shares(rates, case)
    prison, suspended, _ = split3(rs, caught, prison_share, prosecuted_share - prison_share, 0.0)
    prosecuted = prison + suspended
    if prosecuted != 0.0:
        if case == chain.CASE_REFUSAL:
            chain.record_cases(row, DISOBEDIENCE, days_at_large, prosecuted)
        else:
            deserted = binomial(rs, prosecuted, chain.desertion_article_share(rates))
            chain.record_cases(row, DESERTION, days_at_large, deserted)
            chain.record_cases(row, AWOL, days_at_large, prosecuted - deserted)
    for sentence, which, k in ((PRISON, SUCC_PRISON, prison), (SUSPENDED, SUCC_SUSPENDED, suspended),
                               (NOT_PROSECUTED, SUCC_NOT_PROSECUTED, caught - prosecuted)):
        if k != 0.0:
            f[F_SENTENCE] = sentence
            if i >= 0:
                _table_move(T, i, which, f, DETAINED, ce, t, k, False)
            else:
                _table_add(T, f, DETAINED, ce, t, k)


@kernel
def _come_back(rs, f, src, pathway, convalescing, ce, t, k, p, level_factor, pool_keys, rates, moves, S, out):
    """k soldiers of pool p due back on duty from hospital or leave: they return, do not
    return (an absence by `pathway`) or refuse to deploy (M3)."""
    c = pool_keys[p, P_CHANNEL]
    gone_p, refuse_p = chain.return_split(rates, pathway, ce == TERM_DECIDED, pool_keys[p, P_ROLE], c,
                                          pool_keys[p, P_UNIT], level_factor[c, pool_keys[p, P_LEVEL]])
    gone = binomial(rs, k, gone_p)
    refused = binomial(rs, k - gone, min(1.0, refuse_p / (1.0 - gone_p))) if gone_p < 1.0 else 0.0
    if gone != 0.0:
        _absent(rs, f, src, ce, t, gone, p, pathway, convalescing, pool_keys, rates, moves, S.table, out)
    if refused != 0.0:
        chain.record_refusal(out.row, src, refused)
        _pool_key(f, pool_keys, p)
        _detained(rs, f, ce, t, refused, chain.CASE_REFUSAL, chain.NO_DURATION, rates, S.table, -1, out.row)
    back = k - gone - refused
    if back != 0.0:
        chain.record_move(out.row, src, chain.on_duty_status(ce == TERM_DECIDED), back)
        on_duty_after_today(S.pending, p, ce, t, back)


# ---------------------------------------------------------------- leaving a part

@inline
def _take(rs, status, place, q, p, t, k, S):
    """Take k soldiers out of part q of pool p's class (`status`, `place`); their term code.
    A ring member (q = 0) leaves alone (k = 1) with the day his term ends."""
    R, D = S.rings, S.pools
    if status == SERVING:
        if q == 0:
            ce = ring_take(rs, R, R_SERVING, p, t)
        else:
            D.serving_parts[q - 1, p] -= k
            ce = PRE if q - 1 == S_PRE else NO_TERM
        D.serving[p] -= k
    elif status == RETAINED:
        D.retained[p] -= k
        ce = TERM_DECIDED
    else:
        if q == 0:
            ce = ring_take(rs, R, place + 1, p, t)
        else:
            D.away_parts[place, q - 1, p] -= k
            h = q - 1
            ce = PRE if h == A_PRE else (NO_TERM if h == A_NOTERM else (PASSED if h == A_PASSED else TERM_DECIDED))
        D.away[place, p] -= k
    return ce


@inline
def _leave(rs, status, place, q, p, t, event, k, S, pool_keys, level_factor, rates, moves, f, out):
    """k soldiers of part q of pool p in (`status`, `place`) meet `event` of the chain."""
    ce = _take(rs, status, place, q, p, t, k, S)
    r, c = pool_keys[p, P_ROLE], pool_keys[p, P_CHANNEL]
    if status == HOSPITAL:  # leaves hospital: discharged, home to convalesce, or on his way back
        discharged_share, convalescent_share = chain.recovery_split(rates)
        discharged = binomial(rs, k, discharged_share)
        rest = k - discharged
        convalescent = binomial(rs, rest, min(1.0, convalescent_share / (1.0 - discharged_share))) \
            if discharged_share < 1.0 else 0.0
        if discharged != 0.0:
            S.absorbed[RELEASED] += discharged
            chain.record_move(out.row, HOSPITAL, RELEASED, discharged)
        if convalescent != 0.0:
            chain.record_move(out.row, HOSPITAL, ON_LEAVE, convalescent)
            away_add(S.rings, S.pools, 2, p, ce, t, convalescent)
        direct = rest - convalescent
        if direct != 0.0:
            _come_back(rs, f, HOSPITAL, TREATMENT, False, ce, t, direct, p, level_factor, pool_keys, rates, moves,
                       S, out)
    elif status == ON_LEAVE:  # the leave ends
        kind = LEAVE if place == 1 else TREATMENT
        _come_back(rs, f, ON_LEAVE, kind, kind == TREATMENT, ce, t, k, p, level_factor, pool_keys, rates, moves,
                   S, out)
    elif event == chain.DUTY_DESERTS:
        _absent(rs, f, status, ce, t, k, p, LINE_PATHWAY, False, pool_keys, rates, moves, S.table, out)
    else:
        chain.record_class_event(out.row, status, event, r, c, pool_keys[p, P_FLAG], k)
        if event == chain.DUTY_KILLED:
            S.absorbed[KILLED] += k
        elif event == chain.DUTY_WOUNDED:
            away_add(S.rings, S.pools, 0, p, ce, t, k)
        else:  # rotation leave
            away_add(S.rings, S.pools, 1, p, ce, t, k)


@inline
def _leave_part(rs, status, place, q, p, t, event, k, S, pool_keys, level_factor, rates, moves, f, out):
    """`_leave` for k members of part q: ring members one by one (each with his own day).

    One call site of `_leave` here, and one in the day's thinning: each site inlines the
    whole of it, and compile time grows with the copies."""
    ring = q == 0 and status != RETAINED
    each = 1.0 if ring else k
    for _ in range(np.int64(k) if ring else (1 if k != 0.0 else 0)):
        _leave(rs, status, place, q, p, t, event, each, S, pool_keys, level_factor, rates, moves, f, out)


@inline
def _events(rates, status, place, r, c, u, factor):
    """The chain's four competing events of a soldier of this class (`chain.class_events`; away,
    the one event that ends the stay)."""
    if status == ON_LEAVE:
        return chain.leave_ends(rates, LEAVE if place == 1 else TREATMENT), 0.0, 0.0, 0.0
    return chain.class_events(rates, status, r, c, u, factor)


# ---------------------------------------------------------------- one day

@kernel
def step_day(rs, t, progress, S, layout, pool_keys, level_factor, pre_hazard, arrivals, rates, moves, out, scratch,
             info):
    """Advance day t from phase progress[PHASE] (class progress[CLASS], group progress[GROUP]);
    NEEDS_ROOM when the cohort table needs room (the driver grows it and calls again),
    DONE when the day is done.

    `info` returns [empty cohorts in the table, room `pending` needs tomorrow].
    """
    U, V = layout.units, layout.levels
    G = 18 * U
    R, D, T = S.rings, S.pools, S.table
    f, pl, avail, part_n, took = scratch.key, scratch.per_level, scratch.avail, scratch.part_n, scratch.took
    row = out.row
    capacity = len(T.count)
    # new cohorts one leaver can make: an absence at each destination and hiding level, or a
    # detention under each sentence; ring members leave one by one, each with his own day
    per_leaver = 2 * len(rates.hiding_share) + 3
    headroom_cap = per_leaver * V * (layout.ring_days + N_PARTS_AWAY) + 16

    if progress[PHASE] == P_ARRIVE:
        for c in range(K.N_CHANNEL):  # M7: Poisson arrivals by channel, plus the exact mobilisation quota
            a = float(np.random.poisson(rates.recruits[c])) if rates.recruits[c] > 0.0 else 0.0
            if c == 1:
                a += float(rates.mobilised_quota)
            row[K.RECRUITS_CHANNEL + c] = a
            if a != 0.0:
                arrive(rs, R, D, t, a, c, arrivals[c], layout, scratch.per_group, scratch.per_offset)
        progress[PHASE] = P_TERMS

    if progress[PHASE] == P_TERMS:  # M1: terms ending today
        j = t % R.counts.shape[2]
        for w in range(R.due.shape[2]):  # ring days due: on duty M1, away `passed`
            for ring in range(N_AWAY + 1):
                bits = R.due[ring, j, w]
                if bits == 0:
                    continue
                R.due[ring, j, w] = 0
                for b in range(64):
                    if (bits >> np.uint64(b)) & np.uint64(1):
                        p = w * 64 + b
                        k = ring_due(R, ring, p, j)
                        if k == 0.0:
                            continue
                        if ring == R_SERVING:
                            D.serving[p] -= k
                            _term_ends(rs, p, t, k, rates, pool_keys, layout, S, row)
                        else:
                            D.away_parts[ring - 1, A_PASSED, p] += k
        for where in range(N_AWAY + 1):  # the initial force: by its channel's hazard
            for g in range(G):
                base = g * V
                h = pre_hazard[pool_keys[base, P_CHANNEL], t]
                if h == 0.0:
                    continue
                N = 0.0
                for lv in range(V):
                    N += D.serving_parts[S_PRE, base + lv] if where == 0 else D.away_parts[where - 1, A_PRE, base + lv]
                if N == 0.0:
                    continue
                if N * h < THIN_BELOW:  # K ends among N, spread over levels without replacement
                    ends = binomial(rs, N, h)
                    if ends == 0.0:
                        continue
                    for lv in range(V):
                        avail[lv] = D.serving_parts[S_PRE, base + lv] if where == 0 \
                            else D.away_parts[where - 1, A_PRE, base + lv]
                        pl[lv] = 0.0
                    left = N
                    for _ in range(np.int64(ends)):
                        pl[pick(avail, np.floor(next_uniform(rs) * left))] += 1.0
                        left -= 1.0
                for lv in range(V):
                    p = base + lv
                    n_pre = D.serving_parts[S_PRE, p] if where == 0 else D.away_parts[where - 1, A_PRE, p]
                    k = pl[lv] if N * h < THIN_BELOW else binomial(rs, n_pre, h)
                    if k == 0.0:
                        continue
                    if where == 0:
                        D.serving_parts[S_PRE, p] -= k
                        D.serving[p] -= k
                        _term_ends(rs, p, t, k, rates, pool_keys, layout, S, row)
                    else:
                        D.away_parts[where - 1, A_PRE, p] -= k
                        D.away_parts[where - 1, A_PASSED, p] += k
        progress[PHASE] = P_CLASSES
        progress[CLASS] = 0
        progress[GROUP] = 0

    # Soldiers away and on duty: the chain's competing events, class by class.
    if progress[PHASE] == P_CLASSES:
        for cls in range(progress[CLASS], len(CLASS_STATUS)):
            status, place = CLASS_STATUS[cls], CLASS_PLACE[cls]
            n_parts = N_PARTS_SERVING if status == SERVING else (1 if status == RETAINED else N_PARTS_AWAY)
            n_events = chain.N_CLASS_EVENTS if place < 0 else 1
            for g in range(progress[GROUP], G):
                base = g * V
                N = 0.0
                for lv in range(V):
                    N += class_total(status, place, base + lv, D)
                if N == 0.0:
                    continue
                if T.used[0] + min(N * per_leaver, headroom_cap) > capacity:
                    progress[CLASS] = cls
                    progress[GROUP] = g
                    return NEEDS_ROOM
                r, c, u = pool_keys[base, P_ROLE], pool_keys[base, P_CHANNEL], pool_keys[base, P_UNIT]
                pmax = 0.0
                for lv in range(V):
                    if class_total(status, place, base + lv, D) != 0.0:
                        p0, p1, p2, p3 = _events(rates, status, place, r, c, u, level_factor[c, lv])
                        pl[lv] = p0 + p1 + p2 + p3
                        pmax = max(pmax, pl[lv])
                if N * pmax < THIN_BELOW:
                    cand = binomial(rs, N, pmax)
                    if cand == 0.0:
                        continue
                    for lv in range(V):
                        avail[lv] = class_total(status, place, base + lv, D)
                    left = N
                    for _ in range(np.int64(cand)):
                        lv = pick(avail, np.floor(next_uniform(rs) * left))
                        left -= 1.0
                        if next_uniform(rs) * pmax >= pl[lv]:
                            continue
                        p0, p1, p2, p3 = _events(rates, status, place, r, c, u, level_factor[c, lv])
                        v = next_uniform(rs) * pl[lv]
                        event = 0 if v < p0 else (1 if v < p0 + p1 else (2 if v < p0 + p1 + p2 else 3))
                        p = base + lv
                        q = 0
                        if n_parts > 1:  # the accepted are a uniform sample of the pool: part in proportion
                            x = np.floor(next_uniform(rs) * class_total(status, place, p, D))
                            while q < n_parts - 1:
                                m = part_count(status, place, q, p, R, D)
                                if x < m:
                                    break
                                x -= m
                                q += 1
                        _leave(rs, status, place, q, p, t, event, 1.0, S, pool_keys, level_factor, rates, moves, f,
                               out)
                else:
                    for lv in range(V):
                        p = base + lv
                        n_all = class_total(status, place, p, D)
                        if n_all == 0.0:
                            continue
                        p0, p1, p2, p3 = _events(rates, status, place, r, c, u, level_factor[c, lv])
                        busy = 0
                        only = 0
                        for q in range(n_parts):
                            part_n[q] = part_count(status, place, q, p, R, D)
                            if part_n[q] != 0.0:
                                busy += 1
                                only = q
                        for event in range(n_events):
                            for q in range(n_parts):
                                took[event, q] = 0.0
                        if busy > 1 and n_all * (p0 + p1 + p2 + p3) >= PICK_BELOW:
                            for q in range(n_parts):  # many leavers: each part its own multinomial
                                if part_n[q] != 0.0:
                                    k4 = split4(rs, part_n[q], p0, p1, p2, p3)
                                    for event in range(n_events):
                                        took[event, q] = k4[event]
                        else:
                            k4 = split4(rs, n_all, p0, p1, p2, p3)
                            if busy == 1:
                                for event in range(n_events):
                                    took[event, only] = k4[event]
                            else:  # the leavers are a uniform sample of the pool: their parts, without replacement
                                left = n_all
                                for event in range(n_events):
                                    for _ in range(np.int64(k4[event])):
                                        took[event, pick(part_n[:n_parts], np.floor(next_uniform(rs) * left))] += 1.0
                                        left -= 1.0
                        for event in range(n_events):
                            for q in range(n_parts):
                                _leave_part(rs, status, place, q, p, t, event, took[event, q], S, pool_keys,
                                            level_factor, rates, moves, f, out)
            progress[GROUP] = 0
        progress[PHASE] = P_TABLE_TERMS

    if progress[PHASE] == P_TABLE_TERMS:  # the initial force's terms end while absent or detained too
        if T.used[0] * 2 + 64 > capacity:
            return NEEDS_ROOM
        for i in range(T.used[0]):
            n = T.count[i]
            if n == 0.0 or T.fields[i, F_CE] != PRE:
                continue
            k = binomial(rs, n, pre_hazard[T.fields[i, F_CHANNEL], t])
            if k == 0.0:
                continue
            T.count[i] = n - k
            for m in range(N_FIELDS):
                f[m] = T.fields[i, m]
            _table_move(T, i, SUCC_PASSED, f, T.fields[i, F_STATUS], PASSED, t, k, True)
            set_clock(rs, T, i, S.hazard, moves, len(rates.hiding))  # both memberships changed
            set_clock(rs, T, T.successor[i, SUCC_PASSED], S.hazard, moves, len(rates.hiding))
        progress[PHASE] = P_TABLE

    if progress[PHASE] == P_TABLE:  # absent and detained
        if T.used[0] * 4 + 64 > capacity:
            return NEEDS_ROOM
        step_table(rs, t, S, f, rates, moves, layout, row)
        progress[PHASE] = P_CLOSE

    # the day's moves join their parts and cohorts; end-of-day stocks
    empty = 0
    for i in range(T.used[0]):
        if T.incoming[i] != 0.0:
            T.count[i] += T.incoming[i]
            T.incoming[i] = 0.0
            set_clock(rs, T, i, S.hazard, moves, len(rates.hiding))
        n = T.count[i]
        if n == 0.0:
            empty += 1
            continue
        s = T.fields[i, F_STATUS]
        row[K.STOCK + s] += n
        if s == AT_LARGE:
            out.by_region[T.fields[i, F_REGION]] += n
            row[K.AT_LARGE_PATHWAY + T.fields[i, F_PATHWAY]] += n
    pend = S.pending
    for m in range(pend.used[0]):
        p, ce, k = pend.pool[m], pend.term[m], pend.count[m]
        if ce == TERM_DECIDED:
            D.retained[p] += k
        else:
            serving_add(R, D, p, ce, k)
    pend.used[0] = 0
    for s in (IMPRISONED, RELEASED, KILLED, ESCAPED):
        row[K.STOCK + s] += S.absorbed[s]
    # stocks by (flag, role, channel, unit): contiguous sums over the levels of each group
    away = 0.0
    for g in range(G):
        n_s = 0.0
        n_r = 0.0
        for p in range(g * V, g * V + V):
            n_s += D.serving[p]
            n_r += D.retained[p]
            row[K.STOCK + HOSPITAL] += D.away[0, p]
            row[K.STOCK + ON_LEAVE] += D.away[1, p] + D.away[2, p]
            away += D.away[0, p] + D.away[1, p] + D.away[2, p]
        n = n_s + n_r
        if n == 0.0:
            continue
        base = g * V
        row[K.STOCK + SERVING] += n_s
        row[K.STOCK + RETAINED] += n_r
        row[K.ON_DUTY_ROLE + pool_keys[base, P_ROLE]] += n
        row[K.ON_DUTY_STATUS_ROLE + SERVING * K.N_ROLE + pool_keys[base, P_ROLE]] += n_s
        row[K.ON_DUTY_STATUS_ROLE + RETAINED * K.N_ROLE + pool_keys[base, P_ROLE]] += n_r
        row[K.ON_DUTY_CHANNEL + pool_keys[base, P_CHANNEL]] += n
        out.by_unit[ON_DUTY, pool_keys[base, P_UNIT]] += n
        if pool_keys[base, P_FLAG]:
            row[K.ON_DUTY_RETURNED] += n
    info[EMPTY_COHORTS] = empty
    # tomorrow's entries after the day: at most one per soldier away and detained, and
    # two per pool whose terms end (retained where they were, or in assault)
    info[PENDING_ROOM] = np.int64(away + row[K.STOCK + DETAINED]) + 2 * len(D.retained) + 64
    progress[PHASE] = P_DONE
    return DONE


@kernel
def arrive(rs, R, D, t, n, channel, arrival, layout, per_group, per_off):
    """n recruits into serving pools. Role, unit, risk level and term are independent: a
    few recruits draw each factor by inversion (a handful of uniforms each), many are
    split over the (role, unit, level) groups and then each group over the terms by exact
    multinomials, which costs the cells instead of the recruits. per_group and per_off
    are scratch space at least as long as the cells."""
    if n < 2.0 * len(arrival.cum):
        for _ in range(np.int64(n)):
            role = draw_index(rs, arrival.role_cum)
            unit = min(np.int64(next_uniform(rs) * layout.units), layout.units - 1)
            level = draw_index(rs, arrival.level_cum)
            o = draw_index(rs, arrival.offset_cum)
            serving_add(R, D, pool_of(0, role, channel, unit, level, layout),
                        NO_TERM if arrival.offset[o] == NO_OFFSET else t + arrival.offset[o], 1.0)
        return
    multinomial(rs, n, arrival.cum, per_group)
    for g in range(len(arrival.cum)):
        k = per_group[g]
        if k == 0.0:
            continue
        p = pool_of(0, arrival.role[g], channel, arrival.unit[g], arrival.level[g], layout)
        multinomial(rs, k, arrival.offset_cum, per_off)
        for o in range(len(arrival.offset_cum)):
            if per_off[o] != 0.0:
                serving_add(R, D, p, NO_TERM if arrival.offset[o] == NO_OFFSET else t + arrival.offset[o], per_off[o])


@kernel
def initial_force(rs, R, D, n, channel, g_role, g_unit, g_level, g_cum, layout, per_group):
    """The initial force of a channel into the serving pools' `pre` parts."""
    multinomial(rs, n, g_cum, per_group)
    for g in range(len(g_cum)):
        if per_group[g] != 0.0:
            serving_add(R, D, pool_of(0, g_role[g], channel, g_unit[g], g_level[g], layout), PRE, per_group[g])


# ---------------------------------------------------------------- the table's clocks (M5, M6)
# A member of a table cohort meets his competing events on day t with probability
# p_any(t), the same for every member of his *hazard class*: absent soldiers by region,
# hiding level and whether they can move on; detained soldiers one class. Each class
# accumulates H(t) = sum over days of -log(1 - p_any); a member's event falls on the
# first day H passes his own Exp(1) threshold, which gives exactly p_any(t) on day t given
# none before, whatever the rates do. A cohort of n keeps only the smallest threshold
# (H + Exp(1)/n); the next, after one member's event, lies Exp(1)/(n - 1) further on.
# Exponentials forget, so a cohort whose membership changes otherwise draws afresh.

MAX_DAY_HAZARD = 1e3   # -log(1 - p) of a certain event (exp(-1000) is 0 in double precision)


@inline
def _hazard(p):
    return -np.log1p(-p) if p < 1.0 else MAX_DAY_HAZARD


@inline
def _exponential(rs):
    return -np.log1p(-next_uniform(rs))


@inline
def _hazard_class(T, i, moves, levels, detained_class):
    """The hazard class of table cohort i (−1: none)."""
    s = T.fields[i, F_STATUS]
    if s == DETAINED:
        return detained_class
    if s != AT_LARGE:
        return -1
    g = T.fields[i, F_REGION]
    can = 1 if chain.moves_on(moves.next_hop[T.fields[i, F_DEST], g], g) else 0
    return (g * levels + T.fields[i, F_HIDING]) * 2 + can


@inline
def set_clock(rs, T, i, H, moves, levels):
    """A fresh clock for cohort i, whose members have had no event before H of its class."""
    c = _hazard_class(T, i, moves, levels, len(H) - 1)
    T.clock_class[i] = c
    if c >= 0 and T.count[i] != 0.0:
        T.clock[i] = H[c] + _exponential(rs) / T.count[i]


def hazard_classes(n_regions: int, levels: int) -> int:
    """How many hazard classes the table's clocks need."""
    return n_regions * levels * 2 + 1


@inline
def _advance_hazards(H, rates, n_regions):
    """Today's hazard added to each class's cumulative hazard."""
    levels = len(rates.hiding)
    for g in range(n_regions):
        for h in range(levels):
            found, returns, dies, move = chain.at_large_events(rates, g, h)
            stay = found + returns + dies
            H[(g * levels + h) * 2] += _hazard(stay)
            H[(g * levels + h) * 2 + 1] += _hazard(stay + move)
    H[len(H) - 1] += _hazard(chain.detention_ends(rates))


@kernel
def step_table(rs, t, S, f, rates, moves, layout, row):
    """Absent soldiers and detained soldiers meet the chain's events (M5, M6), member by
    member on the days their cohort's clock falls due."""
    T, H = S.table, S.hazard
    _advance_hazards(H, rates, len(moves.is_home))
    for i in range(T.used[0]):
        c = T.clock_class[i]
        if c < 0 or T.clock[i] >= H[c]:
            continue
        n = T.count[i]
        if n == 0.0:
            continue
        s = T.fields[i, F_STATUS]
        ce = T.fields[i, F_CE]
        if s == AT_LARGE:
            g, d, pathway = T.fields[i, F_REGION], T.fields[i, F_DEST], T.fields[i, F_PATHWAY]
            p_found, p_returns, p_dies, p_move = chain.at_large_events(rates, g, T.fields[i, F_HIDING])
            nxt = moves.next_hop[d, g]
            if not chain.moves_on(nxt, g):
                p_move = 0.0
            p_any = p_found + p_returns + p_dies + p_move
            days_at_large = t - T.fields[i, F_START]
            while n != 0.0 and T.clock[i] < H[c]:
                n -= 1.0
                if n != 0.0:
                    T.clock[i] += _exponential(rs) / n
                for k in range(N_FIELDS):
                    f[k] = T.fields[i, k]
                u = next_uniform(rs) * p_any
                if u < p_found + p_returns:
                    ending = chain.found_by(moves.is_home, g) if u < p_found else RETURNED
                elif u < p_found + p_returns + p_dies:
                    S.absorbed[KILLED] += 1.0
                    chain.record_ending(row, pathway, DIED, days_at_large, 1.0, KILLED)
                    continue
                elif next_uniform(rs) < chain.route_stop(rates, g, nxt):
                    ending = BY_CHECKPOINT
                elif moves.is_exit[nxt]:
                    S.absorbed[ESCAPED] += 1.0
                    chain.record_ending(row, pathway, ESCAPED_ABROAD, days_at_large, 1.0, ESCAPED)
                    continue
                else:
                    f[F_REGION] = nxt
                    _table_move(T, i, SUCC_MOVE, f, AT_LARGE, ce, t, 1.0, False)
                    continue
                chain.record_ending(row, pathway, ending, days_at_large, 1.0, DETAINED)
                case = chain.absence_case(T.fields[i, F_PRIOR], days_at_large)  # M6 sentence decided now
                _detained(rs, f, ce, t, 1.0, case, days_at_large, rates, T, i, row)
            T.count[i] = n
        elif s == DETAINED:
            r, ch, u_, lv, flag = (T.fields[i, F_ROLE], T.fields[i, F_CHANNEL], T.fields[i, F_UNIT],
                                   T.fields[i, F_LEVEL], T.fields[i, F_FLAG])
            sentence = T.fields[i, F_SENTENCE]
            decided = ce == TERM_DECIDED
            done = 0.0
            while n != 0.0 and T.clock[i] < H[c]:
                n -= 1.0
                done += 1.0
                if n != 0.0:
                    T.clock[i] += _exponential(rs) / n
            T.count[i] = n
            chain.record_detention_end(row, sentence, decided, done)
            if chain.after_detention(sentence, decided) == IMPRISONED:
                S.absorbed[IMPRISONED] += done
                continue
            if r == ASSAULT:
                assault = done
            else:
                assault = binomial(rs, done, chain.returned_assault_share(rates))
                chain.record_sent_to_assault(row, False, assault)
            if done - assault != 0.0:
                on_duty_after_today(S.pending, pool_of(flag, r, ch, u_, lv, layout), ce, t, done - assault)
            if assault != 0.0:
                on_duty_after_today(S.pending, pool_of(flag, ASSAULT, ch, u_, lv, layout), ce, t, assault)
