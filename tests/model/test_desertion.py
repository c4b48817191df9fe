"""M3: the propensity to leave, and its parts, in the direction each claim says."""

from __future__ import annotations

import numpy as np
import pytest

from awol.model import desertion


def table(**changes):
    args = dict(death_by_role=np.array([1e-5, 3e-4, 2e-3]), risk_weight=0.3, risk_reference=1e-3,
                grievance_weight=1.0, channel_weight=np.array([0.0, 0.3, 0.5]))
    terms = {k: changes.pop(k) for k in list(changes) if k in args}
    args.update(terms)
    fixed = desertion.fixed_log_terms(**args)
    day = dict(peer_weight=0.5, peer_level=np.array([0.0, 2.0]), deterrence=0.3)
    day.update(changes)
    return desertion.propensity_table(fixed, **day)


def test_directions_of_the_propensity():
    pi = table()   # [held past term, role, channel, unit]
    assert (pi[1] > pi[0]).all(), "grievance: held past term raises it (C1, C3)"
    assert (pi[:, 2] > pi[:, 1]).all() and (pi[:, 1] > pi[:, 0]).all(), "riskier roles leave more (C2)"
    assert (pi[..., 1] > pi[..., 0]).all(), "peer absences raise it"
    assert (table(deterrence=0.9) < pi).all(), "deterrence lowers it"
    assert np.allclose(table(grievance_weight=0.0)[1], pi[0]), "without grievance, held past term changes nothing"


def test_propensity_is_the_exponent_of_its_terms():
    pi = table(risk_weight=0.0, channel_weight=np.zeros(3), peer_weight=0.0, deterrence=0.0, grievance_weight=0.0)
    np.testing.assert_allclose(pi, 1.0)


def test_epstein_arrest_probability():
    assert desertion.arrest_probability(0, 10, 2.3) == 0.0
    p = desertion.arrest_probability(10, 9, 2.3)
    assert p == pytest.approx(1 - np.exp(-2.3))
    assert desertion.arrest_probability(20, 9, 2.3) > p > desertion.arrest_probability(10, 50, 2.3)


def test_amnesty_removes_punishment_severity():
    assert desertion.punishment_severity(0.5, 0.6, 0.5, 1.0) == 0.0
    assert desertion.punishment_severity(0.8, 0.6, 0.5, 0.0) > desertion.punishment_severity(0.2, 0.6, 0.5, 0.0)


def test_peer_memory_smooths_absences_per_thousand():
    level = desertion.peer_update(np.zeros(2), np.array([0.0, 5.0]), np.array([1000.0, 1000.0]), 10.0)
    assert level[0] == 0 and level[1] == pytest.approx(0.5)


def test_tolerance_factor():
    assert desertion.tolerance_factor(0.5, 2.0) == 1.0
    assert desertion.tolerance_factor(1.0, 2.0) == pytest.approx(np.e)
