"""M7 recruitment (C6: detainees offered a contract; C7: coerced recruitment spares a mobilisation).

Daily arrivals (docs/ODD.md, M7): volunteers Poisson(v(t)·(B(t)/B_ref(t))^ε), detainees
Poisson(detentions(t)·acceptance(t)), the mobilised an exact quota (each wave's size spread
evenly over its days, the remainder one a day over its first days); with a force target, an
extra Poisson(clip((target − on duty yesterday)/closing_days, 0, max_per_day)) through the
target's channel.

Design: volunteers at 300 a day, 800 from day 100, with the bonus at twice its reference and
elasticity 0.5; 500 detentions a day, of which 30 %, then 60 % from day 50, accept; a wave of
10,000 mobilised over 30 days from day 20.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np

from tests.mechanisms.design import START, design, on_days, run, schedule, z_poisson
from tests.stats import assert_greater

DAYS = 200
VOLUNTEERS = ((300.0, 0), (800.0, 100))
BONUS_RATIO, ELASTICITY = 2.0, 0.5
DETENTIONS, ACCEPTANCE = 500.0, ((0.3, 0), (0.6, 50))
WAVE_START, WAVE_SIZE, WAVE_DAYS = 20, 10_000, 30


@functools.cache
def recruitment_run():
    scenario = design(
        days=DAYS, desertion__base_per_day=0.0,
        recruitment__volunteer_per_day=schedule(*VOLUNTEERS),
        recruitment__bonus=schedule((BONUS_RATIO * 100_000, 0)), recruitment__bonus_reference=schedule((100_000, 0)),
        recruitment__bonus_elasticity=ELASTICITY,
        recruitment__detentions_per_day=schedule((DETENTIONS, 0)),
        recruitment__detainee_acceptance=schedule(*ACCEPTANCE),
        recruitment__mobilisation=[{"start": START + dt.timedelta(days=WAVE_START), "size": WAVE_SIZE,
                                    "days": WAVE_DAYS}],
    )
    return run(scenario, seed=81)


def test_m7_volunteers_arrive_at_the_scheduled_rate_times_the_bonus_response():
    d = recruitment_run()
    rate = on_days(VOLUNTEERS, DAYS) * BONUS_RATIO**ELASTICITY
    for period in (slice(0, 100), slice(100, None)):
        z = z_poisson(d["recruits_volunteer"][period], rate[period])
        assert abs(z) <= 4, (period, z)


def test_c6_detainees_sign_at_detentions_times_acceptance():
    d = recruitment_run()
    rate = DETENTIONS * on_days(ACCEPTANCE, DAYS)
    for period in (slice(0, 50), slice(50, None)):
        z = z_poisson(d["recruits_detainee"][period], rate[period])
        assert abs(z) <= 4, (period, z)


def test_m7_a_mobilisation_wave_arrives_as_exact_daily_quotas():
    d = recruitment_run()
    quota = np.zeros(DAYS, dtype=np.int64)
    quota[WAVE_START:WAVE_START + WAVE_DAYS] = WAVE_SIZE // WAVE_DAYS
    quota[WAVE_START:WAVE_START + WAVE_SIZE % WAVE_DAYS] += 1
    assert np.array_equal(d["recruits_mobilised"], quota)


TARGET, CLOSING, MAX_PER_DAY, BASE = 25_000, 20.0, 200.0, 50.0


def target_design(channel: str, detentions: float, **overrides):
    """20,000 men on duty, a target of 25,000 closed over 20 days; absent men come back at 1 % a day."""
    return design(
        days=DAYS,
        recruitment__force_target={"size": TARGET, "channel": channel, "closing_days": CLOSING,
                                   "max_per_day": MAX_PER_DAY},
        recruitment__detentions_per_day=schedule((detentions, 0)), recruitment__detainee_acceptance=schedule((0.5, 0)),
        **overrides,
    )


def test_m7_a_force_target_recruits_the_shortfall_over_the_closing_days():
    d = run(target_design("volunteer", 0.0, recruitment__volunteer_per_day=schedule((BASE, 0))), seed=82)
    shortfall = np.clip((TARGET - d["on_duty"][:-1]) / CLOSING, 0.0, MAX_PER_DAY)
    assert shortfall[0] == MAX_PER_DAY and shortfall[-20:].max() < MAX_PER_DAY, "the design must cap, then close"
    z = z_poisson(d["recruits_volunteer"][1:], BASE + shortfall)
    assert abs(z) <= 4, z
    assert d["recruits_mobilised"].sum() == 0 and d["recruits_detainee"].sum() == 0


def test_c7_detainee_recruitment_lowers_the_mobilisation_needed_to_hold_a_force():
    """C7: the same force target met by mobilisation, with 200 detainee recruits a day or none; five seeds
    each (the same five): fewer men mobilised with detainee recruitment, beyond 4 standard errors, and the
    target is held in both arms."""
    arms = {}
    for detentions in (400.0, 0.0):
        runs = [run(target_design("mobilised", detentions), seed=s) for s in range(83, 88)]
        assert all(r["on_duty"][-1] >= 0.97 * TARGET for r in runs), detentions
        arms[detentions] = [r["recruits_mobilised"].sum() for r in runs]
    assert_greater(arms[0.0], arms[400.0], "men mobilised without detainee recruitment")
    assert math.isfinite(np.mean(arms[400.0]))
