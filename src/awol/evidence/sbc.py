"""Simulation-based calibration (Talts et al. 2018): is the method's posterior right on average?

For data sets simulated from the prior, the rank of the true value among L posterior
draws is uniform on 0..L when the posterior is right. A posterior too narrow piles ranks
at both ends, one biased piles them at one end. The tests and the rules (bins, p-value,
coverage tolerance) are fixed in data/inference/method.yaml before any run.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def ranks(truth: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Rank of each true value among its draws: truth [n, d], draws [n, L, d] -> ranks [n, d] in 0..L."""
    truth, draws = np.asarray(truth, float), np.asarray(draws, float)
    return (draws < truth[:, None, :]).sum(axis=1)


def rank_histogram(r: np.ndarray, draws: int, bins: int) -> np.ndarray:
    """Counts [bins, d] of ranks 0..draws in `bins` equal groups (draws + 1 must be a multiple of bins)."""
    if (draws + 1) % bins:
        raise ValueError(f"bins: {bins} must divide the {draws + 1} possible ranks")
    group = np.asarray(r) // ((draws + 1) // bins)
    return np.stack([np.bincount(group[:, j], minlength=bins) for j in range(group.shape[1])], axis=1)


def uniformity_p(r: np.ndarray, draws: int, bins: int) -> np.ndarray:
    """Chi-square p-value per parameter that the rank histogram is uniform."""
    counts = rank_histogram(r, draws, bins)
    return np.array([stats.chisquare(counts[:, j]).pvalue for j in range(counts.shape[1])])


def coverage(r: np.ndarray, draws: int, levels) -> np.ndarray:
    """Empirical coverage [levels, d] of the central interval of each level.

    The truth lies inside the central `level` interval of the draws when its fractional
    rank (r + 0.5) / (L + 1) lies within level / 2 of one half.
    """
    u = (np.asarray(r, float) + 0.5) / (draws + 1)
    return np.stack([(np.abs(u - 0.5) <= level / 2).mean(axis=0) for level in levels])


def mean_cdf(r: np.ndarray, draws: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean posterior CDF of the truth per parameter (0.5 when unbiased) and its standard error."""
    u = (np.asarray(r, float) + 0.5) / (draws + 1)
    return u.mean(axis=0), u.std(axis=0, ddof=1) / np.sqrt(len(u))


def verdict(r: np.ndarray, draws: int, bins: int, p_min: float, levels, tolerance: float) -> dict:
    """Every check of the declared rules, per parameter, and whether all pass."""
    p = uniformity_p(r, draws, bins)
    cov = coverage(r, draws, levels)
    # a coverage exactly on the edge (0.85 for 90 % ± 5 points) is within: compared in whole data sets, not floats
    cover_ok = np.round(np.abs(cov - np.asarray(levels)[:, None]) * len(r), 6) <= np.round(tolerance * len(r), 6)
    return {
        "p": p,
        "p_ok": p > p_min,
        "coverage": cov,
        "coverage_ok": cover_ok,
        "passed": bool((p > p_min).all() and cover_ok.all()),
    }
