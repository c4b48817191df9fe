"""Dense pools of soldiers on duty and in hospital, kept in parts by what they carry about their term.

A pool is one (ever-deserted flag, role, channel, unit, risk level): within it every
hazard is the same, and soldiers differ only in their term, the one thing M1 reads. A
pool keeps them in parts:

- the **ring**: recruits, whose term ends on a known day; a ring of counts by that day;
- **pre**: the initial force before its term ends (its end days are independent of its
  course, so its terms end by each channel's hazard, `arrivals.term_end_hazard`);
- **no term** (mobilised); in hospital also **passed** (the term ended in hospital: due
  the day after return) and **decided** (retained past term); on duty the retained are
  their own count.

Soldiers who come back on duty during a day wait in `Pending` and join after it, so
nobody moves twice in a day.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from awol.engines.cohorts.table import NO_TERM, PASSED, PRE, TERM_DECIDED
from awol.engines.rng import next_uniform
from awol.model.states import HOSPITAL, SERVING

inline = njit(cache=True, inline="always", _nrt=False)

BLOCK_SHIFT = 5              # ring block of 32 days, for picking an end day

# Parts of a pool besides its ring (part 0 of a status's parts is the ring).
S_PRE, S_NOTERM = 0, 1                                 # serving
H_PRE, H_NOTERM, H_PASSED, H_DECIDED = 0, 1, 2, 3      # hospital
N_PARTS_SERVING, N_PARTS_HOSPITAL = 3, 5               # ring + the above

# Columns of the pool table (`pool_table`): what pool p is.
P_FLAG, P_ROLE, P_CHANNEL, P_UNIT, P_LEVEL = range(5)


class Layout(NamedTuple):
    """The pools' dimensions."""

    units: int
    levels: int          # risk levels per (flag, role, channel, unit) group
    ring_days: int       # ring length, a multiple of the block


class Ring(NamedTuple):
    """Soldiers by the day their term ends, per pool (day modulo the ring's length)."""

    counts: np.ndarray   # [pool, day mod L]
    blocks: np.ndarray   # [pool, block]: sums of BLOCK_SHIFT-day blocks, to pick a member
    total: np.ndarray    # [pool]
    due: np.ndarray      # uint64 [day mod L, pool / 64]: pools with someone due that day


class Pools(NamedTuple):
    """Counts of the pools' parts."""

    serving_parts: np.ndarray    # [S_PRE / S_NOTERM, pool]
    serving: np.ndarray          # [pool] all serving (ring included)
    retained: np.ndarray         # [pool]
    hospital_parts: np.ndarray   # [H_*, pool]
    hospital: np.ndarray         # [pool] all in hospital (ring included)


class Pending(NamedTuple):
    """Soldiers who join a pool on duty after the day: pool, term code, count."""

    pool: np.ndarray     # int64
    term: np.ndarray     # int64: TERM_DECIDED (retained), a day, PRE or NO_TERM
    used: np.ndarray     # int64 [1]
    count: np.ndarray    # float64


def ring(pools: int, days: int) -> Ring:
    return Ring(np.zeros((pools, days)), np.zeros((pools, days >> BLOCK_SHIFT)), np.zeros(pools),
                np.zeros((days, (pools + 63) // 64), dtype=np.uint64))


def empty_pools(pools: int) -> Pools:
    return Pools(np.zeros((2, pools)), np.zeros(pools), np.zeros(pools), np.zeros((4, pools)), np.zeros(pools))


def pending(size: int, used=None) -> Pending:
    return Pending(np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64),
                   np.zeros(1, dtype=np.int64) if used is None else used, np.zeros(size))


def pool_table(layout: Layout) -> np.ndarray:
    """[pool, P_*]: the flag, role, channel, unit and level of every pool."""
    n = 18 * layout.units * layout.levels
    return np.array(np.unravel_index(np.arange(n), (2, 3, 3, layout.units, layout.levels))).T.astype(np.int64).copy()


@inline
def pool_of(flag, role, channel, unit, level, layout):
    return (((flag * 3 + role) * 3 + channel) * layout.units + unit) * layout.levels + level


# ---------------------------------------------------------------- rings

@inline
def ring_add(R, p, ce, k):
    """K soldiers whose term ends on day ce into pool p's ring."""
    j = ce % R.counts.shape[1]
    R.counts[p, j] += k
    R.blocks[p, j >> BLOCK_SHIFT] += k
    R.total[p] += k
    R.due[j, p >> 6] |= np.uint64(1) << np.uint64(p & 63)


@inline
def ring_take(rs, R, p, t):
    """Remove one member of pool p's ring at random; the day his term ends."""
    x = np.floor(next_uniform(rs) * R.total[p])
    R.total[p] -= 1.0
    L = R.counts.shape[1]
    last = -1
    for b in range(R.blocks.shape[1]):
        v = R.blocks[p, b]
        if v == 0.0:
            continue
        last = b
        if x < v:
            j = b << BLOCK_SHIFT
            while True:
                r = R.counts[p, j]
                if x < r:
                    R.counts[p, j] = r - 1.0
                    R.blocks[p, b] = v - 1.0
                    return t + (j - t) % L
                x -= r
                j += 1
        x -= v
    # rounding cannot bring us here with integral counts; take the last member
    j = ((last + 1) << BLOCK_SHIFT) - 1
    while R.counts[p, j] == 0.0:
        j -= 1
    R.counts[p, j] -= 1.0
    R.blocks[p, last] -= 1.0
    return t + (j - t) % L


@inline
def ring_due(R, p, j):
    """Empty pool p's ring slot j (due today); the number of soldiers it held."""
    k = R.counts[p, j]
    if k != 0.0:
        R.counts[p, j] = 0.0
        R.blocks[p, j >> BLOCK_SHIFT] -= k
        R.total[p] -= k
    return k


# ---------------------------------------------------------------- pools

@inline
def serving_add(SR, D, p, ce, k):
    """K serving soldiers into pool p now: ce a day (ring), PRE or NO_TERM."""
    if ce == PRE:
        D.serving_parts[S_PRE, p] += k
    elif ce == NO_TERM:
        D.serving_parts[S_NOTERM, p] += k
    else:
        ring_add(SR, p, ce, k)
    D.serving[p] += k


@inline
def hospital_add(HR, D, p, ce, k):
    """K wounded into pool p's hospital parts (their term not ended today: it was due first)."""
    if ce == PRE:
        D.hospital_parts[H_PRE, p] += k
    elif ce == NO_TERM:
        D.hospital_parts[H_NOTERM, p] += k
    elif ce == TERM_DECIDED:
        D.hospital_parts[H_DECIDED, p] += k
    else:
        ring_add(HR, p, ce, k)
    D.hospital[p] += k


@inline
def part_count(status, q, p, SR, HR, D):
    """Members of part q of pool p in the class of `status` (part 0 is the ring)."""
    if status == SERVING:
        return SR.total[p] if q == 0 else D.serving_parts[q - 1, p]
    if status == HOSPITAL:
        return HR.total[p] if q == 0 else D.hospital_parts[q - 1, p]
    return D.retained[p]


@inline
def on_duty_after_today(pend, p, ce, t, k):
    """K soldiers join pool p on duty after today: retained (TERM_DECIDED), or serving
    with a term code; a term that ended while away (PASSED, or a day gone by) is due tomorrow."""
    if ce != TERM_DECIDED and ce != PRE and ce != NO_TERM and (ce == PASSED or ce <= t):
        ce = t + 1
    m = pend.used[0]
    pend.pool[m] = p
    pend.term[m] = ce
    pend.count[m] = k
    pend.used[0] = m + 1
