"""The cohort engine's draw kernel: dense pools for soldiers on duty and in hospital.

Soldiers on duty or in hospital are counted in *pools*, one per (ever-deserted flag,
role, channel, unit, risk level), each holding a ring of counts by contract-end day
(plus a slot for no term and, in hospital, one for a term that passed while away).
Soldiers whose term is decided (retained) carry no contract day: on duty and in
hospital they are plain counts per pool, moved in bulk. Pools with the same (flag,
role, channel, unit) form a *group*: their members differ only in the risk level,
which scales the desertion hazard.

Each day a group is stepped by thinning, which is exact: with p_l the probability
that a member of level l has any event today (death, wound or desertion on duty;
recovery or desertion in hospital) and p* = max_l p_l, the candidates are
C ~ Bin(N, p*) members drawn without replacement, each accepted with probability
p_l / p* and then given its event in proportion; every soldier thus has his own
competing events with exactly the agent kernel's probabilities. The contract-end
day of each soldier who leaves is drawn without replacement from his pool's ring
(through block sums), which is the multivariate hypergeometric share of
exchangeable soldiers. When a group expects many candidates (large populations),
each level gets its own exact multinomial instead (`_split3`), so the cost stays
bounded by the number of pools rather than by the soldiers.

Terms ending today are found through a bitmap per ring day (which pools hold a
soldier due that day), so a day costs nothing for pools without one. In hospital a
passed term is merged lazily into a "term passed" slot when the pool is next used.
Deserters at large and detained soldiers are few; they stay in the sparse cohort
table of `engines.cohorts` (keyed by region, destination, sentence, term).

Random numbers come from Numba's generator, seeded once per run from
(seed, `rng.COHORTS`) and consumed in a fixed order by one thread.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from awol.engines import outputs as O
from awol.engines.cohorts import (
    F_CE, F_CHANNEL, F_DEST, F_FLAG, F_LEVEL, F_REGION, F_ROLE, F_SENTENCE, F_STATUS, F_UNIT,
    N_FIELDS, NO_OFFSET, NO_TERM, TERM_DECIDED, _find_or_add,
)
from awol.model.states import (
    ASSAULT, AT_LARGE, DETAINED, ESCAPED, EXIT, HOME, HOSPITAL, IMPRISONED, KILLED,
    NOT_PROSECUTED, PRISON, RELEASED, RETAINED, SERVING, SUSPENDED,
)

BLOCK_SHIFT = 5              # ring block of 32 days, for picking a contract-end day
THIN_BELOW = 24.0            # expected candidates of a group below which it is thinned
PASSED = TERM_DECIDED + 1    # hospital: the term ended while away (due the day after return)

# Kernels run without Numba's reference counting: they allocate nothing (the driver
# passes every array, scratch space included), and the atomic reference-count updates
# that inlined helpers otherwise make on every event took about a third of the time.
kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)

# phases of a day (the kernel may stop to let the driver grow the cohort table)
P_ARRIVE, P_DUE, P_HOSPITAL, P_HOSPITAL_RETAINED, P_SERVING, P_RETAINED, P_TABLE, P_CLOSE, P_DONE = range(9)


# ---------------------------------------------------------------- draws

@kernel
def seed_stream(s):
    np.random.seed(s)


@inline
def _bin(n, p):
    if n <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return n
    if n == 1.0:  # one soldier: a uniform is half the cost of the binomial's set-up
        return 1.0 if np.random.random() < p else 0.0
    return float(np.random.binomial(np.int64(n), p))


@inline
def _split3(n, p1, p2, p3):
    """Exact multinomial counts of three competing outcomes (unconditional probabilities).

    A few members (the usual cohort at large) get one uniform each; more get a binomial
    for the hits, then one uniform per hit or conditional binomials."""
    ptot = p1 + p2 + p3
    if n <= 4.0:
        k1 = 0.0
        k2 = 0.0
        k3 = 0.0
        for _ in range(np.int64(n)):
            v = np.random.random()
            if v < p1:
                k1 += 1.0
            elif v < p1 + p2:
                k2 += 1.0
            elif v < ptot:
                k3 += 1.0
        return k1, k2, k3
    hits = _bin(n, ptot)
    if hits == 0.0:
        return 0.0, 0.0, 0.0
    if hits < 16.0:
        k1 = 0.0
        k2 = 0.0
        for _ in range(np.int64(hits)):
            v = np.random.random() * ptot
            if v < p1:
                k1 += 1.0
            elif v < p1 + p2:
                k2 += 1.0
        return k1, k2, hits - k1 - k2
    k1 = _bin(hits, p1 / ptot)
    rest = ptot - p1
    k2 = _bin(hits - k1, p2 / rest) if rest > 0.0 else 0.0
    return k1, k2, hits - k1 - k2


# ---------------------------------------------------------------- rings

@inline
def _ring_add(ring, blk, p, j, k):
    ring[p, j] += k
    blk[p, j >> BLOCK_SHIFT] += k


@inline
def _ring_take(ring, blk, p, x):
    """Remove the member of rank x (0 ≤ x < ring total) from pool p's ring; its slot."""
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
                    return j
                x -= r
                j += 1
        x -= v
    # rounding cannot bring us here with integral counts; take the last member
    j = ((last + 1) << BLOCK_SHIFT) - 1
    while ring[p, j] == 0.0:
        j -= 1
    ring[p, j] -= 1.0
    blk[p, last] -= 1.0
    return j


