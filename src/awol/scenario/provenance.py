"""Numbers with a pedigree: `{value, range, source}` anywhere a number may stand.

A scenario file may write any numeric parameter either bare (`0.02`) or annotated
(`{value: 0.02, range: [0, 0.1], source: "Decree 647"}`). The annotation matters to
later work (sensitivity and calibration read the range, reports show the source) but
not to the simulation, so it is lifted out here into a flat table keyed by the
parameter's path, and the pydantic schema only ever sees plain numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ANNOTATION_KEYS = {"value", "range", "source"}


# What a source says of how a number was set: a public figure, unless its source begins
# with one of these words and a colon.
BASES = ("assumption", "calibrated", "derived", "structural", "setting")


@dataclass(frozen=True)
class Annotation:
    """Range and source of one parameter, as declared in the scenario file."""

    path: str
    value: float
    range: tuple[float, float] | None
    source: str | None

    @property
    def basis(self) -> str:
        """How the number was set: one of BASES, or "source" (a public figure); "none" without a source."""
        if not self.source:
            return "none"
        head, sep, _ = self.source.partition(":")
        return head if sep and head in BASES else "source"

    @property
    def reason(self) -> str:
        """The source without its basis word."""
        text = self.source or ""
        return text.partition(":")[2].strip() if self.basis in BASES else text


def bare_numbers(node: Any, path: str = "") -> list[str]:
    """Paths of the numbers in a tree written bare, without `{value, range, source}` (booleans,
    dates, strings and mapping keys are not numbers here)."""
    if is_annotated(node):
        return []
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in bare_numbers(v, join(path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in bare_numbers(v, join(path, i))]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return [path]
    return []


def is_annotated(node: Any) -> bool:
    """Whether `node` is an annotated number (`{value, range, source}`) rather than a section that
    happens to hold a `value` key.
    """
    return isinstance(node, dict) and "value" in node and set(node) <= ANNOTATION_KEYS


def join(path: str, key: str | int) -> str:
    """The dotted path of `key` under `path`: `a.b` for a key, `a[0]` for a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def strip_annotations(node: Any, path: str = "") -> tuple[Any, dict[str, dict]]:
    """Return the tree with annotated numbers replaced by their value, and the annotations.

    Annotations are returned raw (unchecked); `check_annotation` validates them so that
    every problem is reported together with the schema's own.
    """
    found: dict[str, dict] = {}

    def walk(n: Any, p: str) -> Any:
        if is_annotated(n):
            found[p] = n
            return n["value"]
        if isinstance(n, dict):
            return {k: walk(v, join(p, k)) for k, v in n.items()}
        if isinstance(n, list):
            return [walk(v, join(p, i)) for i, v in enumerate(n)]
        return n

    return walk(node, path), found


def check_annotation(path: str, raw: dict) -> tuple[Annotation | None, list[tuple[str, Any, str]]]:
    """Validate one `{value, range, source}` block; return it and any problems found."""
    problems: list[tuple[str, Any, str]] = []
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append((join(path, "value"), value, "must be a number"))
        return None, problems
    rng = raw.get("range")
    bounds: tuple[float, float] | None = None
    if rng is not None:
        if (
            not isinstance(rng, list)
            or len(rng) != 2
            or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)
        ):
            problems.append((join(path, "range"), rng, "must be a list of two numbers [lo, hi]"))
        elif rng[0] > rng[1]:
            problems.append((join(path, "range"), rng, "lo must not exceed hi"))
        elif not rng[0] <= value <= rng[1]:
            problems.append((join(path, "range"), rng, f"must contain the value {value}"))
        else:
            bounds = (float(rng[0]), float(rng[1]))
    source = raw.get("source")
    if source is not None and not isinstance(source, str):
        problems.append((join(path, "source"), source, "must be text"))
        source = None
    if problems:
        return None, problems
    return Annotation(path, float(value), bounds, source), []


def get_path(tree: Any, path: str) -> Any:
    """Read the node at a dotted path such as `policy.release_at_term[1].value`."""
    node = tree
    for key in split_path(path):
        node = node[key]
    return node


def set_path(tree: Any, path: str, value: Any) -> None:
    """Write a node at a dotted path in place; the path must already exist."""
    keys = split_path(path)
    node = tree
    for key in keys[:-1]:
        node = node[key]
    if isinstance(node, dict) and keys[-1] not in node:
        raise KeyError(path)
    node[keys[-1]] = value


def split_path(path: str) -> list[str | int]:
    """The keys of a dotted path (`policy.release_at_term[1].value` gives
    ['policy', 'release_at_term', 1, 'value']): how every path a user writes is followed.
    """
    keys: list[str | int] = []
    for part in path.split("."):
        while "[" in part:
            head, _, rest = part.partition("[")
            if head:
                keys.append(head)
            index, _, part = rest.partition("]")
            keys.append(int(index))
        if part:
            keys.append(part)
    return keys
