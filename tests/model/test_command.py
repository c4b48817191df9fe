"""M4: the adaptive command grows with recent absences, after a lag, up to a cap."""

import numpy as np
import pytest

from awol.model import command


def test_adaptive_response_grows_with_desertions_and_is_capped():
    history = np.r_[np.full(30, 10.0), np.full(30, 50.0)]
    assert command.recent_desertions(history, 60, lag=0, window=30) == 50.0
    assert command.recent_desertions(history, 60, lag=30, window=30) == 10.0
    assert command.adaptive_target(100, 2.0, 50, cap=1000) == 200
    assert command.adaptive_target(100, 2.0, 5000, cap=1000) == 1000
    assert command.adjust(100, 200, 0.1) == pytest.approx(110)
    np.testing.assert_allclose(command.allocate(30, np.array([1.0, 2.0])), [10, 20])