@inline
def _serving_add(S, p, ce, t, k):
    """k serving soldiers of pool p with contract end ce (≥ t, or NO_TERM)."""
    ring, blk, noterm, total, due = S[0], S[1], S[2], S[3], S[4]
    if ce == NO_TERM:
        noterm[p] += k
    else:
        j = ce % ring.shape[1]
        _ring_add(ring, blk, p, j, k)
        due[j, p >> 6] |= np.uint64(1) << np.uint64(p & 63)
    total[p] += k


@inline
def _serving_take(S, p, t):
    """Remove one serving soldier of pool p at random; his contract end."""
    ring, blk, noterm, total = S[0], S[1], S[2], S[3]
    n = total[p]
    x = np.floor(np.random.random() * n)
    total[p] = n - 1.0
    if x < noterm[p]:
        noterm[p] -= 1.0
        return NO_TERM
    j = _ring_take(ring, blk, p, x - noterm[p])
    L = ring.shape[1]
    return t + (j - t) % L


@inline
def _hospital_merge(H, p, t):
    """Move terms that ended while in hospital (up to today) into the 'passed' slot."""
    ring, blk, passed, last = H[0], H[1], H[3], H[5]
    since = last[p]
    if since >= t:
        return
    L = ring.shape[1]
    if t - since >= L:
        for j in range(L):
            passed[p] += ring[p, j]
            ring[p, j] = 0.0
        blk[p, :] = 0.0
    else:
        for d in range(since + 1, t + 1):
            j = d % L
            k = ring[p, j]
            if k != 0.0:
                passed[p] += k
                ring[p, j] = 0.0
                blk[p, j >> BLOCK_SHIFT] -= k
    last[p] = t


@inline
def _hospital_add(H, p, ce, t, k):
    """k patients of pool p with contract end ce (not TERM_DECIDED: those are counted apart)."""
    ring, blk, noterm, passed, total = H[0], H[1], H[2], H[3], H[4]
    _hospital_merge(H, p, t)
    if ce == NO_TERM:
        noterm[p] += k
    elif ce <= t:
        passed[p] += k
    else:
        _ring_add(ring, blk, p, ce % ring.shape[1], k)
    total[p] += k


@inline
def _hospital_take(H, p, t):
    """Remove one hospital patient of pool p at random; his contract end (PASSED if over)."""
    ring, blk, noterm, passed, total = H[0], H[1], H[2], H[3], H[4]
    _hospital_merge(H, p, t)
    n = total[p]
    x = np.floor(np.random.random() * n)
    total[p] = n - 1.0
    if x < noterm[p]:
        noterm[p] -= 1.0
        return NO_TERM
    x -= noterm[p]
    if x < passed[p]:
        passed[p] -= 1.0
        return PASSED
    j = _ring_take(ring, blk, p, x - passed[p])
    L = ring.shape[1]
    return t + (j - t) % L


# ---------------------------------------------------------------- moves between parts

@inline
def _pool_of(flag, role, channel, unit, level, U, V):
    return (((flag * 3 + role) * 3 + channel) * U + unit) * V + level


