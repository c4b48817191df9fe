"""The cohort engine: deterministic for a seed, same layout, conserves soldiers."""

import numpy as np
import pytest

from awol.engines import simulate
from awol.engines.cohorts.levels import binned_levels
from awol.model.rates import make_plan
from awol.model.states import STATUSES
from tests.scenarios import small_scenario


def test_same_seed_same_output_other_seed_differs():
    sc = small_scenario(days=60)
    a = simulate(sc, seed=5, engine="cohorts")
    b = simulate(sc, seed=5, engine="cohorts")
    c = simulate(sc, seed=6, engine="cohorts")
    assert a.equals(b)
    assert not a.equals(c)


def test_same_columns_as_agents_and_soldiers_conserved():
    sc = small_scenario(days=60)
    a = simulate(sc, seed=1, engine="cohorts")
    b = simulate(sc, seed=1, engine="agents")
    assert list(a.columns) == list(b.columns)
    initial = int(make_plan(sc, 1).initial_size.sum())
    total = a[list(STATUSES)].sum(axis=1).to_numpy()
    assert np.array_equal(total, initial + a["recruits"].cumsum().to_numpy())


def test_bins_keep_the_mean_factor_and_refine():
    sc = small_scenario(days=10)
    means = []
    for bins in (1, 4, 64):
        f, p = binned_levels(sc, bins)
        means.append((f * p).sum(axis=1))
    assert np.allclose(means[0], means[2], rtol=1e-4)  # quadrature in the tails of one bin
    f4, _ = binned_levels(sc, 4)
    assert np.all(np.diff(f4[0]) > 0)  # higher tolerance, higher factor


def test_term_end_hazard_rebuilds_the_end_day_distribution():
    """h(t) = P(end = t | end ≥ t): the product of survivals times h gives back every mass,
    h is exactly 1 on the last possible day, and a term that never ends keeps its mass."""
    from awol.engines.cohorts.arrivals import NO_OFFSET, term_end_hazard

    offsets = np.array([0, 3, 7, 40])
    probs = np.array([0.2, 0.3, 0.1, 0.4])
    h = term_end_hazard(offsets, probs, 10)
    survival = np.cumprod(np.r_[1.0, 1.0 - h[:-1]])
    np.testing.assert_allclose((h * survival)[[0, 3, 7]], probs[:3], rtol=1e-12)
    assert h[[1, 2, 4, 5, 6, 8, 9]].sum() == 0.0
    assert term_end_hazard(offsets[:3], probs[:3] / 0.6, 10)[7] == 1.0  # nobody outlives his term
    never = term_end_hazard(np.array([2, NO_OFFSET]), np.array([0.25, 0.75]), 5)
    assert never[2] == 0.25 and never.sum() == 0.25


@pytest.mark.slow
def test_initial_force_terms_end_as_with_exact_end_days():
    """The cohort engine gives the initial force no end days, only its channel's hazard; the
    exact expectation keeps every soldier's end day. Over a start spread of 24 months and
    three terms, the daily term ends (released and retained, summed over 20-day windows)
    of both engines agree with it within 4 standard errors (40 seeds; SE at least
    sqrt(mean / R), as in test_cross_validation).

    No one is absent, on leave or in hospital: the term ends are what is tested, and the
    exact expectation keys every absence by its first day and every soldier by his end
    day, which made this test take eight CPU minutes with them."""
    from tests.engines.test_expectation import independent

    tol = dict(mean=0.5, sd=0.0)
    never = [{"from": "2022-09-24", "value": 0}]
    sc = independent(channels__volunteer__risk_tolerance=tol, channels__mobilised__risk_tolerance=tol,
                     channels__detainee__risk_tolerance=tol, population__volunteer__started_within_months=24,
                     population__detainee__started_within_months=12, population__units=1, simulation__days=200,
                     desertion__base_per_day=0, leave__start_per_day=never,
                     casualties__wound_per_day=dict(rear=0, line=0, assault=0))
    cols = ["retained_at_term", "released_at_term"]
    exact = simulate(sc, engine="expected")[cols].to_numpy().reshape(10, 20, 2).sum(axis=1)
    for engine in ("cohorts", "agents"):
        runs = np.stack([simulate(sc, seed=s, engine=engine)[cols].to_numpy(float) for s in range(40)])
        windows = runs.reshape(40, 10, 20, 2).sum(axis=2)
        se = np.maximum(windows.std(axis=0, ddof=1), np.sqrt(exact)) / np.sqrt(len(runs))
        z = np.abs(windows.mean(axis=0) - exact) / se
        assert np.all(z < 4), (engine, z.max())
