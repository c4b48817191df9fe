"""M8 Observation: what the public sees of the hidden system.

Each prosecution opened at a capture becomes one court case. Its article is drawn
from `article_shares` (AWOL art. 337, disobedience art. 332, desertion art. 338;
Mediazona's tally to 18 Jun 2024 split 10,025 cases about 90 / 6 / 3 %). A case
enters the public tally with probability `reporting_share`; it is filed after a
geometric lag with mean `filing_lag_days` and decided after a further geometric lag
with mean `verdict_lag_days`. Calibration compares these series, never the hidden
truth, with the data.
"""

from __future__ import annotations

import numpy as np

ARTICLES = ("awol", "disobedience", "desertion")


def geometric_lags(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    """Lags in whole days ≥ 0 with the given mean (P(lag = d) = (1 − q)^d q)."""
    if mean <= 0:
        return np.zeros(n, dtype=np.int64)
    return rng.geometric(1.0 / (mean + 1.0), size=n) - 1


def geometric_pmf(days: int, mean: float) -> np.ndarray:
    """P(lag = d), d = 0..days−1, of `geometric_lags` with this mean."""
    if mean <= 0:
        pmf = np.zeros(days)
        pmf[0] = 1.0
        return pmf
    q = 1.0 / (mean + 1.0)
    return q * (1.0 - q) ** np.arange(days)


def expected_court_cases(
    opened: np.ndarray,
    *,
    article_shares: np.ndarray,
    reporting_share: float,
    filing_lag_days: float,
    verdict_lag_days: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The expectation of `court_cases` given expected cases opened per day, shape [days, 3].

    Visible cases are linear in cases opened: opened × reporting share × article share,
    convolved with the geometric filing lag, and again with the verdict lag.
    """
    days = len(opened)
    shares = np.asarray(article_shares, dtype=float) / np.sum(article_shares)
    visible = np.asarray(opened, dtype=float) * reporting_share
    filed = np.convolve(visible, geometric_pmf(days, filing_lag_days))[:days]
    decided = np.convolve(filed, geometric_pmf(days, verdict_lag_days))[:days]
    return filed[:, None] * shares[None, :], decided[:, None] * shares[None, :]


def court_cases(
    opened: np.ndarray,
    *,
    article_shares: np.ndarray,
    reporting_share: float,
    filing_lag_days: float,
    verdict_lag_days: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Publicly visible cases filed and decided per day and article, shape [days, 3].

    Cases whose filing or verdict falls after the last simulated day are not seen.
    """
    days = len(opened)
    visible = rng.binomial(np.asarray(opened, dtype=np.int64), reporting_share)
    day = np.repeat(np.arange(days), visible)
    article = rng.choice(len(ARTICLES), size=len(day), p=np.asarray(article_shares) / np.sum(article_shares))
    filed_day = day + geometric_lags(rng, len(day), filing_lag_days)
    decided_day = filed_day + geometric_lags(rng, len(day), verdict_lag_days)
    filed = np.zeros((days, len(ARTICLES)), dtype=np.int64)
    decided = np.zeros((days, len(ARTICLES)), dtype=np.int64)
    keep = filed_day < days
    np.add.at(filed, (filed_day[keep], article[keep]), 1)
    keep = decided_day < days
    np.add.at(decided, (decided_day[keep], article[keep]), 1)
    return filed, decided
