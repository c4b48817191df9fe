"""M1 contract expiry and release (C1), and the move of retained men to assault roles at term (C2).

Design: 20,000 volunteers on six-month terms begun over the two years before day 0, so three
quarters of the terms have ended by day 0 (decided that day) and the rest end over the first
half year; nothing else happens to them (the quiet world of `design`). The release
schedule steps from 0.8 to 0.2 on day 100 and the assault share of the retained is 0.3;
nobody starts in an assault role. Every term that ends is decided on the day it is due:

  released_at_term(t) ~ Bin(terms ended(t), p_rel(t)),
  sent_to_assault_at_term(t) ~ Bin(retained_at_term(t), a_ret(t)),

with p_rel and a_ret read off the scenario's schedules, so the totals are tested against the
sums of these binomials (z ≤ 4).
"""

from __future__ import annotations

import functools

import pytest

from tests.mechanisms.design import design, on_days, run, schedule, z_binomial

RELEASE = ((0.8, 0), (0.2, 100))
ASSAULT_RETAINED = 0.3
DAYS = 200


def terms_design(channel: str = "volunteer", **overrides):
    other = {"volunteer": "detainee", "detainee": "volunteer"}[channel]
    settings = {f"channels__{channel}__term_months": {6: 1.0},
                f"population__{channel}__size": 20_000, f"population__{channel}__started_within_months": 24,
                f"population__{other}__size": 0,
                "policy__release_at_term": schedule(*RELEASE),
                "policy__assault_share_retained": schedule((ASSAULT_RETAINED, 0))}
    return design(days=DAYS, **{**settings, **overrides})


@functools.cache
def terms_run(engine: str = "cohorts"):
    return run(terms_design(), seed=11, engine=engine)


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m1_release_at_term_follows_the_schedule_period_by_period(engine):
    d = terms_run(engine)
    ended = d["released_at_term"] + d["retained_at_term"]
    p = on_days(RELEASE, DAYS)
    for period in (slice(0, 100), slice(100, DAYS)):
        assert ended[period].sum() > 500, "the design must end enough terms in each period"
        z = z_binomial(d["released_at_term"][period], ended[period], p[period])
        assert abs(z) <= 4, (period, d["released_at_term"][period].sum() / ended[period].sum(), z)


def test_c1_men_not_released_are_held_past_term():
    """C1: under the decree (release 3 %), 97 % of the men whose terms end are held, and they are held
    as retained (on duty past term): with nobody leaving in this run, the stock of retained men is every
    man held at term."""
    d = run(terms_design(policy__release_at_term=schedule((0.03, 0)), desertion__base_per_day=0.0), seed=12)
    ended = d["released_at_term"] + d["retained_at_term"]
    assert abs(z_binomial(d["retained_at_term"], ended, 0.97)) <= 4
    assert d["retained"][-1] == d["retained_at_term"].sum(), "retained men stay on duty in this design"


def test_m1_detainee_recruits_follow_their_own_release_schedule():
    """Detainee recruits are released by `detainee_release_at_term` (0.9), not by the soldiers' schedule (0.1)."""
    d = run(terms_design("detainee", policy__release_at_term=schedule((0.1, 0)),
                         policy__detainee_release_at_term=schedule((0.9, 0))), seed=13)
    ended = d["released_at_term"] + d["retained_at_term"]
    assert ended.sum() > 10_000
    assert abs(z_binomial(d["released_at_term"], ended, 0.9)) <= 4


def test_c2_retained_men_are_moved_to_assault_roles_at_term():
    d = terms_run()
    assert d["retained_at_term"].sum() > 2_000
    z = z_binomial(d["sent_to_assault_at_term"], d["retained_at_term"], ASSAULT_RETAINED)
    assert abs(z) <= 4, (d["sent_to_assault_at_term"].sum() / d["retained_at_term"].sum(), z)
