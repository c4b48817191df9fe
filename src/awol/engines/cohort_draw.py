"""The cohort engine's draw kernel: counts of exchangeable soldiers, exact draws.

Soldiers on duty and in hospital are counted in *pools*, one per (ever-deserted flag,
role, channel, unit, risk level). Within a pool every hazard is the same; soldiers
differ only in what they carry about their term, the one thing M1 reads, and a pool
keeps them in *parts* by that:

- **ring**: recruits, whose term ends on a known day; a ring of counts by that day.
- **pre**: the initial force before its term ends. Its members' end days are
  independent of everything they live through before them (a random start day plus
  a term, drawn on day 0), so no member needs his own day: each day the term of each
  of them ends with the same conditional probability, the hazard
  h_c(t) = P(end = t | end ≥ t) of his channel's end-day distribution. Exact, and it
  costs one draw per part, not one per soldier.
- **no term** (mobilised), **passed** (the term ended in hospital: due the day
  after return), **decided** (retained past term; on duty this is the retained
  status itself).

Each day, in the agent kernel's order: arrivals join; terms end (the ring's day is
due, or the hazard strikes `pre`): on duty M1 decides, in hospital the soldier
becomes `passed`; then hospital (recovery, desertion), serving and retained (death,
wound, desertion) meet their competing events; then deserters at large and detained
soldiers, who stay in the sparse cohort table of `engines.cohorts`. Soldiers who
change status join their new part or cohort after the day, so nobody moves twice.

A *group* is the pools that differ only in the risk level, which scales the
desertion hazard. A group with few expected events is stepped by **thinning**, which
is exact: with p_l a level-l member's probability of any event today and
p* = max_l p_l, C ~ Bin(N, p*) candidates are drawn without replacement, each
accepted with probability p_l / p* and given its event in proportion, so each
soldier meets exactly his own competing events. An accepted soldier's part is drawn
in proportion to the parts' counts (the accepted are a uniform sample of the pool),
and a ring member takes his end day from the ring without replacement. Otherwise
each part of each level gets its own exact multinomial, so at large numbers the
cost follows the pools, not the soldiers.

Random numbers come from the sequential stream of `engines.rng` (uniforms, binomials of
small mean) and Numba's generator (binomials of large mean, Poisson arrivals), both
seeded once per run from (seed, `rng.COHORTS`) and consumed in a fixed order by one
thread.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from awol.engines import outputs as O
from awol.engines.rng import binomial, next_uniform
from awol.engines.cohorts import (
    F_CE, F_CHANNEL, F_DEST, F_FLAG, F_LEVEL, F_REGION, F_ROLE, F_SENTENCE, F_STATUS, F_UNIT,
    N_FIELDS, NO_OFFSET, NO_TERM, PASSED, PRE, TERM_DECIDED, _find_or_add,
)
from awol.model.states import (
    ASSAULT, AT_LARGE, DETAINED, ESCAPED, EXIT, HOME, HOSPITAL, IMPRISONED, KILLED,
    NOT_PROSECUTED, PRISON, RELEASED, RETAINED, SERVING, SUSPENDED,
)

BLOCK_SHIFT = 5              # ring block of 32 days, for picking an end day
THIN_BELOW = 24.0            # expected candidates of a group below which it is thinned
PICK_BELOW = 256.0           # expected leavers of a pool below which their parts are picked one by one

# Parts of a pool besides its ring (index 0 of a class's parts is the ring).
S_PRE, S_NOTERM = 0, 1                                 # serving
H_PRE, H_NOTERM, H_PASSED, H_DECIDED = 0, 1, 2, 3      # hospital
N_PARTS_SERVING, N_PARTS_HOSPITAL = 3, 5               # ring + the above

# Kernels run without Numba's reference counting: they allocate nothing (the driver
# passes every array, scratch space included), and the atomic reference-count updates
# that inlined helpers otherwise make on every event took about a third of the time.
kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)

# Phases of a day. The kernel may stop between groups to let the driver grow the
# cohort table, and is called again to go on where it stopped.
P_ARRIVE, P_TERMS, P_HOSPITAL, P_SERVING, P_RETAINED, P_TABLE_TERMS, P_TABLE, P_CLOSE, P_DONE = range(9)
NEEDS_ROOM, DONE = 0, 1


# ---------------------------------------------------------------- draws

@kernel
def seed_stream(s):
    np.random.seed(s)


@inline
def _split3(rs, n, p1, p2, p3):
    """Exact multinomial counts of three competing outcomes (unconditional probabilities).

    A few members (the usual cohort at large) get one uniform each; more get a binomial
    for the hits, then one uniform per hit or conditional binomials."""
    ptot = p1 + p2 + p3
    if n <= 4.0:
        k1 = 0.0
        k2 = 0.0
        k3 = 0.0
        for _ in range(np.int64(n)):
            v = next_uniform(rs)
            if v < p1:
                k1 += 1.0
            elif v < p1 + p2:
                k2 += 1.0
            elif v < ptot:
                k3 += 1.0
        return k1, k2, k3
    hits = binomial(rs, n, ptot)
    if hits == 0.0:
        return 0.0, 0.0, 0.0
    if hits < 48.0:
        k1 = 0.0
        k2 = 0.0
        for _ in range(np.int64(hits)):
            v = next_uniform(rs) * ptot
            if v < p1:
                k1 += 1.0
            elif v < p1 + p2:
                k2 += 1.0
        return k1, k2, hits - k1 - k2
    k1 = binomial(rs, hits, p1 / ptot)
    rest = ptot - p1
    k2 = binomial(rs, hits - k1, p2 / rest) if rest > 0.0 else 0.0
    return k1, k2, hits - k1 - k2


@inline
def _pick(avail, x):
    """Index of the member of rank x among `avail` (counts by index), removed from it."""
    n = len(avail)
    for l in range(n):
        if x < avail[l]:
            avail[l] -= 1.0
            return l
        x -= avail[l]
    for l in range(n - 1, -1, -1):  # not reached with integral counts
        if avail[l] > 0.0:
            avail[l] -= 1.0
            return l
    return 0


# ---------------------------------------------------------------- rings
# A ring R = (counts [pool, day mod L], block sums [pool, block], totals [pool],
# due bitmap [day mod L, pool / 64]) holds soldiers by the day their term ends.

@inline
def _ring_add(R, p, ce, k):
    ring, blk, total, due = R[0], R[1], R[2], R[3]
    j = ce % ring.shape[1]
    ring[p, j] += k
    blk[p, j >> BLOCK_SHIFT] += k
    total[p] += k
    due[j, p >> 6] |= np.uint64(1) << np.uint64(p & 63)


@inline
def _ring_take(rs, R, p, t):
    """Remove one member of pool p's ring at random; the day his term ends."""
    ring, blk, total = R[0], R[1], R[2]
    x = np.floor(next_uniform(rs) * total[p])
    total[p] -= 1.0
    L = ring.shape[1]
    last = -1
    for b in range(blk.shape[1]):
        v = blk[p, b]
        if v == 0.0:
            continue
        last = b
        if x < v:
            j = b << BLOCK_SHIFT
            while True:
                r = ring[p, j]
                if x < r:
                    ring[p, j] = r - 1.0
                    blk[p, b] = v - 1.0
                    return t + (j - t) % L
                x -= r
                j += 1
        x -= v
    # rounding cannot bring us here with integral counts; take the last member
    j = ((last + 1) << BLOCK_SHIFT) - 1
    while ring[p, j] == 0.0:
        j -= 1
    ring[p, j] -= 1.0
    blk[p, last] -= 1.0
    return t + (j - t) % L


