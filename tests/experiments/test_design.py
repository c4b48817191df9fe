"""Declaring experiments: `--vary` parsed, grids of the size announced, sampled points inside their ranges."""

from __future__ import annotations

import numpy as np
import pytest

from awol.experiments.design import (
    DesignError,
    Parameter,
    check_parameters,
    design_size,
    make_design,
    parse_vary,
    point_scenario,
    ranges_from_scenario,
)
from awol.scenario import limits
from awol.scenario.load import load_scenario
from tests.scenarios import small_scenario

A = Parameter("desertion.base_per_day", 1e-5, 1e-4)
B = Parameter("observation.reporting_share", 0.6, 1.0, levels=3)
FIXED = Parameter("pursuit.checkpoint_k", 0.08, 0.08)


def test_parse_vary():
    assert parse_vary("desertion.base_per_day=0.00001:0.0001") == Parameter("desertion.base_per_day", 1e-5, 1e-4)
    assert parse_vary(" x.y =1:2:7") == Parameter("x.y", 1.0, 2.0, 7)
    for bad in ("x.y", "x.y=1", "=1:2", "x.y=1:2:3:4", "x.y=a:2", "x.y=1:2:2.5"):
        with pytest.raises(DesignError, match="--vary"):
            parse_vary(bad)


def test_a_grid_is_the_product_of_its_axes_and_its_size_is_known_beforehand():
    table = make_design([A, B], "grid", points=4)
    assert design_size([A, B], "grid", 4) == len(table) == 4 * 3
    assert table["point"].tolist() == list(range(12))
    assert sorted(set(table[B.path])) == pytest.approx([0.6, 0.8, 1.0])
    assert sorted(set(table[A.path])) == pytest.approx(np.linspace(1e-5, 1e-4, 4))
    assert len(table.drop(columns="point").drop_duplicates()) == 12  # every combination once
    # an axis of one value (LO = HI) adds no points
    assert design_size([A, FIXED], "grid", 4) == len(make_design([A, FIXED], "grid", points=4)) == 4


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_sampled_designs_stay_in_their_ranges_and_depend_on_the_seed(kind):
    table = make_design([A, B], kind, points=16, seed=3)
    assert design_size([A, B], kind, 16) == len(table) == 16
    for p in (A, B):
        assert table[p.path].between(p.low, p.high).all()
        assert table[p.path].max() - table[p.path].min() > 0.5 * (p.high - p.low)  # spread over the range
    assert table.equals(make_design([A, B], kind, points=16, seed=3))
    assert not table.equals(make_design([A, B], kind, points=16, seed=4))


def test_a_latin_hypercube_puts_one_point_in_each_stratum_of_every_axis():
    table = make_design([A, B], "lhs", points=10, seed=0)
    for p in (A, B):
        strata = np.floor((table[p.path] - p.low) / (p.high - p.low) * 10).clip(0, 9)
        assert sorted(strata.astype(int)) == list(range(10))


def test_designs_beyond_the_run_limit_are_refused_before_any_point_is_made():
    many = [Parameter(f"p{i}", 0, 1, levels=100) for i in range(3)]
    assert design_size(many, "grid", 5) == 10**6 > limits.MAX_RUNS
    with pytest.raises(DesignError, match="a grid design of 1,000,000 points"):
        make_design(many, "grid")
    with pytest.raises(DesignError, match="is not a design"):
        make_design([A], "random")
    with pytest.raises(DesignError, match="--points: 0"):
        make_design([A], "lhs", points=0)


def test_parameters_are_checked_all_at_once():
    sc = small_scenario(days=10)
    with pytest.raises(DesignError) as refused:
        check_parameters(sc, [Parameter("desertion.nope", 0, 1), Parameter("pursuit.adaptive.enabled", 0, 1),
                              Parameter("desertion.base_per_day", 2, 1), Parameter("desertion.exit_share", 0, 1, 0)])
    lines = refused.value.problems
    assert len(lines) == 4
    assert "desertion.nope: no such parameter" in lines[0] and "not a number" in lines[1]
    assert "LO 2 is greater than HI 1" in lines[2] and "N = 0 points" in lines[3]
    with pytest.raises(DesignError, match="no parameter to vary"):
        check_parameters(sc, [])


def test_sensitivity_ranges_are_the_scenarios_declared_ranges():
    sc = load_scenario("baseline")
    params = {p.path: p for p in ranges_from_scenario(sc)}
    assert (params["desertion.base_per_day"].low, params["desertion.base_per_day"].high) == (1e-5, 1.5e-4)
    assert "simulation.days" not in params  # a range of one value is a setting, not an uncertainty
    with pytest.raises(DesignError, match="pursuit.adaptive.enabled: no range declared"):
        ranges_from_scenario(sc, ["pursuit.adaptive.enabled"])


def test_a_point_is_validated_through_the_schema():
    sc = small_scenario(days=10)
    at = point_scenario(sc, {"desertion.base_per_day": 7e-5})
    assert at.desertion.base_per_day == 7e-5 and sc.desertion.base_per_day != 7e-5
    with pytest.raises(DesignError, match=r"design point .*observation.reporting_share"):
        point_scenario(sc, {"observation.reporting_share": 1.5})
