"""The cohort engine: soldiers who are exchangeable for every mechanism share one record.

A cohort is a count of soldiers with the same key: status, role, channel, unit,
contract-end day (or TERM_DECIDED / NO_TERM), risk-tolerance level, ever-deserted
flag, and while at large their region and destination, while detained their
sentence. Each day every cohort's members are split over the same competing events,
in the same order and with the same `DayRates`, as the agent kernel
(`engines.agents.step_day`): a multinomial draw per cohort. The aggregate feedback
(at large by region, on duty and desertions by unit) is formed the same way, so
the output has the agent engine's distribution, up to the one approximation:
risk tolerance is grouped into equal-probability bins (scenario `cohorts.risk_bins`),
each carrying the conditional mean of the personal factor exp(β_tol (τ − ½)).

The table kernel below is stepped in `EXPECT` mode, which replaces every draw by its
expectation: the exact expected course for scenarios whose hazards do not depend on
the state (`engines.expectation`), with quadrature levels in place of bins. Draws
(`simulate(..., engine="cohorts")`) use `engines.cohort_draw`, which keeps soldiers on
duty and in hospital in dense pools stepped by exact thinning and uses this module's
table only for deserters at large and detained soldiers.

Keys that can no longer matter are merged: a contract-end day already passed is
stored as tomorrow's (only `t ≥ end` is ever asked), region and destination are
dropped outside `at large`, the sentence outside `detained`, and absorbing states
keep only their totals. The number of cohorts is thus bounded by the key space,
not by the number of soldiers.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from awol.engines import outputs as O
from awol.engines import rng
from awol.model import contracts
from awol.problems import ProblemsError
from awol.model.rates import Aggregate, Dynamics, make_plan
from awol.model.states import (
    ASSAULT, AT_LARGE, CHANNELS, DETAINED, ESCAPED, EXIT, HOME, HOSPITAL, IMPRISONED,
    KILLED, NOT_PROSECUTED, PRISON, RELEASED, RETAINED, ROLES, SERVING, SUSPENDED,
)
from awol.scenario.schema import Scenario

DRAW, EXPECT = 0, 1
NO_TERM = contracts.NO_TERM
TERM_DECIDED = contracts.TERM_DECIDED
_CE_NONE = (1 << 20) - 1       # key code of NO_TERM
_CE_DECIDED = (1 << 20) - 2    # key code of TERM_DECIDED
NO_OFFSET = -(1 << 40)         # arrival cell without a term
N_FIELDS = 10                  # status, role, channel, unit, level, flag, dest, region, sentence, ce
F_STATUS, F_ROLE, F_CHANNEL, F_UNIT, F_LEVEL, F_FLAG, F_DEST, F_REGION, F_SENTENCE, F_CE = range(N_FIELDS)


# ---------------------------------------------------------------- risk-tolerance levels

def _beta_params(mean: float, sd: float) -> tuple[float, float]:
    nu = mean * (1 - mean) / sd**2 - 1
    return mean * nu, (1 - mean) * nu


def binned_levels(scenario: Scenario, bins: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Personal hazard factors and probabilities [channel, level] for the cohort engine.

    Bins are equal-probability quantile bins of the channel's Beta risk tolerance;
    each carries E[exp(β_tol (τ − ½)) | τ in bin], by 32-point Gauss–Legendre in
    probability space (τ = Q(p), Q the Beta quantile), so the mean factor, hence the
    mean hazard of a recruit, is that of the continuous model.
    """
    from scipy.special import betaincinv

    bins = bins or scenario.cohorts.risk_bins
    weight = scenario.desertion.risk_tolerance_weight
    factors = np.ones((3, bins))
    probs = np.zeros((3, bins))
    x, w = np.polynomial.legendre.leggauss(32)
    for c, name in enumerate(CHANNELS):
        rt = getattr(scenario.channels, name).risk_tolerance
        if rt.sd == 0:
            factors[c, 0] = np.exp(weight * (rt.mean - 0.5))
            probs[c, 0] = 1.0
            continue
        a, b = _beta_params(rt.mean, rt.sd)
        for k in range(bins):
            p = (k + (x + 1) / 2) / bins
            tau = betaincinv(a, b, p)
            factors[c, k] = np.sum(w / 2 * np.exp(weight * (tau - 0.5)))
            probs[c, k] = 1.0 / bins
    return factors, probs