@inline
def _ring_due(R, p, j):
    """Empty pool p's ring slot j (due today); the number of soldiers it held."""
    ring, blk, total = R[0], R[1], R[2]
    k = ring[p, j]
    if k != 0.0:
        ring[p, j] = 0.0
        blk[p, j >> BLOCK_SHIFT] -= k
        total[p] -= k
    return k


# ---------------------------------------------------------------- pools
# D = (serving parts [S_PRE/S_NOTERM, pool], serving totals [pool], retained [pool],
#      hospital parts [H_*, pool], hospital totals [pool])
# pend = (pool, term code, used [1], count): soldiers who join a pool on duty after the day.

@inline
def _pool_of(flag, role, channel, unit, level, U, V):
    return (((flag * 3 + role) * 3 + channel) * U + unit) * V + level


@inline
def _serving_add(SR, D, p, ce, k):
    """k serving soldiers into pool p now: ce a day (ring), PRE or NO_TERM."""
    if ce == PRE:
        D[0][S_PRE, p] += k
    elif ce == NO_TERM:
        D[0][S_NOTERM, p] += k
    else:
        _ring_add(SR, p, ce, k)
    D[1][p] += k


@inline
def _hospital_add(HR, D, p, ce, k):
    """k wounded into pool p's hospital parts (their term not ended today: it was due first)."""
    if ce == PRE:
        D[3][H_PRE, p] += k
    elif ce == NO_TERM:
        D[3][H_NOTERM, p] += k
    elif ce == TERM_DECIDED:
        D[3][H_DECIDED, p] += k
    else:
        _ring_add(HR, p, ce, k)
    D[4][p] += k


@inline
def _on_duty_after_today(pend, p, ce, t, k):
    """k soldiers join pool p on duty after today: retained (TERM_DECIDED), or serving
    with a term code; a term that ended while away (PASSED, or a day gone by) is due tomorrow."""
    if ce != TERM_DECIDED and ce != PRE and ce != NO_TERM and (ce == PASSED or ce <= t):
        ce = t + 1
    m = pend[2][0]
    pend[0][m] = p
    pend[1][m] = ce
    pend[3][m] = k
    pend[2][0] = m + 1


@inline
def _term_ends(rs, p, t, k, release, assault_retained, pool_info, U, V, pend, absorbed, cnt):
    """M1 for k serving soldiers of pool p: released, or retained (perhaps moved to assault)."""
    rel = binomial(rs, k, release)
    ret = k - rel
    absorbed[RELEASED] += rel
    cnt[O.FLOW + SERVING * 9 + RELEASED] += rel
    cnt[O.FLOW + SERVING * 9 + RETAINED] += ret
    a = ret if pool_info[p, 1] == ASSAULT else binomial(rs, ret, assault_retained)
    if ret - a != 0.0:
        _on_duty_after_today(pend, p, TERM_DECIDED, t, ret - a)
    if a != 0.0:
        q = _pool_of(pool_info[p, 0], ASSAULT, pool_info[p, 2], pool_info[p, 3], pool_info[p, 4], U, V)
        _on_duty_after_today(pend, q, TERM_DECIDED, t, a)


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
    return _find_or_add(f, T[0], T[1], T[2], T[3], T[4]), exact


