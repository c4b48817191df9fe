"""Exact expected daily outputs for scenarios whose hazards do not depend on the state.

When no day's rates depend on the soldiers' states (no adaptive pursuit, no peer
effect, no force target, no deterrence term fed by the number at large, no search
capture, which depends on deserters per searcher), every soldier follows the same
time-inhomogeneous Markov chain independently of the others, and recruits arrive
as Poisson counts plus fixed quotas. Expected counts then obey the cohort recursion
with every draw replaced by its expectation: the recursion is linear, so it is the
exact expectation (E[Bin(N, p)] = E[N]·p with p not random).

Risk tolerance enters through the personal factor exp(β_tol (τ − ½)). With sd = 0
it is one value and the recursion is exact. Otherwise each expected count is an
integral over τ of a smooth (entire) function of τ, weighted by the Beta density;
Gauss–Jacobi quadrature in the Beta weight (`cohorts.levels.quadrature_levels`, 6 nodes)
integrates it to machine precision (it is exact for polynomials of degree < 12, and
the integrand's Taylor coefficients fall off factorially). The one kink,
min(1, hazard), is never reached with per-day hazards far below 1.

M8 observed cases are linear in cases opened: expected visible cases of each article are
that article's cases opened × the reporting share, convolved with the geometric filing
and verdict lags (`model.observation`).
"""

from __future__ import annotations

import time

import numpy as np

from awol.engines.cohorts.levels import quadrature_levels
from awol.engines.expected.course import expected_course
from awol.engines.result import EngineRun
from awol.model.rates import Plan, make_plan
from awol.problems import ProblemsError
from awol.scenario.schema import Scenario


class NotIndependent(ProblemsError, ValueError):
    """The scenario's hazards depend on the state; `problems` names the fields."""

    separator = "; "


def dependence(scenario: Scenario) -> list[str]:
    """Fields that make a day's rates depend on the soldiers' states (empty if none)."""
    problems = []
    pursuit, des = scenario.pursuit, scenario.desertion
    plan = make_plan(scenario, scenario.simulation.days)
    level = plan.schedules["pursuit_level"]
    geo = plan.geography
    pursuers = (geo.base_search.sum() + geo.route_checkpoints.sum()) * np.max(level)
    searchers = geo.base_search.sum() * np.max(level)
    if pursuit.adaptive.enabled:
        problems.append("pursuit.adaptive.enabled: true makes pursuit follow desertions; set it to false")
    if des.peer_weight != 0:
        problems.append(
            f"desertion.peer_weight: {des.peer_weight} makes desertion depend on peers' desertions; set it to 0"
        )
    if scenario.recruitment.force_target is not None:
        problems.append("recruitment.force_target: recruitment follows the force size; set it to null")
    if des.deterrence_weight != 0 and des.arrest_k != 0 and pursuers > 0:
        problems.append(
            f"desertion.deterrence_weight: {des.deterrence_weight} makes desertion depend on the number at large "
            "(arrest probability); set it to 0, or have no search units and checkpoints"
        )
    if searchers > 0 and pursuit.search_k != 0 and pursuit.search_max_per_day != 0:
        problems.append(
            "pursuit.search_units: search capture depends on deserters per search unit; "
            "set every search unit to 0, or pursuit.search_max_per_day to 0"
        )
    return problems


def run(plan: Plan, seed: int, progress=None, nodes: int = 6) -> EngineRun:
    """The exact expected course over the plan's days (`seed` is not used: nothing is drawn).

    Raise `NotIndependent`, naming the fields, when the scenario's rates depend on the state.
    """
    problems = dependence(plan.scenario)
    if problems:
        raise NotIndependent(problems)
    started = time.perf_counter()
    counts, search_units, checkpoints = expected_course(plan, quadrature_levels(plan.scenario, nodes))
    if progress is not None:
        progress(plan.days, plan.days)
    return EngineRun(counts, search_units, checkpoints, expectation=True, seconds=time.perf_counter() - started)
