"""M3 The absence decision (claims C2, C3): leaving from the line, not returning, refusing to deploy.

One propensity, four ways out. A soldier's propensity to leave is a proportional-hazards
factor (`form: loglinear`)

    π_i = exp(  β_risk · d_r(t) / d_ref          (perceived risk of death in his role)
              + β_griev · 1[held past term]       (grievance, C1)
              + β_c                               (recruitment channel)
              + β_peer · D_u(t)                   (peer absences, cascades)
              − β_det · P(t) · S(t)               (deterrence)
              + β_tol · (τ_i − ½) )               (personal risk tolerance)

and it scales the baseline of each pathway (all capped at 1):

  * from the line: a daily hazard b · π_i for a soldier on duty (he starts at large in
    his unit's front region, behind its checkpoints);
  * not back from leave: a probability q_leave · π_i decided when a rotation leave ends
    (he is at home);
  * not back after treatment: q_treat · π_i decided when treatment ends, at the end of a
    convalescence at home or on the way back from hospital (in the rear);
  * refusing to deploy again: q_refuse · π_i on the way back from leave or treatment
    (he is held in detention at once, and may be tried for disobedience).

d_r is today's death probability of the role, D_u the smoothed daily absences per 1,000
soldiers of the unit, S the chance that a caught man is imprisoned or sent to an
assault, and P Epstein's estimated arrest probability (PNAS 2002)

    P = 1 − exp(−k · C / (A + 1)),   k = 2.3 in Epstein's model,

with C the pursuers (search units plus checkpoints) and A the absent soldiers (+1: A
counts the would-be deserter himself). All coefficients are scenario parameters with
declared ranges.
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


def fixed_log_terms(
    *,
    death_by_role: np.ndarray,
    risk_weight: float,
    risk_reference: float,
    grievance_weight: float,
    channel_weight: np.ndarray,
) -> np.ndarray:
    """The terms of the log-propensity that do not depend on the state, [..., held past term, role, channel].

    Grievance, perceived risk and channel are known from the schedules alone, so a run
    computes them for all its days at once (`death_by_role` may carry a leading day
    axis) and only `propensity_table` is left for each day.
    """
    death = np.asarray(death_by_role, float)
    risk = risk_weight * death / risk_reference                                 # [..., role]
    grievance = np.array([0.0, grievance_weight])                               # [held past term]
    return grievance[:, None, None] + risk[..., None, :, None] + np.asarray(channel_weight)[None, None, :]


def propensity_table(fixed: np.ndarray, *, peer_weight: float, peer_level: np.ndarray,
                     deterrence: float) -> np.ndarray:
    """One day's propensity π before the personal factor, [held past term, role, channel, unit],
    from its fixed log-terms [held past term, role, channel], the units' peer levels and the
    deterrence term β_det · P · S."""
    return np.exp(fixed[:, :, :, None] + peer_weight * np.asarray(peer_level)[None, None, None, :] - deterrence)


def tolerance_factor(risk_tolerance: np.ndarray, weight: float) -> np.ndarray:
    """Personal multiplier of the propensity, exp(β_tol · (τ − ½))."""
    return np.exp(weight * (np.asarray(risk_tolerance) - 0.5))


def peer_update(level: np.ndarray, desertions: np.ndarray, on_duty: np.ndarray, memory_days: float) -> np.ndarray:
    """Exponentially smoothed absences per 1,000 on-duty soldiers, per unit."""
    rate = 1000.0 * desertions / np.maximum(on_duty, 1.0)
    weight = 1.0 / memory_days if memory_days >= 1.0 else 1.0
    return (1.0 - weight) * level + weight * rate
