"""The cohort engine's day: the chain's events drawn as exact counts over pools and cohorts.

Each day, in the chain's order (`model.chain`): arrivals join; terms end (a ring day
falls due, or the hazard strikes the initial force): on duty M1 decides, in hospital
the soldier becomes `passed`; then hospital, serving and retained soldiers meet their
three competing events; then deserters at large and detained soldiers, who are kept in
the cohort table. Soldiers who change status join their new part or cohort after the
day, so nobody moves twice.

A *group* is the pools that differ only in the risk level, which scales the desertion
hazard. A group with few expected events is stepped by **thinning**, which is exact:
with p_l a level-l member's probability of any event today and p* = max_l p_l,
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
from awol.engines.cohorts.draws import draw_index, inline, kernel, multinomial, pick, split3
from awol.engines.cohorts.pools import (
    H_NOTERM,
    H_PASSED,
    H_PRE,
    N_PARTS_HOSPITAL,
    N_PARTS_SERVING,
    P_CHANNEL,
    P_FLAG,
    P_LEVEL,
    P_ROLE,
    P_UNIT,
    S_PRE,
    hospital_add,
    on_duty_after_today,
    part_count,
    pool_of,
    ring_due,
    ring_take,
    serving_add,
)
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
from awol.model.states import (
    ASSAULT,
    AT_LARGE,
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

THIN_BELOW = 24.0            # expected candidates of a group below which it is thinned
PICK_BELOW = 256.0           # expected leavers of a pool below which their parts are picked one by one

# Phases of a day. The kernel may stop between groups to let the driver grow the
# cohort table, and is called again to go on where it stopped (`Progress`).
P_ARRIVE, P_TERMS, P_HOSPITAL, P_SERVING, P_RETAINED, P_TABLE_TERMS, P_TABLE, P_CLOSE, P_DONE = range(9)
NEEDS_ROOM, DONE = 0, 1
PHASE, GROUP = 0, 1                       # entries of the kernel's `progress` array
EMPTY_COHORTS, PENDING_ROOM = 0, 1        # entries of its `info` array, for the driver
DESERTED, ON_DUTY = 0, 1                  # rows of the day's per-unit counts


class CohortState(NamedTuple):
    """Everything the cohort engine carries from day to day."""

    serving_ring: object     # pools.Ring of serving soldiers
    hospital_ring: object    # pools.Ring of patients
    pools: object            # pools.Pools
    pending: object          # pools.Pending: back on duty after the day
    table: object            # table.TableArrays: at large and detained
    absorbed: np.ndarray     # [status]: totals of the absorbing statuses


class DayOutput(NamedTuple):
    """What a day writes: its tallies, and the aggregates fed back to the rates tomorrow."""

    row: np.ndarray          # [N_TALLIES]
    by_unit: np.ndarray      # [DESERTED / ON_DUTY, unit]
    by_region: np.ndarray    # [region]: at large at the end of the day


class Scratch(NamedTuple):
    """Room the kernel works in (it allocates nothing)."""

    key: np.ndarray          # int64 [N_FIELDS]: a cohort key being built
    per_level: np.ndarray    # [level]: event probabilities, then picks
    avail: np.ndarray        # [level]: members left to pick from
    per_group: np.ndarray    # [cells]
    per_offset: np.ndarray   # [cells]
    part_n: np.ndarray       # [parts]
    took: np.ndarray         # [3, parts]


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
    release, assault_share = chain.term_end_split(rates)
    released = binomial(rs, k, release)
    retained = k - released
    S.absorbed[RELEASED] += released
    chain.record_term_end(row, released, retained)
    a = retained if pool_keys[p, P_ROLE] == ASSAULT else binomial(rs, retained, assault_share)
    if retained - a != 0.0:
        on_duty_after_today(S.pending, p, TERM_DECIDED, t, retained - a)
    if a != 0.0:
        q = pool_of(pool_keys[p, P_FLAG], ASSAULT, pool_keys[p, P_CHANNEL], pool_keys[p, P_UNIT], pool_keys[p, P_LEVEL], layout)
        on_duty_after_today(S.pending, q, TERM_DECIDED, t, a)


# ---------------------------------------------------------------- the table

@inline
def _key_index(T, f, status, ce, t):
    """Index of the cohort with fields f in `status` (added if new), and whether its key
    holds an exact end day. An end day already gone by is stored as PASSED (only whether
    the term has ended is ever asked), the sentence only while detained."""
    f[F_STATUS] = status
    exact = ce != NO_TERM and ce != TERM_DECIDED and ce != PRE and ce != PASSED
    f[F_CE] = PASSED if exact and ce <= t else ce
    if status != DETAINED:
        f[F_SENTENCE] = 0
    return find_or_add(f, T), exact


@inline
def _table_add(T, f, status, ce, t, k):
    """K soldiers with fields f into the cohort table (at large or detained), after today."""
    T.incoming[_key_index(T, f, status, ce, t)[0]] += k


@inline
def _table_move(T, i, which, f, status, ce, t, k, now):
    """K members of cohort i to the cohort with fields f (its successor `which`): after today,
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
def _desert(rs, f, ce, t, k, role, channel, unit, level, rates, moves, T):
    """M3: k deserters into the table, at large from their unit's region, heading home or for the exit."""
    to_exit = binomial(rs, k, chain.exit_share(rates))
    f[:] = 0
    f[F_ROLE] = role
    f[F_CHANNEL] = channel
    f[F_UNIT] = unit
    f[F_LEVEL] = level
    f[F_FLAG] = 1
    f[F_REGION] = moves.unit_region[unit]
    if to_exit != 0.0:
        f[F_DEST] = EXIT
        _table_add(T, f, AT_LARGE, ce, t, to_exit)
    if k - to_exit != 0.0:
        f[F_DEST] = HOME
        _table_add(T, f, AT_LARGE, ce, t, k - to_exit)


