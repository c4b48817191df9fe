"""M2 Roles and casualties (claim C2).

Rule: each day an on-duty soldier in role r dies with probability
`d_r · I(t)` and is wounded with probability `w_r · I(t)`, where `I(t)` is a
combat-intensity schedule; assault ≫ line ≫ rear. The wounded stay in hospital a
geometric time with mean `recovery_days`, then are discharged (released) with
probability `discharge_share` or return to duty.

Numbers (bundled baseline): killed and wounded per day rose from a few hundred in
2022 to about 1,270-1,520 in late 2024 (UK Defence Intelligence from Ukrainian
General Staff data); deaths peaked near 3,000 a week in Nov 2024 (Meduza and
Mediazona probate estimate). Assault survival "as low as 10-15 %" per assault
(Verstka via UK Defence Intelligence, Feb 2025) sets the assault death rate far
above the line's.
"""

from __future__ import annotations

import numpy as np


def role_daily_probabilities(
    death_per_day: np.ndarray, wound_per_day: np.ndarray, intensity: float
) -> tuple[np.ndarray, np.ndarray]:
    """Daily death and wound probabilities by role at the given intensity.

    Scaled rates are capped so that death and wounding together never exceed 1.
    """
    death = np.minimum(np.asarray(death_per_day, float) * intensity, 1.0)
    wound = np.minimum(np.asarray(wound_per_day, float) * intensity, 1.0 - death)
    return death, wound


def hospital_exit_probability(recovery_days: float) -> float:
    """Daily probability of leaving hospital: a geometric stay with the given mean."""
    return min(1.0, 1.0 / recovery_days)
