"""The abstract region graph as arrays: kinds, routes, shortest-path next hops.

Regions and routes are synthetic or the user's own, and carry no coordinates.
Units (formations) are stationed round-robin on the front regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from awol.model.interdiction import next_hops
from awol.model.states import DESTINATIONS


class Movement(NamedTuple):
    """What the engines' kernels read of the graph: where an absent soldier goes next, and where he starts.

    An absence from the line starts in the unit's front region; one after treatment in
    the rear (the first region behind the front on the way home), or at home after a
    convalescence there; one after leave at home.
    """

    next_hop: np.ndarray               # [destination, region] next region on a shortest path
    is_exit: np.ndarray                # [region] bool
    is_home: np.ndarray                # [region] bool: police, not search units, find absent soldiers there
    unit_region: np.ndarray            # [unit] front region of each unit
    rear_region: np.ndarray            # [unit] the region behind it on the way home
    home_region: np.ndarray            # [unit] the home region nearest to it


@dataclass(frozen=True)
class Geography:
    """The abstract regions, routes and checkpoints a scenario declares, as arrays (synthetic, never real places)."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    routes: tuple[tuple[int, int], ...]
    route_checkpoints: np.ndarray      # [route] base checkpoints
    route_index: np.ndarray            # [region, region] → route index, −1 if none
    next_hop: np.ndarray               # [destination, region] next region
    is_exit: np.ndarray                # [region] bool
    is_home: np.ndarray                # [region] bool
    base_search: np.ndarray            # [region] base search units
    unit_region: np.ndarray            # [unit] front region of each unit
    rear_region: np.ndarray            # [unit]
    home_region: np.ndarray            # [unit]

    @property
    def n_regions(self) -> int:
        """How many regions, front, rear, home and exit together."""
        return len(self.names)

    def movement(self) -> Movement:
        """The graph as the kernels read it."""
        return Movement(self.next_hop, self.is_exit, self.is_home, self.unit_region, self.rear_region,
                        self.home_region)


def build_geography(pursuit, units: int) -> Geography:
    """The scenario's pursuit section turned into arrays once, so the kernels never read names."""
    names = tuple(r.name for r in pursuit.regions)
    kinds = tuple(r.kind for r in pursuit.regions)
    index = {n: i for i, n in enumerate(names)}
    routes = tuple((index[r.a], index[r.b]) for r in pursuit.routes)
    route_index = np.full((len(names), len(names)), -1, dtype=np.int64)
    for k, (a, b) in enumerate(routes):
        route_index[a, b] = route_index[b, a] = k
    targets = {
        "home": [i for i, k in enumerate(kinds) if k == "home"],
        "exit": [i for i, k in enumerate(kinds) if k == "exit"],
    }
    # With no exit region in the graph, every deserter heads home.
    targets["exit"] = targets["exit"] or targets["home"]
    hops = np.stack([next_hops(len(names), list(routes), targets[d]) for d in DESTINATIONS])
    fronts = np.array([i for i, k in enumerate(kinds) if k == "front"])
    unit_region = fronts[np.arange(units) % len(fronts)].astype(np.int64)
    home_hop = hops[DESTINATIONS.index("home")]
    home_region = unit_region.copy()
    for _ in range(len(names)):  # follow the path home (a region with no way home stays where it is)
        home_region = home_hop[home_region]
    return Geography(
        names=names,
        kinds=kinds,
        routes=routes,
        route_checkpoints=np.array([r.checkpoints for r in pursuit.routes], dtype=float),
        route_index=route_index,
        next_hop=hops.astype(np.int64),
        is_exit=np.array([k == "exit" for k in kinds]),
        is_home=np.array([k == "home" for k in kinds]),
        base_search=np.array([pursuit.search_units.get(n, 0.0) for n in names], dtype=float),
        unit_region=unit_region,
        rear_region=home_hop[unit_region].astype(np.int64),
        home_region=home_region.astype(np.int64),
    )