# ---------------------------------------------------------------- leaving a part

@inline
def _leave(rs, status, q, p, t, event, k, S, pool_keys, rates, moves, f, out):
    """K soldiers of part q of pool p (serving, retained or in hospital) meet `event` of the
    chain. A ring member leaves alone (k = 1) with the day his term ends."""
    SR, HR, D = S.serving_ring, S.hospital_ring, S.pools
    if status == SERVING:
        if q == 0:
            ce = ring_take(rs, SR, p, t)
        else:
            D.serving_parts[q - 1, p] -= k
            ce = PRE if q - 1 == S_PRE else NO_TERM
        D.serving[p] -= k
    elif status == RETAINED:
        D.retained[p] -= k
        ce = TERM_DECIDED
    else:
        if q == 0:
            ce = ring_take(rs, HR, p, t)
        else:
            D.hospital_parts[q - 1, p] -= k
            h = q - 1
            ce = PRE if h == H_PRE else (NO_TERM if h == H_NOTERM else (PASSED if h == H_PASSED else TERM_DECIDED))
        D.hospital[p] -= k
    r, c, flag = pool_keys[p, P_ROLE], pool_keys[p, P_CHANNEL], pool_keys[p, P_FLAG]
    dst = chain.class_event_destination(status, event, ce == TERM_DECIDED)
    if status == HOSPITAL and event == chain.HOSPITAL_RECOVERS:  # discharged, or back on duty after today
        discharged = binomial(rs, k, chain.discharged_share(rates))
        if discharged != 0.0:
            S.absorbed[RELEASED] += discharged
            chain.record_class_event(out.row, status, event, r, c, flag, discharged, RELEASED)
        if k - discharged != 0.0:
            chain.record_class_event(out.row, status, event, r, c, flag, k - discharged, dst)
            on_duty_after_today(S.pending, p, ce, t, k - discharged)
        return
    chain.record_class_event(out.row, status, event, r, c, flag, k, dst)
    if dst == AT_LARGE:
        out.by_unit[DESERTED, pool_keys[p, P_UNIT]] += k
        _desert(rs, f, ce, t, k, r, c, pool_keys[p, P_UNIT], pool_keys[p, P_LEVEL], rates, moves, S.table)
    elif dst == KILLED:
        S.absorbed[KILLED] += k
    else:  # wounded
        hospital_add(HR, D, p, ce, k)


