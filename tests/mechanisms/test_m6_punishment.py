"""M6 detention and punishment (C5: captured deserters are sent back to the front).

When detention begins the sentence is decided (docs/ODD.md, M6): prosecuted with
`short_first_prosecution` for a first absence that ended within ten days, with
`prosecution_share` for any other absence, each times (1 − amnesty); a prosecuted man goes to
prison with 1 − `suspended_share`. Detention ends with 1/`detention_days` a day; then the
prison-bound are imprisoned and the rest go back on duty, into an assault role with
`assault_share_returned`·(1 − amnesty).

Design "first absences": absences end only by voluntary return (8 % a day, so some end within
ten days and some after); men back from detention all go to assault roles, where the daily
death probability is 1, so nobody can leave a second time and every absence is a first one.

Design "sentences": one prosecution share for every absence (0.42, the baseline's), suspended
0.6, assault on return 0.5 (the baseline's), and an amnesty of one half from day 100.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from tests.mechanisms.design import design, on_days, run, schedule, yesterday, z_binomial

DAYS = 200
SHORT_FIRST, LONG = 0.1, 0.6
SHORT_BINS = ("under_3_days", "3_to_10_days")
LONG_BINS = ("11_to_30_days", "31_to_90_days", "91_to_180_days", "over_180_days")


@functools.cache
def first_absences_run(engine: str = "cohorts"):
    scenario = design(
        days=DAYS, pursuit__voluntary_return_per_day=0.08, pursuit__detention_days=5.0,
        policy__prosecution_share=schedule((LONG, 0)), policy__short_first_prosecution=schedule((SHORT_FIRST, 0)),
        policy__assault_share_returned=schedule((1.0, 0)),
        casualties__death_per_day={"rear": 0.0, "line": 0.0, "assault": 1.0},
    )
    return run(scenario, seed=71, engine=engine)


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m6_short_first_absences_are_rarely_prosecuted_and_longer_ones_as_the_policy_says(engine):
    d = first_absences_run(engine)
    assert d["absences_ended"].sum() == d["absences_ended_returned"].sum(), "every absence ends by coming back"
    for bins, p in ((SHORT_BINS, SHORT_FIRST), (LONG_BINS, LONG)):
        ended = sum(d[f"ended_after_{b}"] for b in bins)
        cases = sum(d[f"cases_opened_after_{b}"] for b in bins)
        assert ended.sum() > 1_000, bins
        z = z_binomial(cases, ended, p)
        assert abs(z) <= 4, (bins, cases.sum() / ended.sum(), p, z)


PROSECUTION, SUSPENDED, ASSAULT_BACK, DETENTION = 0.42, 0.6, 0.5, 5.0
AMNESTY = ((0.0, 0), (0.5, 100))


@functools.cache
def sentences_run(engine: str = "cohorts"):
    scenario = design(
        days=DAYS, pursuit__voluntary_return_per_day=0.05, pursuit__detention_days=DETENTION,
        policy__prosecution_share=schedule((PROSECUTION, 0)),
        policy__short_first_prosecution=schedule((PROSECUTION, 0)),
        policy__suspended_share=schedule((SUSPENDED, 0)), policy__assault_share_returned=schedule((ASSAULT_BACK, 0)),
        policy__amnesty=schedule(*AMNESTY),
    )
    return run(scenario, seed=72, engine=engine)


def detention_exits(d) -> np.ndarray:
    return d["flow_detained_to_imprisoned"] + d["returned_to_front"]


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m6_prosecution_falls_with_the_amnesty_and_suspended_sentences_keep_men_out_of_prison(engine):
    d = sentences_run(engine)
    keep = 1 - on_days(AMNESTY, DAYS)
    z = z_binomial(d["cases_opened"], d["flow_at_large_to_detained"], PROSECUTION * keep)
    assert abs(z) <= 4, ("prosecuted", z)
    # the sentence is decided when detention begins: exits before the amnesty, and 60 days after it
    # (detention ends with 1/5 a day, so all earlier detentions have ended: 0.8^60 < 1e-5)
    out = detention_exits(d)
    for days, keep_then in ((slice(1, 100), 1.0), (slice(160, None), 0.5)):
        z = z_binomial(d["flow_detained_to_imprisoned"][days], out[days], PROSECUTION * keep_then * (1 - SUSPENDED))
        assert abs(z) <= 4, ("imprisoned", days, z)
    z = z_binomial(out[1:], yesterday(d["detained"])[1:], 1 / DETENTION)
    assert abs(z) <= 4, ("detention ends", z)


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m6_men_back_from_detention_go_to_assault_roles_as_declared(engine):
    """Nobody is in an assault role before: every move to assault on return is counted."""
    d = sentences_run(engine)
    z = z_binomial(d["sent_to_assault_on_return"], d["returned_to_front"], ASSAULT_BACK * (1 - on_days(AMNESTY, DAYS)))
    assert abs(z) <= 4, z


def test_c5_most_captured_deserters_are_sent_back_to_the_front():
    """C5: of the men leaving detention before the amnesty, 1 − prosecution·(1 − suspended) = 83 % go back
    to the front (z ≤ 4), well beyond half (4 standard errors), and half of them into assault roles."""
    d = sentences_run()
    before = slice(1, 100)
    out, back = detention_exits(d)[before], d["returned_to_front"][before]
    share = 1 - PROSECUTION * (1 - SUSPENDED)
    assert abs(z_binomial(back, out, share)) <= 4
    assert back.sum() / out.sum() - 0.5 > 4 * np.sqrt(0.25 / out.sum())
    assert abs(z_binomial(d["sent_to_assault_on_return"][before], back, ASSAULT_BACK)) <= 4
