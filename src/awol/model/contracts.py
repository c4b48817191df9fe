"""M1 Contract expiry and release (claim C1).

Rule: on the first day a soldier is on duty at or after the end of his contract
term, he is released with probability `p_release(t)`; otherwise he is *retained
past term* and, with probability `a_retained(t)`, moved to an assault role (C2).
The decision is taken once: a retained soldier stays retained.

`p_release` is a policy schedule. Decree No. 647 of 21 Sep 2022 (para. 4) keeps
contracts in force until mobilisation ends, with discharge only for age, health or
a prison sentence, so the bundled baseline sets it near 0 from that date.
Mobilised soldiers have no term and never reach this rule.
"""

from __future__ import annotations

import numpy as np

DAYS_PER_MONTH = 365.25 / 12
NO_TERM = np.iinfo(np.int32).max        # mobilised: the term never ends
TERM_DECIDED = np.iinfo(np.int32).min   # retained: the term-end decision is taken


def contract_end_days(start_days: np.ndarray, term_months: np.ndarray) -> np.ndarray:
    """Day index on which each contract term ends; `NO_TERM` where the term is 0 (none)."""
    end = start_days + np.rint(term_months * DAYS_PER_MONTH).astype(np.int64)
    return np.where(term_months > 0, end, NO_TERM).astype(np.int32)