def quadrature_levels(scenario: Scenario, nodes: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Jacobi nodes and weights [channel, level] for the exact expectation.

    With τ ~ Beta(a, b), x = 2τ − 1 has weight (1 − x)^(b−1) (1 + x)^(a−1), so the
    Gauss–Jacobi rule with α = b − 1, β = a − 1 integrates E[g(τ)] exactly for
    polynomials g of degree < 2·nodes, and to machine precision for the smooth
    (entire) functions of τ that the expected counts are.
    """
    from scipy.special import roots_jacobi

    weight = scenario.desertion.risk_tolerance_weight
    factors = np.ones((3, nodes))
    probs = np.zeros((3, nodes))
    for c, name in enumerate(CHANNELS):
        rt = getattr(scenario.channels, name).risk_tolerance
        if rt.sd == 0:
            factors[c, 0] = np.exp(weight * (rt.mean - 0.5))
            probs[c, 0] = 1.0
            continue
        a, b = _beta_params(rt.mean, rt.sd)
        x, w = roots_jacobi(nodes, b - 1, a - 1)
        tau = (x + 1) / 2
        factors[c] = np.exp(weight * (tau - 0.5))
        probs[c] = w / w.sum()
    return factors, probs


# ---------------------------------------------------------------- arrival cells

def _term_days(profile) -> tuple[np.ndarray, np.ndarray]:
    """Term lengths in days (NO_OFFSET for no term) and their shares."""
    if profile.term_months is None:
        return np.array([NO_OFFSET]), np.array([1.0])
    months = np.array(list(profile.term_months.keys()), dtype=float)
    shares = np.array(list(profile.term_months.values()), dtype=float)
    days = np.where(months > 0, np.rint(months * contracts.DAYS_PER_MONTH), NO_OFFSET).astype(np.int64)
    return days, shares / shares.sum()


def arrival_factors(scenario: Scenario, channel: int, level_probs: np.ndarray, initial: bool):
    """Where a new soldier of `channel` lands, as two independent factors.

    Returns groups (role, unit, level, prob) and contract-end offsets (offset, prob):
    role, unit (uniform), risk level and offset are independent, so the draw engine
    splits arrivals over the groups and then each group over the offsets, which costs
    the smaller of the arrivals and the cells instead of the product of the factors.
    The offset is added to the arrival day (NO_OFFSET = no term). For the initial
    population the start day is itself random, −floor(U · span) with U uniform (as
    `engines.agents`), and is folded into the offset; ends already passed are due on day 0.
    """
    name = CHANNELS[channel]
    profile = getattr(scenario.channels, name)
    units = scenario.population.units
    roles = np.array([profile.roles.get(r, 0.0) for r in ROLES])
    roles = roles / roles.sum()
    term, term_p = _term_days(profile)
    if initial:
        span = getattr(scenario.population, name).started_within_months * contracts.DAYS_PER_MONTH
        if span <= 0:
            starts, start_p = np.array([0]), np.array([1.0])
        else:
            k = np.arange(int(np.ceil(span)))
            start_p = np.minimum(k + 1, span) - k        # P(floor(U·span) = k)
            starts, start_p = -k, start_p / span
        offs, offs_p = [], []
        for d, p in zip(term, term_p):
            if d == NO_OFFSET:
                offs.append(np.array([NO_OFFSET])); offs_p.append(np.array([p]))
            else:
                offs.append(starts + d); offs_p.append(start_p * p)
        off = np.concatenate(offs)
        off = np.where((off != NO_OFFSET) & (off < 0), 0, off)
        off, inv = np.unique(off, return_inverse=True)   # equal offsets are one cell
        off_p = np.bincount(inv, weights=np.concatenate(offs_p))
    else:
        off, off_p = term, term_p
    keep = off_p > 0
    off, off_p = off[keep].astype(np.int64), off_p[keep]
    lv = np.nonzero(level_probs > 0)[0]
    R, U, L = np.meshgrid(np.arange(3), np.arange(units), lv, indexing="ij")
    prob = roles[R] * (1.0 / units) * level_probs[L]
    keep = prob > 0
    groups = (R[keep].astype(np.int64), U[keep].astype(np.int64), L[keep].astype(np.int64), prob[keep])
    return groups, (off, off_p)


def arrival_cells(scenario: Scenario, channel: int, level_probs: np.ndarray, initial: bool):
    """The product of `arrival_factors`: every cell (role, unit, ce_offset, level, prob)."""
    (role, unit, level, prob), (off, off_p) = arrival_factors(scenario, channel, level_probs, initial)
    g, o = np.meshgrid(np.arange(len(prob)), np.arange(len(off)), indexing="ij")
    g, o = g.ravel(), o.ravel()
    return role[g], unit[g], off[o], level[g], prob[g] * off_p[o]


# ---------------------------------------------------------------- the cohort table (Numba)

@njit(cache=True, inline="always")
def _code(f):
    ce = f[F_CE]
    if ce == NO_TERM:
        c = _CE_NONE
    elif ce == TERM_DECIDED:
        c = _CE_DECIDED
    else:
        c = ce
    k = np.int64(f[F_STATUS])
    k = (k << 2) | f[F_ROLE]
    k = (k << 2) | f[F_CHANNEL]
    k = (k << 14) | f[F_UNIT]
    k = (k << 8) | f[F_LEVEL]
    k = (k << 1) | f[F_FLAG]
    k = (k << 1) | f[F_DEST]
    k = (k << 8) | f[F_REGION]
    k = (k << 2) | f[F_SENTENCE]
    k = (k << 20) | c
    return k


@njit(cache=True, inline="always")
def _slot(code, table):
    mask = len(table) - 1
    h = np.uint64(code) * np.uint64(0x9E3779B97F4A7C15)
    return np.int64(h >> np.uint64(20)) & mask


@njit(cache=True, inline="always")
def _find_or_add(f, fields, codes, count, table, used):
    """Index of the cohort with fields `f`, appended (count 0) if new; `used` = [n]."""
    code = _code(f)
    mask = len(table) - 1
    s = _slot(code, table)
    while True:
        j = table[s]
        if j == 0:
            i = used[0]
            used[0] = i + 1
            for k in range(N_FIELDS):
                fields[i, k] = f[k]
            codes[i] = code
            count[i] = 0.0
            table[s] = i + 1
            return i
        if codes[j - 1] == code:
            return j - 1
        s = (s + 1) & mask


@njit(cache=True)
def _rebuild(fields, codes, count, n, table, compact):
    """Drop empty cohorts (if `compact`) and rebuild the hash table; return the new n."""
    m = 0
    for i in range(n):
        if compact and count[i] == 0.0:
            continue
        if m != i:
            fields[m, :] = fields[i, :]
            codes[m] = codes[i]
            count[m] = count[i]
        m += 1
    table[:] = 0
    mask = len(table) - 1
    for i in range(m):
        s = _slot(codes[i], table)
        while table[s] != 0:
            s = (s + 1) & mask
        table[s] = i + 1
    return m


@njit(cache=True)
def _binom(gen, mode, n, p):
    if n <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return n
    if mode == EXPECT:
        return n * p
    return float(gen.binomial(np.int64(n), p))


@njit(cache=True)
def _split3(gen, mode, n, p1, p2, p3):
    """Counts of three competing outcomes with unconditional probabilities p1, p2, p3."""
    if mode == EXPECT:
        return n * p1, n * p2, n * p3
    ptot = p1 + p2 + p3
    if ptot <= 0.0:
        return 0.0, 0.0, 0.0
    if ptot < 1.0 and n * ptot < 16.0:
        # Few events expected: the number hit H ~ Bin(n, ptot) by inversion of one uniform
        # (usually H = 0), then each hit's event in proportion (multinomial given H).
        q = 1.0 - ptot
        pk = q**n
        if pk > 0.0:
            u = gen.random()
            cdf = pk
            hits = 0.0
            while u >= cdf and hits < n:
                pk *= (n - hits) / (hits + 1.0) * ptot / q
                hits += 1.0
                cdf += pk
            k1 = 0.0
            k2 = 0.0
            for _ in range(np.int64(hits)):
                v = gen.random() * ptot
                if v < p1:
                    k1 += 1.0
                elif v < p1 + p2:
                    k2 += 1.0
            return k1, k2, hits - k1 - k2
    k1 = _binom(gen, mode, n, p1)
    rest = 1.0 - p1
    k2 = _binom(gen, mode, n - k1, p2 / rest) if rest > 0 else 0.0
    rest -= p2
    k3 = _binom(gen, mode, n - k1 - k2, p3 / rest) if rest > 0 else 0.0
    return k1, k2, k3


@njit(cache=True)
def _add_arrivals(gen, mode, t, n, channel, cell_role, cell_unit, cell_off, cell_level, cell_prob,
                  start, unit_region, T):
    """Split `n` new soldiers over the arrival cells (multinomially) and add them as serving."""
    f = np.zeros(N_FIELDS, dtype=np.int64)
    f[F_STATUS] = SERVING
    f[F_CHANNEL] = channel
    m = len(cell_prob)
    got = np.zeros(m)
    if mode == EXPECT:
        for j in range(m):
            got[j] = n * cell_prob[j]
    elif n < m:  # fewer soldiers than cells: one categorical draw each
        cum = np.cumsum(cell_prob)
        total = cum[m - 1]
        for _ in range(np.int64(n)):
            j = np.searchsorted(cum, gen.random() * total, side="right")
            if j >= m:
                j = m - 1
            got[j] += 1.0
    else:  # conditional binomials
        left = n
        rest = 1.0
        for j in range(m):
            if left <= 0.0:
                break
            if j == m - 1:
                k = left
            else:
                k = _binom(gen, mode, left, cell_prob[j] / rest) if rest > 0 else 0.0
            got[j] = k
            left -= k
            rest -= cell_prob[j]
    for j in range(m):
        if got[j] == 0.0:
            continue
        f[F_ROLE] = cell_role[j]
        f[F_UNIT] = cell_unit[j]
        f[F_LEVEL] = cell_level[j]
        off = cell_off[j]
        if off == NO_OFFSET:
            f[F_CE] = NO_TERM
        else:
            ce = start + off
            f[F_CE] = ce if ce > t else t
        _to_pool(f, T, got[j])


@njit(cache=True)
def _to(f, status, t, T, k):
    """Send k soldiers with fields f (status set here) to their cohort, arriving after today.

    Serving soldiers go to their pool (see `_step_pools`), everyone else to the table.
    """
    if k == 0.0:
        return
    fields, codes, count, table, used, incoming = T[0], T[1], T[2], T[3], T[4], T[5]
    f[F_STATUS] = status
    if status != AT_LARGE:
        f[F_DEST] = 0
        f[F_REGION] = 0
    if status != DETAINED:
        f[F_SENTENCE] = 0
    if f[F_CE] != NO_TERM and f[F_CE] != TERM_DECIDED and f[F_CE] <= t:
        f[F_CE] = t + 1  # already due: equivalent from tomorrow on
    if status == SERVING:
        _to_pool(f, T, k)
        return
    i = _find_or_add(f, fields, codes, count, table, used)
    incoming[i] += k


@njit(cache=True)
def step_day(
    gen, mode, t, n_cohorts, T, absorbed,
    level_factor,
    release, assault_retained, death, wound, recover, discharge, desert, exit_share,
    search_capture, surrender, move, intercept, next_hop, is_exit, unit_region,
    prosecute, imprison, detention_end, assault_returned,
    cnt, unit_cnt, region_cnt,
):
    """One day for every cohort: the agent kernel's competing events, drawn per cohort.

    cnt, unit_cnt [2, unit] (desertions, on duty) and region_cnt as in the agent engine.
    Serving soldiers are in pools and have gone first (`_step_pools`); the table holds
    everyone else.
    """
    fields, count, used, incoming = T[0], T[2], T[4], T[5]
    f = np.zeros(N_FIELDS, dtype=np.int64)
    for i in range(n_cohorts):
        n = count[i]
        if n == 0.0:
            continue
        s = fields[i, F_STATUS]
        r = fields[i, F_ROLE]
        c = fields[i, F_CHANNEL]
        u = fields[i, F_UNIT]
        lev = fields[i, F_LEVEL]
        flag = fields[i, F_FLAG]
        ce = fields[i, F_CE]
        f[:] = fields[i, :]
        if s == RETAINED:  # serving soldiers are in pools
            dp = death[r]
            wp = wound[r]
            hp = desert[s, r, c, u] * level_factor[c, lev]
            if hp > 1.0:
                hp = 1.0
            killed, wounded, deserted = _split3(gen, mode, n, dp, wp, (1.0 - dp - wp) * hp)
            count[i] = n - killed - wounded - deserted
            if killed != 0.0:
                absorbed[KILLED] += killed
                cnt[O.FLOW + s * 9 + KILLED] += killed
                cnt[O.DEATHS_ROLE + r] += killed
                if flag:
                    cnt[O.DEATHS_RETURNED] += killed
            if wounded != 0.0:
                cnt[O.FLOW + s * 9 + HOSPITAL] += wounded
                cnt[O.WOUNDS_ROLE + r] += wounded
                _to(f, HOSPITAL, t, T, wounded)
            if deserted != 0.0:
                _desert(gen, mode, f, s, t, deserted, exit_share, unit_region, T, cnt, unit_cnt)
        elif s == HOSPITAL:
            hp = desert[2, r, c, u] * level_factor[c, lev]
            if hp > 1.0:
                hp = 1.0
            rec, deserted, _ = _split3(gen, mode, n, recover, (1.0 - recover) * hp, 0.0)
            count[i] = n - rec - deserted
            if rec != 0.0:
                dis = _binom(gen, mode, rec, discharge)
                absorbed[RELEASED] += dis
                cnt[O.FLOW + HOSPITAL * 9 + RELEASED] += dis
                back = RETAINED if ce == TERM_DECIDED else SERVING
                cnt[O.FLOW + HOSPITAL * 9 + back] += rec - dis
                _to(f, back, t, T, rec - dis)
            if deserted != 0.0:
                _desert(gen, mode, f, HOSPITAL, t, deserted, exit_share, unit_region, T, cnt, unit_cnt)
        elif s == AT_LARGE:
            g = fields[i, F_REGION]
            d = fields[i, F_DEST]
            ps = search_capture[g]
            searched, surrendered, moving = _split3(
                gen, mode, n, ps, (1.0 - ps) * surrender, (1.0 - ps) * (1.0 - surrender) * move
            )
            nxt = next_hop[d, g]
            if nxt == g:
                moving = 0.0
            count[i] = n - searched - surrendered - moving
            stopped = _binom(gen, mode, moving, intercept[g, nxt]) if moving != 0.0 else 0.0
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
                    _to(f, AT_LARGE, t, T, passed)
                    f[F_REGION] = g
            caught = searched + surrendered + stopped
            if caught != 0.0:  # M6 sentence decided at capture
                cnt[O.FLOW + AT_LARGE * 9 + DETAINED] += caught
                prison, suspended, _ = _split3(gen, mode, caught, imprison, prosecute - imprison, 0.0)
                cnt[O.CASES_OPENED] += prison + suspended
                f[F_SENTENCE] = PRISON
                _to(f, DETAINED, t, T, prison)
                f[F_SENTENCE] = SUSPENDED
                _to(f, DETAINED, t, T, suspended)
                f[F_SENTENCE] = NOT_PROSECUTED
                _to(f, DETAINED, t, T, caught - prison - suspended)
        elif s == DETAINED:
            out = _binom(gen, mode, n, detention_end)
            count[i] = n - out
            if out != 0.0:
                if fields[i, F_SENTENCE] == PRISON:
                    absorbed[IMPRISONED] += out
                    cnt[O.FLOW + DETAINED * 9 + IMPRISONED] += out
                else:
                    back = RETAINED if ce == TERM_DECIDED else SERVING
                    cnt[O.FLOW + DETAINED * 9 + back] += out
                    if r == ASSAULT:
                        _to(f, back, t, T, out)
                    else:
                        assault = _binom(gen, mode, out, assault_returned)
                        _to(f, back, t, T, out - assault)
                        f[F_ROLE] = ASSAULT
                        _to(f, back, t, T, assault)
    # arrivals of the day join their cohorts; then the end-of-day stocks
    m = used[0]
    for i in range(m):
        if incoming[i] != 0.0:
            count[i] += incoming[i]
            incoming[i] = 0.0
    for s in (IMPRISONED, RELEASED, KILLED, ESCAPED):
        cnt[O.STOCK + s] += absorbed[s]
    for i in range(m):
        n = count[i]
        if n == 0.0:
            continue
        s = fields[i, F_STATUS]
        cnt[O.STOCK + s] += n
        if s == SERVING or s == RETAINED:
            cnt[O.ON_DUTY_ROLE + fields[i, F_ROLE]] += n
            cnt[O.ON_DUTY_CHANNEL + fields[i, F_CHANNEL]] += n
            unit_cnt[1, fields[i, F_UNIT]] += n
            if fields[i, F_FLAG]:
                cnt[O.ON_DUTY_RETURNED] += n
        elif s == AT_LARGE:
            region_cnt[fields[i, F_REGION]] += n
    _pool_stocks(T, cnt, unit_cnt)


@njit(cache=True)
def _desert(gen, mode, f, src, t, k, exit_share, unit_region, T, cnt, unit_cnt):
    """M3: k soldiers with fields f leave status `src` for at large, from their unit's region."""
    u = f[F_UNIT]
    cnt[O.FLOW + src * 9 + AT_LARGE] += k
    cnt[O.DESERTIONS_CHANNEL + f[F_CHANNEL]] += k
    unit_cnt[0, u] += k
    to_exit = _binom(gen, mode, k, exit_share)
    g = unit_region[u]
    f[F_FLAG] = 1
    f[F_REGION] = g
    f[F_DEST] = EXIT
    _to(f, AT_LARGE, t, T, to_exit)
    f[F_REGION] = g
    f[F_DEST] = HOME
    _to(f, AT_LARGE, t, T, k - to_exit)


# ---------------------------------------------------------------- serving soldiers: pools

@njit(cache=True)
def _pool_index(f, meta):
    units, levels = meta[0], meta[1]
    return (((f[F_FLAG] * 3 + f[F_ROLE]) * 3 + f[F_CHANNEL]) * units + f[F_UNIT]) * levels + f[F_LEVEL]


@njit(cache=True)
def _pool_fields(f, p, meta):
    """Fields of a serving soldier of pool p (contract end left to the caller)."""
    units, levels = meta[0], meta[1]
    f[:] = 0
    f[F_STATUS] = SERVING
    f[F_LEVEL] = p % levels
    p //= levels
    f[F_UNIT] = p % units
    p //= units
    f[F_CHANNEL] = p % 3
    p //= 3
    f[F_ROLE] = p % 3
    f[F_FLAG] = p // 3


@njit(cache=True)
def _to_pool(f, T, k):
    """Add k serving soldiers; their contract end (≥ today) picks the slot of the ring."""
    ring, noterm, total, meta = T[6], T[7], T[8], T[9]
    p = _pool_index(f, meta)
    ce = f[F_CE]
    if ce == NO_TERM:
        noterm[p] += k
    else:
        ring[p, ce % meta[2]] += k
    total[p] += k


@njit(cache=True)
def _step_pools(gen, mode, t, first, T, absorbed, level_factor, release, assault_retained, death,
                wound, desert, exit_share, unit_region, cnt, unit_cnt):
    """One day for serving soldiers, pooled over their contract-end day.

    Soldiers of a pool differ only in the day their term ends, which no hazard reads.
    Those whose term ends today are taken out first (M1, as in the agent kernel); the
    rest are split by one multinomial over death, wound and desertion, and the members
    hit are chosen uniformly without replacement among the pool (exchangeable), which
    gives each contract-end day its exact multivariate hypergeometric share.

    Starts at pool `first`; returns the pool to resume from when the cohort table
    might overflow (the caller grows it), or the number of pools when done.
    """
    ring, noterm, total, meta = T[6], T[7], T[8], T[9]
    capacity = len(T[2])
    L = meta[2]
    j0 = t % L
    f = np.zeros(N_FIELDS, dtype=np.int64)
    for p in range(first, len(total)):
        n = total[p]
        if n == 0.0:
            continue
        need = 8 + (3 * L if mode == EXPECT else 3 * n)
        if T[4][0] + need > capacity:
            return p
        _pool_fields(f, p, meta)
        r = f[F_ROLE]
        c = f[F_CHANNEL]
        u = f[F_UNIT]
        lev = f[F_LEVEL]
        flag = f[F_FLAG]
        due = ring[p, j0]
        if due != 0.0:  # M1 term ends today
            ring[p, j0] = 0.0
            n -= due
            total[p] = n
            rel = _binom(gen, mode, due, release)
            ret = due - rel
            absorbed[RELEASED] += rel
            cnt[O.FLOW + SERVING * 9 + RELEASED] += rel
            cnt[O.FLOW + SERVING * 9 + RETAINED] += ret
            f[F_CE] = TERM_DECIDED
            if r == ASSAULT:
                _to(f, RETAINED, t, T, ret)
            else:
                assault = _binom(gen, mode, ret, assault_retained)
                _to(f, RETAINED, t, T, ret - assault)
                f[F_ROLE] = ASSAULT
                _to(f, RETAINED, t, T, assault)
            if n == 0.0:
                continue
        dp = death[r]
        wp = wound[r]
        hp = desert[SERVING, r, c, u] * level_factor[c, lev]
        if hp > 1.0:
            hp = 1.0
        killed, wounded, deserted = _split3(gen, mode, n, dp, wp, (1.0 - dp - wp) * hp)
        hit = killed + wounded + deserted
        if hit == 0.0:
            continue
        total[p] = n - hit
        absorbed[KILLED] += killed
        cnt[O.FLOW + SERVING * 9 + KILLED] += killed
        cnt[O.DEATHS_ROLE + r] += killed
        if flag:
            cnt[O.DEATHS_RETURNED] += killed
        cnt[O.FLOW + SERVING * 9 + HOSPITAL] += wounded
        cnt[O.WOUNDS_ROLE + r] += wounded
        if mode == EXPECT:
            keep = 1.0 - hit / n
            for o in range(L + 1):  # o = L stands for no term
                if o == L:
                    m = noterm[p]
                    ce = NO_TERM
                else:
                    if o == 0:
                        continue
                    m = ring[p, (t + o) % L]
                    ce = t + o
                if m == 0.0:
                    continue
                _pool_fields(f, p, meta)
                f[F_CE] = ce
                _to(f, HOSPITAL, t, T, m * wounded / n)
                _pool_fields(f, p, meta)
                f[F_CE] = ce
                _desert(gen, mode, f, SERVING, t, m * deserted / n, exit_share, unit_region, T, cnt, unit_cnt)
                if o == L:
                    noterm[p] = m * keep
                else:
                    ring[p, (t + o) % L] = m * keep
            continue
        left = n
        for e in range(np.int64(hit)):
            x = np.floor(gen.random() * left)
            if x < noterm[p]:
                noterm[p] -= 1.0
                ce = NO_TERM
            else:
                x -= noterm[p]
                ce = t + 1
                for o in range(1, L):
                    j = (t + o) % L
                    if x < ring[p, j]:
                        ring[p, j] -= 1.0
                        ce = t + o
                        break
                    x -= ring[p, j]
            left -= 1.0
            if e < killed:
                continue
            _pool_fields(f, p, meta)
            f[F_CE] = ce
            if e < killed + wounded:
                _to(f, HOSPITAL, t, T, 1.0)
            else:
                _desert(gen, mode, f, SERVING, t, 1.0, exit_share, unit_region, T, cnt, unit_cnt)
    return len(total)


@njit(cache=True)
def _pool_stocks(T, cnt, unit_cnt):
    total, meta = T[8], T[9]
    f = np.zeros(N_FIELDS, dtype=np.int64)
    for p in range(len(total)):
        n = total[p]
        if n == 0.0:
            continue
        _pool_fields(f, p, meta)
        cnt[O.STOCK + SERVING] += n
        cnt[O.ON_DUTY_ROLE + f[F_ROLE]] += n
        cnt[O.ON_DUTY_CHANNEL + f[F_CHANNEL]] += n
        unit_cnt[1, f[F_UNIT]] += n
        if f[F_FLAG]:
            cnt[O.ON_DUTY_RETURNED] += n


# ---------------------------------------------------------------- the driver

class _Table:
    """The sparse cohort table: fields [cohort, field], counts, and an open-addressing index."""

    def __init__(self, capacity: int, pools: int = 1, ring: int = 1, units: int = 1, levels: int = 1):
        self.ring = np.zeros((pools, ring))
        self.noterm = np.zeros(pools)
        self.total = np.zeros(pools)
        self.meta = np.array([units, levels, ring], dtype=np.int64)
        self.fields = np.zeros((capacity, N_FIELDS), dtype=np.int64)
        self.codes = np.zeros(capacity, dtype=np.int64)
        self.count = np.zeros(capacity)
        self.incoming = np.zeros(capacity)
        self.table = np.zeros(_pow2(4 * capacity), dtype=np.int64)
        self.used = np.zeros(1, dtype=np.int64)

    @property
    def T(self) -> tuple:
        return (self.fields, self.codes, self.count, self.table, self.used, self.incoming,
                self.ring, self.noterm, self.total, self.meta)

    @property
    def n(self) -> int:
        return int(self.used[0])

    def compact(self) -> None:
        """Drop empty cohorts when they are many (only between days: nothing incoming)."""
        n = self.n
        empty = n - int(np.count_nonzero(self.count[:n]))
        if empty > n // 2 and empty > 4096:
            self.used[0] = _rebuild(self.fields, self.codes, self.count, n, self.table, True)

    def ensure(self, extra: int) -> None:
        """Room for `extra` more cohorts."""
        n = self.n
        if n + extra <= len(self.count):
            return
        capacity = max(2 * len(self.count), n + extra)
        for name in ("fields", "codes", "count", "incoming"):
            old = getattr(self, name)
            grown = np.zeros((capacity,) + old.shape[1:], dtype=old.dtype)
            grown[:n] = old[:n]
            setattr(self, name, grown)
        self.table = np.zeros(_pow2(4 * capacity), dtype=np.int64)
        _rebuild(self.fields, self.codes, self.count, n, self.table, False)


def _pow2(x: int) -> int:
    return 1 << int(np.ceil(np.log2(max(x, 16))))


def run_cohorts(scenario: Scenario, days: int, *, mode: int, seed: int = 0,
                levels: tuple[np.ndarray, np.ndarray] | None = None, progress=None):
    """Step the cohort table through `days`; return (counts [days, N_COUNTERS] float,
    search_units, checkpoints, wall seconds)."""
    plan = make_plan(scenario, days)
    geo = plan.geography
    dynamics = Dynamics(plan)
    units = scenario.population.units
    n_regions = geo.n_regions
    factors, probs = levels if levels is not None else binned_levels(scenario)
    if mode == DRAW:
        from awol.engines.cohort_draw import run_draw

        return run_draw(scenario, days, seed=seed, levels=(factors, probs), progress=progress)
    gen = rng.generator(seed, rng.COHORTS)
    init_cells = [arrival_cells(scenario, c, probs[c], True) for c in range(3)]
    new_cells = [arrival_cells(scenario, c, probs[c], False) for c in range(3)]
    levels_n = factors.shape[1]
    ring = 2 + max([int(np.max(cells[2][cells[2] != NO_OFFSET], initial=0)) for cells in init_cells + new_cells])
    pools = 2 * 3 * 3 * units * levels_n
    check_size(n_regions, units, levels_n, pools, ring)
    tab = _Table(4096, pools, ring, units, levels_n)
    pop = scenario.population
    for c, name in enumerate(CHANNELS):
        size = getattr(pop, name).size
        if size:
            tab.ensure(len(init_cells[c][4]) if mode == EXPECT else min(size, len(init_cells[c][4])) + 1)
            _add_arrivals(gen, mode, 0, float(size), c, *init_cells[c], 0, geo.unit_region, tab.T)

    counts = np.zeros((days, O.N_COUNTERS))
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    absorbed = np.zeros(9)
    initial = float(sum(getattr(pop, n).size for n in CHANNELS))
    agg = Aggregate(
        at_large_by_region=np.zeros(n_regions),
        on_duty_by_unit=_initial_by_unit(tab, units),
        desertions_by_unit=np.zeros(units),
        on_duty=initial,
    )
    started = time.perf_counter()
    for t in range(days):
        tab.compact()
        rates = dynamics.rates(t, agg)
        if mode == EXPECT:
            arrivals = rates.recruits.astype(float).copy()
        else:
            arrivals = gen.poisson(rates.recruits).astype(float)
        arrivals[CHANNELS.index("mobilised")] += rates.mobilised_quota
        for c in range(3):
            if arrivals[c]:
                cells = len(new_cells[c][4])
                tab.ensure(cells if mode == EXPECT else min(int(arrivals[c]) + 1, cells))
                _add_arrivals(gen, mode, t, float(arrivals[c]), c, *new_cells[c], t, geo.unit_region, tab.T)
        cnt = counts[t]
        unit_cnt = np.zeros((2, units))
        region_cnt = np.zeros(n_regions)
        first = 0
        while first < len(tab.total):
            first = _step_pools(
                gen, mode, t, first, tab.T, absorbed, factors, rates.release, rates.assault_retained,
                rates.death, rates.wound, rates.desert, rates.exit_share, geo.unit_region, cnt, unit_cnt,
            )
            if first < len(tab.total):
                tab.ensure(len(tab.count))  # doubles
        tab.ensure(6 * tab.n + 64)
        step_day(
            gen, mode, t, tab.n, tab.T, absorbed, factors,
            rates.release, rates.assault_retained, rates.death, rates.wound, rates.recover,
            rates.discharge, rates.desert, rates.exit_share, rates.search_capture, rates.surrender,
            rates.move, rates.intercept, geo.next_hop, geo.is_exit, geo.unit_region,
            rates.prosecute, rates.imprison, rates.detention_end, rates.assault_returned,
            cnt, unit_cnt, region_cnt,
        )
        cnt[O.RECRUITS_CHANNEL : O.RECRUITS_CHANNEL + 3] = arrivals
        search_units[t] = rates.search_units
        checkpoints[t] = rates.checkpoints
        dynamics.record(t, float(unit_cnt[0].sum()))
        agg = Aggregate(
            at_large_by_region=region_cnt,
            on_duty_by_unit=unit_cnt[1],
            desertions_by_unit=unit_cnt[0],
            on_duty=float(unit_cnt[1].sum()),
        )
        if progress is not None:
            progress(t + 1, days)
    return counts, search_units, checkpoints, time.perf_counter() - started


class PoolTooLarge(ProblemsError, ValueError):
    """The scenario's cohort key space does not fit in memory; `problems` names the fields."""

    separator = "; "


MAX_POOL_CELLS = 60_000_000   # pools × contract days, per ring of float64 counts (480 MB)


def check_size(n_regions: int, units: int, levels: int, pools: int, ring: int) -> None:
    """Refuse key spaces the engine cannot hold, naming the scenario fields to change."""
    problems = []
    if n_regions > 255:
        problems.append(f"pursuit.regions: {n_regions} regions; the cohort engine handles at most 255")
    if units >= (1 << 14):
        problems.append(f"population.units: {units}; the cohort engine handles at most 16,383")
    if pools * ring > MAX_POOL_CELLS:
        problems.append(
            f"cohorts.risk_bins: {levels} bins × {units} units × {ring} contract days needs "
            f"{pools * ring:,} pool cells, more than {MAX_POOL_CELLS:,}; use fewer bins (or units)"
        )
    if problems:
        raise PoolTooLarge(problems)


def _initial_by_unit(tab: _Table, units: int) -> np.ndarray:
    """Soldiers per unit at the start: all serving, all in pools."""
    levels = int(tab.meta[1])
    return tab.total.reshape(2, 3, 3, units, levels).sum(axis=(0, 1, 2, 4))


def simulate_cohorts(scenario: Scenario, seed: int, days: int, progress=None):
    """Run the cohort engine; return the daily counter matrix (int64), pursuit levels, wall time."""
    counts, search_units, checkpoints, wall = run_cohorts(
        scenario, days, mode=DRAW, seed=seed, progress=progress
    )
    return np.rint(counts).astype(np.int64), search_units, checkpoints, wall
