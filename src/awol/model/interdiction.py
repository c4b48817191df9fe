"""M5 Movement, detection and hiding (claim C4).

An absent soldier is in one region of an abstract graph and heads for home or for the
exit. Each day, in this order of competing events:

  * detection: in a front, occupied or border region he is caught by search with
        p_s = p_max · (1 − exp(−k_s · S_r / (A_r + 1)))
    rising with search units S_r per absent soldier A_r there (Epstein's form); in a home
    region police and military police find him with `home_detection_per_day` (detection
    at home runs through neighbours, relatives and local police: BBC via Meduza, Oct 2024);
  * voluntary return (M6): he comes back with `voluntary_return_per_day`;
  * death, with `death_at_large_per_day`;
  * move: with probability `move_per_day` he tries the next route on the shortest path
    to his destination, and is stopped there with probability
        p_c = 1 − exp(−k_c · c),   c the checkpoints on that route;
    if not stopped he enters the next region; entering an exit region is escape.

Men differ in how well they hide (some stay away for many months: BBC via Meduza,
Oct 2024): each absence draws a hiding factor η with mean 1, a gamma distribution of
shape `hiding_shape` cut into `hiding_levels` equal-probability levels, each carrying its
conditional mean; detection and voluntary return are multiplied by η. Absent men who
reach home stay there. The graph is synthetic (or the user's own, abstract); nothing
here places a real site.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def checkpoint_interception(checkpoints: np.ndarray, k: float) -> np.ndarray:
    """P(stopped) on routes with `checkpoints` checkpoints each."""
    return 1.0 - np.exp(-k * np.asarray(checkpoints, float))


def search_capture(search_units: np.ndarray, at_large: np.ndarray, k: float, p_max: float) -> np.ndarray:
    """P(caught by search) in each region, given its search units and absent soldiers."""
    return p_max * (1.0 - np.exp(-k * np.asarray(search_units, float) / (np.asarray(at_large, float) + 1.0)))


def detection(search: np.ndarray, is_home: np.ndarray, home_detection: float) -> np.ndarray:
    """P(found) in each region before the hiding factor: by search, or by police at home."""
    return np.where(is_home, home_detection, search)


def hiding_levels(shape: float, levels: int) -> tuple[np.ndarray, np.ndarray]:
    """(factors, probabilities) of the hiding levels: equal-probability bins of Gamma(shape, mean 1).

    Each level carries E[η | η in its bin] = L · (G_{k+1}(b) − G_{k+1}(a)) for a bin [a, b)
    of probability 1/L, G_{k+1} the CDF of Gamma(k + 1, scale 1/k), so the mean factor
    is exactly 1.
    """
    from scipy.special import gammainc, gammaincinv

    edges = np.array([0.0] + [gammaincinv(shape, j / levels) for j in range(1, levels)] + [np.inf])
    upper = gammainc(shape + 1.0, edges)       # in units of the scale 1/shape
    factors = levels * np.diff(upper)
    return factors, np.full(levels, 1.0 / levels)


def next_hops(n_regions: int, routes: list[tuple[int, int]], targets: list[int]) -> np.ndarray:
    """Next region on a shortest path from every region to the nearest target.

    Returns an int array [n_regions]; a target region maps to itself, and a region
    that cannot reach any target also maps to itself (the soldier stays put).
    """
    neighbours: list[list[int]] = [[] for _ in range(n_regions)]
    for a, b in routes:
        neighbours[a].append(b)
        neighbours[b].append(a)
    hop = np.arange(n_regions)
    dist = np.full(n_regions, -1)
    queue = deque()
    for t in targets:
        dist[t] = 0
        queue.append(t)
    while queue:
        here = queue.popleft()
        for there in sorted(neighbours[here]):
            if dist[there] < 0:
                dist[there] = dist[here] + 1
                hop[there] = here
                queue.append(there)
    return hop
