"""M2 casualties: assault far deadlier, intensity scales, death and wounds never above 1."""

import numpy as np

from awol.model import casualties


def test_assault_far_deadlier_and_intensity_scales():
    death, wound = casualties.role_daily_probabilities(np.array([1e-5, 2e-4, 2e-3]), np.array([1e-4, 1e-3, 5e-3]), 1.0)
    assert death[2] > death[1] > death[0]
    more, _ = casualties.role_daily_probabilities(np.array([1e-5, 2e-4, 2e-3]), np.array([1e-4, 1e-3, 5e-3]), 2.0)
    np.testing.assert_allclose(more, 2 * death)
    d, w = casualties.role_daily_probabilities(np.array([0.7]), np.array([0.7]), 1.0)
    assert d[0] + w[0] <= 1.0
    assert casualties.hospital_exit_probability(30) == 1 / 30
