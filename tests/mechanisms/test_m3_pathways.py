"""M3 pathways other than the line: not back from leave, not back after treatment, refusing to deploy.

When a leave or a treatment ends, the soldier does not return with probability q·π (q the
pathway's baseline: `leave_no_return` after a rotation leave, `treatment_no_return` after
hospital or convalescence) and otherwise refuses to deploy with (1 − q·π)·q_refuse·π; the rest
are back on duty (docs/ODD.md, M3). Rotation leave starts with `leave.start_per_day`(t) a day
for a soldier on duty and ends with 1/`leave.days`.

Design: every soldier is held past term after day 31 (one-month terms, release 0) with
grievance weight 1, so π = e for all of them and the pathways must scale with it; nobody
leaves from the line (b = 0). The two pathways' baselines differ widely (0.05 against 0.3),
so a pathway that took the other's baseline is seen.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from tests.mechanisms.design import design, run, schedule, yesterday, z_binomial

DAYS = 200
SETTLED = slice(40, None)
PI = math.e                       # exp(grievance weight 1) for men held past term
LEAVE_START = ((0.01, 0), (0.02, 100))
LEAVE_DAYS = 10.0
REFUSAL = 0.03


def held_design(**overrides):
    return design(days=DAYS, channels__volunteer__term_months={1: 1.0}, desertion__base_per_day=0.0,
                  desertion__grievance_weight=1.0, desertion__refusal=REFUSAL, **overrides)


def shares(q: float) -> tuple[float, float]:
    """(not back, refuses) per return, for a pathway of baseline q."""
    gone = min(1.0, q * PI)
    return gone, (1.0 - gone) * min(1.0, REFUSAL * PI)


def exits(d, status: str) -> np.ndarray:
    targets = {"on_leave": ("serving", "retained", "at_large", "detained"),
               "hospital": ("serving", "retained", "released", "on_leave", "at_large", "detained")}[status]
    return sum(d[f"flow_{status}_to_{s}"] for s in targets)


# ---------------------------------------------------------------- rotation leave

@functools.cache
def leave_run(engine: str = "cohorts"):
    scenario = held_design(leave__start_per_day=schedule(*LEAVE_START), leave__days=LEAVE_DAYS,
                           desertion__leave_no_return=0.05, desertion__treatment_no_return=0.3)
    return run(scenario, seed=41, engine=engine)


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m3_not_back_from_leave_and_refusals_per_leave_that_ends(engine):
    d = leave_run(engine)
    ended = exits(d, "on_leave")[SETTLED]
    assert ended.sum() > 5_000
    gone, refused = shares(0.05)
    z = z_binomial(d["flow_on_leave_to_at_large"][SETTLED], ended, gone)
    assert abs(z) <= 4, ("not back from leave", z)
    assert np.array_equal(d["absences_leave"], d["flow_on_leave_to_at_large"]), "absences after leave are pathway leave"
    z = z_binomial(d["flow_on_leave_to_detained"][SETTLED], ended, refused)
    assert abs(z) <= 4, ("refusals", z)
    assert np.array_equal(d["refusals"], d["flow_on_leave_to_detained"] + d["flow_hospital_to_detained"])


def test_m2_rotation_leave_starts_on_its_schedule_and_lasts_its_mean():
    d = leave_run()
    start = np.empty(DAYS)
    for value, first in LEAVE_START:
        start[first:] = value
    z = z_binomial(d["flow_retained_to_on_leave"][SETTLED], yesterday(d["retained"])[SETTLED], start[SETTLED])
    assert abs(z) <= 4, ("leave starts", z)
    z = z_binomial(exits(d, "on_leave")[SETTLED], yesterday(d["on_leave"])[SETTLED], 1.0 / LEAVE_DAYS)
    assert abs(z) <= 4, ("leave ends", z)


# ---------------------------------------------------------------- after treatment

DISCHARGE, CONVALESCENT = 0.1, 0.4


@functools.cache
def treatment_run(engine: str = "cohorts"):
    scenario = held_design(casualties__wound_per_day={"rear": 0.0, "line": 5e-3, "assault": 0.0},
                           casualties__recovery_days=10.0, casualties__discharge_share=DISCHARGE,
                           leave__convalescent_share=CONVALESCENT, leave__convalescent_days=20.0,
                           desertion__treatment_no_return=0.06, desertion__leave_no_return=0.3)
    return run(scenario, seed=42, engine=engine)


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m3_not_back_after_treatment_from_hospital_and_from_convalescence(engine):
    d = treatment_run(engine)
    gone, refused = shares(0.06)
    out = exits(d, "hospital")
    straight_back = (out - d["flow_hospital_to_released"] - d["flow_hospital_to_on_leave"])[SETTLED]
    convalesced = exits(d, "on_leave")[SETTLED]   # no rotation leave in this design
    assert straight_back.sum() > 3_000 and convalesced.sum() > 2_000
    for where, n in (("hospital", straight_back), ("on_leave", convalesced)):
        z = z_binomial(d[f"flow_{where}_to_at_large"][SETTLED], n, gone)
        assert abs(z) <= 4, (where, "not back", z)
        z = z_binomial(d[f"flow_{where}_to_detained"][SETTLED], n, refused)
        assert abs(z) <= 4, (where, "refuses", z)
    assert np.array_equal(d["absences_treatment"], d["flow_hospital_to_at_large"] + d["flow_on_leave_to_at_large"])
    assert d["absences_leave"].sum() == 0 and d["absences_line"].sum() == 0
