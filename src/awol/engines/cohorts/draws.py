"""Exact draws over counts: multinomial splits of competing events, and members picked without replacement.

Uniforms and binomials of small mean come from the run's sequential stream
(`rng.next_uniform`, `rng.binomial`); binomials of large mean and Poisson arrivals
from Numba's generator, seeded once per run (`seed_stream`). One thread consumes
them in a fixed order, so a run is reproducible from its seed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from awol.engines import rng
from awol.engines.rng import binomial, next_uniform

# Kernels run without Numba's reference counting: they allocate nothing (the driver
# passes every array, scratch space included), and the atomic reference-count updates
# that inlined helpers otherwise make on every event took about a third of the time.
kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)


@kernel
def seed_stream(s):
    """Seed Numba's generator (binomials of large mean, Poisson arrivals)."""
    np.random.seed(s)


def stream_seed(seed: int) -> int:
    """The 32-bit seed of Numba's generator for a run, mixed from (seed, COHORTS)."""
    return int(np.random.SeedSequence([int(seed), rng.COHORTS]).generate_state(1, np.uint32)[0])


@inline
def split3(rs, n, p1, p2, p3):
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
def split4(rs, n, p1, p2, p3, p4):
    """Exact multinomial counts of four competing outcomes (unconditional probabilities), as `split3`."""
    ptot = p1 + p2 + p3 + p4
    if n <= 4.0:
        k1 = 0.0
        k2 = 0.0
        k3 = 0.0
        k4 = 0.0
        for _ in range(np.int64(n)):
            v = next_uniform(rs)
            if v < p1:
                k1 += 1.0
            elif v < p1 + p2:
                k2 += 1.0
            elif v < p1 + p2 + p3:
                k3 += 1.0
            elif v < ptot:
                k4 += 1.0
        return k1, k2, k3, k4
    hits = binomial(rs, n, ptot)
    if hits == 0.0:
        return 0.0, 0.0, 0.0, 0.0
    if hits < 48.0:
        k1 = 0.0
        k2 = 0.0
        k3 = 0.0
        for _ in range(np.int64(hits)):
            v = next_uniform(rs) * ptot
            if v < p1:
                k1 += 1.0
            elif v < p1 + p2:
                k2 += 1.0
            elif v < p1 + p2 + p3:
                k3 += 1.0
        return k1, k2, k3, hits - k1 - k2 - k3
    k1 = binomial(rs, hits, p1 / ptot)
    rest = ptot - p1
    k2 = binomial(rs, hits - k1, p2 / rest) if rest > 0.0 else 0.0
    rest2 = rest - p2
    k3 = binomial(rs, hits - k1 - k2, min(1.0, p3 / rest2)) if rest2 > 0.0 else 0.0
    return k1, k2, k3, hits - k1 - k2 - k3


@inline
def pick(avail, x):
    """Index of the member of rank x among `avail` (counts by index), removed from it."""
    n = len(avail)
    for level in range(n):
        if x < avail[level]:
            avail[level] -= 1.0
            return level
        x -= avail[level]
    for level in range(n - 1, -1, -1):  # not reached with integral counts
        if avail[level] > 0.0:
            avail[level] -= 1.0
            return level
    return 0


@kernel
def multinomial(rs, n, cum, out):
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
def draw_index(rs, cum):
    """Index drawn with cumulative probabilities `cum` (inversion by bisection)."""
    return min(np.searchsorted(cum, next_uniform(rs) * cum[len(cum) - 1], side="right"), len(cum) - 1)