@inline
def _leave_part(rs, status, q, p, t, event, k, S, pool_keys, rates, moves, f, out):
    """`_leave` for k members of part q: ring members one by one (each with his own day).

    One call site of `_leave` here, and one in the day's thinning: each site inlines the
    whole of it, and compile time grows with the copies."""
    ring = q == 0 and status != RETAINED
    each = 1.0 if ring else k
    for _ in range(np.int64(k) if ring else (1 if k != 0.0 else 0)):
        _leave(rs, status, q, p, t, event, each, S, pool_keys, rates, moves, f, out)


# ---------------------------------------------------------------- one day

@kernel
def step_day(rs, t, progress, S, layout, pool_keys, level_factor, pre_hazard, arrivals, rates, moves, out, scratch, info):
    """Advance day t from phase progress[PHASE] (group progress[GROUP]); NEEDS_ROOM when the
    cohort table needs room (the driver grows it and calls again), DONE when the day is done.

    `info` returns [empty cohorts in the table, room `pending` needs tomorrow].
    """
    U, V = layout.units, layout.levels
    G = 18 * U
    SR, HR, D, T = S.serving_ring, S.hospital_ring, S.pools, S.table
    f, pl, avail, part_n, took = scratch.key, scratch.per_level, scratch.avail, scratch.part_n, scratch.took
    row = out.row
    capacity = len(T.count)
    # new cohorts a group can make: one per deserter, and at most two per part of a pool
    # and per end day of its ring (the at-large key holds the day and the destination)
    headroom_cap = 2 * V * (layout.ring_days + N_PARTS_HOSPITAL) + 16

    if progress[PHASE] == P_ARRIVE:
        for c in range(K.N_CHANNEL):  # M7: Poisson arrivals by channel, plus the exact mobilisation quota
            a = float(np.random.poisson(rates.recruits[c])) if rates.recruits[c] > 0.0 else 0.0
            if c == 1:
                a += float(rates.mobilised_quota)
            row[K.RECRUITS_CHANNEL + c] = a
            if a != 0.0:
                arrive(rs, SR, D, t, a, c, arrivals[c], layout, scratch.per_group, scratch.per_offset)
        progress[PHASE] = P_TERMS

    if progress[PHASE] == P_TERMS:  # M1: terms ending today
        j = t % SR.counts.shape[1]
        for w in range(SR.due.shape[1]):  # ring days due: on duty M1, in hospital `passed`
            for ring_no in range(2):
                R = SR if ring_no == 0 else HR
                bits = R.due[j, w]
                if bits == 0:
                    continue
                R.due[j, w] = 0
                for b in range(64):
                    if (bits >> np.uint64(b)) & np.uint64(1):
                        p = w * 64 + b
                        k = ring_due(R, p, j)
                        if k == 0.0:
                            continue
                        if ring_no == 0:
                            D.serving[p] -= k
                            _term_ends(rs, p, t, k, rates, pool_keys, layout, S, row)
                        else:
                            D.hospital_parts[H_PASSED, p] += k
        for status in (SERVING, HOSPITAL):  # the initial force: by its channel's hazard
            parts = D.serving_parts if status == SERVING else D.hospital_parts
            for g in range(G):
                base = g * V
                h = pre_hazard[pool_keys[base, P_CHANNEL], t]
                if h == 0.0:
                    continue
                N = 0.0
                for lv in range(V):
                    N += parts[S_PRE, base + lv]  # S_PRE == H_PRE
                if N == 0.0:
                    continue
                if N * h < THIN_BELOW:  # K ends among N, spread over levels without replacement
                    ends = binomial(rs, N, h)
                    if ends == 0.0:
                        continue
                    for lv in range(V):
                        avail[lv] = parts[S_PRE, base + lv]
                        pl[lv] = 0.0
                    left = N
                    for _ in range(np.int64(ends)):
                        pl[pick(avail, np.floor(next_uniform(rs) * left))] += 1.0
                        left -= 1.0
                for lv in range(V):
                    p = base + lv
                    k = pl[lv] if N * h < THIN_BELOW else binomial(rs, parts[S_PRE, p], h)
                    if k == 0.0:
                        continue
                    parts[S_PRE, p] -= k
                    if status == SERVING:
                        D.serving[p] -= k
                        _term_ends(rs, p, t, k, rates, pool_keys, layout, S, row)
                    else:
                        parts[H_PASSED, p] += k
        progress[PHASE] = P_HOSPITAL
        progress[GROUP] = 0

    # Hospital, serving and retained soldiers: the chain's three competing events each.
    for status, this_phase, next_phase in ((HOSPITAL, P_HOSPITAL, P_SERVING), (SERVING, P_SERVING, P_RETAINED),
                                           (RETAINED, P_RETAINED, P_TABLE_TERMS)):
        if progress[PHASE] != this_phase:
            continue
        if status == SERVING:
            total, n_parts = D.serving, N_PARTS_SERVING
        elif status == HOSPITAL:
            total, n_parts = D.hospital, N_PARTS_HOSPITAL
        else:
            total, n_parts = D.retained, 1
        for g in range(progress[GROUP], G):
            base = g * V
            N = 0.0
            for lv in range(V):
                N += total[base + lv]
            if N == 0.0:
                continue
            if T.used[0] + min(N, headroom_cap) > capacity:
                progress[GROUP] = g
                return NEEDS_ROOM
            r, c, u = pool_keys[base, P_ROLE], pool_keys[base, P_CHANNEL], pool_keys[base, P_UNIT]
            pmax = 0.0
            for lv in range(V):
                if total[base + lv] != 0.0:
                    p0, p1, p2 = chain.class_events(rates, status, r, c, u, level_factor[c, lv])
                    pl[lv] = p0 + p1 + p2
                    pmax = max(pmax, pl[lv])
            if N * pmax < THIN_BELOW:
                cand = binomial(rs, N, pmax)
                if cand == 0.0:
                    continue
                for lv in range(V):
                    avail[lv] = total[base + lv]
                left = N
                for _ in range(np.int64(cand)):
                    lv = pick(avail, np.floor(next_uniform(rs) * left))
                    left -= 1.0
                    if next_uniform(rs) * pmax >= pl[lv]:
                        continue
                    p0, p1, p2 = chain.class_events(rates, status, r, c, u, level_factor[c, lv])
                    v = next_uniform(rs) * pl[lv]
                    event = 0 if v < p0 else (1 if v < p0 + p1 else 2)
                    p = base + lv
                    q = 0
                    if n_parts > 1:  # the accepted are a uniform sample of the pool: part in proportion
                        x = np.floor(next_uniform(rs) * total[p])
                        while q < n_parts - 1:
                            m = part_count(status, q, p, SR, HR, D)
                            if x < m:
                                break
                            x -= m
                            q += 1
                    _leave(rs, status, q, p, t, event, 1.0, S, pool_keys, rates, moves, f, out)
            else:
                for lv in range(V):
                    p = base + lv
                    n_all = total[p]
                    if n_all == 0.0:
                        continue
                    p0, p1, p2 = chain.class_events(rates, status, r, c, u, level_factor[c, lv])
                    busy = 0
                    only = 0
                    for q in range(n_parts):
                        part_n[q] = part_count(status, q, p, SR, HR, D)
                        if part_n[q] != 0.0:
                            busy += 1
                            only = q
                    for event in range(chain.N_CLASS_EVENTS):
                        for q in range(n_parts):
                            took[event, q] = 0.0
                    if busy > 1 and n_all * (p0 + p1 + p2) >= PICK_BELOW:
                        for q in range(n_parts):  # many leavers: each part its own multinomial
                            if part_n[q] != 0.0:
                                k3 = split3(rs, part_n[q], p0, p1, p2)
                                for event in range(chain.N_CLASS_EVENTS):
                                    took[event, q] = k3[event]
                    else:
                        k3 = split3(rs, n_all, p0, p1, p2)
                        if busy == 1:
                            for event in range(chain.N_CLASS_EVENTS):
                                took[event, only] = k3[event]
                        else:  # the leavers are a uniform sample of the pool: their parts, without replacement
                            left = n_all
                            for event in range(chain.N_CLASS_EVENTS):
                                for _ in range(np.int64(k3[event])):
                                    took[event, pick(part_n[:n_parts], np.floor(next_uniform(rs) * left))] += 1.0
                                    left -= 1.0
                    for event in range(chain.N_CLASS_EVENTS):
                        for q in range(n_parts):
                            _leave_part(rs, status, q, p, t, event, took[event, q], S, pool_keys, rates, moves, f, out)
        progress[PHASE] = next_phase
        progress[GROUP] = 0

    if progress[PHASE] == P_TABLE_TERMS:  # the initial force's terms end at large and in detention too
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
        progress[PHASE] = P_TABLE

    if progress[PHASE] == P_TABLE:  # at large and detained
        if T.used[0] * 7 + 64 > capacity:
            return NEEDS_ROOM
        step_table(rs, t, S, f, rates, moves, layout, row)
        progress[PHASE] = P_CLOSE

    # the day's moves join their parts and cohorts; end-of-day stocks
    empty = 0
    for i in range(T.used[0]):
        if T.incoming[i] != 0.0:
            T.count[i] += T.incoming[i]
            T.incoming[i] = 0.0
        n = T.count[i]
        if n == 0.0:
            empty += 1
            continue
        s = T.fields[i, F_STATUS]
        row[K.STOCK + s] += n
        if s == AT_LARGE:
            out.by_region[T.fields[i, F_REGION]] += n
    pend = S.pending
    for m in range(pend.used[0]):
        p, ce, k = pend.pool[m], pend.term[m], pend.count[m]
        if ce == TERM_DECIDED:
            D.retained[p] += k
        else:
            serving_add(SR, D, p, ce, k)
    pend.used[0] = 0
    for s in (IMPRISONED, RELEASED, KILLED, ESCAPED):
        row[K.STOCK + s] += S.absorbed[s]
    # stocks by (flag, role, channel, unit): contiguous sums over the levels of each group
    in_hospital = 0.0
    for g in range(G):
        n_s = 0.0
        n_r = 0.0
        for p in range(g * V, g * V + V):
            n_s += D.serving[p]
            n_r += D.retained[p]
            in_hospital += D.hospital[p]
        n = n_s + n_r
        if n == 0.0:
            continue
        base = g * V
        row[K.STOCK + SERVING] += n_s
        row[K.STOCK + RETAINED] += n_r
        row[K.ON_DUTY_ROLE + pool_keys[base, P_ROLE]] += n
        row[K.ON_DUTY_CHANNEL + pool_keys[base, P_CHANNEL]] += n
        out.by_unit[ON_DUTY, pool_keys[base, P_UNIT]] += n
        if pool_keys[base, P_FLAG]:
            row[K.ON_DUTY_RETURNED] += n
    row[K.STOCK + HOSPITAL] += in_hospital
    info[EMPTY_COHORTS] = empty
    # tomorrow's entries after the day: at most one per patient and soldier detained, and
    # two per pool whose terms end (retained where they were, or in assault)
    info[PENDING_ROOM] = np.int64(in_hospital + row[K.STOCK + DETAINED]) + 2 * len(D.retained) + 64
    progress[PHASE] = P_DONE
    return DONE


