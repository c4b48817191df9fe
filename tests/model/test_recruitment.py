"""M7: volunteers follow the bonus against the reference, detainees the detentions, waves their quotas."""

import datetime as dt

import numpy as np
import pytest

from awol.model import recruitment
from awol.scenario.schema import MobilisationWave


def test_recruitment_responds_to_bonus_and_detentions():
    higher_bonus = recruitment.volunteer_rate(800, 400_000, 195_000, 0.3)
    assert higher_bonus > recruitment.volunteer_rate(800, 195_000, 195_000, 0.3) == 800
    bonus = np.array([195_000, 400_000])
    rates = recruitment.volunteer_rate(np.array([250.0, 910.0]), bonus, bonus, 0.3)
    np.testing.assert_allclose(rates, [250, 910])
    assert recruitment.detainee_rate(300, 0.33) == pytest.approx(99)


def test_mobilisation_quotas_exact_and_scaled():
    wave = MobilisationWave(start=dt.date(2022, 9, 26), size=1003, days=10)
    quotas = recruitment.mobilisation_quotas([wave], dt.date(2022, 9, 24), 20)
    assert quotas.sum() == 1003 and quotas[2] == 101 and quotas[11] == 100 and quotas[:2].sum() == 0
    assert recruitment.mobilisation_quotas([wave], dt.date(2022, 9, 24), 20, scale=0.1).sum() == 100
    assert recruitment.force_target_rate(1000, 700, 30, 5) == 5
    assert recruitment.force_target_rate(1000, 1200, 30, 5) == 0
