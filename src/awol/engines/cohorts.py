"""The cohort engine: soldiers who are exchangeable for every mechanism share one count.

A cohort is a count of soldiers with the same key: status, role, channel, unit,
contract-end day (or TERM_DECIDED / NO_TERM), risk-tolerance level, ever-deserted
flag, and while at large their region and destination, while detained their
sentence. Each day every cohort's members are split over the same competing events,
in the same order and with the same `DayRates`, as the agent kernel
(`engines.agents.step_day`), and the aggregate feedback is formed the same way, so
the output has the agent engine's distribution up to the one approximation: risk
tolerance is grouped into equal-probability bins (scenario `cohorts.risk_bins`),
each carrying the conditional mean of the personal factor exp(β_tol (τ − ½)).

This module holds what the draws (`engines.cohort_draw`, where soldiers on duty and
in hospital are dense pools) and the expected course (`engines.expected_course`)
share: the risk levels, where arrivals land, and the sparse cohort table (open
addressing over packed keys) that keeps everyone else. Keys that can no longer
matter are merged: a contract-end day already passed is stored as tomorrow's (only
`t ≥ end` is ever asked), region and destination are dropped outside `at large`, the
sentence outside `detained`, and absorbing states keep only their totals, so the
number of cohorts is bounded by the key space, not by the number of soldiers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from awol.model import contracts
from awol.model.states import CHANNELS, ROLES
from awol.problems import ProblemsError
from awol.scenario.schema import Scenario

NO_TERM = contracts.NO_TERM
TERM_DECIDED = contracts.TERM_DECIDED
# Two more term codes of the draw kernel (`engines.cohort_draw`) for soldiers away from duty:
PASSED = TERM_DECIDED + 1      # the term ended while away: due the day after return
PRE = TERM_DECIDED + 2         # initial force, term not yet ended: ends by the channel's hazard
_CE_NONE = (1 << 20) - 1       # key code of NO_TERM
_CE_DECIDED = (1 << 20) - 2    # key code of TERM_DECIDED
_CE_PASSED = (1 << 20) - 3     # key code of PASSED
_CE_PRE = (1 << 20) - 4        # key code of PRE
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
    elif ce == PASSED:
        c = _CE_PASSED
    elif ce == PRE:
        c = _CE_PRE
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


N_SUCCESSORS = 5   # cohorts a cohort's members move to: see `_Table.successor`


class _Table:
    """The sparse cohort table: fields [cohort, field], counts, and an open-addressing index.

    The expected course also keeps its pools of serving soldiers here (`ring` by
    contract-end day, `noterm`, `total`, `meta`); the draw kernel has its own pools
    and uses the table alone (pools = 1). `successor[i, k]` remembers, for the draw
    kernel, the index of the cohort that event k sends cohort i's members to (−1 until
    first used), so that a daily move costs an array read instead of a hash lookup;
    compacting the table, which moves cohorts, forgets them.
    """

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
        self.successor = np.full((capacity, N_SUCCESSORS), -1, dtype=np.int64)

    @property
    def T(self) -> tuple:
        return (self.fields, self.codes, self.count, self.table, self.used, self.incoming,
                self.ring, self.noterm, self.total, self.meta, self.successor)

    @property
    def n(self) -> int:
        return int(self.used[0])

    def compact(self, empty: int | None = None) -> None:
        """Drop empty cohorts when they are many (only between days: nothing incoming).
        `empty`: their number, if the caller has counted them."""
        n = self.n
        if empty is None:
            empty = n - int(np.count_nonzero(self.count[:n]))
        if empty > n // 2 and empty > 4096:
            self.used[0] = _rebuild(self.fields, self.codes, self.count, n, self.table, True)
            self.successor[:] = -1

    def ensure(self, extra: int) -> None:
        """Room for `extra` more cohorts."""
        n = self.n
        if n + extra <= len(self.count):
            return
        capacity = max(2 * len(self.count), n + extra)
        for name in ("fields", "codes", "count", "incoming", "successor"):
            old = getattr(self, name)
            grown = np.full((capacity,) + old.shape[1:], -1 if name == "successor" else 0, dtype=old.dtype)
            grown[:n] = old[:n]
            setattr(self, name, grown)
        self.table = np.zeros(_pow2(4 * capacity), dtype=np.int64)
        _rebuild(self.fields, self.codes, self.count, n, self.table, False)


def _pow2(x: int) -> int:
    return 1 << int(np.ceil(np.log2(max(x, 16))))



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


def simulate_cohorts(scenario: Scenario, seed: int, days: int, progress=None):
    """Run the cohort engine; return the daily counter matrix (int64), pursuit levels, wall time."""
    from awol.engines.cohort_draw import run_draw

    counts, search_units, checkpoints, wall = run_draw(
        scenario, days, seed=seed, levels=binned_levels(scenario), progress=progress
    )
    return np.rint(counts).astype(np.int64), search_units, checkpoints, wall