@inline
def _table_add(T, f, status, ce, t, k):
    """k soldiers with fields f into the cohort table (at large or detained), after today."""
    T[5][_key_index(T, f, status, ce, t)[0]] += k


SUCC_MOVE, SUCC_PRISON, SUCC_SUSPENDED, SUCC_NOT_PROSECUTED, SUCC_PASSED = range(5)   # `_Table.successor`


@inline
def _table_move(T, i, which, f, status, ce, t, k, now):
    """k members of cohort i to the cohort with fields f (its successor `which`): after today,
    or `now` (counted today). The successor is remembered unless the key holds an exact
    end day, which turns into PASSED once that day is over."""
    successor = T[10]
    j = successor[i, which]
    if j < 0:
        j, exact = _key_index(T, f, status, ce, t)
        if not exact:
            successor[i, which] = j
    if now:
        T[2][j] += k
    else:
        T[5][j] += k


@inline
def _desert(rs, f, src, ce, t, k, role, channel, unit, level, exit_share, unit_region, T, cnt, unit_cnt):
    """M3: k soldiers leave `src` for at large, from their unit's region."""
    cnt[O.FLOW + src * 9 + AT_LARGE] += k
    cnt[O.DESERTIONS_CHANNEL + channel] += k
    unit_cnt[0, unit] += k
    to_exit = binomial(rs, k, exit_share)
    f[:] = 0
    f[F_ROLE] = role
    f[F_CHANNEL] = channel
    f[F_UNIT] = unit
    f[F_LEVEL] = level
    f[F_FLAG] = 1
    f[F_REGION] = unit_region[unit]
    if to_exit != 0.0:
        f[F_DEST] = EXIT
        _table_add(T, f, AT_LARGE, ce, t, to_exit)
    if k - to_exit != 0.0:
        f[F_DEST] = HOME
        _table_add(T, f, AT_LARGE, ce, t, k - to_exit)


# ---------------------------------------------------------------- leaving a part

@inline
def _part_count(status, q, p, SR, HR, D):
    """Members of part q of pool p in the class of `status` (part 0 is the ring)."""
    if status == SERVING:
        return SR[2][p] if q == 0 else D[0][q - 1, p]
    if status == HOSPITAL:
        return HR[2][p] if q == 0 else D[3][q - 1, p]
    return D[2][p]


@inline
def _leave(rs, status, q, p, t, kind, k, SR, HR, D, pend, T, f, pool_info, discharge, exit_share, unit_region,
           absorbed, cnt, unit_cnt):
    """k soldiers of part q of pool p (status SERVING, RETAINED or HOSPITAL) meet event `kind`:
    on duty 0 killed, 1 wounded, 2 deserts; in hospital 0 recovers, 2 deserts. A ring
    member leaves alone (k = 1) with the day his term ends."""
    if status == SERVING:
        if q == 0:
            ce = _ring_take(rs, SR, p, t)
        else:
            D[0][q - 1, p] -= k
            ce = PRE if q - 1 == S_PRE else NO_TERM
        D[1][p] -= k
    elif status == RETAINED:
        D[2][p] -= k
        ce = TERM_DECIDED
    else:
        if q == 0:
            ce = _ring_take(rs, HR, p, t)
        else:
            D[3][q - 1, p] -= k
            h = q - 1
            ce = PRE if h == H_PRE else (NO_TERM if h == H_NOTERM else (PASSED if h == H_PASSED else TERM_DECIDED))
        D[4][p] -= k
    r = pool_info[p, 1]
    if kind == 2:
        _desert(rs, f, status, ce, t, k, r, pool_info[p, 2], pool_info[p, 3], pool_info[p, 4],
                exit_share, unit_region, T, cnt, unit_cnt)
    elif status == HOSPITAL:  # recovers: discharged, or back on duty after today
        out = binomial(rs, k, discharge)
        if out != 0.0:
            absorbed[RELEASED] += out
            cnt[O.FLOW + HOSPITAL * 9 + RELEASED] += out
        if k - out != 0.0:
            cnt[O.FLOW + HOSPITAL * 9 + (RETAINED if ce == TERM_DECIDED else SERVING)] += k - out
            _on_duty_after_today(pend, p, ce, t, k - out)
    elif kind == 0:
        absorbed[KILLED] += k
        cnt[O.FLOW + status * 9 + KILLED] += k
        cnt[O.DEATHS_ROLE + r] += k
        if pool_info[p, 0]:
            cnt[O.DEATHS_RETURNED] += k
    else:
        cnt[O.FLOW + status * 9 + HOSPITAL] += k
        cnt[O.WOUNDS_ROLE + r] += k
        _hospital_add(HR, D, p, ce, k)


