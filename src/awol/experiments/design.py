"""Declaration of experiments: which parameters vary, over which ranges, at which points.

A parameter is addressed by its dotted path in the scenario file
(`desertion.base_per_day`, `policy.release_at_term[0].value`). Every point is
validated through `scenario_from_tree`, so a design never runs a scenario the
schema would reject.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from awol.problems import ProblemsError
from awol.scenario import limits
from awol.scenario.edits import EditError, with_values
from awol.scenario.load import ScenarioError, scenario_from_tree
from awol.scenario.provenance import get_path, is_annotated
from awol.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

DESIGNS = ("grid", "lhs", "sobol")


class DesignError(ProblemsError):
    """A design that cannot run; `.problems` holds one line per problem."""

    separator = "; "


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: its path in the scenario file and its range."""

    path: str
    low: float
    high: float
    levels: int | None = None  # points along this axis for a grid


def parse_vary(spec: str) -> Parameter:
    """Parse `PATH=LO:HI[:N]` as written after `--vary`."""
    path, eq, bounds = spec.partition("=")
    parts = bounds.split(":")
    if not eq or not path or len(parts) not in (2, 3):
        raise DesignError([f"--vary: {spec!r} must look like PATH=LO:HI or PATH=LO:HI:N"])
    try:
        low, high = float(parts[0]), float(parts[1])
        levels = int(parts[2]) if len(parts) == 3 else None
    except ValueError:
        raise DesignError([f"--vary: {spec!r}: LO and HI must be numbers and N an integer"]) from None
    return Parameter(path.strip(), low, high, levels)


def check_parameters(scenario: Scenario, parameters: list[Parameter]) -> None:
    """Every path must exist and hold a number; LO ≤ HI; N ≥ 1. Raise `DesignError` listing all problems."""
    problems = []
    if not parameters:
        problems.append("no parameter to vary: give at least one --vary PATH=LO:HI")
    for p in parameters:
        try:
            node = get_path(scenario.raw, p.path)
        except (KeyError, IndexError, TypeError):
            problems.append(f"{p.path}: no such parameter in scenario {scenario.name!r}")
            continue
        if is_annotated(node):
            node = node["value"]
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            problems.append(f"{p.path}: holds {node!r}, not a number; only numeric parameters can vary")
        if not np.isfinite(p.low) or not np.isfinite(p.high):
            problems.append(f"{p.path}: range {p.low}:{p.high} must be finite")
        elif p.low > p.high:
            problems.append(f"{p.path}: LO {p.low} is greater than HI {p.high}")
        if p.levels is not None and p.levels < 1:
            problems.append(f"{p.path}: N = {p.levels} points; N must be at least 1")
    if problems:
        raise DesignError(problems)


def ranges_from_scenario(scenario: Scenario, paths: list[str] | None = None) -> list[Parameter]:
    """The parameters whose ranges the scenario file declares (`{value, range}`), for sensitivity.

    By default every parameter whose range is wider than a point (a range of one value
    declares a setting or a structural choice, not an uncertain number)."""
    ranged = {p: a for p, a in scenario.annotations.items() if a.range is not None}
    if paths is None:
        paths = sorted(p for p, a in ranged.items() if a.range[0] < a.range[1])
    problems = [
        f"{p}: no range declared in scenario {scenario.name!r}; write it as {{value: ..., range: [LO, HI]}}"
        for p in paths
        if p not in ranged
    ]
    if not paths:
        problems.append(f"scenario {scenario.name!r} declares no parameter with a range")
    if problems:
        raise DesignError(problems)
    return [Parameter(p, float(ranged[p].range[0]), float(ranged[p].range[1])) for p in paths]


def make_design(parameters: list[Parameter], kind: str = "grid", points: int = 5, seed: int = 0) -> pd.DataFrame:
    """The design table: one row per point (`point` index), one column per parameter path.

    grid: the product of `levels` (default `points`) evenly spaced values per axis;
    lhs / sobol: `points` points from scipy.stats.qmc, scaled to the ranges.
    """
    import pandas as pd
    from scipy.stats import qmc

    if kind not in DESIGNS:
        raise DesignError([f"--design: {kind!r} is not a design; choose one of {', '.join(DESIGNS)}"])
    if points < 1:
        raise DesignError([f"--points: {points}; N must be at least 1"])
    size = design_size(parameters, kind, points)
    if size > limits.MAX_RUNS:
        raise DesignError([f"--points: a {kind} design of {size:,} points; at most {limits.MAX_RUNS:,} "
                           "(scenario/limits.py MAX_RUNS): use fewer points or levels"])
    paths = [p.path for p in parameters]
    if kind == "grid":
        axes = [np.linspace(p.low, p.high, p.levels or points) if p.high > p.low else np.array([p.low]) for p in parameters]
        values = np.array(list(itertools.product(*axes)), dtype=float)
    else:
        sampler = qmc.LatinHypercube(d=len(parameters), seed=seed) if kind == "lhs" else qmc.Sobol(d=len(parameters), seed=seed)
        unit = sampler.random(points)
        low = np.array([p.low for p in parameters])
        high = np.array([p.high for p in parameters])
        values = low + unit * (high - low)
    table = pd.DataFrame(values, columns=paths)
    table.insert(0, "point", np.arange(len(table)))
    return table


def point_scenario(scenario: Scenario, point: dict[str, float]) -> Scenario:
    """The scenario at one design point, validated (raise `DesignError` if the point is invalid);
    its tree is `.raw`."""
    try:
        tree = with_values(scenario.raw, point)
        return scenario_from_tree(tree, source=f"{scenario.name} at {point}")
    except EditError as exc:
        raise DesignError([f"design point {point}: {p}" for p in exc.problems]) from None
    except ScenarioError as exc:
        raise DesignError([f"design point {point}: {p}" for p in exc.problems]) from None


def design_size(parameters: list[Parameter], kind: str, points: int) -> int:
    """Points a design will have, computed before any is made (a grid multiplies its axes)."""
    if kind != "grid":
        return points
    size = 1
    for p in parameters:
        size *= (p.levels or points) if p.high > p.low else 1
    return size
