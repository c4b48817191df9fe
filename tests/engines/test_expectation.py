"""Exact expectations: refused for state-dependent scenarios, consistent otherwise."""

import numpy as np
import pytest
from typer.testing import CliRunner

from awol.cli.main import app
from awol.engines import simulate
from awol.engines.expected import NotIndependent
from awol.model.rates import make_plan
from awol.model.states import STATUSES
from tests.scenarios import small_scenario


def independent(scale=0.01, days=40, **kw):
    """A tiny scenario whose hazards do not depend on the state, with a small key space (one unit,
    contracts started within a month, no detainee channel, two hiding levels): the exact
    expectation populates every key."""
    over = dict(
        desertion__peer_weight=0, desertion__deterrence_weight=0,
        pursuit__adaptive__enabled=False, pursuit__search_max_per_day=0,
        population__units=1, population__volunteer__started_within_months=1,
        population__detainee__size=0,
        recruitment__detentions_per_day=[{"from": "2022-09-24", "value": 0}],
        pursuit__hiding_levels=2,
    )
    over.update(kw)
    return small_scenario(scale=scale, days=days, **over)


def test_dependent_scenario_names_its_fields():
    with pytest.raises(NotIndependent) as info:
        simulate(small_scenario(days=5), engine="expected")
    text = " ".join(info.value.problems)
    for field in ("pursuit.adaptive.enabled", "desertion.peer_weight", "desertion.deterrence_weight"):
        assert field in text


def test_cli_exit_2_for_dependent_scenario():
    result = CliRunner().invoke(app, ["expect", "baseline", "--days", "3"])
    assert result.exit_code == 2
    assert "peer_weight" in result.output


def test_expected_soldiers_conserved_and_observation_below_opened():
    sc = independent()
    d = simulate(sc, engine="expected")
    initial = int(make_plan(sc, 1).initial_size.sum())
    total = d[list(STATUSES)].sum(axis=1).to_numpy()
    assert np.allclose(total, initial + d["recruits"].cumsum().to_numpy(), rtol=1e-9)
    assert d["cases_filed"].sum() <= d["cases_opened"].sum() * sc.observation.reporting_share + 1e-9


@pytest.mark.slow
def test_binning_error_shrinks_as_bins_grow():
    """The cohort engine's one approximation, measured without noise: the expected
    course with B risk bins against the quadrature (exact) one."""
    from awol.engines import expected
    from awol.engines.cohorts.levels import binned_levels
    from awol.engines.expected.course import expected_course
    from awol.model import tallies as K
    from awol.model.states import AT_LARGE

    sc = independent(desertion__risk_tolerance_weight=3.0)
    plan = make_plan(sc, sc.simulation.days)
    exact = expected.run(plan, 0).tallies
    finer = expected.run(plan, 0, nodes=10).tallies
    assert np.abs(finer - exact).max() <= 1e-9 * np.abs(exact).max()  # quadrature converged
    cols = [K.STOCK + AT_LARGE, K.DESERTIONS_CHANNEL, K.DESERTIONS_CHANNEL + 1]
    errors = []
    for bins in (1, 4, 16):
        got, _, _ = expected_course(plan, binned_levels(sc, bins))
        errors.append(np.abs(got[:, cols] - exact[:, cols]).sum() / exact[:, cols].sum())
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-3, errors
