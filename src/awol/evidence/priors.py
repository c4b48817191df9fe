"""Which parameters calibration varies, and over which prior: the ranges the scenario declares.

A parameter is addressed by its dotted path in the scenario file, as in experiments
(`desertion.base_per_day`, `policy.prosecution_share[0].value`). Its prior is uniform
over the `range` written next to its value; a parameter without a declared range
cannot be calibrated, because the prior would be invented here rather than argued for
in the scenario file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from awol.problems import ProblemsError
from awol.scenario.edits import with_values
from awol.scenario.load import scenario_from_tree
from awol.scenario.provenance import get_path, is_annotated
from awol.scenario.schema import Scenario


class CalibrationError(ProblemsError):
    """A calibration that cannot run; `.problems` holds one line per problem."""


@dataclass(frozen=True)
class Prior:
    """A uniform prior over [low, high] for the parameter at `path`."""

    path: str
    low: float
    high: float

    @property
    def name(self) -> str:
        """The parameter's name in pyabc's database (letters, digits and `_` only)."""
        return re.sub(r"[^A-Za-z0-9]+", "_", self.path).strip("_")


def priors_for(scenario: Scenario, paths: list[str], declared: dict[str, tuple[float, float]] | None = None) -> list[Prior]:
    """Uniform priors for `paths`, from the scenario's declared ranges (or `declared`, path → (lo, hi)).

    Raise `CalibrationError` listing every path that is unknown, not a number, or has no range.
    """
    ranges = {p: a.range for p, a in scenario.annotations.items() if a.range is not None}
    ranges.update(declared or {})
    problems = []
    if not paths:
        problems.append("no parameter to calibrate: give at least one --params PATH")
    if len(set(paths)) != len(paths):
        problems.append(f"--params: a path is given twice ({', '.join(paths)})")
    priors = []
    for path in paths:
        try:
            node = get_path(scenario.raw, path)
        except (KeyError, IndexError, TypeError, ValueError):
            problems.append(f"{path}: no such parameter in scenario {scenario.name!r}")
            continue
        value = node["value"] if is_annotated(node) else node
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{path}: holds {value!r}, not a number; only numeric parameters can be calibrated")
            continue
        if path not in ranges:
            problems.append(f"{path}: no range declared in scenario {scenario.name!r}; write it in the scenario "
                            "file as {value: ..., range: [LO, HI]} to give it a prior")
            continue
        low, high = (float(x) for x in ranges[path])
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            problems.append(f"{path}: range [{low}, {high}] must be finite with LO < HI")
            continue
        priors.append(Prior(path, low, high))
    if problems:
        raise CalibrationError(problems)
    return priors


def tree_at(tree: dict, values: dict[str, float]) -> dict:
    """A copy of the scenario tree with the parameters at `values` (path → value)."""
    return with_values(tree, values)


def scenario_at(tree: dict, values: dict[str, float]) -> Scenario:
    """The validated scenario with the parameters at `values`."""
    return scenario_from_tree(tree_at(tree, values), source=f"scenario at {values}")
