"""M6: prosecution by case, amnesty, voluntary return, return to assault."""

from __future__ import annotations

import numpy as np
import pytest

from awol.model import punishment


def test_prosecution_by_case_and_amnesty():
    p = punishment.prosecution_probabilities(0.4, 0.05, 0.1, 0.0)
    np.testing.assert_allclose(p, [0.4, 0.05, 0.1])
    np.testing.assert_allclose(punishment.prosecution_probabilities(0.4, 0.05, 0.1, 1.0), 0.0)
    days = punishment.prosecution_probabilities(np.array([0.4, 0.5]), np.array([0.05, 0.05]), np.array([0.1, 0.1]),
                                                np.array([0.0, 0.5]))
    assert days.shape == (2, 3) and days[1, 0] == pytest.approx(0.25)


def test_amnesty_raises_voluntary_return_and_ends_assaults():
    assert punishment.voluntary_return_probability(0.005, 1.0, 10.0) == pytest.approx(0.05)
    assert punishment.voluntary_return_probability(0.005, 0.0, 10.0) == pytest.approx(0.005)
    assert punishment.return_assault_share(0.5, 1.0) == 0.0
    assert punishment.detention_end_probability(20) == 0.05
