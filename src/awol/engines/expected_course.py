"""The expected course: the cohort recursion with every draw replaced by its expectation.

Every status is a table of cohorts keyed as in `engines.cohorts` (with the
contract-end day), and soldiers on duty are pools over that day. Each day every
cohort loses to each competing event its expected share, in the agent kernel's order
and with the same `DayRates`. When no day's rates depend on the state, the recursion
is linear and this is the exact expected course (`engines.expectation`); with
`cohorts.binned_levels` it measures what binning risk tolerance costs. It populates
every reachable key (all risk nodes, all contract-end days), so it is slow on large
key spaces: few units and days.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from awol.engines import outputs as O
from awol.engines.cohorts import (
    F_CE, F_CHANNEL, F_DEST, F_FLAG, F_LEVEL, F_REGION, F_ROLE, F_SENTENCE, F_STATUS, F_UNIT,
    N_FIELDS, NO_OFFSET, NO_TERM, TERM_DECIDED, _find_or_add, _Table, arrival_cells, check_size,
)
from awol.model.rates import Aggregate, Dynamics, make_plan
from awol.model.states import (
    ASSAULT, AT_LARGE, CHANNELS, DETAINED, ESCAPED, EXIT, HOME, HOSPITAL, IMPRISONED,
    KILLED, NOT_PROSECUTED, PRISON, RELEASED, RETAINED, SERVING, SUSPENDED,
)
from awol.scenario.schema import Scenario


@njit(cache=True, inline="always")
def _part(n, p):
    """Expected number of n soldiers meeting an event of probability p."""
    if n <= 0.0 or p <= 0.0:
        return 0.0
    return n if p >= 1.0 else n * p


@njit(cache=True, inline="always")
def _split3(n, p1, p2, p3):
    """Expected counts of three competing outcomes with unconditional probabilities."""
    return n * p1, n * p2, n * p3


@njit(cache=True)
def _add_arrivals(t, n, channel, cell_role, cell_unit, cell_off, cell_level, cell_prob, start, T):
    """Spread `n` new soldiers over the arrival cells in proportion, as serving."""
    f = np.zeros(N_FIELDS, dtype=np.int64)
    f[F_STATUS] = SERVING
    f[F_CHANNEL] = channel
    for j in range(len(cell_prob)):
        k = n * cell_prob[j]
        if k == 0.0:
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
        _to_pool(f, T, k)


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
    t, n_cohorts, T, absorbed,
    level_factor,
    release, assault_retained, death, wound, recover, discharge, desert, exit_share,
    search_capture, surrender, move, intercept, next_hop, is_exit, unit_region,
    prosecute, imprison, detention_end, assault_returned,
    cnt, unit_cnt, region_cnt,
):
    """One day for every cohort: the agent kernel's competing events, in expectation.

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
            killed, wounded, deserted = _split3(n, dp, wp, (1.0 - dp - wp) * hp)
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
                _desert(f, s, t, deserted, exit_share, unit_region, T, cnt, unit_cnt)
        elif s == HOSPITAL:
            hp = desert[2, r, c, u] * level_factor[c, lev]
            if hp > 1.0:
                hp = 1.0
            rec, deserted, _ = _split3(n, recover, (1.0 - recover) * hp, 0.0)
            count[i] = n - rec - deserted
            if rec != 0.0:
                dis = _part(rec, discharge)
                absorbed[RELEASED] += dis
                cnt[O.FLOW + HOSPITAL * 9 + RELEASED] += dis
                back = RETAINED if ce == TERM_DECIDED else SERVING
                cnt[O.FLOW + HOSPITAL * 9 + back] += rec - dis
                _to(f, back, t, T, rec - dis)
            if deserted != 0.0:
                _desert(f, HOSPITAL, t, deserted, exit_share, unit_region, T, cnt, unit_cnt)
        elif s == AT_LARGE:
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
            stopped = _part(moving, intercept[g, nxt]) if moving != 0.0 else 0.0
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
                prison, suspended, _ = _split3(caught, imprison, prosecute - imprison, 0.0)
                cnt[O.CASES_OPENED] += prison + suspended
                f[F_SENTENCE] = PRISON
                _to(f, DETAINED, t, T, prison)
                f[F_SENTENCE] = SUSPENDED
                _to(f, DETAINED, t, T, suspended)
                f[F_SENTENCE] = NOT_PROSECUTED
                _to(f, DETAINED, t, T, caught - prison - suspended)
        elif s == DETAINED:
            out = _part(n, detention_end)
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
                        assault = _part(out, assault_returned)
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
def _desert(f, src, t, k, exit_share, unit_region, T, cnt, unit_cnt):
    """M3: k soldiers with fields f leave status `src` for at large, from their unit's region."""
    u = f[F_UNIT]
    cnt[O.FLOW + src * 9 + AT_LARGE] += k
    cnt[O.DESERTIONS_CHANNEL + f[F_CHANNEL]] += k
    unit_cnt[0, u] += k
    to_exit = _part(k, exit_share)
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
def _step_pools(t, first, T, absorbed, level_factor, release, assault_retained, death,
                wound, desert, exit_share, unit_region, cnt, unit_cnt):
    """One day for serving soldiers, pooled over their contract-end day.

    Soldiers of a pool differ only in the day their term ends, which no hazard reads.
    Those whose term ends today are taken out first (M1, as in the agent kernel); every
    contract-end day of the rest loses the same expected share to death, wounds and
    desertion.

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
        need = 8 + 3 * L
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
            rel = _part(due, release)
            ret = due - rel
            absorbed[RELEASED] += rel
            cnt[O.FLOW + SERVING * 9 + RELEASED] += rel
            cnt[O.FLOW + SERVING * 9 + RETAINED] += ret
            f[F_CE] = TERM_DECIDED
            if r == ASSAULT:
                _to(f, RETAINED, t, T, ret)
            else:
                assault = _part(ret, assault_retained)
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
        killed, wounded, deserted = _split3(n, dp, wp, (1.0 - dp - wp) * hp)
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
            _desert(f, SERVING, t, m * deserted / n, exit_share, unit_region, T, cnt, unit_cnt)
            if o == L:
                noterm[p] = m * keep
            else:
                ring[p, (t + o) % L] = m * keep
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


def run_expected(scenario: Scenario, days: int, levels: tuple[np.ndarray, np.ndarray]):
    """Step the expected course through `days`; return (counts [days, N_COUNTERS] float,
    search_units, checkpoints). `levels` are risk factors and probabilities [channel, level]:
    `cohorts.quadrature_levels` for the exact expectation, `cohorts.binned_levels` to
    measure what binning costs."""
    plan = make_plan(scenario, days)
    geo = plan.geography
    dynamics = Dynamics(plan)
    units = scenario.population.units
    n_regions = geo.n_regions
    factors, probs = levels
    init_cells = [arrival_cells(scenario, c, probs[c], True) for c in range(3)]
    new_cells = [arrival_cells(scenario, c, probs[c], False) for c in range(3)]
    levels_n = factors.shape[1]
    ring = 2 + max([int(np.max(cells[2][cells[2] != NO_OFFSET], initial=0)) for cells in init_cells + new_cells])
    pools = 2 * 3 * 3 * units * levels_n
    check_size(n_regions, units, levels_n, pools, ring)
    tab = _Table(4096, pools, ring, units, levels_n)
    for c in range(len(CHANNELS)):
        size = int(plan.initial_size[c])
        if size:
            tab.ensure(len(init_cells[c][4]))
            _add_arrivals(0, float(size), c, *init_cells[c], 0, tab.T)

    counts = np.zeros((days, O.N_COUNTERS))
    search_units = np.zeros(days)
    checkpoints = np.zeros(days)
    absorbed = np.zeros(9)
    initial = float(plan.initial_size.sum())
    agg = Aggregate(
        at_large_by_region=np.zeros(n_regions),
        on_duty_by_unit=_initial_by_unit(tab, units),
        desertions_by_unit=np.zeros(units),
        on_duty=initial,
    )
    for t in range(days):
        tab.compact()
        rates = dynamics.rates(t, agg)
        arrivals = rates.recruits.astype(float).copy()
        arrivals[CHANNELS.index("mobilised")] += rates.mobilised_quota
        for c in range(3):
            if arrivals[c]:
                cells = len(new_cells[c][4])
                tab.ensure(cells)
                _add_arrivals(t, float(arrivals[c]), c, *new_cells[c], t, tab.T)
        cnt = counts[t]
        unit_cnt = np.zeros((2, units))
        region_cnt = np.zeros(n_regions)
        first = 0
        while first < len(tab.total):
            first = _step_pools(
                t, first, tab.T, absorbed, factors, rates.release, rates.assault_retained,
                rates.death, rates.wound, rates.desert, rates.exit_share, geo.unit_region, cnt, unit_cnt,
            )
            if first < len(tab.total):
                tab.ensure(len(tab.count))  # doubles
        tab.ensure(6 * tab.n + 64)
        step_day(
            t, tab.n, tab.T, absorbed, factors,
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
    return counts, search_units, checkpoints


def _initial_by_unit(tab: _Table, units: int) -> np.ndarray:
    """Soldiers per unit at the start: all serving, all in pools."""
    levels = int(tab.meta[1])
    return tab.total.reshape(2, 3, 3, units, levels).sum(axis=(0, 1, 2, 4))
