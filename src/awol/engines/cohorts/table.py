"""The sparse cohort table: counts of soldiers keyed by everything that tells them apart.

A cohort's key is its fields (`F_*`): status, role, channel, unit, risk level,
ever-absent flag, what the soldier carries about his term (a contract-end day, or one
of the term codes below), and while at large his region, destination, how his absence
began, his hiding level, the day it began and whether he was absent before; while on
leave which leave; while detained his sentence. The table is an open-addressing hash
over keys packed into two words. Keys that can no longer matter are merged (an end day
gone by becomes PASSED; fields that only one status reads are zero in the others), so
the number of cohorts is bounded by the key space and the soldiers away, not by the
number of soldiers.

The cohort engine keeps soldiers at large and detained here (those on duty, in hospital
and on leave are dense pools, `pools`); the expected course keeps everyone here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from awol.model import contracts
from awol.problems import ProblemsError

NO_TERM = contracts.NO_TERM
TERM_DECIDED = contracts.TERM_DECIDED
PASSED = TERM_DECIDED + 1      # the term ended while away: due the day after return
PRE = TERM_DECIDED + 2         # initial force, term not yet ended: ends by the channel's hazard
_CE_NONE = (1 << 20) - 1       # key code of NO_TERM
_CE_DECIDED = (1 << 20) - 2    # key code of TERM_DECIDED
_CE_PASSED = (1 << 20) - 3     # key code of PASSED
_CE_PRE = (1 << 20) - 4        # key code of PRE

N_FIELDS = 14
(F_STATUS, F_ROLE, F_CHANNEL, F_UNIT, F_LEVEL, F_FLAG, F_DEST, F_REGION, F_SENTENCE, F_CE,
 F_PATHWAY, F_HIDING, F_START, F_PRIOR) = range(N_FIELDS)
ABSENCE_FIELDS = (F_DEST, F_REGION, F_PATHWAY, F_HIDING, F_START, F_PRIOR)   # read only at large

# Successors a cohort remembers (`TableArrays.successor`): the cohort its members move to
# on each of these events, so that a daily move costs an array read, not a hash look-up.
SUCC_MOVE, SUCC_PRISON, SUCC_SUSPENDED, SUCC_NOT_PROSECUTED, SUCC_PASSED = range(5)
N_SUCCESSORS = 5

inline = njit(cache=True, inline="always")


class TableArrays(NamedTuple):
    """The table as the kernels see it."""

    fields: np.ndarray     # int64 [cohort, N_FIELDS]
    codes: np.ndarray      # int64 [cohort, 2]: the packed key
    count: np.ndarray      # float64 [cohort]: soldiers in the cohort now
    slots: np.ndarray      # int64 [2^k]: cohort index + 1, 0 for an empty slot
    used: np.ndarray       # int64 [1]: cohorts in use
    incoming: np.ndarray   # float64 [cohort]: soldiers joining after the day
    successor: np.ndarray  # int64 [cohort, N_SUCCESSORS]: −1 until first used
    clock: np.ndarray      # float64 [cohort]: the cumulative hazard of its class at which its next member's event falls
    clock_class: np.ndarray  # int64 [cohort]: that hazard class (cohorts.kernel), −1 for none


@inline
def key_code(f):
    """The packed key of fields f, first word (the second is `absence_code`)."""
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
    k = np.int64(f[F_STATUS])   # 4 bits
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


@inline
def absence_code(f):
    """The second word of the packed key: what only an absence carries (start day up to 2^20)."""
    k = np.int64(f[F_PATHWAY])
    k = (k << 5) | f[F_HIDING]
    k = (k << 20) | f[F_START]
    k = (k << 1) | f[F_PRIOR]
    return k


@inline
def _slot(code, code2, slots):
    mask = len(slots) - 1
    h = (np.uint64(code) ^ (np.uint64(code2) * np.uint64(0xBF58476D1CE4E5B9))) * np.uint64(0x9E3779B97F4A7C15)
    return np.int64(h >> np.uint64(20)) & mask


@inline
def find_or_add(f, T):
    """Index of the cohort with fields `f`, appended (count 0) if new."""
    code = key_code(f)
    code2 = absence_code(f)
    mask = len(T.slots) - 1
    s = _slot(code, code2, T.slots)
    while True:
        j = T.slots[s]
        if j == 0:
            i = T.used[0]
            T.used[0] = i + 1
            for k in range(N_FIELDS):
                T.fields[i, k] = f[k]
            T.codes[i, 0] = code
            T.codes[i, 1] = code2
            T.count[i] = 0.0
            T.slots[s] = i + 1
            return i
        if T.codes[j - 1, 0] == code and T.codes[j - 1, 1] == code2:
            return j - 1
        s = (s + 1) & mask


@njit(cache=True)
def _rebuild(T, n, compact):
    """Drop empty cohorts (if `compact`) and rebuild the hash slots; return the new n."""
    m = 0
    for i in range(n):
        if compact and T.count[i] == 0.0:
            continue
        if m != i:
            T.fields[m, :] = T.fields[i, :]
            T.codes[m, :] = T.codes[i, :]
            T.count[m] = T.count[i]
            T.clock[m] = T.clock[i]
            T.clock_class[m] = T.clock_class[i]
        m += 1
    slots = T.slots
    slots[:] = 0
    mask = len(slots) - 1
    for i in range(m):
        s = _slot(T.codes[i, 0], T.codes[i, 1], slots)
        while slots[s] != 0:
            s = (s + 1) & mask
        slots[s] = i + 1
    return m


class CohortTable:
    """The table's arrays with room to grow; `arrays` is what the kernels get."""

    def __init__(self, capacity: int):
        self.arrays = TableArrays(
            fields=np.zeros((capacity, N_FIELDS), dtype=np.int64),
            codes=np.zeros((capacity, 2), dtype=np.int64),
            count=np.zeros(capacity),
            slots=np.zeros(_pow2(4 * capacity), dtype=np.int64),
            used=np.zeros(1, dtype=np.int64),
            incoming=np.zeros(capacity),
            successor=np.full((capacity, N_SUCCESSORS), -1, dtype=np.int64),
            clock=np.zeros(capacity),
            clock_class=np.full(capacity, -1, dtype=np.int64),
        )

    @property
    def n(self) -> int:
        """Cohorts in use (some may be empty until the next compaction)."""
        return int(self.arrays.used[0])

    @property
    def capacity(self) -> int:
        """Cohorts the arrays can hold before they must grow."""
        return len(self.arrays.count)

    def compact(self, empty: int | None = None) -> None:
        """Drop empty cohorts when they are many (only between days: nothing incoming).
        `empty`: their number, if the caller has counted them."""
        T, n = self.arrays, self.n
        if empty is None:
            empty = n - int(np.count_nonzero(T.count[:n]))
        if empty > n // 2 and empty > 4096:
            T.used[0] = _rebuild(T, n, True)
            T.successor[:] = -1

    def ensure(self, extra: int) -> None:
        """Room for `extra` more cohorts (the capacity at least doubles when it grows)."""
        n = self.n
        if n + extra <= self.capacity:
            return
        capacity = max(2 * self.capacity, n + extra)
        grown = {}
        for name in ("fields", "codes", "count", "incoming", "successor", "clock", "clock_class"):
            old = getattr(self.arrays, name)
            empty = -1 if name in ("successor", "clock_class") else 0
            array = np.full((capacity,) + old.shape[1:], empty, dtype=old.dtype)
            array[:n] = old[:n]
            grown[name] = array
        self.arrays = self.arrays._replace(slots=np.zeros(_pow2(4 * capacity), dtype=np.int64), **grown)
        T = self.arrays
        _rebuild(T, n, False)


def _pow2(x: int) -> int:
    return 1 << int(np.ceil(np.log2(max(x, 16))))


class PoolTooLarge(ProblemsError, ValueError):
    """The scenario's cohort key space does not fit in memory; `problems` names the fields."""

    separator = "; "


MAX_POOL_CELLS = 60_000_000   # pools × contract days, per ring of float64 counts (480 MB)


def check_size(n_regions: int, units: int, levels: int, pools: int, ring: int) -> None:
    """Refuse key spaces the engines cannot hold, naming the scenario fields to change."""
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
