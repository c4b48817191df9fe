"""SBC harness on a problem whose posterior is known exactly (normal prior, normal data).

A sampler drawing from the true posterior passes every declared rule; one whose
intervals are too narrow, or shifted, fails them. So the harness can tell a right
posterior from a wrong one before it is trusted with awol's.
"""

from __future__ import annotations

import numpy as np
import pytest

from awol.evidence.sbc import coverage, mean_cdf, rank_histogram, ranks, verdict

N, L, BINS = 400, 99, 10


def conjugate(n: int, seed: int, *, sd_factor: float = 1.0, shift: float = 0.0):
    """Theta ~ N(0, 1), x ~ N(theta, 1): posterior N(x / 2, 1 / 2). Two independent parameters."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((n, 2))
    x = theta + rng.standard_normal((n, 2))
    mean, sd = x / 2 + shift, np.sqrt(0.5) * sd_factor
    draws = mean[:, None, :] + sd * rng.standard_normal((n, L, 2))
    return theta, draws


def test_ranks_count_draws_below_the_truth():
    truth = np.array([[0.5, 10.0]])
    draws = np.array([[[0.1, 11.0], [0.7, 9.0], [0.2, 12.0]]])
    assert ranks(truth, draws).tolist() == [[2, 1]]
    assert rank_histogram(np.array([[0], [99], [50]]), L, BINS)[:, 0].tolist() == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]


def test_the_true_posterior_passes_every_rule():
    theta, draws = conjugate(N, 1)
    r = ranks(theta, draws)
    result = verdict(r, L, BINS, 0.01, [0.5, 0.9], 0.05)
    assert result["passed"], result
    cdf, se = mean_cdf(r, L)
    assert np.all(np.abs(cdf - 0.5) < 3 * se)


@pytest.mark.parametrize(("sd_factor", "shift"), [(0.5, 0.0), (1.0, 0.4), (2.0, 0.0)])
def test_too_narrow_shifted_or_too_wide_posteriors_fail(sd_factor, shift):
    theta, draws = conjugate(N, 2, sd_factor=sd_factor, shift=shift)
    result = verdict(ranks(theta, draws), L, BINS, 0.01, [0.5, 0.9], 0.05)
    assert not result["passed"]
    assert not result["p_ok"].any()


def test_coverage_of_a_too_narrow_posterior_is_below_nominal():
    theta, draws = conjugate(N, 3, sd_factor=0.5)
    cov = coverage(ranks(theta, draws), L, [0.5, 0.9])
    # with half the true spread, the 90 % interval covers P(|Z| < 1.645 / 2) = 0.59
    assert np.all(np.abs(cov[1] - 0.59) < 4 * np.sqrt(0.59 * 0.41 / N))


def test_a_coverage_on_the_edge_of_the_tolerance_is_within():
    """170 of 200 truths inside the 90 % interval is 0.85, the edge of ±5 points: within; 169 is not."""
    draws = 99
    inside, outside = 50, 0  # ranks 50 (centre) are inside every central interval; rank 0 outside all of them
    for n_in, expected in ((170, True), (169, False)):
        r = np.array([[inside]] * n_in + [[outside]] * (200 - n_in))
        ok = verdict(r, draws, 10, 0.0, [0.9], 0.05)["coverage_ok"]
        assert bool(ok[0, 0]) is expected, n_in
