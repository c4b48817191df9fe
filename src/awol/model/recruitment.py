"""M7 Recruitment (claims C6, C7).

Daily expected inflows by channel:

  * volunteers: `v · (B(t) / B_ref)^ε` — a base rate responding to the sign-on
    bonus B with elasticity ε (federal bonus 195,000 roubles from Sep 2022;
    400,000 for contracts signed 1 Aug-31 Dec 2024, The Moscow Times 31 Jul 2024;
    92,800 bonus-paid contracts in Q2 2024, iStories);
  * detainees: detentions per day × acceptance (C6; laws of 23 Mar 2024 and
    2-3 Oct 2024; about 20,000 of 60,000 defendants expected to sign);
  * mobilisation: waves of a given size spread evenly over their days (C7);
  * goal seeking (optional): the shortfall of the on-duty force against a target,
    closed over `closing_days`, through the channel the policy names, capped.

Volunteer and detainee arrivals are Poisson; mobilisation quotas are exact.
"""

from __future__ import annotations

import numpy as np


def volunteer_rate(base: float, bonus: float, reference: float, elasticity: float) -> float:
    """M7 volunteers respond to the sign-up bonus with a constant elasticity."""
    return base * (bonus / reference) ** elasticity


def detainee_rate(detentions: float, acceptance: float) -> float:
    """M7 detainee recruitment: a share of those detained accept a contract instead of prosecution."""
    return detentions * acceptance


def mobilisation_quotas(waves, start, days: int, scale: float = 1.0) -> np.ndarray:
    """Exact daily quotas of every wave (its size times `scale`, rounded), remainders spread over the first days."""
    quota = np.zeros(days, dtype=np.int64)
    for wave in waves:
        first = (wave.start - start).days
        size = int(round(wave.size * scale))
        per_day = np.full(wave.days, size // wave.days, dtype=np.int64)
        per_day[: size % wave.days] += 1
        for i, n in enumerate(per_day):
            if 0 <= first + i < days:
                quota[first + i] += n
    return quota


def force_target_rate(target: float, on_duty: float, closing_days: float, cap: float) -> float:
    """Recruitment that closes the gap to a force target over `closing_days`, never negative, at most `cap`."""
    return float(np.clip((target - on_duty) / closing_days, 0.0, cap))
