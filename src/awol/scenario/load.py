"""Reading scenario files: YAML → resolved tree → validated `Scenario`, or every problem at once.

A scenario may start with `extends: other-scenario` (a bundled name or a path
relative to the file) and then name only what it changes; mappings are merged
recursively and anything else (numbers, lists, schedules) is replaced whole.
"""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from awol.scenario import limits
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
    if _exists(path):
        return path
    bundled = BUNDLED_DIR / f"{name_or_path}.yaml"
    if _exists(bundled) and bundled.resolve().parent == BUNDLED_DIR:
        return bundled
    if path.suffix not in (".yaml", ".yml") and _exists(BUNDLED_DIR / f"{path.name}.yaml"):
        return BUNDLED_DIR / f"{path.name}.yaml"
    return path


def _exists(path: Path) -> bool:
    """`Path.exists`, false for names no file can have (a NUL byte, a name too long)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def read_tree(path: str | Path) -> dict:
    """Read a scenario file and resolve its `extends` chain into one tree.

    The chain is followed to at most `limits.MAX_EXTENDS` files and may not loop; each
    file must be a regular file (not a directory, a device or a pipe).
    """
    path = resolve_path(path)
    chain: list[tuple[Path, dict]] = []
    seen: set[Path] = set()
    parent = None
    while True:
        source = str(path)
        try:
            tree = _read_file(path)
        except ScenarioError as exc:
            if not chain:
                raise
            child = str(chain[-1][0])  # the file whose `extends` led here names the problem
            raise ScenarioError(child, [Problem("extends", parent, _within(source, p)) for p in exc.problems]) from None
        chain.append((path, tree))
        seen.add(path.resolve())
        parent = tree.pop("extends", None)
        if parent is None:
            break
        if not isinstance(parent, str) or not parent:
            raise ScenarioError(source, [Problem("extends", parent, "must be a scenario name or path")])
        if len(chain) > limits.MAX_EXTENDS:
            raise ScenarioError(source, [Problem(
                "extends", parent, f"a chain of more than {limits.MAX_EXTENDS} scenarios extending each other")])
        candidate = path.parent / parent
        path = resolve_path(candidate if _exists(candidate) else parent)
        if _exists(path) and path.resolve() in seen:
            raise ScenarioError(source, [Problem("extends", parent, "scenarios extend each other in a cycle")])
    tree = chain[-1][1]
    for _, child in reversed(chain[:-1]):
        tree = merge(tree, child)
    return tree


def _within(source: str, problem: Problem) -> str:
    text = problem.message if not problem.path else f"{problem.path}: {problem.message}"
    return text if source in text else f"in {source}: {text}"


def _read_file(path: Path) -> dict:
    """One scenario file as a tree: a regular file, at most `limits.MAX_FILE_BYTES`, UTF-8, safe YAML."""
    source = str(path)

    def refuse(message: str, where: str = "") -> ScenarioError:
        return ScenarioError(source, [Problem(where, _MISSING, message)])

    if not _exists(path):
        raise refuse(f"no such file or bundled scenario: {path}")
    if not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file (a device, pipe or socket)"
        raise refuse(f"{path} is {kind}; a scenario is a YAML file")
    try:
        with open(path, "rb") as f:
            data = f.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise refuse(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limits.MAX_FILE_BYTES:
        raise refuse(f"the file is larger than {limits.MAX_FILE_BYTES:,} bytes; a scenario is a small YAML file")
    text = _decode(data, refuse)
    try:
        tree = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise refuse(_yaml_message(exc)) from None
    except UnsafeYaml as exc:
        raise refuse(str(exc)) from None
    if not isinstance(tree, dict):
        raise ScenarioError(
            source, [Problem("", type(tree).__name__, "a scenario file must be a mapping of sections")]
        )
    return tree


def _decode(data: bytes, refuse) -> str:
    """UTF-8 text (a byte-order mark allowed); any other encoding is named, not guessed."""
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            raise refuse(f"the file is {name} text; save it as UTF-8")
    if b"\x00" in data:
        raise refuse("the file holds NUL bytes (UTF-16 text, or not text at all); save it as UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}; "
                     "Latin-1 or Windows-1252 perhaps); save it as UTF-8") from None


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"malformed YAML at {where}: {reason}"


class UnsafeYaml(Exception):
    """YAML that is well formed but refused: a tag, an alias bomb, too deep, a repeated key."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")}


class _Loader(_BaseLoader):
    """PyYAML's safe loader (libyaml's parser when present), with dates that stay text when
    they are not dates, so that the schema names the field (2022-02-30)."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def parse_yaml(text: str):
    """Parse YAML safely: the node graph is checked before anything is built from it.

    Refused: any tag beyond YAML's plain types (`!!binary`, `!!python/...`, `!custom`),
    a key repeated in one mapping, nesting deeper than `limits.MAX_NESTING`, more than
    `limits.MAX_NODES` values once aliases are expanded (an alias bomb is a few lines
    that expand to billions), and an alias inside the node it names. libyaml, when
    PyYAML has it, parses about ten times as fast; a malformed file is parsed again in
    Python, whose messages name more.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            if _BaseLoader is yaml.SafeLoader or "nesting depth" in str(exc):  # (Python's parser recurses)
                raise
            try:
                yaml.safe_load(text)
            except RecursionError:
                raise exc from None
            raise
        if node is None:
            return None
        _check_nodes(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node) -> None:
    """Walk the node graph once (iteratively, each shared node once) and raise `UnsafeYaml`."""
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        children = _children(node)
        if leaving:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            heights[key] = 1 + max((heights[id(c)] for c in children), default=0)
            line = node.start_mark.line + 1
            if sizes[key] > limits.MAX_NODES:
                raise UnsafeYaml(f"YAML refused at line {line}: more than {limits.MAX_NODES:,} values once its "
                                 "aliases are expanded (an alias bomb?)")
            if heights[key] > limits.MAX_NESTING:
                raise UnsafeYaml(f"YAML refused at line {line}: nested more than {limits.MAX_NESTING} levels deep")
            continue
        if key in sizes:
            continue
        line = node.start_mark.line + 1
        if key in open_nodes:
            raise UnsafeYaml(f"YAML refused at line {line}: an alias refers to a node that contains it")
        if node.tag not in _TAGS:
            raise UnsafeYaml(f"YAML refused at line {line}: tag {node.tag!r} is not allowed in a scenario "
                             "(only plain YAML values: text, numbers, dates, true/false, lists, mappings)")
        if isinstance(node, yaml.MappingNode):
            keys: dict[tuple, int] = {}
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    if (k.tag, k.value) in keys:
                        raise UnsafeYaml(f"YAML refused at line {k.start_mark.line + 1}: key {k.value!r} is repeated "
                                         f"in one mapping (first at line {keys[(k.tag, k.value)]}); keep one")
                    keys[(k.tag, k.value)] = k.start_mark.line + 1
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


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
