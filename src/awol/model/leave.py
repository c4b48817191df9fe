"""Leave from the front (M2): rotation leave, and convalescence at home after treatment.

Until March 2023 the mobilised had no regular leave and contract soldiers' annual
leave existed mostly on paper; from a presidential address of 21 Feb 2023 every
participant was owed at least 14 days every six months, travel not counted (the
first leaves of the mobilised began on 17 Mar 2023), although relatives report men
without leave for ten months and more (data/absences.csv, topic leave). A soldier on
duty goes on rotation leave with a daily probability from the `leave.start_per_day`
schedule; a soldier leaving hospital who is not discharged convalesces at home first
with probability `leave.convalescent_share`. Either stay is geometric with its mean
length; at its end the soldier returns, does not return (M3, pathway leave or
treatment) or refuses to deploy again. While on leave he is at home: front and
occupied-territory checkpoints play no part, and his term may end, to be decided (M1)
on his first day back.
"""

from __future__ import annotations

import numpy as np


def end_probabilities(rotation_days: float, convalescent_days: float) -> np.ndarray:
    """Daily probability that a leave ends, [rotation leave, convalescence]: geometric stays with these means."""
    return np.minimum(1.0, 1.0 / np.array([rotation_days, convalescent_days], dtype=float))
