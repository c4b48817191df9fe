"""M2 leave: geometric stays with their mean lengths."""

from awol.model import leave


def test_end_probabilities():
    p = leave.end_probabilities(18, 45)
    assert p[0] == 1 / 18 and p[1] == 1 / 45
    assert leave.end_probabilities(0.5, 1.0)[0] == 1.0