@inline
def _leave_part(rs, status, q, p, t, kind, k, SR, HR, D, pend, T, f, pool_info, discharge, exit_share, unit_region,
                absorbed, cnt, unit_cnt):
    """`_leave` for k members of part q: ring members one by one (each with his own day).

    One call site of `_leave` here, and one in the day's thinning: each site inlines the
    whole of it, and compile time grows with the copies."""
    ring = q == 0 and status != RETAINED
    each = 1.0 if ring else k
    for _ in range(np.int64(k) if ring else (1 if k != 0.0 else 0)):
        _leave(rs, status, q, p, t, kind, each, SR, HR, D, pend, T, f, pool_info, discharge, exit_share,
               unit_region, absorbed, cnt, unit_cnt)


# ---------------------------------------------------------------- one day

@kernel
def step_day(
    rs, t, phase, SR, HR, D, pend, T, absorbed, meta, pool_info, level_factor, pre_hazard,
    arrivals, recruits, quota,
    release, assault_retained, death, wound, recover, discharge, desert, exit_share,
    search_capture, surrender, move, intercept, next_hop, is_exit, unit_region,
    prosecute, imprison, detention_end, assault_returned,
    cnt, unit_cnt, region_cnt, scratch, info,
):
    """Advance day t from phase[0] (group phase[1]); NEEDS_ROOM when the cohort table
    needs room (the driver grows it and calls again), DONE when the day is done.

    `info` returns [empty cohorts in the table, room `pend` needs tomorrow].
    """
    U, V, L = meta[0], meta[1], meta[2]
    G = 18 * U
    f, pl, avail, per_group, per_off, part_n, took = scratch
    capacity = len(T[2])
    # new cohorts a group can make: one per deserter, and at most two per part of a pool
    # and per end day of its ring (the at-large key holds the day and the destination)
    headroom_cap = 2 * V * (L + N_PARTS_HOSPITAL) + 16

    if phase[0] == P_ARRIVE:
        for c in range(3):  # M7: Poisson arrivals by channel, plus the exact mobilisation quota
            a = float(np.random.poisson(recruits[c])) if recruits[c] > 0.0 else 0.0
            if c == 1:
                a += quota
            cnt[O.RECRUITS_CHANNEL + c] = a
            if a != 0.0:
                _arrive(rs, SR, D, t, a, c, arrivals[c], U, V, per_group, per_off)
        phase[0] = P_TERMS

    if phase[0] == P_TERMS:  # M1: terms ending today
        j = t % SR[0].shape[1]
        for w in range(SR[3].shape[1]):  # ring days due: on duty M1, in hospital `passed`
            for ring_no in range(2):
                R = SR if ring_no == 0 else HR
                bits = R[3][j, w]
                if bits == 0:
                    continue
                R[3][j, w] = 0
                for b in range(64):
                    if (bits >> np.uint64(b)) & np.uint64(1):
                        p = w * 64 + b
                        k = _ring_due(R, p, j)
                        if k == 0.0:
                            continue
                        if ring_no == 0:
                            D[1][p] -= k
                            _term_ends(rs, p, t, k, release, assault_retained, pool_info, U, V, pend, absorbed, cnt)
                        else:
                            D[3][H_PASSED, p] += k
        for status in (SERVING, HOSPITAL):  # the initial force: by its channel's hazard
            parts = D[0] if status == SERVING else D[3]
            for g in range(G):
                base = g * V
                h = pre_hazard[pool_info[base, 2], t]
                if h == 0.0:
                    continue
                N = 0.0
                for l in range(V):
                    N += parts[S_PRE, base + l]  # S_PRE == H_PRE
                if N == 0.0:
                    continue
                if N * h < THIN_BELOW:  # K ends among N, spread over levels without replacement
                    K = binomial(rs, N, h)
                    if K == 0.0:
                        continue
                    for l in range(V):
                        avail[l] = parts[S_PRE, base + l]
                        pl[l] = 0.0
                    left = N
                    for _ in range(np.int64(K)):
                        pl[_pick(avail, np.floor(next_uniform(rs) * left))] += 1.0
                        left -= 1.0
                for l in range(V):
                    p = base + l
                    k = pl[l] if N * h < THIN_BELOW else binomial(rs, parts[S_PRE, p], h)
                    if k == 0.0:
                        continue
                    parts[S_PRE, p] -= k
                    if status == SERVING:
                        D[1][p] -= k
                        _term_ends(rs, p, t, k, release, assault_retained, pool_info, U, V, pend, absorbed, cnt)
                    else:
                        parts[H_PASSED, p] += k
        phase[0] = P_HOSPITAL
        phase[1] = 0

    # M2 recovery in hospital, then death and wounds on duty; M3 desertion from each.
    # Every soldier meets three competing events: e0 and e1 with probabilities p0, p1
    # (hospital: recovery, none; on duty: death, wound), desertion with (1 − p0 − p1)·h.
    for status, this_phase, next_phase in ((HOSPITAL, P_HOSPITAL, P_SERVING), (SERVING, P_SERVING, P_RETAINED),
                                           (RETAINED, P_RETAINED, P_TABLE_TERMS)):
        if phase[0] != this_phase:
            continue
        if status == SERVING:
            total, n_parts = D[1], N_PARTS_SERVING
        elif status == HOSPITAL:
            total, n_parts = D[4], N_PARTS_HOSPITAL
        else:
            total, n_parts = D[2], 1
        for g in range(phase[1], G):
            base = g * V
            N = 0.0
            for l in range(V):
                N += total[base + l]
            if N == 0.0:
                continue
            if T[4][0] + min(N, headroom_cap) > capacity:
                phase[1] = g
                return NEEDS_ROOM
            r, c, u = pool_info[base, 1], pool_info[base, 2], pool_info[base, 3]
            p0 = recover if status == HOSPITAL else death[r]
            p1 = 0.0 if status == HOSPITAL else wound[r]
            pmax = 0.0
            for l in range(V):
                if total[base + l] != 0.0:
                    h = min(1.0, desert[status, r, c, u] * level_factor[c, l])
                    pl[l] = p0 + p1 + (1.0 - p0 - p1) * h
                    pmax = max(pmax, pl[l])
            if N * pmax < THIN_BELOW:
                cand = binomial(rs, N, pmax)
                if cand == 0.0:
                    continue
                for l in range(V):
                    avail[l] = total[base + l]
                left = N
                for _ in range(np.int64(cand)):
                    l = _pick(avail, np.floor(next_uniform(rs) * left))
                    left -= 1.0
                    if next_uniform(rs) * pmax >= pl[l]:
                        continue
                    v = next_uniform(rs) * pl[l]
                    kind = 0 if v < p0 else (1 if v < p0 + p1 else 2)
                    p = base + l
                    q = 0
                    if n_parts > 1:  # the accepted are a uniform sample of the pool: part in proportion
                        x = np.floor(next_uniform(rs) * total[p])
                        while q < n_parts - 1:
                            m = _part_count(status, q, p, SR, HR, D)
                            if x < m:
                                break
                            x -= m
                            q += 1
                    _leave(rs, status, q, p, t, kind, 1.0, SR, HR, D, pend, T, f, pool_info, discharge, exit_share,
                           unit_region, absorbed, cnt, unit_cnt)
            else:
                for l in range(V):
                    p = base + l
                    n_all = total[p]
                    if n_all == 0.0:
                        continue
                    h = min(1.0, desert[status, r, c, u] * level_factor[c, l])
                    p2 = (1.0 - p0 - p1) * h
                    busy = 0
                    only = 0
                    for q in range(n_parts):
                        part_n[q] = _part_count(status, q, p, SR, HR, D)
                        if part_n[q] != 0.0:
                            busy += 1
                            only = q
                    for kind in range(3):
                        for q in range(n_parts):
                            took[kind, q] = 0.0
                    if busy > 1 and n_all * (p0 + p1 + p2) >= PICK_BELOW:
                        for q in range(n_parts):  # many leavers: each part its own multinomial
                            if part_n[q] != 0.0:
                                k3 = _split3(rs, part_n[q], p0, p1, p2)
                                for kind in range(3):
                                    took[kind, q] = k3[kind]
                    else:
                        k3 = _split3(rs, n_all, p0, p1, p2)
                        if busy == 1:
                            for kind in range(3):
                                took[kind, only] = k3[kind]
                        else:  # the leavers are a uniform sample of the pool: their parts, without replacement
                            left = n_all
                            for kind in range(3):
                                for _ in range(np.int64(k3[kind])):
                                    took[kind, _pick(part_n[:n_parts], np.floor(next_uniform(rs) * left))] += 1.0
                                    left -= 1.0
                    for kind in range(3):
                        for q in range(n_parts):
                            _leave_part(rs, status, q, p, t, kind, took[kind, q], SR, HR, D, pend, T, f, pool_info,
                                        discharge, exit_share, unit_region, absorbed, cnt, unit_cnt)
        phase[0] = next_phase
        phase[1] = 0

    if phase[0] == P_TABLE_TERMS:  # the initial force's terms end at large and in detention too
        if T[4][0] * 2 + 64 > capacity:
            return NEEDS_ROOM
        fields, count, used = T[0], T[2], T[4]
        n_used = used[0]
        for i in range(n_used):
            n = count[i]
            if n == 0.0 or fields[i, F_CE] != PRE:
                continue
            k = binomial(rs, n, pre_hazard[fields[i, F_CHANNEL], t])
            if k == 0.0:
                continue
            count[i] = n - k
            for m in range(N_FIELDS):
                f[m] = fields[i, m]
            _table_move(T, i, SUCC_PASSED, f, fields[i, F_STATUS], PASSED, t, k, True)
        phase[0] = P_TABLE

    if phase[0] == P_TABLE:  # at large and detained
        if T[4][0] * 7 + 64 > capacity:
            return NEEDS_ROOM
        _step_table(rs, t, T, D, absorbed, f, search_capture, surrender, move, intercept, next_hop, is_exit,
                    prosecute, imprison, detention_end, assault_returned, pend, U, V, cnt)
        phase[0] = P_CLOSE

    # the day's moves join their parts and cohorts; end-of-day stocks
    fields, count, used, incoming = T[0], T[2], T[4], T[5]
    empty = 0
    for i in range(used[0]):
        if incoming[i] != 0.0:
            count[i] += incoming[i]
            incoming[i] = 0.0
        n = count[i]
        if n == 0.0:
            empty += 1
            continue
        s = fields[i, F_STATUS]
        cnt[O.STOCK + s] += n
        if s == AT_LARGE:
            region_cnt[fields[i, F_REGION]] += n
    s_total, retained, h_total = D[1], D[2], D[4]
    for m in range(pend[2][0]):
        p, ce, k = pend[0][m], pend[1][m], pend[3][m]
        if ce == TERM_DECIDED:
            retained[p] += k
        else:
            _serving_add(SR, D, p, ce, k)
    pend[2][0] = 0
    for s in (IMPRISONED, RELEASED, KILLED, ESCAPED):
        cnt[O.STOCK + s] += absorbed[s]
    # stocks by (flag, role, channel, unit): contiguous sums over the levels of each group
    in_hospital = 0.0
    for g in range(G):
        n_s = 0.0
        n_r = 0.0
        for p in range(g * V, g * V + V):
            n_s += s_total[p]
            n_r += retained[p]
            in_hospital += h_total[p]
        n = n_s + n_r
        if n == 0.0:
            continue
        base = g * V
        cnt[O.STOCK + SERVING] += n_s
        cnt[O.STOCK + RETAINED] += n_r
        cnt[O.ON_DUTY_ROLE + pool_info[base, 1]] += n
        cnt[O.ON_DUTY_CHANNEL + pool_info[base, 2]] += n
        unit_cnt[1, pool_info[base, 3]] += n
        if pool_info[base, 0]:
            cnt[O.ON_DUTY_RETURNED] += n
    cnt[O.STOCK + HOSPITAL] += in_hospital
    info[0] = empty
    # tomorrow's entries after the day: at most one per patient and soldier detained, and
    # two per pool whose terms end (retained where they were, or in assault)
    info[1] = np.int64(in_hospital + cnt[O.STOCK + DETAINED]) + 2 * len(retained) + 64
    phase[0] = P_DONE
    return DONE


