"""Reading scenario files: YAML → resolved tree → validated `Scenario`, or every problem at once.

A scenario may start with `extends: other-scenario` (a bundled name or a path
relative to the file) and then name only what it changes; mappings are merged
recursively and anything else (numbers, lists, schedules) is replaced whole.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import re

import yaml
from pydantic import ValidationError

from awol.scenario.provenance import check_annotation, join, strip_annotations
from awol.scenario.schema import Scenario

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what was found, what is allowed."""

    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        shown = "" if self.value is _MISSING else f" (got {_short(self.value)})"
        where = self.path or "<file>"
        return f"{where}: {self.message}{shown}"


_SUBPATH = re.compile(r"^(\[\d+\])?[A-Za-z_][\w\[\].]*$|^\[\d+\][\w\[\].]*$")


class _Missing:
    def __repr__(self) -> str:
        return "missing"


_MISSING = _Missing()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ScenarioError(Exception):
    """The scenario could not be loaded; `problems` lists everything found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


def resolve_path(name_or_path: str | Path) -> Path:
    """A path as given, or the bundled scenario of that name."""
    path = Path(name_or_path)
    if path.exists():
        return path
    bundled = BUNDLED_DIR / f"{name_or_path}.yaml"
    if bundled.exists():
        return bundled
    if path.suffix not in (".yaml", ".yml") and (BUNDLED_DIR / f"{path.name}.yaml").exists():
        return BUNDLED_DIR / f"{path.name}.yaml"
    return path


def read_tree(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict:
    """Read a scenario file and resolve its `extends` chain into one tree."""
    path = resolve_path(path)
    source = str(path)
    if not path.exists():
        raise ScenarioError(
            source, [Problem("", _MISSING, f"no such file or bundled scenario: {path}")]
        )
    if path.resolve() in _seen:
        raise ScenarioError(source, [Problem("extends", str(path), "scenarios extend each other in a cycle")])
    try:
        tree = _parse_yaml(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            source, [Problem("", _MISSING, f"malformed YAML at {where}: {reason}")]
        ) from None
    if not isinstance(tree, dict):
        raise ScenarioError(
            source, [Problem("", type(tree).__name__, "a scenario file must be a mapping of sections")]
        )
    parent = tree.pop("extends", None)
    if parent is None:
        return tree
    if not isinstance(parent, str):
        raise ScenarioError(source, [Problem("extends", parent, "must be a scenario name or path")])
    candidate = path.parent / parent
    base = read_tree(candidate if candidate.exists() else parent, _seen + (path.resolve(),))
    return merge(base, tree)


def _parse_yaml(text: str):
    """`yaml.safe_load`, by libyaml when PyYAML has it (a tenth of the time: about 20 ms
    less for the baseline). Its constructor and resolver are PyYAML's own, so the tree is
    the same; a malformed file is parsed again in Python, whose messages name more."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return yaml.safe_load(text)
    try:
        return yaml.load(text, Loader=fast)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def merge(base: dict, override: dict) -> dict:
    """Deep-merge mappings; an annotated number or any non-mapping replaces whole."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "value" not in value:
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (or bundled name); raise `ScenarioError` listing every problem."""
    resolved = resolve_path(path)
    return scenario_from_tree(read_tree(resolved), source=str(resolved))


def scenario_from_tree(tree: dict, source: str = "<scenario>") -> Scenario:
    """Validate a resolved scenario tree (as read from YAML, annotations allowed)."""
    plain, raw_annotations = strip_annotations(tree)
    problems: list[Problem] = []
    annotations = {}
    for path, raw in raw_annotations.items():
        annotation, found = check_annotation(path, raw)
        problems.extend(Problem(p, v, m) for p, v, m in found)
        if annotation is not None:
            annotations[path] = annotation
    try:
        scenario = Scenario.model_validate(plain)
    except ValidationError as exc:
        problems.extend(_problems_from(exc))
        scenario = None
    if scenario is not None:
        problems.extend(_range_problems(plain, annotations))
    if problems:
        raise ScenarioError(source, problems)
    scenario._raw = tree
    scenario._annotations = annotations
    scenario._hash = tree_hash(tree)
    return scenario


def _range_problems(plain: dict, annotations: dict) -> list[Problem]:
    """A declared range must itself be allowed: validate with each end substituted."""
    from awol.scenario.provenance import get_path, set_path

    problems = []
    for path, annotation in annotations.items():
        if annotation.range is None:
            continue
        value = get_path(plain, path)
        try:
            for end in annotation.range:
                set_path(plain, path, end)  # in place and put back: a copy per end cost more than the validation
                try:
                    Scenario.model_validate(plain)
                except ValidationError as exc:
                    reasons = "; ".join(p.message for p in _problems_from(exc))
                    problems.append(
                        Problem(join(path, "range"), list(annotation.range), f"end {end} is not allowed: {reasons}")
                    )
                    break
        finally:
            set_path(plain, path, value)
    return problems


def _problems_from(exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        path = ""
        for part in error["loc"]:
            path = join(path, part) if not (isinstance(part, str) and part.isdigit()) else f"{path}[{part}]"
        kind = error["type"]
        value = error.get("input", _MISSING)
        if kind == "missing":
            problems.append(Problem(path, _MISSING, "required field is missing"))
            continue
        if kind == "extra_forbidden":
            name = path.rpartition(".")[2]
            problems.append(Problem(path, _MISSING, f"unknown field {name!r}"))
            continue
        message = error["msg"].removeprefix("Value error, ")
        if kind == "value_error":
            for part in message.split("\n"):
                head, sep, rest = part.partition(": ")
                if sep and _SUBPATH.match(head):
                    sub = head if head.startswith("[") else ("." + head if path else head)
                    problems.append(Problem(path + sub, _MISSING, rest))
                else:
                    problems.append(Problem(path, _MISSING, part))
            continue
        problems.append(Problem(path, value, message.replace("Input should be", "must be")))
    return problems


def tree_hash(tree: dict) -> str:
    def default(o: Any) -> str:
        if isinstance(o, (dt.date, dt.datetime)):
            return o.isoformat()
        raise TypeError(type(o).__name__)

    text = json.dumps(tree, sort_keys=True, default=default, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def bundled_scenarios() -> list[tuple[str, str]]:
    """(name, one-line description) of every bundled scenario."""
    out = []
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        try:
            description = load_scenario(path).description
        except ScenarioError as exc:
            description = f"(invalid: {len(exc.problems)} problem(s))"
        out.append((path.stem, description.strip().splitlines()[0] if description.strip() else ""))
    return out
