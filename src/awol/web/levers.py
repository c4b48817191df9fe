"""Policy levers of the web form, applied to a scenario tree by dotted path and validated by the one schema."""

from __future__ import annotations

import copy

from awol.scenario.load import read_tree, scenario_from_tree
from awol.scenario.provenance import get_path, is_annotated, set_path, strip_annotations

# (dotted path in the plain tree, label): the policy levers of BRIEF questions Q2-Q5.
LEVERS = (
    ("policy.release_at_term[0].value", "Share released at end of term (C1)"),
    ("policy.assault_share_retained[0].value", "Share of retained soldiers sent to assaults (C2)"),
    ("policy.assault_share_returned[0].value", "Share of returned deserters sent to assaults (C5)"),
    ("policy.prosecution_share[0].value", "Share of captured deserters prosecuted (first period)"),
    ("policy.prosecution_share[1].value", "Share of captured deserters prosecuted (second period; from Feb 2023 in the baseline)"),
    ("policy.amnesty[0].value", "Amnesty for deserters (0 = none, 1 = full)"),
    ("pursuit.adaptive.enabled", "Adaptive pursuit (more search units and checkpoints as desertions grow)"),
    ("pursuit.adaptive.search_per_desertion", "Search units added per recent desertion (C4)"),
    ("pursuit.adaptive.checkpoints_per_desertion", "Checkpoints added per recent desertion (C4)"),
    ("recruitment.volunteer_per_day", "Volunteer contracts per day"),
    ("recruitment.detainee_acceptance[0].value", "Share of detainees accepting a contract (C6)"),
)


def levers_of(tree: dict) -> list[dict]:
    """The levers present in a scenario tree: path, label, value, declared range and source."""
    plain, annotations = strip_annotations(tree)
    out = []
    for path, label in LEVERS:
        try:
            value = get_path(plain, path)
        except (KeyError, IndexError, TypeError):
            continue
        note = annotations.get(path, {})
        out.append({"path": path, "label": label, "value": value,
                    "range": note.get("range"), "source": note.get("source")})
    return out


def apply_levers(tree: dict, levers: dict) -> tuple[dict, list[tuple[str, object, str]]]:
    """A copy of `tree` with each lever set; problems for paths that are not in the tree."""
    tree = copy.deepcopy(tree)
    problems = []
    for path, value in levers.items():
        try:
            node = get_path(tree, path)
        except (KeyError, IndexError, TypeError, ValueError):
            problems.append((path, value, "is not a parameter of this scenario"))
            continue
        if isinstance(node, (dict, list)) and not is_annotated(node):
            problems.append((path, value, "names a section, not a parameter"))
            continue
        set_path(tree, path + ".value" if is_annotated(node) else path, value)
    return tree, problems


def scale_tree(tree: dict, scale: float) -> dict:
    """Every size and inflow multiplied by `scale` (search units too, so that searchers per deserter keep their meaning).

    A quick look at the dynamics: a 1 % scale runs a hundred times faster; stocks and flows are
    then about `scale` times the full-scale ones.
    """
    if scale == 1:
        return tree
    tree, _ = strip_annotations(copy.deepcopy(tree))
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
    return tree


def soldiers_estimate(scenario, days: int) -> float:
    """Soldiers a run will hold at most: the initial force plus the recruits expected over `days` (upper bound)."""
    tree, _ = strip_annotations(scenario.raw)
    pop = tree["population"]
    initial = sum(pop[c]["size"] for c in ("volunteer", "mobilised", "detainee"))
    rec = tree["recruitment"]
    volunteers = rec["volunteer_per_day"] * days
    detainees = max((s["value"] for s in rec["detentions_per_day"]), default=0) * days
    waves = sum(w["size"] for w in rec["mobilisation"])
    target = rec["force_target"]["max_per_day"] * days if rec.get("force_target") else 0
    return float(initial + volunteers + detainees + waves + target)


def bundled_tree(name: str) -> dict:
    return read_tree(name)


__all__ = ["LEVERS", "apply_levers", "bundled_tree", "levers_of", "scale_tree", "scenario_from_tree", "soldiers_estimate"]