@kernel
def _multinomial(rs, n, cum, out):
    """Exact multinomial split of n over cells with cumulative probabilities `cum` into `out`.

    One categorical draw per member when they are fewer than the cells, else conditional
    binomials cell by cell: the cost is the smaller of the two.
    """
    m = len(cum)
    out[:m] = 0.0
    total = cum[m - 1]
    if n < m:
        for _ in range(np.int64(n)):
            j = np.searchsorted(cum, next_uniform(rs) * total, side="right")
            out[min(j, m - 1)] += 1.0
        return
    left = n
    below = 0.0
    for j in range(m):
        if j == m - 1:
            out[j] = left
            return
        rest = total - below
        p = cum[j] - below
        k = binomial(rs, left, min(1.0, p / rest)) if rest > 0.0 else 0.0
        out[j] = k
        left -= k
        below = cum[j]
        if left <= 0.0:
            return


@inline
def _draw_index(rs, cum):
    """Index drawn with cumulative probabilities `cum` (inversion by bisection)."""
    return min(np.searchsorted(cum, next_uniform(rs) * cum[len(cum) - 1], side="right"), len(cum) - 1)


@kernel
def _arrive(rs, SR, D, t, n, channel, arrival, U, V, per_group, per_off):
    """n recruits into serving pools. Role, unit, risk level and term are independent: a
    few recruits draw each factor by inversion (a handful of uniforms each), many are
    split over the (role, unit, level) groups and then each group over the terms by exact
    multinomials, which costs the cells instead of the recruits. per_group and per_off
    are scratch space at least as long as the cells."""
    g_role, g_unit, g_level, g_cum, off, off_cum, role_cum, level_cum = arrival
    if n < 2.0 * len(g_cum):
        for _ in range(np.int64(n)):
            role = _draw_index(rs, role_cum)
            unit = min(np.int64(next_uniform(rs) * U), U - 1)
            level = _draw_index(rs, level_cum)
            o = _draw_index(rs, off_cum)
            _serving_add(SR, D, _pool_of(0, role, channel, unit, level, U, V),
                         NO_TERM if off[o] == NO_OFFSET else t + off[o], 1.0)
        return
    _multinomial(rs, n, g_cum, per_group)
    for g in range(len(g_cum)):
        k = per_group[g]
        if k == 0.0:
            continue
        p = _pool_of(0, g_role[g], channel, g_unit[g], g_level[g], U, V)
        _multinomial(rs, k, off_cum, per_off)
        for o in range(len(off_cum)):
            if per_off[o] != 0.0:
                _serving_add(SR, D, p, NO_TERM if off[o] == NO_OFFSET else t + off[o], per_off[o])


