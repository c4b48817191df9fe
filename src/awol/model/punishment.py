"""M6 Capture and punishment (claim C5).

At capture (or surrender) a deserter is prosecuted with probability
`prosecution_share · (1 − amnesty)`; a prosecuted man's sentence is suspended with
probability `suspended_share` (about 60 % of AWOL sentences in 2023:
pravda.com.ua, 19 Jul 2023; "more than half", Sirena). After a geometric detention
with mean `detention_days`, the unsuspended go to prison and everyone else back to
the front, into an assault role with probability
`assault_share_returned · (1 − amnesty)`. He can desert again.
"""

from __future__ import annotations

import numpy as np


def sentence_probabilities(prosecution: float, suspended: float, amnesty: float) -> tuple[float, float]:
    """(P(prosecuted), P(prosecuted and imprisoned)) for one capture."""
    prosecuted = prosecution * (1.0 - amnesty)
    return prosecuted, prosecuted * (1.0 - suspended)


def detention_end_probability(detention_days: float) -> float:
    return min(1.0, 1.0 / detention_days)


def return_assault_share(assault_share_returned: float, amnesty: float) -> float:
    return assault_share_returned * (1.0 - amnesty)


def surrender_probability(base: float, amnesty, multiplier: float):
    """Daily surrender probability; an amnesty scales it by `multiplier` when fully in force.

    `amnesty` may be one day's value or a schedule's values for every day."""
    return np.minimum(1.0, base * (1.0 + (multiplier - 1.0) * np.asarray(amnesty, float)))
