"""M3 Desertion decision (claims C2, C3).

Functional form (`form: loglinear`, a proportional-hazards model). The daily
probability that soldier i in status s, role r, channel c, unit u deserts is

    h_i = min(1, b · O_s · exp(  β_risk · d_r(t) / d_ref          (perceived risk of death)
                             + β_griev · 1[s = retained]        (held past term, C1)
                             + β_c                              (recruitment channel)
                             + β_peer · D_u(t)                  (peer desertions, cascades)
                             − β_det · P(t) · S(t)              (deterrence)
                             + β_tol · (τ_i − ½) ))             (personal risk tolerance)

where d_r is today's death probability of the role, D_u the smoothed daily
desertions per 1,000 soldiers of the unit, S the chance that a caught deserter is
imprisoned or sent to an assault, O_s the opportunity multiplier (hospital), and
P Epstein's estimated arrest probability (PNAS 2002)

    P = 1 − exp(−k · C / (A + 1)),   k = 2.3 in Epstein's model,

with C the pursuers (search units plus checkpoints) and A the deserters at large
(+1: A counts the would-be deserter himself). All coefficients are scenario
parameters with declared ranges.
"""

from __future__ import annotations

import numpy as np


def arrest_probability(pursuers: float, at_large: float, k: float) -> float:
    """Epstein's estimated arrest probability with the agent counted among the at-large."""
    return float(1.0 - np.exp(-k * pursuers / (at_large + 1.0)))


def punishment_severity(prosecution: float, suspended: float, assault_share_returned: float, amnesty: float) -> float:
    """Probability that a caught deserter ends in prison or an assault role."""
    prison = prosecution * (1.0 - suspended)
    return (1.0 - amnesty) * (prison + (1.0 - prison) * assault_share_returned)


def desertion_table(
    *,
    base: float,
    death_by_role: np.ndarray,
    risk_weight: float,
    risk_reference: float,
    grievance_weight: float,
    channel_weight: np.ndarray,
    peer_weight: float,
    peer_level: np.ndarray,
    deterrence_weight: float,
    arrest: float,
    severity: float,
    hospital_opportunity: float,
) -> np.ndarray:
    """Hazard before the personal tolerance factor, indexed [status, role, channel, unit].

    The status axis is (serving, retained, hospital), the first three status codes.
    """
    fixed = fixed_log_terms(
        death_by_role=death_by_role, risk_weight=risk_weight, risk_reference=risk_reference,
        grievance_weight=grievance_weight, channel_weight=channel_weight,
        hospital_opportunity=hospital_opportunity,
    )
    return hazard_table(fixed, base=base, peer_weight=peer_weight, peer_level=peer_level,
                        deterrence=deterrence_weight * arrest * severity)


def fixed_log_terms(
    *,
    death_by_role: np.ndarray,
    risk_weight: float,
    risk_reference: float,
    grievance_weight: float,
    channel_weight: np.ndarray,
    hospital_opportunity: float,
) -> np.ndarray:
    """The terms of the log-hazard that do not depend on the state, [..., status, role, channel].

    Grievance, opportunity, perceived risk and channel: known from the schedules alone,
    so a run computes them for all its days at once (`death_by_role` may carry a
    leading day axis) and only `hazard_table` is left for each day.
    """
    death = np.asarray(death_by_role, float)
    risk = risk_weight * death / risk_reference                                 # [..., role]
    grievance = np.array([0.0, grievance_weight, 0.0])                          # [status]
    opportunity = np.log(np.array([1.0, 1.0, max(hospital_opportunity, 1e-300)]))
    return (
        (grievance + opportunity)[:, None, None]
        + risk[..., None, :, None]
        + np.asarray(channel_weight)[None, None, :]
    )


def hazard_table(fixed: np.ndarray, *, base: float, peer_weight: float, peer_level: np.ndarray,
                 deterrence: float) -> np.ndarray:
    """One day's hazard [status, role, channel, unit] from its fixed log-terms [status, role, channel],
    the units' peer levels and the deterrence term β_det · P · S."""
    linear = fixed[:, :, :, None] + peer_weight * np.asarray(peer_level)[None, None, None, :] - deterrence
    return np.minimum(base * np.exp(linear), 1.0)


def tolerance_factor(risk_tolerance: np.ndarray, weight: float) -> np.ndarray:
    """Personal multiplier of the hazard, exp(β_tol · (τ − ½))."""
    return np.exp(weight * (np.asarray(risk_tolerance) - 0.5))


def peer_update(level: np.ndarray, desertions: np.ndarray, on_duty: np.ndarray, memory_days: float) -> np.ndarray:
    """Exponentially smoothed desertions per 1,000 on-duty soldiers, per unit."""
    rate = 1000.0 * desertions / np.maximum(on_duty, 1.0)
    weight = 1.0 / memory_days if memory_days >= 1.0 else 1.0
    return (1.0 - weight) * level + weight * rate
