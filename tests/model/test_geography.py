"""The region graph as the engines read it: routes both ways, shortest next hops, where units stand."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace

import numpy as np

from awol.model.geography import build_geography
from awol.model.states import DESTINATIONS, EXIT, HOME

# Synthetic regions: two fronts behind one occupied region, a border, home and an exit.
#   front-a ─ occupied ─ border ─ home
#   front-b ─┘              └── exit ──┘
REGIONS = [("front-a", "front"), ("front-b", "front"), ("occupied", "occupied"), ("border", "border"),
           ("home", "home"), ("exit", "exit")]
ROUTES = [("front-a", "occupied", 2), ("front-b", "occupied", 2), ("occupied", "border", 4), ("border", "home", 3),
          ("border", "exit", 8), ("home", "exit", 4)]


def pursuit(regions=REGIONS, routes=ROUTES, search=None):
    return SimpleNamespace(
        regions=[SimpleNamespace(name=n, kind=k) for n, k in regions],
        routes=[SimpleNamespace(a=a, b=b, checkpoints=c) for a, b, c in routes],
        search_units=search if search is not None else {"occupied": 40.0, "border": 20.0},
    )


def distances(n: int, routes: list[tuple[int, int]], targets: list[int]) -> np.ndarray:
    """Breadth-first distance of every region to the nearest target (inf if unreachable)."""
    neighbours = {i: set() for i in range(n)}
    for a, b in routes:
        neighbours[a].add(b)
        neighbours[b].add(a)
    dist = np.full(n, np.inf)
    queue = deque(targets)
    for t in targets:
        dist[t] = 0
    while queue:
        i = queue.popleft()
        for j in neighbours[i]:
            if dist[j] == np.inf:
                dist[j] = dist[i] + 1
                queue.append(j)
    return dist


def test_every_route_is_indexed_both_ways_and_nothing_else_is():
    geo = build_geography(pursuit(), units=3)
    assert geo.n_regions == len(REGIONS)
    expected = np.full((6, 6), -1)
    for k, (a, b) in enumerate(geo.routes):
        expected[a, b] = expected[b, a] = k
    np.testing.assert_array_equal(geo.route_index, expected)
    np.testing.assert_array_equal(geo.route_checkpoints, [2, 2, 4, 3, 8, 4])
    assert geo.names[geo.routes[2][0]] == "occupied" and geo.names[geo.routes[2][1]] == "border"


def test_next_hops_walk_a_shortest_path_along_routes_to_the_destination():
    geo = build_geography(pursuit(), units=3)
    kinds = np.array(geo.kinds)
    for d, name in enumerate(DESTINATIONS):
        targets = list(np.flatnonzero(kinds == name))
        dist = distances(geo.n_regions, list(geo.routes), targets)
        for start in range(geo.n_regions):
            region, steps = start, 0
            while region not in targets:
                nxt = geo.next_hop[d, region]
                assert geo.route_index[region, nxt] >= 0, (name, region, nxt)  # moves along a route
                region, steps = nxt, steps + 1
                assert steps <= geo.n_regions
            assert steps == dist[start], (name, geo.names[start])
            if start in targets:
                assert geo.next_hop[d, start] == start  # at the destination he stays


def test_units_stand_round_robin_on_the_fronts_with_the_rear_and_home_behind_them():
    geo = build_geography(pursuit(), units=5)
    names = [geo.names[i] for i in geo.unit_region]
    assert names == ["front-a", "front-b", "front-a", "front-b", "front-a"]
    assert {geo.names[i] for i in geo.rear_region} == {"occupied"}
    assert {geo.names[i] for i in geo.home_region} == {"home"}
    m = geo.movement()
    np.testing.assert_array_equal(m.unit_region, geo.unit_region)
    np.testing.assert_array_equal(m.next_hop, geo.next_hop)


def test_home_and_exit_flags_and_search_units_by_name():
    geo = build_geography(pursuit(), units=1)
    assert [geo.names[i] for i in np.flatnonzero(geo.is_home)] == ["home"]
    assert [geo.names[i] for i in np.flatnonzero(geo.is_exit)] == ["exit"]
    np.testing.assert_array_equal(geo.base_search, [0, 0, 40, 20, 0, 0])


def test_without_an_exit_every_deserter_heads_home():
    regions = [r for r in REGIONS if r[1] != "exit"]
    routes = [r for r in ROUTES if "exit" not in r[:2]]
    geo = build_geography(pursuit(regions, routes), units=2)
    np.testing.assert_array_equal(geo.next_hop[EXIT], geo.next_hop[HOME])
    assert not geo.is_exit.any()
