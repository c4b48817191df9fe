"""Policy levers of the web form, generated from each scenario's own tree, applied by dotted path.

A lever is any number or switch a policy maker could move (BRIEF questions Q2-Q5):
every step of every policy schedule, the search units of each region and the
checkpoints of each route, the command's adaptive response, the recruitment inflows
and force target, and the size of each recruitment channel at the start. They are
read from the scenario itself, so a scenario with a second amnesty step or a force
target shows those too. A value outside the range the scenario declares is allowed
(a counterfactual) and flagged with the range and its source.
"""

from __future__ import annotations

import copy

from awol.experiments.cost import soldiers_estimate
from awol.scenario.edits import EditError, outside_range, scaled, set_parameter
from awol.scenario.load import read_tree, scenario_from_tree
from awol.scenario.provenance import join, strip_annotations

# Group title → the sections of the tree whose numbers and switches are its levers.
GROUPS = (
    ("Contracts, assaults, prosecution, amnesty (C1, C2, C5; Q2, Q5)", ("policy",)),
    ("Leave (M2)", ("leave",)),
    ("Checkpoints, search units and police at home (C4; Q3)",
     ("pursuit.search_units", "pursuit.routes", "pursuit.home_detection_per_day", "pursuit.voluntary_return_per_day",
      "pursuit.amnesty_return_multiplier", "pursuit.adaptive")),
    ("Recruitment and force target (C6, C7; Q4)", ("recruitment",)),
    ("Force at the start, by channel", ("population",)),
)
# Words for the keys of the tree; a key not listed reads as itself with spaces.
WORDS = {
    "release_at_term": "Share released at end of term (C1)",
    "assault_share_retained": "Share of retained soldiers sent to assaults (C2)",
    "assault_share_returned": "Share of returned deserters sent to assaults (C5)",
    "prosecution_share": "Share of absences prosecuted (long or repeated)",
    "short_first_prosecution": "Share of first absences of up to ten days prosecuted",
    "refusal_prosecution": "Share of refusals to deploy prosecuted",
    "detainee_release_at_term": "Share of detainee recruits released at end of term (C1)",
    "start_per_day": "Daily chance a soldier on duty goes on leave",
    "convalescent_share": "Share of men leaving hospital who convalesce at home",
    "convalescent_days": "Days of convalescence at home",
    "home_detection_per_day": "Daily chance police find an absent man at home",
    "voluntary_return_per_day": "Daily chance an absent man comes back",
    "amnesty_return_multiplier": "Voluntary returns multiplied under a full amnesty",
    "suspended_share": "Share of sentences suspended",
    "amnesty": "Amnesty for deserters (0 = none, 1 = full)",
    "enabled": "Adaptive pursuit: more search units and checkpoints as desertions grow",
    "search_per_desertion": "Search units added per recent desertion",
    "checkpoints_per_desertion": "Checkpoints added per recent desertion",
    "max_search_units": "Most search units the command fields",
    "max_checkpoints": "Most checkpoints the command adds",
    "lag_days": "Days before the command responds",
    "window_days": "Days of desertions the command counts",
    "adjust_per_day": "Share of the gap closed per day",
    "volunteer_per_day": "Volunteer contracts per day",
    "bonus": "Sign-on bonus (roubles)",
    "bonus_reference": "Bonus the volunteer rate refers to (roubles)",
    "bonus_elasticity": "Elasticity of volunteering to the bonus",
    "detentions_per_day": "Detentions per day offered a contract",
    "detainee_acceptance": "Share of detainees accepting a contract (C6)",
    "size": "Size",
    "days": "Days",
    "closing_days": "Days to close a shortfall",
    "max_per_day": "Most recruits per day",
    "started_within_months": "Contracts started within (months)",
}
SKIP = {"started_within_months", "units"}  # bookkeeping of the start, not levers


def _words(key: str) -> str:
    return WORDS.get(key, key.replace("_", " ").capitalize())


def _label(plain: dict, path: str, keys: list) -> str:
    """A reader's label for the leaf at `keys` (e.g. 'Amnesty for deserters …, from 2024-01-01')."""
    *parents, last = keys
    node = plain
    for key in parents:
        node = node[key]
    if last == "value" and isinstance(node, dict) and "from" in node:  # a schedule step
        return f"{_words(parents[-2])}, from {node['from']}"
    if parents == ["leave"] and last == "days":
        return "Days of a rotation leave"
    if parents and parents[-1] == "search_units":
        return f"Search units in region {last}"
    if last == "checkpoints" and isinstance(node, dict) and "from" in node and "to" in node:
        return f"Checkpoints on the route {node['from']} → {node['to']}"
    if parents and parents[0] == "population" and last == "size":
        return f"{parents[-1].capitalize()} soldiers at the start"
    if parents and parents[-2:-1] == ["mobilisation"]:
        return f"Mobilisation wave from {node['start']}: {_words(last).lower()}"
    if parents and parents[-1] == "force_target":
        return f"Force target ({node.get('channel', '')}): {_words(last).lower()}"
    return _words(last)


def _leaves(node, keys: list):
    """(keys, value) of every number or switch below `node`."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in SKIP and k != "from":
                yield from _leaves(v, keys + [k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, keys + [i])
    elif isinstance(node, (bool, int, float)):
        yield keys, node


def _path(keys: list) -> str:
    path = ""
    for key in keys:
        path = join(path, key)
    return path


def levers_of(tree: dict) -> list[dict]:
    """The levers of a scenario tree: path, label, group, value, declared range and source."""
    plain, annotations = strip_annotations(tree)
    out = []
    for group, sections in GROUPS:
        for section in sections:
            keys = section.split(".")
            node = plain
            try:
                for key in keys:
                    node = node[key]
            except (KeyError, TypeError):
                continue
            leaves = [(keys, node)] if isinstance(node, (bool, int, float)) else _leaves(node, keys)
            for leaf_keys, value in leaves:
                path = _path(leaf_keys)
                note = annotations.get(path, {})
                out.append({"path": path, "label": _label(plain, path, leaf_keys), "group": group, "value": value,
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


def counterfactuals(tree: dict, levers: dict) -> list[dict]:
    """The levers set outside the range the scenario declares: allowed, and said so with the range and its source."""
    _, annotations = strip_annotations(tree)
    flagged = []
    for path, value in levers.items():
        try:
            bounds = outside_range(tree, path, value)
        except EditError:
            continue
        if bounds is not None:
            source = (annotations.get(path) or {}).get("source")
            flagged.append({"path": path, "value": value, "range": list(bounds), "source": source,
                            "message": f"{value} is outside the declared range {bounds[0]}–{bounds[1]}"
                                       + (f" ({source})" if source else "") + "; run as a counterfactual"})
    return flagged


def bundled_tree(name: str) -> dict:
    """The resolved tree of a bundled scenario: the web offers only bundled scenarios, edited by levers."""
    return read_tree(name)


__all__ = ["GROUPS", "apply_levers", "bundled_tree", "counterfactuals", "levers_of", "scaled", "scenario_from_tree",
           "soldiers_estimate"]
