"""Conservation: every soldier is in exactly one status each day, and every stock
equals yesterday's stock plus its inflows minus its outflows."""

from __future__ import annotations

import numpy as np
import pytest

import awol
from awol.model.rates import make_plan
from awol.model.states import (
    ABSENCE_PATHWAYS,
    AT_LARGE,
    CHANNELS,
    DETAINED,
    ENDINGS,
    ESCAPED,
    HOSPITAL,
    KILLED,
    ON_LEAVE,
    RETAINED,
    SERVING,
    STATUSES,
    TRANSITIONS,
)
from awol.model.tallies import flow_column
from tests.scenarios import small_scenario


@pytest.fixture(scope="module", params=[(name, engine) for name in ("baseline", "amnesty", "detainee-recruitment")
                                        for engine in ("agents", "cohorts")])
def run(request):
    name, engine = request.param
    scenario = small_scenario(name, scale=0.01, days=400)
    return scenario, awol.simulate(scenario, seed=7, engine=engine)


def test_every_soldier_in_exactly_one_status(run):
    scenario, daily = run
    initial = int(make_plan(scenario, 1).initial_size.sum())
    ever = initial + daily["recruits"].cumsum()
    in_some_status = daily[list(STATUSES)].sum(axis=1)
    np.testing.assert_array_equal(in_some_status, ever)


def test_each_stock_equals_inflows_minus_outflows(run):
    scenario, daily = run
    initial = int(make_plan(scenario, 1).initial_size.sum())
    for code, status in enumerate(STATUSES):
        before = np.r_[initial if code == SERVING else 0, daily[status].to_numpy()[:-1]]
        inflow = sum((daily[flow_column(a, b)] for a, b in TRANSITIONS if b == code), start=0)
        outflow = sum((daily[flow_column(a, b)] for a, b in TRANSITIONS if a == code), start=0)
        if code == SERVING:
            inflow = inflow + daily["recruits"]
        np.testing.assert_array_equal(daily[status], before + inflow - outflow, err_msg=status)


def test_breakdowns_add_up(run):
    _, daily = run
    np.testing.assert_array_equal(daily[[f"on_duty_{r}" for r in ("rear", "line", "assault")]].sum(axis=1),
                                  daily["on_duty"])
    np.testing.assert_array_equal(daily[[f"on_duty_{c}" for c in CHANNELS]].sum(axis=1), daily["on_duty"])
    np.testing.assert_array_equal(daily[[f"desertions_{c}" for c in CHANNELS]].sum(axis=1), daily["new_desertions"])
    np.testing.assert_array_equal(
        daily["captures"] + daily["voluntary_returns"], daily[flow_column(AT_LARGE, DETAINED)]
    )
    np.testing.assert_array_equal(daily["deaths_at_large"], daily[flow_column(AT_LARGE, KILLED)])
    np.testing.assert_array_equal(daily["escapes"], daily[flow_column(AT_LARGE, ESCAPED)])
    begun = daily[[f"absences_{p}" for p in ABSENCE_PATHWAYS]].sum(axis=1)
    np.testing.assert_array_equal(begun, daily["new_desertions"])
    ended = daily[[f"absences_ended_{e}" for e in ENDINGS]].sum(axis=1)
    np.testing.assert_array_equal(ended,
                                  daily[[flow_column(AT_LARGE, s) for s in (DETAINED, KILLED, ESCAPED)]].sum(axis=1))
    np.testing.assert_array_equal(daily[[f"at_large_{p}" for p in ABSENCE_PATHWAYS]].sum(axis=1), daily["at_large"])
    into_detention = daily[flow_column(HOSPITAL, DETAINED)] + daily[flow_column(ON_LEAVE, DETAINED)]
    np.testing.assert_array_equal(daily["refusals"], into_detention)
    killed = daily[flow_column(SERVING, KILLED)] + daily[flow_column(RETAINED, KILLED)]
    np.testing.assert_array_equal(daily["deaths"], killed)
    assert (daily["deaths_returned"] <= daily["deaths"]).all()
    assert (daily["on_duty_returned"] <= daily["on_duty"]).all()
    assert daily["cases_filed"].sum() <= daily["cases_opened"].sum()
