"""Each mechanism's direction of effect, on the pure functions themselves."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from awol.model import casualties, command, contracts, desertion, interdiction, punishment, recruitment
from awol.model.observation import court_cases, geometric_lags
from awol.scenario.schema import MobilisationWave


def hazard(**changes):
    args = dict(
        base=1e-4, death_by_role=np.array([1e-5, 3e-4, 2e-3]), risk_weight=0.3, risk_reference=1e-3,
        grievance_weight=1.0, channel_weight=np.array([0.0, 0.3, 0.5]), peer_weight=0.5,
        peer_level=np.array([0.0, 2.0]), deterrence_weight=1.0, arrest=0.3, severity=0.6,
        hospital_opportunity=3.0,
    )
    args.update(changes)
    return desertion.desertion_table(**args)


def test_m1_contract_end_days():
    ends = contracts.contract_end_days(np.array([0, -30, 5]), np.array([12.0, 6.0, 0.0]))
    assert ends[0] == 365 and ends[1] == 153
    assert ends[2] == contracts.NO_TERM


def test_m2_assault_far_deadlier_and_intensity_scales():
    death, wound = casualties.role_daily_probabilities(np.array([1e-5, 2e-4, 2e-3]), np.array([1e-4, 1e-3, 5e-3]), 1.0)
    assert death[2] > death[1] > death[0]
    more, _ = casualties.role_daily_probabilities(np.array([1e-5, 2e-4, 2e-3]), np.array([1e-4, 1e-3, 5e-3]), 2.0)
    np.testing.assert_allclose(more, 2 * death)
    d, w = casualties.role_daily_probabilities(np.array([0.7]), np.array([0.7]), 1.0)
    assert d[0] + w[0] <= 1.0


def test_m3_desertion_directions():
    table = hazard()
    serving, retained, hospital = table[0], table[1], table[2]
    assert (retained > serving).all(), "grievance raises the hazard"
    assert (hospital > serving).all(), "opportunity raises the hazard"
    assert (table[:, 2] > table[:, 0]).all(), "riskier roles desert more"
    assert (table[..., 1] > table[..., 0]).all(), "peer desertions raise the hazard"
    assert (hazard(arrest=0.9) < table).all(), "a higher arrest chance deters"
    assert (hazard(severity=1.0) < table).all(), "harsher punishment deters"
    assert np.all(hazard(base=10.0) <= 1.0)


def test_m3_epstein_arrest_probability():
    assert desertion.arrest_probability(0, 10, 2.3) == 0.0
    p = desertion.arrest_probability(10, 9, 2.3)
    assert p == pytest.approx(1 - np.exp(-2.3))
    assert desertion.arrest_probability(20, 9, 2.3) > p > desertion.arrest_probability(10, 50, 2.3)


def test_m3_amnesty_removes_punishment():
    assert desertion.punishment_severity(0.5, 0.6, 0.5, 1.0) == 0.0
    assert desertion.punishment_severity(0.8, 0.6, 0.5, 0.0) > desertion.punishment_severity(0.2, 0.6, 0.5, 0.0)


def test_m3_peer_memory():
    level = desertion.peer_update(np.zeros(2), np.array([0.0, 5.0]), np.array([1000.0, 1000.0]), 10.0)
    assert level[0] == 0 and level[1] == pytest.approx(0.5)


def test_m4_adaptive_response_grows_with_desertions_and_is_capped():
    history = np.r_[np.full(30, 10.0), np.full(30, 50.0)]
    assert command.recent_desertions(history, 60, lag=0, window=30) == 50.0
    assert command.recent_desertions(history, 60, lag=30, window=30) == 10.0
    assert command.adaptive_target(100, 2.0, 50, cap=1000) == 200
    assert command.adaptive_target(100, 2.0, 5000, cap=1000) == 1000
    assert command.adjust(100, 200, 0.1) == pytest.approx(110)
    np.testing.assert_allclose(command.allocate(30, np.array([1.0, 2.0])), [10, 20])


def test_m5_interdiction_directions():
    cp = interdiction.checkpoint_interception(np.array([0, 2, 8]), 0.08)
    assert cp[0] == 0 and cp[2] > cp[1] > 0
    s = interdiction.search_capture(np.array([10, 40, 40]), np.array([100, 100, 1000]), 10.0, 0.05)
    assert s[1] > s[0] and s[1] > s[2]
    assert (s <= 0.05).all()


def test_m5_next_hops_follow_shortest_paths():
    # 0 - 1 - 2 - 3(target), and 1 - 4 (dead end), 5 isolated
    hops = interdiction.next_hops(6, [(0, 1), (1, 2), (2, 3), (1, 4)], [3])
    assert list(hops) == [1, 2, 3, 3, 1, 5]


def test_m6_sentences_and_amnesty():
    prosecuted, prison = punishment.sentence_probabilities(0.5, 0.6, 0.0)
    assert prosecuted == 0.5 and prison == pytest.approx(0.2)
    assert punishment.sentence_probabilities(0.5, 0.6, 1.0) == (0.0, 0.0)
    assert punishment.surrender_probability(0.002, 1.0, 10.0) == pytest.approx(0.02)
    assert punishment.return_assault_share(0.5, 1.0) == 0.0


def test_m7_recruitment_responds_to_bonus_and_detentions():
    assert recruitment.volunteer_rate(800, 400_000, 195_000, 0.3) > recruitment.volunteer_rate(800, 195_000, 195_000, 0.3) == 800
    assert recruitment.detainee_rate(300, 0.33) == pytest.approx(99)
    quotas = recruitment.mobilisation_quotas([MobilisationWave(start=dt.date(2022, 9, 26), size=1003, days=10)], dt.date(2022, 9, 24), 20)
    assert quotas.sum() == 1003 and quotas[2] == 101 and quotas[11] == 100 and quotas[:2].sum() == 0
    assert recruitment.force_target_rate(1000, 700, 30, 5) == 5
    assert recruitment.force_target_rate(1000, 1200, 30, 5) == 0


def test_m8_court_cases_conserve_and_lag():
    rng = np.random.default_rng(3)
    opened = np.full(400, 20)
    filed, decided = court_cases(opened, article_shares=np.array([0.9, 0.06, 0.04]), reporting_share=1.0,
                                 filing_lag_days=0, verdict_lag_days=0, rng=rng)
    np.testing.assert_array_equal(filed.sum(axis=1), opened)
    np.testing.assert_array_equal(decided, filed)
    lags = geometric_lags(np.random.default_rng(4), 100_000, 30.0)
    sd = np.sqrt(30.0 * 31.0)  # geometric on {0,1,...}: variance m(m+1)
    assert abs(lags.mean() - 30.0) < 4 * sd / np.sqrt(len(lags))
    filed, _ = court_cases(opened, article_shares=np.array([0.9, 0.06, 0.04]), reporting_share=0.5,
                           filing_lag_days=10, verdict_lag_days=10, rng=rng)
    n = opened[:300].sum()
    assert abs(filed[:300].sum() - 0.5 * n) < 4 * np.sqrt(n * 0.25) + 0.5 * 20 * 10
