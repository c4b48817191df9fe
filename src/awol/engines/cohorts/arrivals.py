"""Where new soldiers land: their (role, unit, risk level) groups and contract-end days, by channel.

Role, unit (uniform), risk level and contract term of a recruit are independent, so
arrivals are split over groups and then over end-day offsets (`arrival_factors`)
rather than over the product of both. The initial force's start days are themselves
random; `term_end_hazard` turns their end-day distribution into the daily hazard by
which their terms end.
"""

from __future__ import annotations

import numpy as np

from awol.model import contracts
from awol.model.states import CHANNELS, ROLES
from awol.scenario.schema import Scenario

NO_OFFSET = -(1 << 40)         # arrival cell without a term


def _term_days(profile) -> tuple[np.ndarray, np.ndarray]:
    """Term lengths in days (NO_OFFSET for no term) and their shares."""
    if profile.term_months is None:
        return np.array([NO_OFFSET]), np.array([1.0])
    months = np.array(list(profile.term_months.keys()), dtype=float)
    shares = np.array(list(profile.term_months.values()), dtype=float)
    days = np.where(months > 0, np.rint(months * contracts.DAYS_PER_MONTH), NO_OFFSET).astype(np.int64)
    return days, shares / shares.sum()


def arrival_factors(scenario: Scenario, channel: int, level_probs: np.ndarray, initial: bool):
    """Where a new soldier of `channel` lands, as two independent factors.

    Returns groups (role, unit, level, prob) and contract-end offsets (offset, prob):
    role, unit (uniform), risk level and offset are independent, so the draw engine
    splits arrivals over the groups and then each group over the offsets, which costs
    the smaller of the arrivals and the cells instead of the product of the factors.
    The offset is added to the arrival day (NO_OFFSET = no term). For the initial
    population the start day is itself random, −floor(U · span) with U uniform (as
    `engines.agents`), and is folded into the offset; ends already passed are due on day 0.
    """
    name = CHANNELS[channel]
    profile = getattr(scenario.channels, name)
    units = scenario.population.units
    roles = np.array([profile.roles.get(r, 0.0) for r in ROLES])
    roles = roles / roles.sum()
    term, term_p = _term_days(profile)
    if initial:
        span = getattr(scenario.population, name).started_within_months * contracts.DAYS_PER_MONTH
        if span <= 0:
            starts, start_p = np.array([0]), np.array([1.0])
        else:
            k = np.arange(int(np.ceil(span)))
            start_p = np.minimum(k + 1, span) - k        # P(floor(U·span) = k)
            starts, start_p = -k, start_p / span
        offs, offs_p = [], []
        for d, p in zip(term, term_p, strict=True):
            if d == NO_OFFSET:
                offs.append(np.array([NO_OFFSET]))
                offs_p.append(np.array([p]))
            else:
                offs.append(starts + d)
                offs_p.append(start_p * p)
        off = np.concatenate(offs)
        off = np.where((off != NO_OFFSET) & (off < 0), 0, off)
        off, inv = np.unique(off, return_inverse=True)   # equal offsets are one cell
        off_p = np.bincount(inv, weights=np.concatenate(offs_p))
    else:
        off, off_p = term, term_p
    keep = off_p > 0
    off, off_p = off[keep].astype(np.int64), off_p[keep]
    lv = np.nonzero(level_probs > 0)[0]
    R, U, L = np.meshgrid(np.arange(3), np.arange(units), lv, indexing="ij")
    prob = roles[R] * (1.0 / units) * level_probs[L]
    keep = prob > 0
    groups = (R[keep].astype(np.int64), U[keep].astype(np.int64), L[keep].astype(np.int64), prob[keep])
    return groups, (off, off_p)


def arrival_cells(scenario: Scenario, channel: int, level_probs: np.ndarray, initial: bool):
    """The product of `arrival_factors`: every cell (role, unit, ce_offset, level, prob)."""
    (role, unit, level, prob), (off, off_p) = arrival_factors(scenario, channel, level_probs, initial)
    g, o = np.meshgrid(np.arange(len(prob)), np.arange(len(off)), indexing="ij")
    g, o = g.ravel(), o.ravel()
    return role[g], unit[g], off[o], level[g], prob[g] * off_p[o]


def term_end_hazard(offsets: np.ndarray, probs: np.ndarray, days: int) -> np.ndarray:
    """h(t) = P(end = t | end ≥ t) on days 0 … days − 1 for an end-day distribution.

    `offsets` are end days (NO_OFFSET: the term never ends) with probabilities `probs`.
    Survival is summed from the far end, so on a distribution's last day h is exactly 1
    and nobody outlives his term.
    """
    at = np.zeros(days + 1)
    ends = offsets != NO_OFFSET
    np.add.at(at, np.minimum(offsets[ends], days), probs[ends])  # ends after the run pooled at `days`
    never = float(probs[~ends].sum())
    survival = np.cumsum(at[::-1])[::-1] + never                 # P(end ≥ t)
    hazard = np.divide(at, survival, out=np.zeros_like(at), where=survival > 0)
    return np.minimum(hazard[:days], 1.0)
