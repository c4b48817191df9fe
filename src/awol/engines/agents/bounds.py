"""The agent engine's bounds: for each class of soldiers, a daily event probability p̄ no member exceeds.

A class is (status, role, channel, unit), on leave (status, kind of leave), and at
large (region, destination, hiding level), in tables of its own. A soldier is visited
only on his candidate days, a Bernoulli(p̄) process (`calendar`); his class's p̄ must
therefore bound the day's total event probability of every member
(`chain.class_events_bound`, `at_large_events_bound`). The casualty and leave-start
parts follow schedules known in advance and are bounded by their maximum over the rest
of the run; the desertion hazard and detection by search move with the state
(deterrence, peers, the number at large) and their bounds are fitted each morning
with headroom.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from awol.engines.agents import calendar
from awol.model import chain
from awol.model.desertion import tolerance_factor
from awol.model.states import AT_LARGE, CHANNELS, DESTINATIONS, DETAINED, HOSPITAL, LEAVE, ON_LEAVE, RETAINED, TREATMENT
from awol.scenario.schema import Scenario

kernel = njit(cache=True, _nrt=False)
inline = njit(cache=True, inline="always", _nrt=False)

# Desertion bounds are fitted to HEADROOM × the day's rate, and lowered only once the
# rate has fallen below 1 / HEADROOM² of the bound: a raise costs a pass over every
# soldier, a loose bound only the extra candidate visits it brings.
HEADROOM = 1.5

# Nor is a desertion bound set below FLOOR × the class's other events (casualties and
# leave): that costs at most that share of extra visits, and spares the passes that
# rises of a small hazard would otherwise cost.
FLOOR = 0.25

# Entries of the kernels' statistics array (`KernelStats`).
VISITS, REDRAW_PASSES, REDRAWN, CLASSES_REDRAWN = range(4)


class BoundTables(NamedTuple):
    """Bounds and each class's candidate probability, as the kernels see them."""

    planned: np.ndarray       # [day, role] largest death + wound probability from that day to the end
    planned_leave: np.ndarray  # [day] largest leave-start probability from that day to the end
    casualty: np.ndarray      # [role] today's casualty bound
    desertion: np.ndarray     # [on-duty status, role, channel, unit] fitted line-hazard bound
    #                           (before the personal factor)
    factor_max: np.ndarray    # [channel] largest personal factor of the channel
    candidate: np.ndarray     # [status, role, channel, unit] candidate probability p̄
    scale: np.ndarray         # its gap scale, 1 / log(1 − p̄) (`calendar.gap_scale`)
    dirty: np.ndarray         # bool: classes whose soldiers draw fresh candidates today
    nothing_from: np.ndarray  # int64: first day of the horizon of `nothing_left` (−1: none yet)
    nothing_left: np.ndarray  # P(no candidate from that day to the end of the run)
    detection: np.ndarray     # [region] fitted bound on the detection probability before the hiding factor
    at_large: AtLargeBounds   # the same for the classes at large


class AtLargeBounds(NamedTuple):
    """Candidate probabilities of the classes at large, [region, destination, hiding level]."""

    candidate: np.ndarray
    scale: np.ndarray
    dirty: np.ndarray
    nothing_from: np.ndarray
    nothing_left: np.ndarray


def bound_tables(plan, days: int, units: int) -> BoundTables:
    """Empty bound tables sized for the plan's classes; the kernels fill them each morning."""
    classes = (DETAINED + 1, 3, 3, units)
    at_large = at_large_classes(plan)
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
        detection=np.zeros(plan.geography.n_regions),
        at_large=AtLargeBounds(
            candidate=np.zeros(at_large),
            scale=np.zeros(at_large),
            dirty=np.zeros(at_large, dtype=np.bool_),
            nothing_from=np.full(at_large, -1, dtype=np.int64),
            nothing_left=np.zeros(at_large),
        ),
    )


def at_large_classes(plan) -> tuple[int, int, int]:
    """Shape of the tables of the classes at large: (region, destination, hiding level)."""
    return plan.geography.n_regions, len(DESTINATIONS), len(plan.hiding[0])


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


