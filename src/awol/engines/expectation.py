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
Gauss–Jacobi quadrature in the Beta weight (`cohorts.quadrature_levels`, 6 nodes)
integrates it to machine precision (it is exact for polynomials of degree < 12, and
the integrand's Taylor coefficients fall off factorially). The one kink,
min(1, hazard), is never reached with per-day hazards far below 1.

M8 observed cases are linear in cases opened: expected visible cases are opened ×
reporting share × article share, convolved with the geometric filing and verdict lags.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from awol.engines import outputs as O
from awol.engines.cohorts import quadrature_levels
from awol.engines.expected_course import run_expected
from awol.model.observation import ARTICLES
from awol.model.rates import make_plan
from awol.model.states import AT_LARGE, CHANNELS, DETAINED, ESCAPED, HOSPITAL, RELEASED, RETAINED, ROLES, SERVING, STATUSES
from awol.scenario.schema import Scenario


class NotIndependent(ValueError):
    """The scenario's hazards depend on the state; `problems` names the fields."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


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
        problems.append(f"desertion.peer_weight: {des.peer_weight} makes desertion depend on peers' desertions; set it to 0")
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


def geometric_pmf(days: int, mean: float) -> np.ndarray:
    """P(lag = d), d = 0..days−1, for `observation.geometric_lags`."""
    if mean <= 0:
        pmf = np.zeros(days)
        pmf[0] = 1.0
        return pmf
    q = 1.0 / (mean + 1.0)
    return q * (1.0 - q) ** np.arange(days)


def expected_counts(scenario: Scenario, days: int | None = None, nodes: int = 6):
    """Expected counter matrix [days, N_COUNTERS] (floats), search units, checkpoints."""
    problems = dependence(scenario)
    if problems:
        raise NotIndependent(problems)
    days = scenario.simulation.days if days is None else int(days)
    return run_expected(scenario, days, quadrature_levels(scenario, nodes))


def expected_daily(scenario: Scenario, days: int | None = None) -> pd.DataFrame:
    """Expected daily outputs, with the columns of `outputs.daily_table` (as floats)."""
    counts, search, checkpoints = expected_counts(scenario, days)
    days = counts.shape[0]
    out: dict[str, np.ndarray] = {
        "day": np.arange(days, dtype=np.int32),
        "date": pd.date_range(scenario.simulation.start, periods=days, freq="D").values.astype("datetime64[D]"),
    }
    named = O.counter_columns()
    for name in STATUSES:
        out[name] = counts[:, named[name]]
    out["on_duty"] = out["serving"] + out["retained"]
    out["retained_past_term"] = out["retained"]
    out["deserters_at_large"] = out["at_large"]
    for name, index in named.items():
        if name not in out:
            out[name] = counts[:, index]
    flow = lambda a, b: O.flow(counts, a, b)  # noqa: E731
    out["new_desertions"] = sum(flow(s, AT_LARGE) for s in (SERVING, RETAINED, HOSPITAL))
    out["captures"] = out["captures_checkpoint"] + out["captures_search"]
    out["returned_to_front"] = flow(DETAINED, SERVING) + flow(DETAINED, RETAINED)
    out["released_at_term"] = flow(SERVING, RELEASED)
    out["retained_at_term"] = flow(SERVING, RETAINED)
    out["escapes"] = flow(AT_LARGE, ESCAPED)
    out["deaths"] = sum(out[f"deaths_{r}"] for r in ROLES)
    out["wounds"] = sum(out[f"wounds_{r}"] for r in ROLES)
    out["recruits"] = sum(out[f"recruits_{c}"] for c in CHANNELS)
    out["search_units"] = search
    out["checkpoints"] = checkpoints

    obs = scenario.observation
    shares = np.array([getattr(obs.article_shares, a) for a in ARTICLES], dtype=float)
    shares = shares / shares.sum()
    visible = out["cases_opened"] * obs.reporting_share
    filed_total = np.convolve(visible, geometric_pmf(days, obs.filing_lag_days))[:days]
    decided_total = np.convolve(filed_total, geometric_pmf(days, obs.verdict_lag_days))[:days]
    for i, a in enumerate(ARTICLES):
        out[f"cases_filed_{a}"] = filed_total * shares[i]
    for i, a in enumerate(ARTICLES):
        out[f"cases_decided_{a}"] = decided_total * shares[i]
    out["cases_filed"] = filed_total
    out["cases_decided"] = decided_total
    return pd.DataFrame(out)
