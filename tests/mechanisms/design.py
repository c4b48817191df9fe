"""Scenario designs for the behavioural tests: quiet worlds in which one mechanism moves one quantity.

Every design starts from `quiet_tree`: the bundled baseline's structure with every
mechanism switched off or made trivial (no terms end, no casualties, no leave, no
recruitment, no pursuit, nothing that depends on counts of soldiers). A test then turns
on the one mechanism it measures, with settings strong enough to measure it.

Why such designs are scale-invariant. The model's rates depend on counts of soldiers only
through four terms: the arrest probability of the deterrence term (absent men per
pursuer), search capture (absent men per search unit in a region), the peer term
(absences per 1,000 in a unit) and the adaptive command and force target (absolute
counts). In the quiet design deterrence_weight = peer_weight = 0, there are no search
units and the command is fixed, so every daily probability is a function of the
scenario's parameters alone, and a population of any size has the same per-soldier rates
as a full-scale one. Designs that switch one of these terms on (deterrence, peer, search,
adaptive command, force target) compute the expected rate from the previous day's
observed counts with the documented formula, which holds at any size for the same
reason the engines compute it so. Runs are at `simulation.scale` = 1.

Expected rates in the tests are computed from the scenario's parameters with the
formulas of docs/ODD.md written out again in the test, never by calling the model's own
functions, so that a broken model function cannot agree with itself.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools

import numpy as np

from awol.engines import DEFAULT_ENGINE, simulate
from awol.scenario.load import read_tree, scenario_from_tree
from awol.scenario.provenance import set_path, strip_annotations

START = dt.date(2023, 1, 1)
DAYS = 200


def step(value: float, start: dt.date = START) -> dict:
    return {"from": start, "value": value}


def schedule(*values_from) -> list[dict]:
    """A schedule from (value, day offset) pairs: `schedule((0.8, 0), (0.2, 100))`."""
    return [step(v, START + dt.timedelta(days=d)) for v, d in values_from]


def quiet_tree(size: int = 20_000, days: int = DAYS) -> dict:
    """The quiet world: one unit of `size` volunteers in line roles, on three regions (a front, a
    home, an exit), with contract terms of 50 years (none ends), no casualties, no leave, no
    recruitment, no search units, no checkpoints, no deterrence or peer term, and a fixed command.
    Absent men are at home or at the front and come back of their own will (1 % a day)."""
    tree, _ = strip_annotations(copy.deepcopy(read_tree("baseline")))
    tree["name"] = "quiet"
    tree["description"] = "a behavioural-test design (tests/mechanisms/design.py)"
    tree["simulation"] = {"start": START, "days": days, "seed": 1, "scale": 1.0}
    profile = {"term_months": {600: 1.0}, "roles": {"rear": 0.0, "line": 1.0, "assault": 0.0},
               "risk_tolerance": {"mean": 0.5, "sd": 0.1}}
    tree["channels"] = {c: copy.deepcopy(profile) for c in ("volunteer", "mobilised", "detainee")}
    tree["channels"]["mobilised"]["term_months"] = None
    tree["population"] = {
        "volunteer": {"size": size, "started_within_months": 24},
        "mobilised": {"size": 0, "started_within_months": 0},
        "detainee": {"size": 0, "started_within_months": 0},
        "units": 1,
    }
    tree["policy"] = {
        "release_at_term": schedule((0.0, 0)),
        "detainee_release_at_term": schedule((0.0, 0)),
        "assault_share_retained": schedule((0.0, 0)),
        "assault_share_returned": schedule((0.0, 0)),
        "prosecution_share": schedule((0.5, 0)),
        "short_first_prosecution": schedule((0.5, 0)),
        "refusal_prosecution": schedule((0.5, 0)),
        "suspended_share": schedule((0.5, 0)),
        "amnesty": schedule((0.0, 0)),
    }
    tree["casualties"] = {
        "death_per_day": {"rear": 0.0, "line": 0.0, "assault": 0.0},
        "wound_per_day": {"rear": 0.0, "line": 0.0, "assault": 0.0},
        "intensity": schedule((1.0, 0)),
        "recovery_days": 30.0,
        "discharge_share": 0.0,
    }
    tree["leave"] = {"start_per_day": schedule((0.0, 0)), "days": 18.0, "convalescent_share": 0.0,
                     "convalescent_days": 45.0}
    tree["desertion"] = {
        "form": "loglinear", "base_per_day": 1e-3, "risk_weight": 0.0, "risk_reference_per_day": 1e-3,
        "grievance_weight": 0.0, "channel_weight": {"volunteer": 0.0, "mobilised": 0.0, "detainee": 0.0},
        "deterrence_weight": 0.0, "arrest_k": 2.3, "peer_weight": 0.0, "peer_memory_days": 14.0,
        "risk_tolerance_weight": 0.0, "leave_no_return": 0.0, "treatment_no_return": 0.0, "refusal": 0.0,
        "exit_share": 0.0,
    }
    tree["pursuit"] = {
        "regions": [{"name": "front", "kind": "front"}, {"name": "home", "kind": "home"},
                    {"name": "abroad", "kind": "exit"}],
        "routes": [{"from": "front", "to": "home", "checkpoints": 0.0},
                   {"from": "front", "to": "abroad", "checkpoints": 0.0}],
        "search_units": {"front": 0.0},
        "move_per_day": 0.0, "checkpoint_k": 0.1, "search_k": 1.0, "search_max_per_day": 0.0,
        "home_detection_per_day": 0.0, "voluntary_return_per_day": 0.01, "amnesty_return_multiplier": 1.0,
        "death_at_large_per_day": 0.0, "hiding_shape": 1.0, "hiding_levels": 1, "detention_days": 10.0, "level": None,
        "adaptive": {"enabled": False, "lag_days": 0, "window_days": 7, "search_per_desertion": 0.0,
                     "checkpoints_per_desertion": 0.0, "adjust_per_day": 0.0, "max_search_units": 0.0,
                     "max_checkpoints": 0.0},
    }
    tree["recruitment"] = {
        "volunteer_per_day": schedule((0.0, 0)), "bonus": schedule((1.0, 0)),
        "bonus_reference": schedule((1.0, 0)), "bonus_elasticity": 0.0,
        "detentions_per_day": schedule((0.0, 0)), "detainee_acceptance": schedule((0.0, 0)),
        "mobilisation": [], "force_target": None,
    }
    tree["cohorts"] = {"risk_bins": 16}
    tree["observation"] = {"reporting_share": 1.0, "filing_lag_days": 0.0, "verdict_lag_days": 0.0,
                           "desertion_share": 0.1}
    return tree


def design(size: int = 20_000, days: int = DAYS, **overrides):
    """The quiet world with `overrides` (dotted paths with `__` for `.`), validated."""
    tree = quiet_tree(size, days)
    for path, value in overrides.items():
        set_path(tree, path.replace("__", "."), copy.deepcopy(value))
    return scenario_from_tree(tree, source="behavioural design")


def run(scenario, seed: int = 1, engine: str = DEFAULT_ENGINE):
    """The daily table as NumPy columns (float), for arithmetic on counts."""
    frame = simulate(scenario, seed=seed, engine=engine)
    return {c: frame[c].to_numpy() for c in frame.columns}


# ---------------------------------------------------------------- statistics

def on_days(steps, days: int = DAYS) -> np.ndarray:
    """A schedule given as (value, first day) steps, as the daily values the model reads on each day."""
    out = np.empty(days)
    for value, first in steps:
        out[first:] = value
    return out


def z_binomial(events, trials, p) -> float:
    """The z of `events` successes against the expectation of independent trials with probabilities `p`
    (arrays summed over days: E = Σ n p, Var = Σ n p (1 − p))."""
    events, trials, p = (np.asarray(x, float) for x in (events, trials, p))
    mean = float(np.sum(trials * p))
    var = float(np.sum(trials * p * (1.0 - p)))
    return (float(np.sum(events)) - mean) / np.sqrt(var) if var > 0 else (0.0 if np.sum(events) == mean else np.inf)


def z_poisson(count, mean) -> float:
    """The z of a Poisson count against its mean."""
    count, mean = float(np.sum(count)), float(np.sum(mean))
    return (count - mean) / np.sqrt(mean) if mean > 0 else (0.0 if count == 0 else np.inf)


def yesterday(column) -> np.ndarray:
    """The stock at the end of the previous day, aligned with today's flows (day 0 has none: 0)."""
    x = np.asarray(column, float)
    return np.concatenate([[0.0], x[:-1]])


# ---------------------------------------------------------------- the bundled baseline

@functools.cache
def baseline_run(scale: float = 1.0, seed: int | None = None) -> dict:
    """The bundled baseline at `scale` (its own seed unless given), as NumPy columns; cached, so that the
    scale test and the pattern tests (tests/evidence/test_patterns.py) share the full-scale run."""
    from awol.scenario.edits import scaled

    scenario = scenario_from_tree(scaled(read_tree("baseline"), scale), source=f"baseline at scale {scale}")
    frame = simulate(scenario, seed=seed)
    return {c: frame[c].to_numpy() for c in frame.columns}
