"""Dense pools of soldiers on duty and away (in hospital, on leave), kept in parts by what they carry about their term.

A pool is one (ever-absent flag, role, channel, unit, risk level): within it every
hazard is the same, and soldiers differ only in their term, the one thing M1 reads. A
pool keeps them in parts:

- the **ring**: recruits, whose term ends on a known day; a ring of counts by that day;
- **pre**: the initial force before its term ends (its end days are independent of its
  course, so its terms end by each channel's hazard, `arrivals.term_end_hazard`);
- **no term** (mobilised); while away also **passed** (the term ended while away: due
  the day after return) and **decided** (retained past term); on duty the retained are
  their own count.

Soldiers are on duty (serving, retained) or away in one of three places, each with one
event that ends the stay: hospital, rotation leave, convalescence at home. Soldiers who
come back on duty during a day wait in `Pending` and join after it, so nobody moves
twice in a day.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from awol.engines.cohorts.table import NO_TERM, PASSED, PRE, TERM_DECIDED
from awol.engines.rng import next_uniform
from awol.model.states import HOSPITAL, LEAVE, RETAINED, SERVING

inline = njit(cache=True, inline="always", _nrt=False)

BLOCK_SHIFT = 5              # ring block of 32 days, for picking an end day

# The rings: serving soldiers, and each place away.
R_SERVING, R_HOSPITAL, R_LEAVE, R_CONVALESCENCE = range(4)
N_AWAY = 3                    # places away: hospital, rotation leave, convalescence (ring index − 1)

# Parts of a pool besides its ring (part 0 of a class's parts is the ring).
S_PRE, S_NOTERM = 0, 1                                 # serving
A_PRE, A_NOTERM, A_PASSED, A_DECIDED = 0, 1, 2, 3      # away
N_PARTS_SERVING, N_PARTS_AWAY = 3, 5                   # ring + the above

# Columns of the pool table (`pool_table`): what pool p is.
P_FLAG, P_ROLE, P_CHANNEL, P_UNIT, P_LEVEL = range(5)


class Layout(NamedTuple):
    """The pools' dimensions."""

    units: int
    levels: int          # risk levels per (flag, role, channel, unit) group
    ring_days: int       # ring length, a multiple of the block


class Rings(NamedTuple):
    """Soldiers by the day their term ends, per ring and pool (day modulo the ring's length)."""

    counts: np.ndarray   # [ring, pool, day mod L]
    blocks: np.ndarray   # [ring, pool, block]: sums of 2^BLOCK_SHIFT-day blocks, to pick a member
    total: np.ndarray    # [ring, pool]
    due: np.ndarray      # uint64 [ring, day mod L, pool / 64]: pools with someone due that day


class Pools(NamedTuple):
    """Counts of the pools' parts."""

    serving_parts: np.ndarray    # [S_PRE / S_NOTERM, pool]
    serving: np.ndarray          # [pool] all serving (ring included)
    retained: np.ndarray         # [pool]
    away_parts: np.ndarray       # [place, A_*, pool]
    away: np.ndarray             # [place, pool] all away there (ring included)


class Pending(NamedTuple):
    """Soldiers who join a pool on duty after the day: pool, term code, count."""

    pool: np.ndarray     # int64
    term: np.ndarray     # int64: TERM_DECIDED (retained), a day, PRE or NO_TERM
    used: np.ndarray     # int64 [1]
    count: np.ndarray    # float64