@kernel
def _initial_force(rs, SR, D, n, channel, g_role, g_unit, g_level, g_cum, U, V, per_group):
    """The initial force of a channel into the serving pools' `pre` parts."""
    _multinomial(rs, n, g_cum, per_group)
    for g in range(len(g_cum)):
        if per_group[g] != 0.0:
            _serving_add(SR, D, _pool_of(0, g_role[g], channel, g_unit[g], g_level[g], U, V), PRE, per_group[g])


@kernel
def _step_table(rs, t, T, D, absorbed, f, search_capture, surrender, move, intercept, next_hop, is_exit,
                prosecute, imprison, detention_end, assault_returned, pend, U, V, cnt):
    """M5 search, surrender and moves of deserters at large; M6 end of detention."""
    fields, count, used = T[0], T[2], T[4]
    for i in range(used[0]):
        n = count[i]
        if n == 0.0:
            continue
        s = fields[i, F_STATUS]
        ce = fields[i, F_CE]
        for k in range(N_FIELDS):
            f[k] = fields[i, k]
        if s == AT_LARGE:
            g = fields[i, F_REGION]
            d = fields[i, F_DEST]
            ps = search_capture[g]
            searched, surrendered, moving = _split3(rs, 
                n, ps, (1.0 - ps) * surrender, (1.0 - ps) * (1.0 - surrender) * move
            )
            nxt = next_hop[d, g]
            if nxt == g:
                moving = 0.0
            count[i] = n - searched - surrendered - moving
            stopped = binomial(rs, moving, intercept[g, nxt]) if moving != 0.0 else 0.0
            cnt[O.CAPTURES_SEARCH] += searched
            cnt[O.SURRENDERS] += surrendered
            cnt[O.CAPTURES_CHECKPOINT] += stopped
            passed = moving - stopped
            if passed != 0.0:
                if is_exit[nxt]:
                    absorbed[ESCAPED] += passed
                    cnt[O.FLOW + AT_LARGE * 9 + ESCAPED] += passed
                else:
                    f[F_REGION] = nxt
                    _table_move(T, i, SUCC_MOVE, f, AT_LARGE, ce, t, passed, False)
            caught = searched + surrendered + stopped
            if caught != 0.0:  # M6 sentence decided at capture
                cnt[O.FLOW + AT_LARGE * 9 + DETAINED] += caught
                prison, suspended, _ = _split3(rs, caught, imprison, prosecute - imprison, 0.0)
                cnt[O.CASES_OPENED] += prison + suspended
                f[F_REGION] = 0
                f[F_DEST] = 0
                for sentence, which, k in ((PRISON, SUCC_PRISON, prison), (SUSPENDED, SUCC_SUSPENDED, suspended),
                                           (NOT_PROSECUTED, SUCC_NOT_PROSECUTED, caught - prison - suspended)):
                    if k != 0.0:
                        f[F_SENTENCE] = sentence
                        _table_move(T, i, which, f, DETAINED, ce, t, k, False)
        elif s == DETAINED:
            out = binomial(rs, n, detention_end)
            count[i] = n - out
            if out == 0.0:
                continue
            if fields[i, F_SENTENCE] == PRISON:
                absorbed[IMPRISONED] += out
                cnt[O.FLOW + DETAINED * 9 + IMPRISONED] += out
                continue
            back = RETAINED if ce == TERM_DECIDED else SERVING
            cnt[O.FLOW + DETAINED * 9 + back] += out
            r, c, u, lev, flag = f[F_ROLE], f[F_CHANNEL], f[F_UNIT], f[F_LEVEL], f[F_FLAG]
            assault = out if r == ASSAULT else binomial(rs, out, assault_returned)
            if out - assault != 0.0:
                _on_duty_after_today(pend, _pool_of(flag, r, c, u, lev, U, V), ce, t, out - assault)
            if assault != 0.0:
                _on_duty_after_today(pend, _pool_of(flag, ASSAULT, c, u, lev, U, V), ce, t, assault)


