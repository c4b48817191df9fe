"""M1: contract-end days."""

import numpy as np

from awol.model import contracts


def test_contract_end_days():
    ends = contracts.contract_end_days(np.array([0, -30, 5]), np.array([12.0, 6.0, 0.0]))
    assert ends[0] == 365 and ends[1] == 153
    assert ends[2] == contracts.NO_TERM