@inline
def _back_on_duty(ce, p, t, k, pend, rt_in):
    """k soldiers of pool p return to duty after today (retained if their term was decided)."""
    if ce == TERM_DECIDED:
        rt_in[p] += k
        return
    if ce != NO_TERM and ce <= t:  # passed while away: due tomorrow
        ce = t + 1
    m = np.int64(pend[2][0])
    pend[0][m] = p
    pend[1][m] = ce
    pend[2][0] = m + 1
    pend[3][m] = k


@inline
def _table_add(T, f, status, ce, t, k):
    """k soldiers with fields f into the cohort table (at large or detained), after today."""
    fields, codes, count, table, used, incoming = T[0], T[1], T[2], T[3], T[4], T[5]
    f[F_STATUS] = status
    if ce != NO_TERM and ce != TERM_DECIDED and ce <= t:
        ce = t + 1
    f[F_CE] = ce
    if status != DETAINED:
        f[F_SENTENCE] = 0
    i = _find_or_add(f, fields, codes, count, table, used)
    incoming[i] += k


@inline
def _desert(f, src, ce, t, k, role, channel, unit, level, exit_share, unit_region, T, cnt, unit_cnt):
    """M3: k soldiers leave `src` for at large, from their unit's region."""
    cnt[O.FLOW + src * 9 + AT_LARGE] += k
    cnt[O.DESERTIONS_CHANNEL + channel] += k
    unit_cnt[0, unit] += k
    to_exit = _bin(k, exit_share)
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


# ---------------------------------------------------------------- one day

