"""The agent engine's calendar: which soldiers are due on which day of the run.

A soldier is visited only on his *candidate days*. While he stays in a status whose
daily event probability is at most p̄ (his bound), his candidate days are a
Bernoulli(p̄) process, so the first one on or after day `first` is `first + G − 1`
with G geometric, P(G = k) = (1 − p̄)^(k − 1) p̄. The engine accepts a candidate with
probability p_t / p̄, which gives every day exactly the probability p_t: thinning, the
discrete-time form of Lewis & Shedler's (1979) method for Poisson processes.

Each day holds a list of the soldiers due that day, stored in blocks of BLOCK ids
drawn from one pool (`first[day]`, `last[day]` its first and last block, `link[b]`
the next block of the same day or of the free list). A day's soldiers are thus read
from contiguous memory, and the fields of one soldier can be fetched while the
previous one is worked on, which a linked list through the soldiers (each id found
only by loading the one before it) would not allow. A soldier is on at most one list,
the one of `visit_day[i]` (a day ≥ days when he has no visit left within the run).
Lists are only ever emptied on their day, each block returned to the pool as soon as
its soldiers are visited; when candidates must be redrawn, the lists of the
remaining days are rebuilt from `visit_day`. The ids waiting on the lists belong to
distinct soldiers, plus at most one block of today's already visited, so with one
partly filled block per day the pool needs at most capacity / BLOCK + days + 2
blocks (`Calendar.reserve` keeps one more).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

NEVER = np.iinfo(np.int32).max   # no visit within the run
END = -1                          # no block
BLOCK = 32                        # soldier ids per block


class CalendarArrays(NamedTuple):
    """The calendar as the kernels see it."""

    first: np.ndarray   # int32 [day]: first block of the day's list, END if none
    last: np.ndarray    # int32 [day]: its last block
    fill: np.ndarray    # int32 [block]: ids held
    link: np.ndarray    # int32 [block]: next block of the same list, or of the free list
    ids: np.ndarray     # int32 [block * BLOCK]: soldier ids
    free: np.ndarray    # int64 [1]: first block of the free list


class Calendar:
    """The block pool and the per-day lists, as arrays for the kernels (`arrays()`)."""

    def __init__(self, days: int, capacity: int):
        self.days = days
        self.first = np.full(days, END, dtype=np.int32)
        self.last = np.full(days, END, dtype=np.int32)
        self.free = np.array([END], dtype=np.int64)
        self.fill = np.zeros(0, dtype=np.int32)
        self.link = np.zeros(0, dtype=np.int32)
        self.ids = np.zeros(0, dtype=np.int32)
        self.reserve(capacity)

    def reserve(self, capacity: int) -> None:
        """Enough blocks for `capacity` soldiers; new blocks go on the free list."""
        old = len(self.fill)
        blocks = capacity // BLOCK + self.days + 3
        if blocks <= old:
            return
        self.fill = np.concatenate([self.fill, np.zeros(blocks - old, dtype=np.int32)])
        link = np.arange(old + 1, blocks + 1, dtype=np.int32)
        link[-1] = self.free[0]
        self.link = np.concatenate([self.link, link])
        self.free[0] = old
        self.ids = np.concatenate([self.ids, np.zeros((blocks - old) * BLOCK, dtype=np.int32)])

    def arrays(self) -> CalendarArrays:
        """The calendar as the kernels see it (rebuilt after the arrays grow)."""
        return CalendarArrays(self.first, self.last, self.fill, self.link, self.ids, self.free)


@njit(cache=True, inline="always", _nrt=False)
def gap_scale(p):
    """1 / log(1 − p), the factor `candidate_day` turns a uniform into a gap with (0 for p ≥ 1)."""
    if p >= 1.0:
        return 0.0
    if p <= 0.0:
        return -np.inf
    return 1.0 / np.log1p(-p)


@njit(cache=True, inline="always", _nrt=False)
def none_left(p, left):
    """(1 − p)^left: the probability that none of `left` days is a candidate."""
    if left <= 0 or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return np.exp(left * np.log1p(-p))


@njit(cache=True, inline="always", _nrt=False)
def candidate_day(u, scale, nothing_left, first, days):
    """First candidate day on or after `first` of a Bernoulli(p) process, from one uniform u in [0, 1),
    scale = gap_scale(p) and nothing_left = none_left(p, days − first); `days` (the end of the
    run) if there is none before it.

    G − 1 = floor(log(1 − u) / log(1 − p)) has P(G − 1 ≥ k) = P(1 − u ≤ (1 − p)^k) = (1 − p)^k,
    as 1 − u is uniform on (0, 1]. The run's end is reached exactly when 1 − u ≤ (1 − p)^(days − first),
    which spares the logarithm for most soldiers with rare events.
    """
    if 1.0 - u <= nothing_left:
        return days
    skipped = np.floor(np.log(1.0 - u) * scale)
    left = float(days - first)
    return first + int(skipped if skipped < left else left)


@njit(cache=True, inline="always", _nrt=False)
def schedule(C, visit_day, i, day, days):
    """Put soldier i on the list of `day` (on none if the day is past the run)."""
    visit_day[i] = day
    if day >= days:
        return
    b = C.last[day]
    if b == END or C.fill[b] == BLOCK:
        nb = C.free[0]
        C.free[0] = C.link[nb]
        C.link[nb] = END
        C.fill[nb] = 0
        if b == END:
            C.first[day] = nb
        else:
            C.link[b] = nb
        C.last[day] = nb
        b = nb
    C.ids[b * BLOCK + C.fill[b]] = i
    C.fill[b] += 1


@njit(cache=True, inline="always", _nrt=False)
def release_day(C, day):
    """Return the blocks of `day` to the free list; the day's list is then empty."""
    b = C.first[day]
    while b != END:
        nb = C.link[b]
        C.link[b] = C.free[0]
        C.free[0] = b
        b = nb
    C.first[day] = END
    C.last[day] = END


@njit(cache=True, _nrt=False)
def rebuild(C, visit_day, n, start, days):
    """Lists of days `start`, …, days − 1 rebuilt from the visit days of soldiers 0, …, n − 1."""
    for d in range(start, days):
        release_day(C, d)
    for i in range(n):
        d = visit_day[i]
        if start <= d < days:
            schedule(C, visit_day, i, d, days)
