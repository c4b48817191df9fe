"""Small scenarios for tests: a bundled scenario at a small scale, with overrides by path."""

from __future__ import annotations

import copy

from awol.scenario.edits import scaled
from awol.scenario.load import read_tree, scenario_from_tree
from awol.scenario.provenance import set_path, strip_annotations


def small_tree(name: str = "baseline", *, scale: float = 0.01, days: int = 120, **overrides) -> dict:
    """The bundled scenario run at `scale` of its size (`scenario.edits.scaled`) for `days`.

    `overrides` map dotted paths (with `__` for `.`) to values, e.g.
    `policy__release_at_term=[...]`; a whole section or schedule may be replaced.
    """
    tree, _ = strip_annotations(copy.deepcopy(read_tree(name)))
    tree = scaled(tree, scale)
    tree["simulation"]["days"] = days
    for path, value in overrides.items():
        set_path(tree, path.replace("__", "."), value)
    return tree


def small_scenario(name: str = "baseline", **kwargs):
    return scenario_from_tree(small_tree(name, **kwargs), source=f"small {name}")


def without_anyone(tree: dict) -> dict:
    """Empty the population and every inflow: the scenario must then be rejected."""
    for channel in ("volunteer", "mobilised", "detainee"):
        tree["population"][channel]["size"] = 0
    for step in tree["recruitment"]["volunteer_per_day"]:
        step["value"] = 0
    tree["recruitment"]["mobilisation"] = []
    for step in tree["recruitment"]["detentions_per_day"]:
        step["value"] = 0
    return tree
