"""The agent engine's bounds: every soldier's daily event probability p_t stays at or below his class's p̄.

Thinning is exact only if p_t ≤ p̄ for every soldier of a class on every day; when a
class's p̄ rises, its soldiers must draw fresh candidates (`dirty`). Hypothesis drives
the state the hazards depend on (absent soldiers by region, which moves the arrest
probability and deterrence; absences and strength by unit, which move the peer term)
over a few days of a scenario whose combat intensity jumps, and each soldier's
probability is recomputed from the chain (`model.chain.class_events`) with the personal
factors soldiers can really carry (the extremes of risk tolerance, stored as float32).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from awol.engines.agents.bounds import at_large_classes, bound_tables, fit_bounds, largest_factors
from awol.model import chain
from awol.model.desertion import tolerance_factor
from awol.model.rates import Aggregate, Dynamics, make_plan
from awol.model.states import CHANNELS, DETAINED, HOSPITAL, LEAVE, ON_LEAVE, RETAINED, SERVING, TREATMENT
from tests.scenarios import small_scenario

DAYS = 30
INTENSITY = [{"from": "2022-09-24", "value": 1.0}, {"from": "2022-10-04", "value": 3.0},
             {"from": "2022-10-09", "value": 0.5}, {"from": "2022-10-14", "value": 2.5}]


@lru_cache(maxsize=1)
def _scenario():
    # peers and deterrence on, and weights large enough that the state moves the hazard a lot
    return small_scenario(scale=0.01, days=DAYS, casualties__intensity=INTENSITY, desertion__peer_weight=0.5,
                          desertion__deterrence_weight=3.0, population__units=4)


def _member_factors(scenario) -> list[np.ndarray]:
    """[channel] → the personal factors its soldiers can have: τ at 0, its mean and 1, as stored (float32)."""
    weight = scenario.desertion.risk_tolerance_weight
    out = []
    for name in CHANNELS:
        rt = getattr(scenario.channels, name).risk_tolerance
        tau = np.array([rt.mean] if rt.sd == 0 else [0.0, rt.mean, 1.0])
        out.append(tolerance_factor(tau, weight).astype(np.float32).astype(float))
    return out


def _largest_probability(rates, status, role, channel, unit, factors) -> float:
    if status == DETAINED:
        return chain.detention_ends(rates)
    if status == ON_LEAVE:  # the class of a soldier on leave is keyed by the kind of leave (`bounds.leave_kind`)
        return chain.leave_ends(rates, LEAVE if role == 0 else TREATMENT)
    if status == HOSPITAL:
        return sum(chain.class_events(rates, status, role, channel, unit, 1.0))
    return max(sum(chain.class_events(rates, status, role, channel, unit, f)) for f in factors[channel])


def test_largest_factor_bounds_every_factor_a_soldier_can_draw():
    sc = _scenario()
    largest = largest_factors(sc)
    for c, factors in enumerate(_member_factors(sc)):
        assert factors.max() <= largest[c]
        assert largest[c] < factors.max() * (1 + 1e-5)  # and is not loose


day_state = st.fixed_dictionaries({
    "at_large": st.lists(st.floats(0, 2_000), min_size=1, max_size=1),
    "desertions": st.floats(0, 30),
    "hot_unit": st.integers(0, 3),
    "strength": st.floats(0.2, 2.0),
})


@settings(max_examples=30, deadline=None, derandomize=True)
@given(days=st.lists(st.integers(0, DAYS - 1), min_size=1, max_size=4, unique=True).map(sorted),
       states=st.lists(day_state, min_size=4, max_size=4))
def test_every_soldiers_probability_is_below_his_class_bound_and_raised_bounds_are_redrawn(days, states):
    sc = _scenario()
    plan = make_plan(sc, DAYS)
    units, regions = sc.population.units, plan.geography.n_regions
    dynamics = Dynamics(plan)
    B = bound_tables(plan, DAYS, units)
    class_size = np.ones((DETAINED + 1, 3, 3, units), dtype=np.int64)  # every class holds soldiers
    at_large_size = np.ones(at_large_classes(plan), dtype=np.int64)
    moves = plan.geography.movement()
    stats = np.zeros(4, dtype=np.int64)
    factors = _member_factors(sc)
    strength = float(plan.initial_size.sum()) / units
    for t, state in zip(days, states, strict=False):
        at_large = np.zeros(regions)
        at_large[: len(state["at_large"])] = state["at_large"]
        deserted = np.zeros(units)
        deserted[state["hot_unit"]] = state["desertions"]
        agg = Aggregate(at_large_by_region=at_large, on_duty_by_unit=np.full(units, strength * state["strength"]),
                        desertions_by_unit=deserted, on_duty=strength * units)
        rates = dynamics.rates(t, agg)
        before, before_at_large = B.candidate.copy(), B.at_large.candidate.copy()
        redraw = fit_bounds(t, rates, B, class_size, at_large_size, moves, stats)
        raised, raised_at_large = B.candidate > before, B.at_large.candidate > before_at_large
        np.testing.assert_array_equal(B.dirty, raised)
        np.testing.assert_array_equal(B.at_large.dirty, raised_at_large)
        assert redraw == bool(raised.any() or raised_at_large.any())
        for g, d, k in np.ndindex(B.at_large.candidate.shape):  # at large: (region, destination, hiding level)
            found, returns, dies, move = chain.at_large_events(rates, g, k)
            p = found + returns + dies + (move if chain.moves_on(moves.next_hop[d, g], g) else 0.0)
            assert p <= B.at_large.candidate[g, d, k] * (1 + 1e-12), (t, g, d, k, p, B.at_large.candidate[g, d, k])
        for s in (SERVING, RETAINED, HOSPITAL, ON_LEAVE, DETAINED):
            for r in range(3):
                for c in range(3):
                    for u in range(units):
                        p = _largest_probability(rates, s, r, c, u, factors)
                        assert p <= B.candidate[s, r, c, u] * (1 + 1e-12), (t, s, r, c, u, p, B.candidate[s, r, c, u])


def test_an_empty_class_is_never_marked_for_redrawing():
    """A class with no soldier has nobody to redraw: a raised bound there costs no pass."""
    sc = _scenario()
    plan = make_plan(sc, DAYS)
    units = sc.population.units
    B = bound_tables(plan, DAYS, units)
    class_size = np.zeros((DETAINED + 1, 3, 3, units), dtype=np.int64)
    class_size[SERVING, 1, 0, 0] = 5
    agg = Aggregate(np.zeros(plan.geography.n_regions), np.full(units, 100.0), np.zeros(units), 100.0 * units)
    nobody_at_large = np.zeros(at_large_classes(plan), dtype=np.int64)
    assert fit_bounds(0, Dynamics(plan).rates(0, agg), B, class_size, nobody_at_large, plan.geography.movement(),
                      np.zeros(4, dtype=np.int64))
    assert B.dirty.sum() == 1 and B.dirty[SERVING, 1, 0, 0] and not B.at_large.dirty.any()
    assert (B.candidate[: DETAINED + 1] > 0).sum() > 1  # the other bounds were fitted all the same
