"""The schema refuses numbers no system has (non-finite, beyond the documented limits), dates that are
not dates, schedules outside the run and route graphs with no way out, naming the field each time."""

from __future__ import annotations

import copy
import math

import pytest

from awol.scenario import limits
from awol.scenario.load import ScenarioError, read_tree, scenario_from_tree
from awol.scenario.provenance import set_path, strip_annotations

BASE, _ = strip_annotations(read_tree("baseline"))


def problems_with(changes: dict) -> list[str]:
    tree = copy.deepcopy(BASE)
    for path, value in changes.items():
        set_path(tree, path, value)
    with pytest.raises(ScenarioError) as info:
        scenario_from_tree(tree)
    return [str(p) for p in info.value.problems]


def accepted(changes: dict):
    tree = copy.deepcopy(BASE)
    for path, value in changes.items():
        set_path(tree, path, value)
    return scenario_from_tree(tree)


# (path, value): each was accepted by `awol validate` before issue 16.
REFUSED = [
    ("desertion.risk_weight", math.nan),
    ("desertion.grievance_weight", math.inf),
    ("desertion.channel_weight.detainee", -math.inf),
    ("desertion.risk_tolerance_weight", 1e308),
    ("desertion.peer_weight", 1e308),
    ("desertion.arrest_k", 1e308),
    ("pursuit.search_k", math.inf),
    ("pursuit.checkpoint_k", 1e308),
    ("population.volunteer.size", 10**12),
    ("population.detainee.size", limits.MAX_SOLDIERS + 1),
    ("recruitment.volunteer_per_day[0].value", 1e15),
    ("recruitment.volunteer_per_day[1].value", math.inf),
    ("recruitment.bonus_reference", math.inf),
    ("recruitment.bonus_elasticity", 1e308),
    ("recruitment.bonus[0].value", math.inf),
    ("recruitment.bonus[1].value", math.nan),
    ("recruitment.detentions_per_day[0].value", 1e15),
    ("recruitment.force_target", {"size": 10**12, "channel": "volunteer", "closing_days": 30, "max_per_day": 10}),
    ("casualties.recovery_days", 1e300),
    ("pursuit.detention_days", 1e300),
    ("observation.filing_lag_days", 1e300),
    ("observation.verdict_lag_days", math.inf),
    ("desertion.peer_memory_days", limits.MAX_DAYS + 1),
    ("pursuit.adaptive.lag_days", 10**12),
    ("pursuit.adaptive.max_search_units", 1e308),
    ("pursuit.search_units.border", math.inf),
    ("pursuit.amnesty_return_multiplier", 1e308),
    ("casualties.intensity[0].value", math.nan),
    ("channels.volunteer.term_months", {10**9: 1.0}),
    ("population.volunteer.started_within_months", 1e300),
    ("simulation.start", "2022-02-30"),
    ("simulation.start", "0001-01-01"),
    ("simulation.start", "9999-12-31"),
    ("recruitment.mobilisation", [{"start": "2022-13-01", "size": 10, "days": 5}]),
    ("recruitment.mobilisation", [{"start": "2022-10-01", "size": 10**12, "days": 5}]),
    ("name", "x" * 1000),
]


@pytest.mark.parametrize("path, value", REFUSED, ids=[f"{p}={v!r}"[:60] for p, v in REFUSED])
def test_absurd_values_are_refused_naming_the_field(path, value):
    found = problems_with({path: value})
    head = path.split("[")[0]
    assert any(p.startswith(head) for p in found), found


def test_the_limits_themselves_are_accepted():
    accepted({"population.volunteer.size": limits.MAX_SOLDIERS, "desertion.risk_weight": limits.MAX_WEIGHT,
              "observation.filing_lag_days": limits.MAX_DAYS, "simulation.start": limits.LATEST_DATE,
              "simulation.days": limits.MAX_DAYS,
              "policy.release_at_term": [{"from": limits.LATEST_DATE, "value": 0.03}]})


def test_a_bonus_response_beyond_the_inflow_limit_is_refused():
    """Each number within its own limit, but together a volunteer inflow of 10⁶ × 10^(12·10) a day."""
    found = problems_with({"recruitment.volunteer_per_day[0].value": 1000.0, "recruitment.bonus_elasticity": 10.0,
                           "recruitment.bonus_reference[0].value": 1.0, "recruitment.bonus[0].value": 1e12})
    assert any(p.startswith("recruitment.volunteer_per_day:") and "volunteers a day" in p for p in found), found


def test_a_date_that_does_not_exist_is_named_as_a_date():
    (found,) = problems_with({"simulation.start": "2022-02-30"})
    assert found.startswith("simulation.start:") and "date" in found and "2022-02-30" in found


def test_a_schedule_whose_only_step_lies_after_the_run_is_refused():
    found = problems_with({"policy.amnesty": [{"from": "2030-01-01", "value": 1.0}]})
    assert any(p.startswith("policy.amnesty[0].from:") and "after the run's last day 2025-06-30" in p
               for p in found), found
    # a first step within the run is fine, and so is a later step beyond it
    accepted({"policy.amnesty": [{"from": "2025-06-30", "value": 0.0}, {"from": "2030-01-01", "value": 1.0}]})


def test_a_route_from_a_region_to_itself_is_refused():
    routes = copy.deepcopy(BASE["pursuit"]["routes"]) + [{"from": "border", "to": "border", "checkpoints": 1}]
    found = problems_with({"pursuit.routes": routes})
    assert any(p.startswith("pursuit.routes[9]:") and "both 'border'" in p for p in found), found


def test_a_route_given_twice_is_refused():
    again = {"from": "occupied-east", "to": "front-north", "checkpoints": 1}
    routes = copy.deepcopy(BASE["pursuit"]["routes"]) + [again]
    found = problems_with({"pursuit.routes": routes})
    assert any(p.startswith("pursuit.routes[9]:") and "routes[0]" in p for p in found), found


def test_a_front_region_with_no_way_home_is_refused():
    """Cut the routes out of the occupied east: front-north can reach nothing."""
    routes = [r for r in BASE["pursuit"]["routes"] if "front-north" not in (r["from"], r["to"])]
    found = problems_with({"pursuit.routes": routes})
    assert any(p.startswith("pursuit.routes:") and "'front-north'" in p and "'home'" in p for p in found), found


def test_a_front_region_with_no_way_abroad_is_refused_only_if_deserters_head_abroad():
    routes = [r for r in BASE["pursuit"]["routes"] if "abroad" not in (r["from"], r["to"])]
    found = problems_with({"pursuit.routes": routes})
    assert any("'exit'" in p for p in found), found
    accepted({"pursuit.routes": routes, "desertion.exit_share": 0.0})
