"""M8 observation: which article each prosecution is brought under, and what the public sees of it.

Every prosecution opens one case (docs/ODD.md, M8): a refusal under art. 332 (disobedience),
an absence under art. 338 (desertion) with `desertion_share`, else art. 337 (awol). A case
enters the public record with `reporting_share`, is filed after a geometric lag of mean
`filing_lag_days` (P(lag = k) = q(1 − q)^k, q = 1/(mean + 1)) and decided after a further lag of
mean `verdict_lag_days`; what falls after the last day is not seen.

Design: absences from the line that end by coming back (5 % a day), all prosecuted; refusals
after rotation leave, 40 % prosecuted; reporting 60 %, desertion share 30 %.
"""

from __future__ import annotations

import functools

import numpy as np

from tests.mechanisms.design import design, run, schedule, z_binomial

DAYS = 200
REPORTING, DESERTION_SHARE, REFUSAL_PROSECUTION = 0.6, 0.3, 0.4


@functools.cache
def cases_run(filing: float = 0.0, verdict: float = 0.0):
    scenario = design(
        days=DAYS, pursuit__voluntary_return_per_day=0.05,
        policy__prosecution_share=schedule((1.0, 0)), policy__short_first_prosecution=schedule((1.0, 0)),
        policy__refusal_prosecution=schedule((REFUSAL_PROSECUTION, 0)),
        leave__start_per_day=schedule((0.01, 0)), leave__days=10.0, desertion__refusal=0.1,
        observation={"reporting_share": REPORTING, "filing_lag_days": filing, "verdict_lag_days": verdict,
                     "desertion_share": DESERTION_SHARE},
    )
    return run(scenario, seed=91)


def test_m8_articles_refusals_under_332_absences_under_338_with_the_desertion_share():
    d = cases_run()
    assert d["refusals"].sum() > 1_000
    assert abs(z_binomial(d["cases_opened_disobedience"], d["refusals"], REFUSAL_PROSECUTION)) <= 4
    absences = d["cases_opened_awol"] + d["cases_opened_desertion"]
    assert np.array_equal(absences, d["flow_at_large_to_detained"]), "every absence prosecuted in this design"
    assert abs(z_binomial(d["cases_opened_desertion"], absences, DESERTION_SHARE)) <= 4


def test_m8_a_share_of_cases_reaches_the_public_record():
    """With no lags every case is filed and decided the day it opens, if reported."""
    d = cases_run()
    for article in ("awol", "disobedience", "desertion"):
        z = z_binomial(d[f"cases_filed_{article}"], d[f"cases_opened_{article}"], REPORTING)
        assert abs(z) <= 4, (article, z)
    assert np.array_equal(d["cases_filed"], d["cases_decided"])


def lagged(x: np.ndarray, mean: float) -> np.ndarray:
    """The series x convolved with the geometric lag of this mean, cut at the last day."""
    q = 1 / (mean + 1)
    pmf = q * (1 - q) ** np.arange(len(x))
    return np.array([np.sum(x[: t + 1] * pmf[t::-1]) for t in range(len(x))])


def test_m8_cases_are_filed_and_decided_after_their_lags():
    """Filing lag 30 days, verdict lag 20: cases filed and decided in each 40-day window against the opened
    cases thinned and lagged. A count of reported, lagged cases is a sum of independent indicators given the
    cases opened, so its variance is at most its mean: sqrt(mean) is a conservative standard error."""
    d = cases_run(30.0, 20.0)
    filed = REPORTING * lagged(d["cases_opened"].astype(float), 30.0)
    decided = lagged(filed, 20.0)
    for t0 in range(0, DAYS, 40):
        window = slice(t0, t0 + 40)
        for what, expected in (("cases_filed", filed), ("cases_decided", decided)):
            mean = expected[window].sum()
            z = (d[what][window].sum() - mean) / np.sqrt(max(mean, 1.0))
            assert abs(z) <= 4, (what, t0, d[what][window].sum(), mean)
