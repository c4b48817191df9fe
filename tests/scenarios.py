"""Small scenarios for tests: the bundled baseline scaled down, with overrides by path."""

from __future__ import annotations

import copy

from awol.scenario.load import read_tree, scenario_from_tree
from awol.scenario.provenance import set_path, strip_annotations


def small_tree(name: str = "baseline", *, scale: float = 0.01, days: int = 120, **overrides) -> dict:
    """The bundled scenario with every size and inflow scaled by `scale`.

    Search units scale too, so that searchers per deserter at large (M5) and the
    adaptive gains (M4) keep their meaning. `overrides` map dotted paths (with
    `__` for `.`) to values, e.g. `policy__release_at_term=[...]`.
    """
    tree, _ = strip_annotations(copy.deepcopy(read_tree(name)))
    tree["simulation"]["days"] = days
    pop = tree["population"]
    for channel in ("volunteer", "mobilised", "detainee"):
        pop[channel]["size"] = int(round(pop[channel]["size"] * scale))
    rec = tree["recruitment"]
    rec["volunteer_per_day"] *= scale
    for step in rec["detentions_per_day"]:
        step["value"] *= scale
    for wave in rec["mobilisation"]:
        wave["size"] = int(round(wave["size"] * scale))
    if rec.get("force_target"):
        rec["force_target"]["size"] = int(round(rec["force_target"]["size"] * scale))
        rec["force_target"]["max_per_day"] *= scale
    pursuit = tree["pursuit"]
    pursuit["search_units"] = {k: v * scale for k, v in pursuit["search_units"].items()}
    pursuit["adaptive"]["max_search_units"] *= scale
    for path, value in overrides.items():
        set_path(tree, path.replace("__", "."), value)
    return tree


def small_scenario(name: str = "baseline", **kwargs):
    return scenario_from_tree(small_tree(name, **kwargs), source=f"small {name}")


def without_anyone(tree: dict) -> dict:
    """Empty the population and every inflow: the scenario must then be rejected."""
    for channel in ("volunteer", "mobilised", "detainee"):
        tree["population"][channel]["size"] = 0
    tree["recruitment"]["volunteer_per_day"] = 0
    tree["recruitment"]["mobilisation"] = []
    for step in tree["recruitment"]["detentions_per_day"]:
        step["value"] = 0
    return tree
