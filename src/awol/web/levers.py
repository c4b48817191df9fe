"""Policy levers of the web form, applied to a scenario tree by dotted path and validated by the one schema."""

from __future__ import annotations

import copy

from awol.scenario.edits import EditError, scaled, set_parameter
from awol.scenario.load import read_tree, scenario_from_tree
from awol.scenario.provenance import get_path, strip_annotations

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
    ("recruitment.volunteer_per_day[0].value", "Volunteer contracts per day (first period)"),
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
    """A copy of `tree` with each lever set (`scenario.edits`); problems for levers that cannot be set."""
    tree = copy.deepcopy(tree)
    problems = []
    for path, value in levers.items():
        try:
            set_parameter(tree, path, value)
        except EditError as exc:
            problems.extend((path, value, line.partition(": ")[2]) for line in exc.problems)
    return tree, problems


def soldiers_estimate(scenario, days: int) -> float:
    """Soldiers a run will hold at most: the initial force plus the recruits expected over `days` (upper bound)."""
    tree, _ = strip_annotations(scenario.raw)
    scale = scenario.simulation.scale
    pop = tree["population"]
    initial = sum(pop[c]["size"] for c in ("volunteer", "mobilised", "detainee"))
    rec = tree["recruitment"]
    volunteers = max((s["value"] for s in rec["volunteer_per_day"]), default=0) * days
    detainees = max((s["value"] for s in rec["detentions_per_day"]), default=0) * days
    waves = sum(w["size"] for w in rec["mobilisation"])
    target = rec["force_target"]["max_per_day"] * days if rec.get("force_target") else 0
    return float(initial + volunteers + detainees + waves + target) * scale


def bundled_tree(name: str) -> dict:
    return read_tree(name)


__all__ = ["LEVERS", "apply_levers", "bundled_tree", "levers_of", "scaled", "scenario_from_tree", "soldiers_estimate"]
