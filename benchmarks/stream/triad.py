"""STREAM triad, a[i] = b[i] + s·c[i], with Numba over all cores: the machine's memory bandwidth.

McCalpin's STREAM counts 24 bytes per element for the float64 triad (read b and c,
write a; the write-allocate read of a is not counted). Arrays are far larger than
the last-level cache; the best of several repeats is reported, as STREAM does.
"""

from __future__ import annotations

import time

import numba
import numpy as np
from numba import njit, prange

BYTES_PER_ELEMENT = 24


@njit(parallel=True, cache=True)
def triad(a, b, c, s):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


def bandwidth(elements: int = 1 << 25, repeats: int = 10) -> dict:
    """Best triad bandwidth in GB/s (10⁹ bytes/s) over `repeats`, with what was measured."""
    b = np.full(elements, 1.0)
    c = np.full(elements, 2.0)
    a = np.empty(elements)
    triad(a, b, c, 3.0)  # compile, and touch every page
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        triad(a, b, c, 3.0)
        best = min(best, time.perf_counter() - started)
    if not np.all(a[:: 1 << 16] == 7.0):
        raise RuntimeError("triad gave a wrong result")
    return {
        "gb_per_s": BYTES_PER_ELEMENT * elements / best / 1e9,
        "elements": elements,
        "array_mb": 8 * elements / 1e6,
        "repeats": repeats,
        "best_seconds": best,
        "threads": numba.get_num_threads(),
    }


if __name__ == "__main__":
    r = bandwidth()
    print(f"STREAM triad: {r['gb_per_s']:.1f} GB/s ({r['threads']} threads, 3 × {r['array_mb']:.0f} MB arrays, best "
          f"of {r['repeats']})")
