"""M5 Movement and interdiction (claim C4).

A deserter at large is in one region of an abstract graph and heads for home or
for the exit. Each day, in this order of competing events:

  * search: caught inside his region with probability
        p_s = p_max · (1 − exp(−k_s · S_r / (A_r + 1)))
    rising with search units S_r per deserter at large A_r there (Epstein's form);
  * surrender: gives himself up with probability `surrender_per_day`;
  * move: with probability `move_per_day` he tries the next route on the shortest
    path to his destination, and is stopped there with probability
        p_c = 1 − exp(−k_c · c),   c the checkpoints on that route;
    if not stopped he enters the next region; entering an exit region is escape.

Deserters who reach home stay there, still exposed to search. The graph is
synthetic (or the user's own, abstract); nothing here places a real site.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def checkpoint_interception(checkpoints: np.ndarray, k: float) -> np.ndarray:
    return 1.0 - np.exp(-k * np.asarray(checkpoints, float))


def search_capture(search_units: np.ndarray, at_large: np.ndarray, k: float, p_max: float) -> np.ndarray:
    return p_max * (1.0 - np.exp(-k * np.asarray(search_units, float) / (np.asarray(at_large, float) + 1.0)))


def next_hops(n_regions: int, routes: list[tuple[int, int]], targets: list[int]) -> np.ndarray:
    """Next region on a shortest path from every region to the nearest target.

    Returns an int array [n_regions]; a target region maps to itself, and a region
    that cannot reach any target also maps to itself (the deserter stays put).
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
