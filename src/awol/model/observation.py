"""M8 Observation: what the public sees of the hidden system.

Each prosecution opened when detention begins becomes one court case, under the
article its case says (M6): a refusal to deploy is disobedience (art. 332); an
absence is unauthorised absence (art. 337), or desertion (art. 338) with probability
`desertion_share` (Mediazona's tally to 18 Jun 2024 split 10,025 cases 9,059 / 627 /
339). A case enters the public tally with probability `reporting_share`; it is filed
after a geometric lag with mean `filing_lag_days` and decided after a further
geometric lag with mean `verdict_lag_days`. Calibration compares these series, never
the hidden truth, with the data.
"""

from __future__ import annotations

import numpy as np

ARTICLES = ("awol", "disobedience", "desertion")   # arts. 337, 332, 338
AWOL, DISOBEDIENCE, DESERTION = range(3)


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
    reporting_share: float,
    filing_lag_days: float,
    verdict_lag_days: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The expectation of `court_cases` given expected cases opened per day and article, shape [days, 3].

    Visible cases are linear in cases opened: opened × reporting share, convolved with
    the geometric filing lag, and again with the verdict lag.
    """
    opened = np.asarray(opened, dtype=float)
    days = opened.shape[0]
    filing, verdict = geometric_pmf(days, filing_lag_days), geometric_pmf(days, verdict_lag_days)
    filed = np.stack([np.convolve(opened[:, a] * reporting_share, filing)[:days] for a in range(opened.shape[1])], 1)
    decided = np.stack([np.convolve(filed[:, a], verdict)[:days] for a in range(opened.shape[1])], 1)
    return filed, decided


def court_cases(
    opened: np.ndarray,
    *,
    reporting_share: float,
    filing_lag_days: float,
    verdict_lag_days: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Publicly visible cases filed and decided per day and article, shape [days, 3], from the
    cases opened per day and article [days, 3].

    Cases whose filing or verdict falls after the last simulated day are not seen.
    """
    opened = np.asarray(opened, dtype=np.int64)
    days = opened.shape[0]
    visible = rng.binomial(opened, reporting_share)
    day = np.repeat(np.tile(np.arange(days), opened.shape[1]), visible.T.ravel())
    article = np.repeat(np.arange(opened.shape[1]), visible.sum(axis=0))
    filed_day = day + geometric_lags(rng, len(day), filing_lag_days)
    decided_day = filed_day + geometric_lags(rng, len(day), verdict_lag_days)
    filed = np.zeros((days, len(ARTICLES)), dtype=np.int64)
    decided = np.zeros((days, len(ARTICLES)), dtype=np.int64)
    keep = filed_day < days
    np.add.at(filed, (filed_day[keep], article[keep]), 1)
    keep = decided_day < days
    np.add.at(decided, (decided_day[keep], article[keep]), 1)
    return filed, decided