def rings(pools: int, days: int) -> Rings:
    """Empty rings of `days` slots for `pools` pools."""
    return Rings(np.zeros((4, pools, days)), np.zeros((4, pools, days >> BLOCK_SHIFT)), np.zeros((4, pools)),
                 np.zeros((4, days, (pools + 63) // 64), dtype=np.uint64))


def empty_pools(pools: int) -> Pools:
    """No soldier in any part."""
    return Pools(np.zeros((2, pools)), np.zeros(pools), np.zeros(pools), np.zeros((N_AWAY, 4, pools)),
                 np.zeros((N_AWAY, pools)))


def pending(size: int, used=None) -> Pending:
    """Room for `size` entries (keeping `used` when the room grows)."""
    return Pending(np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64),
                   np.zeros(1, dtype=np.int64) if used is None else used, np.zeros(size))


def pool_table(layout: Layout) -> np.ndarray:
    """[pool, P_*]: the flag, role, channel, unit and level of every pool."""
    n = 18 * layout.units * layout.levels
    return np.array(np.unravel_index(np.arange(n), (2, 3, 3, layout.units, layout.levels))).T.astype(np.int64).copy()


@inline
def pool_of(flag, role, channel, unit, level, layout):
    """The pool of soldiers with these attributes."""
    return (((flag * 3 + role) * 3 + channel) * layout.units + unit) * layout.levels + level


@inline
def place_of(status, kind):
    """The place away (0 hospital, 1 rotation leave, 2 convalescence) of a soldier in `status`
    (HOSPITAL or ON_LEAVE) on leave of `kind`."""
    if status == HOSPITAL:
        return 0
    return 1 if kind == LEAVE else 2


# ---------------------------------------------------------------- rings

@inline
def ring_add(R, ring, p, ce, k):
    """k soldiers whose term ends on day ce into pool p of ring `ring`."""
    j = ce % R.counts.shape[2]
    R.counts[ring, p, j] += k
    R.blocks[ring, p, j >> BLOCK_SHIFT] += k
    R.total[ring, p] += k
    R.due[ring, j, p >> 6] |= np.uint64(1) << np.uint64(p & 63)


@inline
def ring_take(rs, R, ring, p, t):
    """Remove one member of pool p's ring at random; the day his term ends."""
    x = np.floor(next_uniform(rs) * R.total[ring, p])
    R.total[ring, p] -= 1.0
    L = R.counts.shape[2]
    last = -1
    for b in range(R.blocks.shape[2]):
        v = R.blocks[ring, p, b]
        if v == 0.0:
            continue
        last = b
        if x < v:
            j = b << BLOCK_SHIFT
            while True:
                r = R.counts[ring, p, j]
                if x < r:
                    R.counts[ring, p, j] = r - 1.0
                    R.blocks[ring, p, b] = v - 1.0
                    return t + (j - t) % L
                x -= r
                j += 1
        x -= v
    # rounding cannot bring us here with integral counts; take the last member
    j = ((last + 1) << BLOCK_SHIFT) - 1
    while R.counts[ring, p, j] == 0.0:
        j -= 1
    R.counts[ring, p, j] -= 1.0
    R.blocks[ring, p, last] -= 1.0
    return t + (j - t) % L


@inline
def ring_due(R, ring, p, j):
    """Empty pool p's slot j of ring `ring` (due today); the number of soldiers it held."""
    k = R.counts[ring, p, j]
    if k != 0.0:
        R.counts[ring, p, j] = 0.0
        R.blocks[ring, p, j >> BLOCK_SHIFT] -= k
        R.total[ring, p] -= k
    return k


# ---------------------------------------------------------------- pools

@inline
def serving_add(R, D, p, ce, k):
    """k serving soldiers into pool p now: ce a day (ring), PRE or NO_TERM."""
    if ce == PRE:
        D.serving_parts[S_PRE, p] += k
    elif ce == NO_TERM:
        D.serving_parts[S_NOTERM, p] += k
    else:
        ring_add(R, R_SERVING, p, ce, k)
    D.serving[p] += k


@inline
def away_add(R, D, place, p, ce, t, k):
    """k soldiers into pool p of a place away, after today's terms were settled: an end day
    already gone by is PASSED (due when he is back)."""
    if ce == PRE:
        D.away_parts[place, A_PRE, p] += k
    elif ce == NO_TERM:
        D.away_parts[place, A_NOTERM, p] += k
    elif ce == TERM_DECIDED:
        D.away_parts[place, A_DECIDED, p] += k
    elif ce == PASSED or ce <= t:
        D.away_parts[place, A_PASSED, p] += k
    else:
        ring_add(R, place + 1, p, ce, k)
    D.away[place, p] += k


@inline
def class_total(status, place, p, D):
    """Soldiers of pool p in the class of `status` (and `place` when away)."""
    if status == SERVING:
        return D.serving[p]
    if status == RETAINED:
        return D.retained[p]
    return D.away[place, p]


@inline
def part_count(status, place, q, p, R, D):
    """Members of part q of pool p in the class of `status` (part 0 is the ring)."""
    if status == SERVING:
        return R.total[R_SERVING, p] if q == 0 else D.serving_parts[q - 1, p]
    if status == RETAINED:
        return D.retained[p]
    return R.total[place + 1, p] if q == 0 else D.away_parts[place, q - 1, p]


@inline
def on_duty_after_today(pend, p, ce, t, k):
    """k soldiers join pool p on duty after today: retained (TERM_DECIDED), or serving
    with a term code; a term that ended while away (PASSED, or a day gone by) is due tomorrow."""
    if ce != TERM_DECIDED and ce != PRE and ce != NO_TERM and (ce == PASSED or ce <= t):
        ce = t + 1
    m = pend.used[0]
    pend.pool[m] = p
    pend.term[m] = ce
    pend.count[m] = k
    pend.used[0] = m + 1