# ---------------------------------------------------------------- the driver

def stream_seed(seed: int) -> int:
    """The 32-bit seed of Numba's generator for a run, mixed from (seed, COHORTS)."""
    from awol.engines import rng

    return int(np.random.SeedSequence([int(seed), rng.COHORTS]).generate_state(1, np.uint32)[0])


def _arrival(scenario, channel: int, level_probs: np.ndarray):
    """How `_arrive` places a recruit of `channel`: the (role, unit, level) groups and the
    terms with cumulative probabilities (`cohorts.arrival_factors`), and the marginals of
    role and level, cumulative (the unit is uniform)."""
    from awol.engines.cohorts import arrival_factors
    from awol.model.states import CHANNELS, ROLES

    (role, unit, level, prob), (off, off_p) = arrival_factors(scenario, channel, level_probs, False)
    roles = getattr(scenario.channels, CHANNELS[channel]).roles
    role_p = np.array([roles.get(r, 0.0) for r in ROLES])
    return role, unit, level, np.cumsum(prob), off, np.cumsum(off_p), np.cumsum(role_p), np.cumsum(level_probs)


def term_end_hazard(offsets: np.ndarray, probs: np.ndarray, days: int) -> np.ndarray:
    """h(t) = P(end = t | end ≥ t) on days 0 … days − 1 for an end-day distribution.

    `offsets` are end days (NO_OFFSET: the term never ends) with probabilities `probs`.
    Survival is summed from the far end, so on a distribution's last day h is exactly 1
    and nobody outlives his term.
    """
    at = np.zeros(days + 1)
    ends = offsets != NO_OFFSET
    np.add.at(at, np.minimum(offsets[ends], days), probs[ends])  # ends after the run pooled at `days`
    never = float(probs[~ends].sum())
    survival = np.cumsum(at[::-1])[::-1] + never                 # P(end ≥ t)
    hazard = np.divide(at, survival, out=np.zeros_like(at), where=survival > 0)
    return np.minimum(hazard[:days], 1.0)


