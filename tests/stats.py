"""Statistical assertions shared by the tests: effects judged against their standard errors."""

from __future__ import annotations

import numpy as np


def assert_greater(high, low, what: str, z: float = 4.0) -> None:
    """Mean of `high` above mean of `low` by more than `z` standard errors of the difference (Welch)."""
    high, low = np.asarray(high, float), np.asarray(low, float)
    diff = high.mean() - low.mean()
    se = np.sqrt(high.var(ddof=1) / len(high) + low.var(ddof=1) / len(low))
    assert diff > z * se, f"{what}: difference {diff:.4g} is not above {z} standard errors ({se:.4g})"