@inline
def leave_kind(pathway):
    """The class index of a leave, in place of the role: 0 rotation leave, 1 convalescence.

    The two end at different rates; bounding each by its own keeps the long convalescence
    from being visited at the rate of the short rotation leave.
    """
    return 0 if pathway == LEAVE else 1


@inline
def at_large_events_bound(rates, detection_bound, level, moving):
    """An upper bound on the total of `chain.at_large_events` for a soldier with hiding level
    `level`, in a region whose detection probability is at most `detection_bound`.

    The total f + (1 − f)·(r + (1 − r)·(d + (1 − d)·m)) grows with each of found f, returns
    r, dies d and moves m. A soldier with nowhere to move (`moving` false: at home, or where
    no route leads on) meets no event when he tries, so his bound leaves the move out.
    """
    eta = rates.hiding[level]
    found = chain.capped(detection_bound * eta)
    returns = chain.capped(rates.voluntary_return * eta)
    dies = rates.death_at_large
    move = rates.move if moving else 0.0
    return found + (1.0 - found) * (returns + (1.0 - returns) * (dies + (1.0 - dies) * move))


@inline
def _set_candidate(p, candidate, scale, nothing_from, dirty, size, index, stats):
    """Class `index` gets candidate probability p today; returns whether it rose over a class
    holding soldiers (who must then draw fresh candidates: `dirty`)."""
    raised = p > candidate[index] and size[index] > 0
    dirty[index] = raised
    if raised:
        stats[CLASSES_REDRAWN] += 1
    if p != candidate[index]:
        candidate[index] = p
        scale[index] = calendar.gap_scale(p)
        nothing_from[index] = -1
    return raised


@kernel
def fit_bounds(t, rates, B, class_size, at_large_size, moves, stats):
    """Fit the bound tables to today's rates and derive each class's candidate probability.

    The candidate probability of a class on duty is the chain's bound given the casualty
    bound, the line-hazard bound times the channel's largest personal factor and the
    leave bound; in hospital, on leave (by kind of leave) or detained, the probability of
    the status's one event. At large, a class is (region, destination, hiding level): its
    bound is `at_large_events_bound` under the region's detection bound, fitted with
    headroom like the desertion bound since search moves with the number at large.
    Returns whether some class holding soldiers has a larger p̄ than yesterday: those
    are marked in `dirty` and must draw fresh candidates. A smaller p̄ needs nothing:
    soldiers drawn under the larger one keep it, and it still bounds their probability.
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
                    if s == AT_LARGE:  # its classes are below
                        p = 0.0
                    elif s == DETAINED:
                        p = chain.detention_ends(rates)
                    elif s == ON_LEAVE:
                        p = chain.leave_ends(rates, LEAVE if r == 0 else TREATMENT)
                    elif s == HOSPITAL:
                        p = chain.class_events_bound(rates, s, 0.0, 0.0, 0.0)
                    else:
                        rate = rates.line_base * chain.propensity(rates, s == RETAINED, r, c, u, 1.0)
                        B.desertion[s, r, c, u] = _fitted(B.desertion[s, r, c, u], rate, HEADROOM)
                        h = B.desertion[s, r, c, u] * B.factor_max[c]
                        floor = FLOOR * (B.casualty[r] + leave)
                        if h < floor:
                            h = floor
                        if h > 1.0:
                            h = 1.0
                        p = chain.class_events_bound(rates, s, B.casualty[r], h, leave)
                    if _set_candidate(p, B.candidate, B.scale, B.nothing_from, B.dirty, class_size,
                                      (s, r, c, u), stats):
                        redraw = True
    A = B.at_large
    n_regions, n_destinations, n_levels = A.candidate.shape
    for g in range(n_regions):
        B.detection[g] = _fitted(B.detection[g], rates.detection[g], HEADROOM)
        for d in range(n_destinations):
            moving = chain.moves_on(moves.next_hop[d, g], g)
            for k in range(n_levels):
                p = at_large_events_bound(rates, B.detection[g], k, moving)
                if _set_candidate(p, A.candidate, A.scale, A.nothing_from, A.dirty, at_large_size, (g, d, k), stats):
                    redraw = True
    return redraw