@kernel
def step_day(
    t, phase, S, H, hr, rt, rt_in, pend, T, absorbed, meta, pool_info,
    level_factor, arrivals, recruits, quota,
    release, assault_retained, death, wound, recover, discharge, desert, exit_share,
    search_capture, surrender, move, intercept, next_hop, is_exit, unit_region,
    prosecute, imprison, detention_end, assault_returned,
    cnt, unit_cnt, region_cnt, scratch,
):
    """Advance day t from phase[0] (group phase[1]); return False when the cohort table
    needs room (the driver grows it and calls again), True when the day is done.

    Order of the agent kernel: term ends (M1) first, then competing events for
    everyone; arrivals of the day join their new pools or cohorts after the day, so
    nobody moves twice.
    """
    U, V, L = meta[0], meta[1], meta[2]
    G = 18 * U
    f, pl, avail, per_group, per_off = scratch
    capacity = len(T[2])
    headroom_cap = 2 * V * (L + 4) + 16

    if phase[0] == P_ARRIVE:
        for c in range(3):  # M7: Poisson arrivals by channel, plus the exact mobilisation quota
            a = float(np.random.poisson(recruits[c])) if recruits[c] > 0.0 else 0.0
            if c == 1:
                a += quota
            cnt[O.RECRUITS_CHANNEL + c] = a
            if a != 0.0:
                g_role, g_unit, g_level, g_cum, off, off_cum = arrivals[c]
                _arrive(S, t, a, c, g_role, g_unit, g_level, g_cum, off, off_cum, t, U, V, per_group, per_off)
        phase[0] = P_DUE

    if phase[0] == P_DUE:  # M1: terms ending today
        ring, blk, total, due = S[0], S[1], S[3], S[4]
        j = t % L
        for w in range(due.shape[1]):
            bits = due[j, w]
            if bits == 0:
                continue
            due[j, w] = 0
            for b in range(64):
                if not (bits >> np.uint64(b)) & np.uint64(1):
                    continue
                p = w * 64 + b
                k = ring[p, j]
                if k == 0.0:
                    continue
                ring[p, j] = 0.0
                blk[p, j >> BLOCK_SHIFT] -= k
                total[p] -= k
                rel = _bin(k, release)
                ret = k - rel
                absorbed[RELEASED] += rel
                cnt[O.FLOW + SERVING * 9 + RELEASED] += rel
                cnt[O.FLOW + SERVING * 9 + RETAINED] += ret
                r = pool_info[p, 1]
                if r == ASSAULT:
                    rt_in[p] += ret
                else:
                    a = _bin(ret, assault_retained)
                    rt_in[p] += ret - a
                    q = _pool_of(pool_info[p, 0], ASSAULT, pool_info[p, 2], pool_info[p, 3], pool_info[p, 4], U, V)
                    rt_in[q] += a
        phase[0] = P_HOSPITAL
        phase[1] = 0

    # M2 recovery in hospital, then death and wounds on duty; M3 desertion from each.
    # Every soldier meets three competing events: e0 and e1 with probabilities p0, p1
    # (hospital: recovery, none; on duty: death, wound), desertion with (1 − p0 − p1)·h.
    # A part is a status and whether its soldiers carry a contract day (ring) or not.
    for status, this_phase, next_phase in ((HOSPITAL, P_HOSPITAL, P_HOSPITAL_RETAINED),
                                           (HOSPITAL, P_HOSPITAL_RETAINED, P_SERVING),
                                           (SERVING, P_SERVING, P_RETAINED), (RETAINED, P_RETAINED, P_TABLE)):
        if phase[0] != this_phase:
            continue
        bulk = this_phase == P_HOSPITAL_RETAINED or this_phase == P_RETAINED
        if this_phase == P_HOSPITAL:
            total = H[4]
        elif this_phase == P_HOSPITAL_RETAINED:
            total = hr
        else:
            total = S[3] if status == SERVING else rt
        for g in range(phase[1], G):
            base = g * V
            N = 0.0
            for l in range(V):
                N += total[base + l]
            if N == 0.0:
                continue
            if T[4][0] + min(N, headroom_cap) > capacity:
                phase[1] = g
                return False
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
                cand = _bin(N, pmax)
                if cand == 0.0:
                    continue
                for l in range(V):
                    avail[l] = total[base + l]
                left = N
                for _ in range(np.int64(cand)):
                    l = _pick(avail, np.floor(np.random.random() * left))
                    left -= 1.0
                    if np.random.random() * pmax >= pl[l]:
                        continue
                    v = np.random.random() * pl[l]
                    kind = 0 if v < p0 else (1 if v < p0 + p1 else 2)
                    _leave(this_phase, S, H, hr, rt, base + l, t, kind, 1.0, pool_info, f, discharge,
                           exit_share, unit_region, T, pend, rt_in, absorbed, cnt, unit_cnt)
            else:
                for l in range(V):
                    n = total[base + l]
                    if n == 0.0:
                        continue
                    h = min(1.0, desert[status, r, c, u] * level_factor[c, l])
                    k3 = _split3(n, p0, p1, (1.0 - p0 - p1) * h)
                    for kind in range(3):
                        if bulk:  # no contract day to draw: move them together
                            if k3[kind] != 0.0:
                                _leave(this_phase, S, H, hr, rt, base + l, t, kind, k3[kind], pool_info, f,
                                       discharge, exit_share, unit_region, T, pend, rt_in, absorbed, cnt, unit_cnt)
                        else:
                            for _ in range(np.int64(k3[kind])):
                                _leave(this_phase, S, H, hr, rt, base + l, t, kind, 1.0, pool_info, f,
                                       discharge, exit_share, unit_region, T, pend, rt_in, absorbed, cnt, unit_cnt)
        phase[0] = next_phase
        phase[1] = 0

    if phase[0] == P_TABLE:  # at large and detained
        if T[4][0] * 7 + 64 > capacity:
            return False
        _step_table(t, T, absorbed, f, search_capture, surrender, move, intercept, next_hop, is_exit,
                    prosecute, imprison, detention_end, assault_returned, pend, rt_in, U, V, cnt)
        phase[0] = P_CLOSE

    # the day's moves join their pools and cohorts; end-of-day stocks
    fields, count, used, incoming = T[0], T[2], T[4], T[5]
    for i in range(used[0]):
        if incoming[i] != 0.0:
            count[i] += incoming[i]
            incoming[i] = 0.0
    for p in range(len(rt)):
        if rt_in[p] != 0.0:
            rt[p] += rt_in[p]
            rt_in[p] = 0.0
    for m in range(np.int64(pend[2][0])):
        _serving_add(S, pend[0][m], pend[1][m], t, pend[3][m])
    pend[2][0] = 0
    for s in (IMPRISONED, RELEASED, KILLED, ESCAPED):
        cnt[O.STOCK + s] += absorbed[s]
    for i in range(used[0]):
        n = count[i]
        if n == 0.0:
            continue
        s = fields[i, F_STATUS]
        cnt[O.STOCK + s] += n
        if s == AT_LARGE:
            region_cnt[fields[i, F_REGION]] += n
    s_total = S[3]
    h_total = H[4]
    for p in range(len(rt)):
        cnt[O.STOCK + HOSPITAL] += h_total[p] + hr[p]
        n_s = s_total[p]
        n_r = rt[p]
        n = n_s + n_r
        if n == 0.0:
            continue
        cnt[O.STOCK + SERVING] += n_s
        cnt[O.STOCK + RETAINED] += n_r
        cnt[O.ON_DUTY_ROLE + pool_info[p, 1]] += n
        cnt[O.ON_DUTY_CHANNEL + pool_info[p, 2]] += n
        unit_cnt[1, pool_info[p, 3]] += n
        if pool_info[p, 0]:
            cnt[O.ON_DUTY_RETURNED] += n
    phase[0] = P_DONE
    return True


