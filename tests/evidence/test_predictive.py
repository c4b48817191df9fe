"""Predictive summaries: the Monte Carlo error of a 90 % end shrinks as 1 / sqrt(draws); runs weighted by
posterior over prior reproduce the posterior's quantiles (the bank nowcast)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from awol.evidence.infer import importance_weights
from awol.evidence.predictive import HIDDEN, mc_error, weighted_hidden_table


def test_monte_carlo_error_of_the_90_percent_ends_shrinks_with_draws():
    rng = np.random.default_rng(1)
    small = mc_error(rng.lognormal(10, 0.3, (100, 1)), seed=2)
    large = mc_error(rng.lognormal(10, 0.3, (1600, 1)), seed=2)
    ratio = small["mc_q95"].iloc[0] / large["mc_q95"].iloc[0]
    assert 2.5 < ratio < 6.5, ratio  # sqrt(16) = 4, with the bootstrap's own noise
    # asymptotic standard error of a quantile: sqrt(p (1 - p) / n) / density, relative to the quantile
    q = np.exp(10 + 0.3 * 1.645)
    expected = np.sqrt(0.05 * 0.95 / 1600) / stats.lognorm(0.3, scale=np.exp(10)).pdf(q) / q
    assert abs(large["mc_q95"].iloc[0] - expected) < 0.35 * expected


class FakeEstimator:
    """A posterior N(0.5, 0.1) on one unit-cube parameter, whatever the data."""

    def log_prob(self, unit, x_o):
        return stats.norm(0.5, 0.1).logpdf(np.asarray(unit)[:, 0])


def test_runs_weighted_by_posterior_over_prior_give_the_posterior_quantiles():
    rng = np.random.default_rng(3)
    unit = rng.random((5_000, 1))
    hidden = np.repeat(1000 * unit, len(HIDDEN), axis=1)  # each hidden total = 1000 x the parameter
    w = importance_weights(FakeEstimator(), unit, np.zeros(1))
    assert np.isclose(w.sum(), 1.0)
    table = weighted_hidden_table(hidden, w, seed=4)
    ess = 1 / np.sum(w**2)
    for name, z in (("q05", -1.645), ("q50", 0.0), ("q95", 1.645)):
        expected = 1000 * (0.5 + 0.1 * z)
        se = 1000 * 0.1 * 3 / np.sqrt(ess)  # a generous multiple of a quantile's standard error
        assert np.all(np.abs(table[name] - expected) < se), (name, table[name].iloc[0], expected)
    assert (table["mc_q95"] > 0).all()
