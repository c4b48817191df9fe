"""Edits to a scenario tree: one parameter by path, many at once, a whole scenario scaled."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from awol.scenario.edits import (
    EditError,
    outside_range,
    parameter_node,
    parameter_value,
    scaled,
    set_parameter,
    with_values,
)
from awol.scenario.load import read_tree, scenario_from_tree


@pytest.fixture
def tree():
    return copy.deepcopy(read_tree("baseline"))


def test_an_annotated_number_keeps_its_range_and_source(tree):
    set_parameter(tree, "desertion.base_per_day", 5e-5)
    node = parameter_node(tree, "desertion.base_per_day")
    assert node == {"value": 5e-5, "range": [1e-05, 0.00015],
                    "source": "calibrated: to the court tally; the line pathway alone"}
    assert scenario_from_tree(tree).desertion.base_per_day == 5e-5


def test_a_value_outside_the_range_is_allowed_and_drops_the_range_but_not_the_source(tree):
    assert outside_range(tree, "desertion.base_per_day", 1e-3) == (1e-05, 0.00015)
    assert outside_range(tree, "desertion.base_per_day", 1e-4) is None
    set_parameter(tree, "desertion.base_per_day", 1e-3)
    node = parameter_node(tree, "desertion.base_per_day")
    assert "range" not in node and node["value"] == 1e-3 and node["source"].startswith("calibrated")
    assert outside_range(tree, "desertion.base_per_day", 1.0) is None  # no range left to be outside of


def test_integers_stay_integers_and_switches_stay_switches(tree):
    set_parameter(tree, "population.units", 30.6)
    units = parameter_value(tree, "population.units")
    assert units == 31 and isinstance(units, int)
    set_parameter(tree, "pursuit.adaptive.enabled", False)
    assert parameter_value(tree, "pursuit.adaptive.enabled") is False
    set_parameter(tree, "policy.release_at_term[0].value", 1)  # an int for a float parameter becomes a float
    assert isinstance(parameter_value(tree, "policy.release_at_term[0].value"), float)
    sc = scenario_from_tree(tree)
    assert sc.population.units == 31 and sc.pursuit.adaptive.enabled is False


def test_a_schedule_date_takes_a_date_only(tree):
    set_parameter(tree, "recruitment.volunteer_per_day[1].from", dt.date(2024, 2, 1))
    assert parameter_value(tree, "recruitment.volunteer_per_day[1].from") == dt.date(2024, 2, 1)
    with pytest.raises(EditError, match=r"recruitment.volunteer_per_day\[1\].from: 3.0 is not a date"):
        set_parameter(tree, "recruitment.volunteer_per_day[1].from", 3.0)


@pytest.mark.parametrize("path, value, message", [
    ("desertion.no_such", 1.0, "desertion.no_such: no such parameter in this scenario"),
    ("policy.release_at_term[99].value", 1.0, r"policy.release_at_term\[99\].value: no such parameter"),
    ("pursuit.regions", 1.0, "pursuit.regions: names a section, not a parameter"),
    ("pursuit.adaptive", 1.0, "pursuit.adaptive: names a section, not a parameter"),
    ("pursuit.adaptive.enabled", 1, "pursuit.adaptive.enabled: 1 is not a switch; give true or false"),
    ("desertion.base_per_day", True, "desertion.base_per_day: True is not a finite number"),
    ("desertion.base_per_day", float("nan"), "desertion.base_per_day: nan is not a finite number"),
    ("population.units", float("inf"), "population.units: inf is not a finite number"),
    ("desertion.base_per_day", "0.1", "desertion.base_per_day: '0.1' is not a finite number"),
])
def test_edits_that_cannot_apply_name_the_path_and_value(tree, path, value, message):
    before = copy.deepcopy(tree)
    with pytest.raises(EditError, match=message) as refused:
        set_parameter(tree, path, value)
    assert len(refused.value.problems) == 1
    assert tree == before  # nothing half-applied


def test_with_values_edits_a_copy_and_lists_every_path_it_cannot_set(tree):
    before = copy.deepcopy(tree)
    edited = with_values(tree, {"desertion.base_per_day": 4e-5, "population.units": 12})
    assert tree == before
    assert parameter_value(edited, "desertion.base_per_day") == 4e-5
    assert parameter_value(edited, "population.units") == 12
    with pytest.raises(EditError) as refused:
        with_values(tree, {"desertion.nope": 1.0, "desertion.base_per_day": 1e-5, "pursuit.adaptive.enabled": 0.5})
    assert [p.split(":")[0] for p in refused.value.problems] == ["desertion.nope", "pursuit.adaptive.enabled"]
    assert str(refused.value) == "; ".join(refused.value.problems)
    assert tree == before


def test_scaled_sets_the_scale_on_a_copy_and_refuses_scales_outside_0_1(tree):
    before = copy.deepcopy(tree)
    small = scaled(tree, 0.05)
    assert tree == before and small["simulation"]["scale"] == 0.05
    assert scenario_from_tree(small).simulation.scale == 0.05
    for bad in (0, -0.1, 1.5, float("nan"), True, "0.1"):
        with pytest.raises(EditError, match="scale: .*; must be a number in \\(0, 1\\]"):
            scaled(tree, bad)
    assert scaled(tree, 1)["simulation"]["scale"] == 1.0
