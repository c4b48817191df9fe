"""M8: court cases conserve what is visible, lag it, and agree with their expectation."""

import numpy as np

from awol.model.observation import court_cases, expected_court_cases, geometric_lags


def test_court_cases_conserve_and_lag():
    rng = np.random.default_rng(3)
    opened = np.tile([18, 1, 1], (400, 1))
    filed, decided = court_cases(opened, reporting_share=1.0, filing_lag_days=0, verdict_lag_days=0, rng=rng)
    np.testing.assert_array_equal(filed, opened)
    np.testing.assert_array_equal(decided, filed)
    lags = geometric_lags(np.random.default_rng(4), 100_000, 30.0)
    sd = np.sqrt(30.0 * 31.0)  # geometric on {0,1,...}: variance m(m+1)
    assert abs(lags.mean() - 30.0) < 4 * sd / np.sqrt(len(lags))


def test_drawn_cases_match_their_expectation():
    opened = np.tile([30, 3, 2], (300, 1))
    expected, _ = expected_court_cases(opened, reporting_share=0.5, filing_lag_days=10, verdict_lag_days=10)
    draws = np.stack([court_cases(opened, reporting_share=0.5, filing_lag_days=10, verdict_lag_days=10,
                                  rng=np.random.default_rng(s))[0] for s in range(40)])
    window = slice(50, 300)
    total = draws[:, window].sum(axis=1)             # [seed, article]
    exact = expected[window].sum(axis=0)
    se = total.std(axis=0, ddof=1) / np.sqrt(len(total))
    assert np.all(np.abs(total.mean(axis=0) - exact) < 4 * se)