@inline
def _pick(avail, x):
    """Level of the member of rank x among `avail` (counts by level), removed from it."""
    V = len(avail)
    for l in range(V):
        if x < avail[l]:
            avail[l] -= 1.0
            return l
        x -= avail[l]
    for l in range(V - 1, -1, -1):  # not reached with integral counts
        if avail[l] > 0.0:
            avail[l] -= 1.0
            return l
    return 0


@inline
def _leave_hospital(H, hr, retained, p, t, kind, k, pool_info, f, discharge, exit_share, unit_region, T, pend,
                    rt_in, absorbed, cnt, unit_cnt):
    """k patients of pool p recover (kind 0) or desert (kind 2): from the ring part (H, one
    at a time, each with his contract day) or, if `retained`, from hr (in bulk)."""
    if not retained:
        ce = _hospital_take(H, p, t)
        if ce == PASSED:
            ce = t + 1
    else:
        hr[p] -= k
        ce = TERM_DECIDED
    if kind == 0:
        out = _bin(k, discharge)
        if out != 0.0:
            absorbed[RELEASED] += out
            cnt[O.FLOW + HOSPITAL * 9 + RELEASED] += out
        if k - out != 0.0:
            back = RETAINED if ce == TERM_DECIDED else SERVING
            cnt[O.FLOW + HOSPITAL * 9 + back] += k - out
            _back_on_duty(ce, p, t, k - out, pend, rt_in)
    else:
        _desert(f, HOSPITAL, ce, t, k, pool_info[p, 1], pool_info[p, 2], pool_info[p, 3], pool_info[p, 4],
                exit_share, unit_region, T, cnt, unit_cnt)


@inline
def _leave_duty(status, S, H, hr, rt, p, t, kind, k, pool_info, f, exit_share, unit_region, T, absorbed,
                cnt, unit_cnt):
    """k soldiers of pool p (serving: k = 1) are killed (kind 0), wounded (1) or desert (2)."""
    if status == SERVING:
        ce = _serving_take(S, p, t)
    else:
        rt[p] -= k
        ce = TERM_DECIDED
    r = pool_info[p, 1]
    if kind == 0:
        absorbed[KILLED] += k
        cnt[O.FLOW + status * 9 + KILLED] += k
        cnt[O.DEATHS_ROLE + r] += k
        if pool_info[p, 0]:
            cnt[O.DEATHS_RETURNED] += k
    elif kind == 1:
        cnt[O.FLOW + status * 9 + HOSPITAL] += k
        cnt[O.WOUNDS_ROLE + r] += k
        if ce == TERM_DECIDED:
            hr[p] += k
        else:
            _hospital_add(H, p, ce, t, k)
    else:
        _desert(f, status, ce, t, k, r, pool_info[p, 2], pool_info[p, 3], pool_info[p, 4],
                exit_share, unit_region, T, cnt, unit_cnt)


