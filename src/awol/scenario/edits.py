"""Edits to a scenario tree: set a parameter by path, set many, scale a scenario.

Every layer that changes a scenario (designs and sensitivity, calibration and
nowcasts, the web's levers, the tests' small scenarios) edits the resolved tree
through these functions and then validates it with the one schema
(`scenario_from_tree`), so no edit can produce a scenario the schema would reject.
Paths are the dotted paths of the scenario file (`desertion.base_per_day`,
`policy.release_at_term[1].value`); an annotated number keeps its range and source.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

from awol.problems import ProblemsError
from awol.scenario.provenance import get_path, is_annotated, set_path


class EditError(ProblemsError):
    """Edits that cannot be applied; `problems` names each path, value and what is allowed."""

    separator = "; "


def parameter_node(tree: dict, path: str) -> Any:
    """The node at `path` (an annotated number's `{value, range, source}` block, or the bare value).

    Raise `EditError` if the path does not exist in the tree.
    """
    try:
        return get_path(tree, path)
    except (KeyError, IndexError, TypeError, ValueError):
        raise EditError([f"{path}: no such parameter in this scenario"]) from None


def parameter_value(tree: dict, path: str) -> Any:
    """The plain value at `path` (an annotated number's `value`)."""
    node = parameter_node(tree, path)
    return node["value"] if is_annotated(node) else node


def set_parameter(tree: dict, path: str, value: float | bool) -> None:
    """Set the number (or switch) at `path` in place, keeping its annotation if any.

    Integer parameters (sizes, days) stay integers and switches stay booleans, so the
    edited tree validates exactly as a hand-written file with that value would. A value
    outside the declared range is allowed (a counterfactual is a user's choice); the
    range is then dropped, since it no longer describes the value, and the source kept.
    `outside_range` tells a caller beforehand, to flag it.
    """
    node = parameter_node(tree, path)
    old = node["value"] if is_annotated(node) else node
    if isinstance(node, (dict, list)) and not is_annotated(node):
        raise EditError([f"{path}: names a section, not a parameter"])
    if isinstance(old, dt.date):  # a schedule step's date (a fitted change point)
        if not isinstance(value, dt.date):
            raise EditError([f"{path}: {value!r} is not a date; give a date"])
        set_path(tree, path, value)
        return
    if isinstance(old, bool):
        if not isinstance(value, bool):
            raise EditError([f"{path}: {value!r} is not a switch; give true or false"])
    elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise EditError([f"{path}: {value!r} is not a finite number"])
    elif isinstance(old, int):
        value = int(round(value))
    else:
        value = float(value)
    if is_annotated(node):
        node["value"] = value
        low, high = node.get("range") or (value, value)
        if not low <= value <= high:  # a counterfactual beyond the evidence: the range no longer describes it
            del node["range"]
    else:
        set_path(tree, path, value)


def outside_range(tree: dict, path: str, value: float) -> tuple[float, float] | None:
    """The declared range of `path` if `value` lies outside it, else None."""
    node = parameter_node(tree, path)
    if not is_annotated(node) or not node.get("range") or isinstance(value, bool):
        return None
    low, high = node["range"]
    return None if low <= value <= high else (low, high)


def with_values(tree: dict, values: dict[str, float | bool]) -> dict:
    """A copy of `tree` with every parameter of `values` (path → value) set.

    Raise `EditError` listing every path that cannot be set.
    """
    tree = copy.deepcopy(tree)
    problems = []
    for path, value in values.items():
        try:
            set_parameter(tree, path, value)
        except EditError as exc:
            problems.extend(exc.problems)
    if problems:
        raise EditError(problems)
    return tree


def scaled(tree: dict, scale: float) -> dict:
    """A copy of `tree` run at `scale` of its size: the scenario's `simulation.scale` set.

    The model multiplies every size and inflow by the scale and rescales every term
    that counts soldiers (deserters per searcher, the arrest term, pursuit gains), so a
    small run has the full-scale run's per-soldier rates (docs/ODD.md, Scales).
    """
    if not (isinstance(scale, (int, float)) and not isinstance(scale, bool) and 0 < scale <= 1):
        raise EditError([f"scale: {scale!r}; must be a number in (0, 1]"])
    tree = copy.deepcopy(tree)
    tree.setdefault("simulation", {})["scale"] = float(scale)
    return tree
