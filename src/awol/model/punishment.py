"""M6 Detention and punishment (claim C5).

An absence ends in detention when the man is caught (search units, police at home, a
checkpoint) or comes back of his own will, and a refusal to deploy ends in detention
at once. When detention begins his sentence is decided: he is prosecuted (a court
case, M8) with a probability that depends on what he did. A first absence that ended
within ten days is mostly handled without a case, by sending the man back
(`policy.short_first_prosecution`; the note to art. 337 that formally spares
first-time absentees does not cover the wartime parts, so this leniency is practice:
Kavkaz.Realii via Meduza, 8 Oct 2025); any other absence is prosecuted with
`policy.prosecution_share`, a refusal with `policy.refusal_prosecution` (art. 332;
refusers are mostly held in the rear and sent back, not tried: Verstka 2022, 2024).
An amnesty removes prosecution. A prosecuted man's sentence is suspended with
probability `suspended_share` (about 60 % of AWOL sentences in 2023: pravda.com.ua,
19 Jul 2023). After a geometric detention with mean `detention_days`, the unsuspended
go to prison and everyone else back to the front, into an assault role with
probability `assault_share_returned · (1 − amnesty)`. He can leave again.
"""

from __future__ import annotations

import numpy as np

SHORT_ABSENCE_DAYS = 10   # the criminal code's first tier: absence of up to ten days


def prosecution_probabilities(long_or_repeat, short_first, refusal, amnesty) -> np.ndarray:
    """[..., case] P(prosecuted) for (a long or repeated absence, a short first absence, a refusal)."""
    keep = 1.0 - np.asarray(amnesty, float)
    return np.stack([np.asarray(long_or_repeat, float) * keep, np.asarray(short_first, float) * keep,
                     np.asarray(refusal, float) * keep], axis=-1)


def detention_end_probability(detention_days: float) -> float:
    """Daily probability that detention ends: a geometric stay with the given mean."""
    return min(1.0, 1.0 / detention_days)


def return_assault_share(assault_share_returned, amnesty):
    """Share of soldiers back from detention sent to an assault role (none under full amnesty)."""
    return np.asarray(assault_share_returned, float) * (1.0 - np.asarray(amnesty, float))


def voluntary_return_probability(base: float, amnesty, multiplier: float):
    """Daily probability that an absent soldier comes back; an amnesty scales it by `multiplier` when fully in force.

    `amnesty` may be one day's value or a schedule's values for every day."""
    return np.minimum(1.0, base * (1.0 + (multiplier - 1.0) * np.asarray(amnesty, float)))
