"""Agent and cohort engines simulate the same system (statistically).

(a) On a small state-independent scenario with risk tolerance sd = 0 (so binning is
exact), both engines' daily means over R seeds match the exact expectation. Each of
the outputs (stocks, flows, how absences begin and end and how long they last) is
checked at 4 days, per engine: 2 × 4 × 38 = 304 comparisons at 4 standard errors, each
failing by chance with probability 6e-5 (normal), so the family fails by chance with
probability about 2 %.
(b) On the baseline scaled to 5 % (300 days) with adaptive pursuit and peer effects, the engines'
daily means agree within 4 standard errors of the difference, and two-sample KS tests
of the final-day values of the ten stocks do not reject at 1 % as a family (Bonferroni:
each at 1 % / 10). Testing each at 1 % would fail by chance in about 9 % of seed sets
although the engines agree: in three sets of seeds tried while changing the cohort
engine's random stream, one output each came out at p = 0.0065, 0.009 and 0.047, a
different output each time, with daily means within 4 standard errors throughout.
"""

import numpy as np
import pytest
from scipy.stats import ks_2samp

from awol.engines import simulate
from tests.engines.test_expectation import independent
from tests.scenarios import small_scenario

OUTPUTS = ["serving", "retained", "hospital", "at_large", "detained", "imprisoned", "released",
           "killed", "escaped", "on_leave", "new_desertions", "captures", "cases_opened", "wounds", "deaths",
           "on_duty_returned", "recruits",
           # how absences begin and end, and for how long (M3, M5, M6, M8)
           "absences_line", "absences_leave", "absences_treatment", "refusals",
           "at_large_line", "at_large_leave", "at_large_treatment",
           "captures_search", "captures_police", "captures_checkpoint", "voluntary_returns", "deaths_at_large",
           "escapes", "days_at_large_ended", "ended_after_under_3_days", "ended_after_11_to_30_days",
           "ended_after_over_180_days", "cases_opened_awol", "cases_opened_desertion", "cases_opened_disobedience"]
STOCKS = ["serving", "retained", "hospital", "at_large", "detained", "imprisoned", "released", "killed",
          "escaped", "on_leave"]


def runs(sc, engine, seeds):
    return np.stack([simulate(sc, seed=s, engine=engine)[OUTPUTS].to_numpy(float) for s in seeds])


@pytest.mark.slow
def test_both_engines_match_the_exact_expectation():
    tol = dict(mean=0.5, sd=0.0)
    sc = independent(channels__volunteer__risk_tolerance=tol, channels__mobilised__risk_tolerance=tol,
                     channels__detainee__risk_tolerance=tol)
    exact = simulate(sc, engine="expected")[OUTPUTS].to_numpy()
    days = [5, 15, 25, 39]
    for engine in ("agents", "cohorts"):
        x = runs(sc, engine, range(40))
        mean = x.mean(axis=0)[days]
        # In a state-independent chain every count is a sum of independent indicators
        # and thinned Poisson arrivals, so Var ≤ mean: sqrt(exact / R) bounds the true
        # standard error from above, and guards rare counts whose sample SE is often 0.
        se = np.maximum(x.std(axis=0, ddof=1)[days], np.sqrt(exact[days])) / np.sqrt(len(x))
        se = np.where(se == 0, 1e-9, se)
        z = np.abs(mean - exact[days]) / se
        assert np.all(z < 4), (engine, np.argwhere(z >= 4), z.max())


@pytest.mark.slow
def test_the_cohort_engine_matches_the_exact_expectation_in_large_cohorts():
    """At full scale, in one unit and one risk level, detained men share cohorts by the dozen and
    absent men by a few: the table's clock must give each member his own events. Checked by
    breaking it: a clock drawn as if each cohort had one member fails this test (the two
    tests above still pass, their cohorts being mostly of one)."""
    tol = dict(mean=0.5, sd=0.0)
    sc = independent(scale=1.0, days=60, channels__volunteer__risk_tolerance=tol,
                     channels__mobilised__risk_tolerance=tol, channels__detainee__risk_tolerance=tol)
    exact = simulate(sc, engine="expected")[OUTPUTS].to_numpy()
    days = [10, 30, 59]
    x = runs(sc, "cohorts", range(20))
    se = np.maximum(x.std(axis=0, ddof=1)[days], np.sqrt(exact[days])) / np.sqrt(len(x))
    z = np.abs(x.mean(axis=0)[days] - exact[days]) / np.where(se == 0, 1e-9, se)
    assert np.all(z < 4), [(OUTPUTS[k], days[d], z[d, k]) for d, k in np.argwhere(z >= 4)]


@pytest.mark.slow
def test_agents_and_cohorts_agree_on_the_baseline_with_feedback():
    sc = small_scenario(scale=0.05, days=300)
    seeds = range(100, 130)
    a = runs(sc, "agents", seeds)
    c = runs(sc, "cohorts", seeds)
    days = [10, 75, 150, 299]
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + c.var(axis=0, ddof=1) / len(c))[days]
    diff = np.abs(a.mean(axis=0) - c.mean(axis=0))[days]
    z = diff / np.where(se == 0, 1e-9, se)
    assert np.all(z < 4), (np.argwhere(z >= 4), z.max())
    for name in STOCKS:
        k = OUTPUTS.index(name)
        p = ks_2samp(a[:, -1, k], c[:, -1, k]).pvalue
        assert p > 0.01 / len(STOCKS), (name, p)