def run_draw(scenario, days: int, *, seed: int, levels, progress=None):
    """Step the pools and the table through `days`; return (counts [days, N_COUNTERS] float,
    search_units, checkpoints, wall seconds)."""
    import time

    from awol.engines import rng
    from awol.engines.cohorts import _Table, arrival_factors, check_size
    from awol.model.rates import Aggregate, Dynamics, make_plan
    from awol.model.states import CHANNELS

    plan = make_plan(scenario, days)
    geo = plan.geography
    dynamics = Dynamics(plan)
    U = scenario.population.units
    n_regions = geo.n_regions
    factors, probs = levels
    V = factors.shape[1]
    initial = [arrival_factors(scenario, c, probs[c], True) for c in range(3)]
    arrivals = tuple(_arrival(scenario, c, probs[c]) for c in range(3))
    pre_hazard = np.stack([term_end_hazard(*initial[c][1], days) for c in range(3)])
    L = 2 + max(int(np.max(a[4][a[4] != NO_OFFSET], initial=0)) for a in arrivals)
    L = ((L + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT) << BLOCK_SHIFT
    nb = L >> BLOCK_SHIFT
    P = 18 * U * V
    check_size(n_regions, U, V, P, L)

    def ring():
        return np.zeros((P, L)), np.zeros((P, nb)), np.zeros(P), np.zeros((L, (P + 63) // 64), dtype=np.uint64)

    SR, HR = ring(), ring()
    D = (np.zeros((2, P)), np.zeros(P), np.zeros(P), np.zeros((4, P)), np.zeros(P))
    tab = _Table(4096)
    pool_info = np.array(np.unravel_index(np.arange(P), (2, 3, 3, U, V))).T.astype(np.int64).copy()
    meta = np.array([U, V, L], dtype=np.int64)

    cells = max(max(len(a[3]), len(a[5])) for a in arrivals)
    cells = max(cells, max(len(g[0][3]) for g in initial))
    scratch = (np.zeros(N_FIELDS, dtype=np.int64), np.zeros(V), np.zeros(V), np.zeros(cells), np.zeros(cells),
               np.zeros(N_PARTS_HOSPITAL), np.zeros((3, N_PARTS_HOSPITAL)))
    seed_stream(stream_seed(seed))
    rs = rng.stream_state(seed, rng.COHORTS)
    for c in range(len(CHANNELS)):
        size = int(plan.initial_size[c])
        if size:
            role, unit, level, prob = initial[c][0]
            _initial_force(rs, SR, D, float(size), c, role, unit, level, np.cumsum(prob), U, V, scratch[3])

    counts = np.zeros((days, O.N_COUNTERS))
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    absorbed = np.zeros(9)
    phase = np.zeros(2, dtype=np.int64)
    info = np.array([0, 64 + 2 * P], dtype=np.int64)
    size = 64 + 2 * P + int(plan.initial_size.sum()) // 100
    pend = (np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(size))
    unit_cnt = np.zeros((days, 2, U))
    region_cnt = np.zeros((days, n_regions))
    on_duty_by_unit = D[1].reshape(2, 3, 3, U, V).sum(axis=(0, 1, 2, 4))
    agg = Aggregate(np.zeros(n_regions), on_duty_by_unit, np.zeros(U), float(on_duty_by_unit.sum()))
    started = time.perf_counter()
    for t in range(days):
        tab.compact(int(info[0]))  # the kernel counted the empty cohorts at the end of the day
        if len(pend[0]) < info[1]:  # room for every soldier who may come back on duty today
            grown = max(int(info[1]), 2 * len(pend[0]))
            pend = (np.zeros(grown, dtype=np.int64), np.zeros(grown, dtype=np.int64), pend[2], np.zeros(grown))
        rates = dynamics.rates(t, agg)
        phase[0] = 0
        while not step_day(
            rs, t, phase, SR, HR, D, pend, tab.T, absorbed, meta, pool_info, factors, pre_hazard,
            arrivals, rates.recruits, float(rates.mobilised_quota),
            rates.release, rates.assault_retained, rates.death, rates.wound, rates.recover,
            rates.discharge, rates.desert, rates.exit_share, rates.search_capture, rates.surrender,
            rates.move, rates.intercept, geo.next_hop, geo.is_exit, geo.unit_region,
            rates.prosecute, rates.imprison, rates.detention_end, rates.assault_returned,
            counts[t], unit_cnt[t], region_cnt[t], scratch, info,
        ):
            tab.ensure(len(tab.count) - tab.n + 1)  # doubles the table
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        deserted = unit_cnt[t, 0]
        dynamics.record(t, float(deserted.sum()))
        agg = Aggregate(region_cnt[t], unit_cnt[t, 1], deserted, float(counts[t, O.STOCK + SERVING]
                                                                       + counts[t, O.STOCK + RETAINED]))
        if progress is not None:
            progress(t + 1, days)
    return counts, search_units, checkpoints, time.perf_counter() - started