@kernel
def arrive(rs, SR, D, t, n, channel, arrival, layout, per_group, per_off):
    """N recruits into serving pools. Role, unit, risk level and term are independent: a
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
            serving_add(SR, D, pool_of(0, role, channel, unit, level, layout),
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
                serving_add(SR, D, p, NO_TERM if arrival.offset[o] == NO_OFFSET else t + arrival.offset[o], per_off[o])


@kernel
def initial_force(rs, SR, D, n, channel, g_role, g_unit, g_level, g_cum, layout, per_group):
    """The initial force of a channel into the serving pools' `pre` parts."""
    multinomial(rs, n, g_cum, per_group)
    for g in range(len(g_cum)):
        if per_group[g] != 0.0:
            serving_add(SR, D, pool_of(0, g_role[g], channel, g_unit[g], g_level[g], layout), PRE, per_group[g])


@kernel
def step_table(rs, t, S, f, rates, moves, layout, row):
    """Deserters at large and detained soldiers meet the chain's events (M5, M6)."""
    T = S.table
    for i in range(T.used[0]):
        n = T.count[i]
        if n == 0.0:
            continue
        s = T.fields[i, F_STATUS]
        ce = T.fields[i, F_CE]
        for k in range(N_FIELDS):
            f[k] = T.fields[i, k]
        if s == AT_LARGE:
            g = T.fields[i, F_REGION]
            d = T.fields[i, F_DEST]
            p_search, p_surrender, p_move = chain.at_large_events(rates, g)
            searched, surrendered, moving = split3(rs, n, p_search, p_surrender, p_move)
            nxt = moves.next_hop[d, g]
            if not chain.moves_on(nxt, g):
                moving = 0.0
            T.count[i] = n - searched - surrendered - moving
            stopped = binomial(rs, moving, chain.route_stop(rates, g, nxt)) if moving != 0.0 else 0.0
            chain.record_capture(row, chain.BY_SEARCH, searched)
            chain.record_capture(row, chain.BY_SURRENDER, surrendered)
            chain.record_capture(row, chain.BY_CHECKPOINT, stopped)
            passed = moving - stopped
            if passed != 0.0:
                if moves.is_exit[nxt]:
                    S.absorbed[ESCAPED] += passed
                    chain.record_escape(row, passed)
                else:
                    f[F_REGION] = nxt
                    _table_move(T, i, SUCC_MOVE, f, AT_LARGE, ce, t, passed, False)
            caught = searched + surrendered + stopped
            if caught != 0.0:  # M6 sentence decided at capture
                prison_share, prosecuted_share = chain.sentence_shares(rates)
                prison, suspended, _ = split3(rs, caught, prison_share, prosecuted_share - prison_share, 0.0)
                chain.record_cases(row, prison + suspended)
                f[F_REGION] = 0
                f[F_DEST] = 0
                for sentence, which, k in ((PRISON, SUCC_PRISON, prison), (SUSPENDED, SUCC_SUSPENDED, suspended),
                                           (NOT_PROSECUTED, SUCC_NOT_PROSECUTED, caught - prison - suspended)):
                    if k != 0.0:
                        f[F_SENTENCE] = sentence
                        _table_move(T, i, which, f, DETAINED, ce, t, k, False)
        elif s == DETAINED:
            done = binomial(rs, n, chain.detention_ends(rates))
            T.count[i] = n - done
            if done == 0.0:
                continue
            sentence = T.fields[i, F_SENTENCE]
            decided = ce == TERM_DECIDED
            chain.record_detention_end(row, sentence, decided, done)
            if chain.after_detention(sentence, decided) == IMPRISONED:
                S.absorbed[IMPRISONED] += done
                continue
            r, c, u, lv, flag = f[F_ROLE], f[F_CHANNEL], f[F_UNIT], f[F_LEVEL], f[F_FLAG]
            assault = done if r == ASSAULT else binomial(rs, done, chain.returned_assault_share(rates))
            if done - assault != 0.0:
                on_duty_after_today(S.pending, pool_of(flag, r, c, u, lv, layout), ce, t, done - assault)
            if assault != 0.0:
                on_duty_after_today(S.pending, pool_of(flag, ASSAULT, c, u, lv, layout), ce, t, assault)
