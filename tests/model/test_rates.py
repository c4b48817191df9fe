"""One day's rates: schedules reach the mechanisms on the right dates."""

from __future__ import annotations

import numpy as np

from awol.model.rates import Aggregate, Dynamics, make_plan
from awol.scenario.load import scenario_from_tree
from tests.scenarios import small_scenario, small_tree


def quiet(units: int, regions: int) -> Aggregate:
    return Aggregate(np.zeros(regions), np.full(units, 100.0), np.zeros(units), 100.0 * units)


def test_fixed_pursuit_schedule_scales_search_and_checkpoints():
    tree = small_tree(days=30, pursuit__adaptive__enabled=False)
    tree["pursuit"]["level"] = [{"from": "2022-09-24", "value": 1.0}, {"from": "2022-10-04", "value": 2.0}]
    scenario = scenario_from_tree(tree)
    plan = make_plan(scenario)
    dynamics = Dynamics(plan)
    agg = quiet(scenario.population.units, plan.geography.n_regions)
    before = dynamics.rates(5, agg)
    after = dynamics.rates(15, agg)
    assert after.search_units == 2 * before.search_units
    assert after.checkpoints == 2 * before.checkpoints
    assert (after.detection >= before.detection).all() and (after.detection > before.detection).any()


def test_policy_schedule_switches_on_its_date():
    scenario = small_scenario(
        days=30,
        policy__release_at_term=[{"from": "2022-09-24", "value": 0.0}, {"from": "2022-10-01", "value": 0.9}],
    )
    plan = make_plan(scenario)
    dynamics = Dynamics(plan)
    agg = quiet(scenario.population.units, plan.geography.n_regions)
    assert (dynamics.rates(6, agg).release[:2] == 0.0).all()
    assert (dynamics.rates(7, agg).release[:2] == 0.9).all()
