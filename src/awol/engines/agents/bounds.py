"""The agent engine's bounds: for each class of soldiers, a daily event probability p̄ no member exceeds.

A class is (status, role, channel, unit). A soldier is visited only on his candidate
days, a Bernoulli(p̄) process (`calendar`); his class's p̄ must therefore bound the
day's total event probability of every member (`chain.class_events_bound`). The
casualty part follows the intensity schedule, known in advance, and is bounded by its
maximum over the rest of the run; the desertion hazard moves with the state
(deterrence, peers) and its bound is fitted each morning with headroom.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from awol.engines.agents import calendar
from awol.model import chain
from awol.model.desertion import tolerance_factor
from awol.model.states import AT_LARGE, CHANNELS, DETAINED, HOSPITAL, ON_LEAVE, RETAINED
from awol.scenario.schema import Scenario

kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)

# Desertion bounds are fitted to HEADROOM × the day's rate, and lowered only once the
# rate has fallen below 1 / HEADROOM² of the bound: a raise costs a pass over every
# soldier, a loose bound only the extra candidate visits it brings.
HEADROOM = 1.5

# Entries of the kernels' statistics array (`KernelStats`).
VISITS, REDRAW_PASSES, REDRAWN, CLASSES_REDRAWN = range(4)


class BoundTables(NamedTuple):
    """Bounds and each class's candidate probability, as the kernels see them."""

    planned: np.ndarray       # [day, role] largest death + wound probability from that day to the end
    planned_leave: np.ndarray  # [day] largest leave-start probability from that day to the end
    casualty: np.ndarray      # [role] today's casualty bound
    desertion: np.ndarray     # [on-duty status, role, channel, unit] fitted line-hazard bound (before the personal factor)
    factor_max: np.ndarray    # [channel] largest personal factor of the channel
    candidate: np.ndarray     # [status, role, channel, unit] candidate probability p̄
    scale: np.ndarray         # its gap scale, 1 / log(1 − p̄) (`calendar.gap_scale`)
    dirty: np.ndarray         # bool: classes whose soldiers draw fresh candidates today
    nothing_from: np.ndarray  # int64: first day of the horizon of `nothing_left` (−1: none yet)
    nothing_left: np.ndarray  # P(no candidate from that day to the end of the run)


def bound_tables(plan, days: int, units: int) -> BoundTables:
    classes = (DETAINED + 1, 3, 3, units)
    leave = plan.schedules["leave_start"][:days]
    return BoundTables(
        planned=planned_casualty_bounds(plan, days),
        planned_leave=np.maximum.accumulate(leave[::-1])[::-1].copy(),
        casualty=np.zeros(3),
        desertion=np.zeros((2, 3, 3, units)),
        factor_max=largest_factors(plan.scenario),
        candidate=np.zeros(classes),
        scale=np.zeros(classes),
        dirty=np.zeros(classes, dtype=np.bool_),
        nothing_from=np.full(classes, -1, dtype=np.int64),
        nothing_left=np.zeros(classes),
    )


def planned_casualty_bounds(plan, days: int) -> np.ndarray:
    """[day, role]: the largest daily death-plus-wound probability from that day to the end of the run.

    Casualty probabilities follow the intensity schedule, known in advance; a bound that
    looks ahead to the end of the run never has to be raised, and falls as peaks pass.
    """
    death, wound = plan.death[:days], plan.wound[:days]
    return np.maximum.accumulate((death + wound)[::-1], axis=0)[::-1].copy()


def largest_factors(scenario: Scenario) -> np.ndarray:
    """[channel]: an upper bound on the M3 personal factor exp(β_tol (τ − ½)) of its soldiers.

    τ lies in [0, 1] (its Beta distribution), or is the mean when sd = 0. The stored
    factors are float32, rounded to nearest, hence the margin.
    """
    weight = scenario.desertion.risk_tolerance_weight
    out = np.zeros(3)
    for c, name in enumerate(CHANNELS):
        rt = getattr(scenario.channels, name).risk_tolerance
        tau = np.array([rt.mean] if rt.sd == 0 else [0.0, 1.0])
        out[c] = tolerance_factor(tau, weight).max() * (1.0 + 2.0**-20)
    return out


@inline
def _fitted(bound, rate, headroom):
    """A desertion bound fitted to today's `rate`: raised above it, or lowered once far above."""
    if rate > bound or rate * headroom * headroom < bound:
        return min(1.0, headroom * rate)
    return bound


@kernel
def fit_bounds(t, rates, B, class_size, stats):
    """Fit the bound tables to today's rates and derive each class's candidate probability.

    The candidate probability of a class on duty is the chain's bound given the casualty
    bound, the line-hazard bound times the channel's largest personal factor and the
    leave bound; in hospital, on leave or detained, the largest probability of the status's
    one event; at large, 1 (visited daily). Returns whether some class holding soldiers has a larger p̄ than
    yesterday: those are marked in `dirty` and must draw fresh candidates. A smaller p̄
    needs nothing: soldiers drawn under the larger one keep it, and it still bounds
    their probability.
    """
    n_units = B.desertion.shape[3]
    for r in range(3):  # death + wound: the plan's look-ahead, or today's rate if it is above
        rate = rates.death[r] + rates.wound[r]
        B.casualty[r] = B.planned[t, r] if B.planned[t, r] >= rate else rate
    redraw = False
    leave = B.planned_leave[t] if B.planned_leave[t] >= rates.leave_start else rates.leave_start
    for s in range(DETAINED + 1):
        for r in range(3):
            for c in range(3):
                for u in range(n_units):
                    if s == AT_LARGE:
                        p = 1.0
                    elif s == DETAINED:
                        p = chain.detention_ends(rates)
                    elif s == ON_LEAVE:
                        p = chain.leave_ends_bound(rates)
                    elif s == HOSPITAL:
                        p = chain.class_events_bound(rates, s, 0.0, 0.0, 0.0)
                    else:
                        rate = rates.line_base * chain.propensity(rates, s == RETAINED, r, c, u, 1.0)
                        B.desertion[s, r, c, u] = _fitted(B.desertion[s, r, c, u], rate, HEADROOM)
                        h = B.desertion[s, r, c, u] * B.factor_max[c]
                        if h > 1.0:
                            h = 1.0
                        p = chain.class_events_bound(rates, s, B.casualty[r], h, leave)
                    raised = p > B.candidate[s, r, c, u] and class_size[s, r, c, u] > 0
                    B.dirty[s, r, c, u] = raised
                    if raised:
                        stats[CLASSES_REDRAWN] += 1
                        redraw = True
                    if p != B.candidate[s, r, c, u]:
                        B.candidate[s, r, c, u] = p
                        B.scale[s, r, c, u] = calendar.gap_scale(p)
                        B.nothing_from[s, r, c, u] = -1
    return redraw
