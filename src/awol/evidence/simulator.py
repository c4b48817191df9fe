"""The forward model of inference: a point of the priors and a seed -> what the public would see.

One function, used by ABC, by the simulation bank behind neural posterior estimation and
SBC, by predictive intervals and by nowcasts, so they cannot drift apart: the scenario at
the point (evidence.priors), one cohort-engine run, the run's court-case series through
the observation error model (evidence.error_model), and the hidden totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from awol.engines import DEFAULT_ENGINE
from awol.engines.rng import child_seed
from awol.evidence.error_model import published_figures
from awol.evidence.priors import Prior, scenario_at_point

ENGINE = DEFAULT_ENGINE
# The court-case columns a bank keeps per day: every figure (any window, article "all" included) is a sum of them.
CASE_COLUMNS = tuple(
    f"{q}_{a}" for q in ("cases_filed", "cases_decided") for a in ("awol", "disobedience", "desertion")
)

# Hidden quantities at a date: (label, daily column, how) with how = stock on the day, total since
# the start, or mean (column is a pair: total of the first over total of the second).
HIDDEN = (
    ("retained past term", "retained_past_term", "stock"),
    ("absent without leave", "deserters_at_large", "stock"),
    ("  of whom left from the line", "at_large_line", "stock"),
    ("  of whom not back from leave", "at_large_leave", "stock"),
    ("  of whom not back after treatment", "at_large_treatment", "stock"),
    ("on leave", "on_leave", "stock"),
    ("on duty", "on_duty", "stock"),
    ("imprisoned", "imprisoned", "stock"),
    ("absences begun (total)", "new_desertions", "total"),
    ("  from the line (total)", "absences_line", "total"),
    ("  not back from leave (total)", "absences_leave", "total"),
    ("  not back after treatment (total)", "absences_treatment", "total"),
    ("refusals to deploy (total)", "refusals", "total"),
    ("caught (total)", "captures", "total"),
    ("came back of their own will (total)", "voluntary_returns", "total"),
    ("returned to the front (total)", "returned_to_front", "total"),
    ("deaths of returned deserters (total)", "deaths_returned", "total"),
    ("escapes beyond reach (total)", "escapes", "total"),
    ("prosecutions opened (total)", "cases_opened", "total"),
    ("deaths (total)", "deaths", "total"),
    ("days away, absences ended (mean)", ("days_at_large_ended", "absences_ended"), "mean"),
    ("  after leaving from the line (mean)", ("days_at_large_line", "absences_ended_line"), "mean"),
    ("  after not coming back from leave (mean)", ("days_at_large_leave", "absences_ended_leave"), "mean"),
    ("  after not coming back from treatment (mean)", ("days_at_large_treatment", "absences_ended_treatment"),
     "mean"),
)
HOW = {"stock": "stock on the day", "total": "total since the start", "mean": "mean over absences ended"}


# Every daily column the forward model reads: the court cases and what HIDDEN reduces.
COLUMNS = tuple(dict.fromkeys(
    CASE_COLUMNS + tuple(name for _, col, _ in HIDDEN for name in ((col,) if isinstance(col, str) else col))
))


def hidden_values(daily) -> np.ndarray:
    """The hidden quantities of HIDDEN at the last day of `daily`, a daily table or {column: daily values}
    (a mean over no absence ended is 0)."""
    out = []
    for _, col, how in HIDDEN:
        if how == "stock":
            out.append(float(np.asarray(daily[col])[-1]))
        elif how == "total":
            out.append(float(np.asarray(daily[col]).sum()))
        else:
            out.append(float(np.asarray(daily[col[0]]).sum()) / max(1.0, float(np.asarray(daily[col[1]]).sum())))
    return np.array(out)


@dataclass(frozen=True)
class Problem:
    """What the forward model needs besides the point: picklable, sent once to each worker."""

    tree: dict = field(repr=False)
    priors: tuple[Prior, ...]
    observed: pd.DataFrame = field(repr=False)
    days: int
    base_seed: int
    engine: str = ENGINE


@dataclass(frozen=True)
class Outcome:
    """What one run shows: the published figures, the hidden totals, and (if kept) its court cases and table."""

    published: np.ndarray  # the observed rows as a relay would publish them (error model applied)
    hidden: np.ndarray  # HIDDEN at the last simulated day
    cases: np.ndarray | None  # [days, CASE_COLUMNS] daily court cases (for a bank), or None
    daily: pd.DataFrame | None = None


def run_seed(base_seed: int, index: int) -> int:
    """The seed of simulation `index` of a problem: a pure function of the two, whatever the worker."""
    return child_seed(base_seed, 300_000 + int(index))


def simulate_point(
    problem: Problem, values, seed: int, *, keep_cases: bool = False, keep_daily: bool = False
) -> Outcome:
    """Run the scenario at `values` (parameter units, in the order of `problem.priors`) with `seed`."""
    if not keep_daily:
        return simulate_points(problem, [values], [seed], keep_cases=keep_cases)[0]
    from awol.engines import simulate

    scenario, errors = scenario_at_point(problem.tree, list(problem.priors), values)
    daily = simulate(scenario, seed=seed, days=problem.days, engine=problem.engine)
    return _outcome(problem, daily, scenario, errors, seed, keep_cases, daily)


def simulate_points(problem: Problem, values, seeds, *, keep_cases: bool = False) -> list[Outcome]:
    """`simulate_point` for many points, run k at `values[k]` with `seeds[k]`, as one batch
    (`engines.simulate_many`): only the columns the outcome reads are kept, and the outcomes are
    those `simulate_point` gives one at a time (tests/evidence/test_simulator.py)."""
    from awol.engines import simulate_many

    at = [scenario_at_point(problem.tree, list(problem.priors), v) for v in values]
    seeds = [int(s) for s in seeds]
    runs = simulate_many([scenario for scenario, _ in at], seeds, columns=COLUMNS, days=problem.days,
                         engine=problem.engine)
    return [_outcome(problem, {c: runs[c][k] for c in COLUMNS}, scenario, errors, seeds[k], keep_cases, None)
            for k, (scenario, errors) in enumerate(at)]


def _outcome(problem: Problem, daily, scenario, errors: dict, seed: int, keep_cases: bool, keep) -> Outcome:
    """What one run shows, from its daily columns (a table or {column: values})."""
    published = (
        published_figures(
            daily, scenario.simulation.start, problem.observed, errors["court_month_sd"], errors["relay_sd"], seed
        )
        if len(problem.observed)
        else np.zeros(0)
    )
    cases = np.column_stack([np.asarray(daily[c], dtype=np.int32) for c in CASE_COLUMNS]) if keep_cases else None
    return Outcome(published, hidden_values(daily), cases, keep)