@inline
def _leave(part, S, H, hr, rt, p, t, kind, k, pool_info, f, discharge, exit_share, unit_region, T, pend, rt_in,
           absorbed, cnt, unit_cnt):
    """k soldiers of pool p in `part` (a phase of the day) meet event `kind` (see the day's loop)."""
    if part == P_HOSPITAL or part == P_HOSPITAL_RETAINED:
        if kind != 1:  # kind 1 has probability 0 in hospital
            _leave_hospital(H, hr, part == P_HOSPITAL_RETAINED, p, t, kind, k, pool_info, f, discharge,
                            exit_share, unit_region, T, pend, rt_in, absorbed, cnt, unit_cnt)
    else:
        _leave_duty(SERVING if part == P_SERVING else RETAINED, S, H, hr, rt, p, t, kind, k, pool_info, f,
                    exit_share, unit_region, T, absorbed, cnt, unit_cnt)


@kernel
def _multinomial(n, cum, out):
    """Exact multinomial split of n over cells with cumulative probabilities `cum` into `out`.

    One categorical draw per member when they are fewer than the cells, else conditional
    binomials cell by cell: the cost is the smaller of the two.
    """
    m = len(cum)
    out[:m] = 0.0
    total = cum[m - 1]
    if n < m:
        for _ in range(np.int64(n)):
            j = np.searchsorted(cum, np.random.random() * total, side="right")
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
        k = _bin(left, min(1.0, p / rest)) if rest > 0.0 else 0.0
        out[j] = k
        left -= k
        below = cum[j]
        if left <= 0.0:
            return


@kernel
def _arrive(S, t, n, channel, g_role, g_unit, g_level, g_cum, off, off_cum, start, U, V, per_group, per_off):
    """n new soldiers into serving pools: split over (role, unit, level) groups, then each
    group over contract-end offsets (the factors are independent, so this is the exact
    multinomial over their product, at the cost of the smaller of n and the cells).
    per_group and per_off are scratch space at least as long as the cells."""
    _multinomial(n, g_cum, per_group)
    for g in range(len(g_cum)):
        k = per_group[g]
        if k == 0.0:
            continue
        p = _pool_of(0, g_role[g], channel, g_unit[g], g_level[g], U, V)
        _multinomial(k, off_cum, per_off)
        for o in range(len(off_cum)):
            if per_off[o] != 0.0:
                if off[o] == NO_OFFSET:
                    ce = NO_TERM
                else:
                    ce = max(start + off[o], t)
                _serving_add(S, p, ce, t, per_off[o])


@kernel
def _step_table(t, T, absorbed, f, search_capture, surrender, move, intercept, next_hop, is_exit,
                prosecute, imprison, detention_end, assault_returned, pend, rt_in, U, V, cnt):
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
            searched, surrendered, moving = _split3(
                n, ps, (1.0 - ps) * surrender, (1.0 - ps) * (1.0 - surrender) * move
            )
            nxt = next_hop[d, g]
            if nxt == g:
                moving = 0.0
            count[i] = n - searched - surrendered - moving
            stopped = _bin(moving, intercept[g, nxt]) if moving != 0.0 else 0.0
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
                    _table_add(T, f, AT_LARGE, ce, t, passed)
            caught = searched + surrendered + stopped
            if caught != 0.0:  # M6 sentence decided at capture
                cnt[O.FLOW + AT_LARGE * 9 + DETAINED] += caught
                prison, suspended, _ = _split3(caught, imprison, prosecute - imprison, 0.0)
                cnt[O.CASES_OPENED] += prison + suspended
                f[F_REGION] = 0
                f[F_DEST] = 0
                for sentence, k in ((PRISON, prison), (SUSPENDED, suspended),
                                    (NOT_PROSECUTED, caught - prison - suspended)):
                    if k != 0.0:
                        f[F_SENTENCE] = sentence
                        _table_add(T, f, DETAINED, ce, t, k)
        elif s == DETAINED:
            out = _bin(n, detention_end)
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
            assault = out if r == ASSAULT else _bin(out, assault_returned)
            if out - assault != 0.0:
                _back_on_duty(ce, _pool_of(flag, r, c, u, lev, U, V), t, out - assault, pend, rt_in)
            if assault != 0.0:
                _back_on_duty(ce, _pool_of(flag, ASSAULT, c, u, lev, U, V), t, assault, pend, rt_in)


# ---------------------------------------------------------------- the driver

def stream_seed(seed: int) -> int:
    """The 32-bit seed of Numba's generator for a run, mixed from (seed, COHORTS)."""
    from awol.engines import rng

    return int(np.random.SeedSequence([int(seed), rng.COHORTS]).generate_state(1, np.uint32)[0])


