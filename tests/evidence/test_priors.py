"""Declared priors: the file loads with a source for each driver; a point of the unit cube edits the scenario
as its kind says (a number, a change point's date, a scale on a schedule, an error parameter)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from awol.evidence.priors import (
    CalibrationError,
    Prior,
    declared_priors,
    from_unit,
    sample_unit,
    scenario_at_point,
    to_unit,
)
from awol.scenario.load import load_scenario
from tests.scenarios import small_tree


def test_declared_priors_cover_the_drivers_with_sources():
    priors = declared_priors(scenario=load_scenario("baseline"))
    kinds = {p.kind for p in priors}
    assert kinds == {"path", "date_of", "scale_of", "error"}
    assert len([p for p in priors if p.kind != "error"]) >= 8
    assert all(len(p.source) > 10 for p in priors)
    names = {p.name for p in priors}
    assert {"reporting_share", "prosecution_change", "volunteer_rate", "casualty_intensity", "home_detection",
            "voluntary_return", "leave_no_return", "treatment_no_return"} <= names


def test_unit_cube_maps_to_values_and_back():
    log = Prior("x", 1e-5, 1e-3, "loguniform")
    lin = Prior("y", 2.0, 4.0)
    u = sample_unit(1000, 2, seed=1)
    values = from_unit([log, lin], u)
    assert np.allclose(to_unit([log, lin], values), u)
    assert np.isclose(log.from_unit(0.5), 1e-4) and np.isclose(lin.from_unit(0.5), 3.0)
    assert values[:, 0].min() >= 1e-5 and values[:, 0].max() <= 1e-3
    assert np.isclose(lin.width90(), 1.8) and np.isclose(log.width90(), 10**-3.1 - 10**-4.9)


def test_sample_unit_is_prefix_stable():
    assert np.array_equal(sample_unit(10, 3, seed=4), sample_unit(25, 3, seed=4)[:10])


def test_a_point_edits_the_scenario_by_kind():
    tree = small_tree(scale=0.05, days=60)
    priors = [
        Prior("desertion.base_per_day", 1e-5, 1e-4, kind="path"),
        Prior("policy.prosecution_share[1].from", 30, 300, kind="date_of"),
        Prior("casualties.intensity", 0.5, 2.0, kind="scale_of"),
        Prior("relay_sd", 0.0, 0.25, kind="error"),
    ]
    scenario, errors = scenario_at_point(tree, priors, [5e-5, 100.4, 2.0, 0.1])
    assert scenario.desertion.base_per_day == 5e-5
    assert scenario.policy.prosecution_share[1].start == dt.date(2022, 9, 24) + dt.timedelta(days=100)
    base = [step["value"] for step in tree["casualties"]["intensity"]]
    assert [s.value for s in scenario.casualties.intensity] == pytest.approx([2 * b for b in base])
    assert errors == {"court_month_sd": 0.0, "relay_sd": 0.1}


def test_unknown_targets_are_named():
    scenario = load_scenario("baseline")
    bad = [
        Prior("desertion.no_such", 0, 1),
        Prior("desertion.base_per_day", 0, 1, kind="scale_of"),
        Prior("desertion.base_per_day", 0, 1, kind="date_of"),
    ]
    from awol.evidence.priors import check_applicable

    with pytest.raises(CalibrationError) as caught:
        check_applicable(scenario, bad)
    assert len(caught.value.problems) == 3
    assert "not in scenario" in caught.value.problems[0] and "schedule" in caught.value.problems[1]


def test_bad_declarations_are_each_named(tmp_path):
    path = tmp_path / "priors.yaml"
    path.write_text(
        "format: awol-priors/1\nparameters:\n"
        "  - {name: a, path: x.y, prior: {dist: loguniform, low: 0, high: 1}}\n"
        "  - {name: b, path: x.z, date_of: x.w, prior: {dist: uniform, low: 0, high: 1}}\n"
        "  - {name: c, error: nothing}\n"
        "  - {name: a, path: x.v, prior: {dist: uniform, low: 0, high: 1}}\n"
    )
    with pytest.raises(CalibrationError) as caught:
        declared_priors(path)
    text = "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 4, text
    assert "parameters[0]: prior" in text and "parameters[1]: needs a name and exactly one" in text
    assert "parameters[2]: error: 'nothing'" in text and "name 'a' is used twice" in text
