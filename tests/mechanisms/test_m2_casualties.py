"""M2 roles, casualties and hospital (and C2: assault roles are the deadliest).

Design: 30,000 volunteers split evenly over rear, line and assault roles, no absences, no
leave; combat intensity 0.5 until day 100, then 1.5. An on-duty soldier of role r dies with
probability d_r·I(t) and is wounded with w_r·I(t) (docs/ODD.md, M2), so on day t

  deaths_r(t) ~ Bin(on_duty_r(t − 1), d_r·I(t)),  wounds_r(t) ~ Bin(on_duty_r(t − 1), w_r·I(t)).

The wounded leave hospital with probability 1/recovery_days a day; of those leaving, a share
`discharge_share` is discharged, (1 − discharge)·convalescent_share convalesce at home, whose
leave ends with 1/convalescent_days a day; the rest return to duty.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from tests.mechanisms.design import design, on_days, run, schedule, yesterday, z_binomial

ROLES = ("rear", "line", "assault")
DEATH = {"rear": 1e-4, "line": 1e-3, "assault": 5e-3}
WOUND = {"rear": 3e-4, "line": 2e-3, "assault": 1e-2}
INTENSITY = ((0.5, 0), (1.5, 100))
RECOVERY, DISCHARGE, CONVALESCENT, CONVALESCENT_DAYS = 20.0, 0.2, 0.5, 30.0
DAYS = 200
LATER = slice(1, None)   # days with a previous day


@functools.cache
def casualties_run(engine: str = "cohorts"):
    scenario = design(
        size=30_000, days=DAYS,
        channels__volunteer__roles={"rear": 1.0, "line": 1.0, "assault": 1.0},
        desertion__base_per_day=0.0,
        casualties__death_per_day=DEATH, casualties__wound_per_day=WOUND,
        casualties__intensity=schedule(*INTENSITY), casualties__recovery_days=RECOVERY,
        casualties__discharge_share=DISCHARGE, leave__convalescent_share=CONVALESCENT,
        leave__convalescent_days=CONVALESCENT_DAYS,
    )
    return run(scenario, seed=21, engine=engine)


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m2_deaths_and_wounds_follow_each_roles_hazard_times_intensity(engine):
    d = casualties_run(engine)
    level = on_days(INTENSITY, DAYS)
    rates = {}
    for r in ROLES:
        exposed = yesterday(d[f"on_duty_{r}"])[LATER]
        death = DEATH[r] * level[LATER]
        wound = np.minimum(WOUND[r] * level[LATER], 1.0 - death)
        for what, p in (("deaths", death), ("wounds", wound)):
            events = d[f"{what}_{r}"][LATER]
            z = z_binomial(events, exposed, p)
            assert abs(z) <= 4, (engine, what, r, events.sum() / np.sum(exposed * p), z)
        rates[r] = (d[f"deaths_{r}"][LATER].sum(), exposed.sum())
    # C2: assault far deadlier than the line, the line than the rear, each beyond 4 standard errors
    for high, low in (("assault", "line"), ("line", "rear")):
        (kh, nh), (kl, nl) = rates[high], rates[low]
        diff = kh / nh - kl / nl
        assert diff > 4 * np.sqrt(kh / nh**2 + kl / nl**2), (high, low)


def test_m2_the_wounded_leave_hospital_and_are_discharged_or_convalesce_as_declared():
    d = casualties_run()
    out_of_hospital = sum(d[f"flow_hospital_to_{s}"] for s in ("serving", "retained", "released", "on_leave",
                                                               "at_large", "detained"))
    assert np.array_equal(d["flow_serving_to_hospital"] + d["flow_retained_to_hospital"], d["wounds"])
    z = z_binomial(out_of_hospital[LATER], yesterday(d["hospital"])[LATER], 1.0 / RECOVERY)
    assert abs(z) <= 4, ("hospital exits", z)
    z = z_binomial(d["flow_hospital_to_released"], out_of_hospital, DISCHARGE)
    assert abs(z) <= 4, ("discharged", z)
    z = z_binomial(d["flow_hospital_to_on_leave"], out_of_hospital, (1 - DISCHARGE) * CONVALESCENT)
    assert abs(z) <= 4, ("convalescing", z)
    leave_ends = sum(d[f"flow_on_leave_to_{s}"] for s in ("serving", "retained", "at_large", "detained"))
    z = z_binomial(leave_ends[LATER], yesterday(d["on_leave"])[LATER], 1.0 / CONVALESCENT_DAYS)
    assert abs(z) <= 4, ("convalescence ends", z)