def _cumulative(factors):
    """`arrival_factors` with cumulative probabilities, as `_arrive` takes them."""
    (role, unit, level, prob), (off, off_p) = factors
    return role, unit, level, np.cumsum(prob), off, np.cumsum(off_p)


def run_draw(scenario, days: int, *, seed: int, levels, progress=None):
    """Step the pools and the table through `days`; return (counts [days, N_COUNTERS] float,
    search_units, checkpoints, wall seconds)."""
    import time

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
    initial = [_cumulative(arrival_factors(scenario, c, probs[c], True)) for c in range(3)]
    arrivals = tuple(_cumulative(arrival_factors(scenario, c, probs[c], False)) for c in range(3))
    L = 2 + max(int(np.max(a[4][a[4] != NO_OFFSET], initial=0)) for a in initial + list(arrivals))
    L = ((L + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT) << BLOCK_SHIFT
    nb = L >> BLOCK_SHIFT
    P = 18 * U * V
    check_size(n_regions, U, V, P, L)
    S = (np.zeros((P, L)), np.zeros((P, nb)), np.zeros(P), np.zeros(P),
         np.zeros((L, (P + 63) // 64), dtype=np.uint64))
    H = (np.zeros((P, L)), np.zeros((P, nb)), np.zeros(P), np.zeros(P), np.zeros(P),
         np.full(P, -1, dtype=np.int64))
    hr, rt, rt_in = np.zeros(P), np.zeros(P), np.zeros(P)
    tab = _Table(4096)
    pool_info = np.array(np.unravel_index(np.arange(P), (2, 3, 3, U, V))).T.astype(np.int64).copy()
    meta = np.array([U, V, L], dtype=np.int64)

    cells = max(len(a[3]) + len(a[5]) for a in initial + list(arrivals))
    scratch = (np.zeros(N_FIELDS, dtype=np.int64), np.zeros(V), np.zeros(V), np.zeros(cells), np.zeros(cells))
    seed_stream(stream_seed(seed))
    pop = scenario.population
    for c, name in enumerate(CHANNELS):
        size = getattr(pop, name).size
        if size:
            _arrive(S, 0, float(size), c, *initial[c], 0, U, V, *scratch[3:])

    counts = np.zeros((days, O.N_COUNTERS))
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    absorbed = np.zeros(9)
    phase = np.zeros(2, dtype=np.int64)
    pend = [np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(0)]
    on_duty_by_unit = S[3].reshape(2, 3, 3, U, V).sum(axis=(0, 1, 2, 4))
    agg = Aggregate(np.zeros(n_regions), on_duty_by_unit, np.zeros(U), float(on_duty_by_unit.sum()))
    started = time.perf_counter()
    for t in range(days):
        tab.compact()
        # room for every soldier who may come back on duty today
        need = int(H[4].sum() + tab.count[: tab.n].sum()) + 64
        if len(pend[0]) < need:
            size = max(need, 2 * len(pend[0]))
            pend = [np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64), pend[2], np.zeros(size)]
        rates = dynamics.rates(t, agg)
        cnt = counts[t]
        unit_cnt = np.zeros((2, U))
        region_cnt = np.zeros(n_regions)
        phase[:] = 0
        while not step_day(
            t, phase, S, H, hr, rt, rt_in, tuple(pend), tab.T, absorbed, meta, pool_info,
            factors, arrivals,
            rates.recruits, float(rates.mobilised_quota),
            rates.release, rates.assault_retained, rates.death, rates.wound, rates.recover,
            rates.discharge, rates.desert, rates.exit_share, rates.search_capture, rates.surrender,
            rates.move, rates.intercept, geo.next_hop, geo.is_exit, geo.unit_region,
            rates.prosecute, rates.imprison, rates.detention_end, rates.assault_returned,
            cnt, unit_cnt, region_cnt, scratch,
        ):
            tab.ensure(len(tab.count) - tab.n + 1)  # doubles the table
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        dynamics.record(t, float(unit_cnt[0].sum()))
        agg = Aggregate(region_cnt, unit_cnt[1], unit_cnt[0], float(unit_cnt[1].sum()))
        if progress is not None:
            progress(t + 1, days)
    return counts, search_units, checkpoints, time.perf_counter() - started
