"""Which parameters inference varies, over which prior, and how a point of them edits the scenario.

Two sources of priors, one representation:

- the declared list (data/inference/priors.yaml, `declared_priors`): every driver that
  matters, with its distribution and source, including a change point (a schedule step's
  date), a scale on a whole schedule and the error model's parameters. `make posterior`,
  SBC, the time splits and the nowcast read it;
- `--params PATH` (`priors_for`): a uniform prior over the range the scenario file
  declares next to the value, for quick fits of a few parameters.

Every method works on the unit cube: a parameter's prior is uniform on [0, 1] there and
`from_unit` maps it to its value (linearly, or in log for a log-uniform prior), so pyabc,
sbi and SBC share one prior and a rank is the same in either space.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from awol.evidence.error_model import ERROR_PARAMETERS, load_error_model
from awol.problems import ProblemsError
from awol.scenario.edits import EditError, parameter_value, with_values
from awol.scenario.load import scenario_from_tree
from awol.scenario.provenance import get_path, is_annotated
from awol.scenario.schema import Scenario

FORMAT = "awol-priors/1"
KINDS = ("path", "date_of", "scale_of", "error")
DISTS = ("uniform", "loguniform")


class CalibrationError(ProblemsError):
    """A calibration that cannot run; `.problems` holds one line per problem."""


@dataclass(frozen=True)
class Prior:
    """The prior of one fitted parameter.

    `kind`: `path` (a number of the scenario), `date_of` (a schedule step's date, as days
    after the start), `scale_of` (a factor on every value of a schedule) or `error` (an
    error-model parameter); `target` is the path or the error parameter's name.
    """

    path: str
    low: float
    high: float
    dist: str = "uniform"
    kind: str = "path"
    label: str = ""
    source: str = field(default="", compare=False)

    @property
    def target(self) -> str:
        """The scenario path, schedule, step date or error parameter the prior addresses."""
        return self.path

    @property
    def name(self) -> str:
        """The parameter's name in pyabc's database and in tables (letters, digits and `_` only)."""
        return re.sub(r"[^A-Za-z0-9]+", "_", self.label or self.path).strip("_")

    def from_unit(self, u):
        """Values for points `u` of [0, 1] (linear, or in log for a log-uniform prior)."""
        u = np.asarray(u, dtype=float)
        if self.dist == "loguniform":
            return np.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)

    def to_unit(self, x):
        """The inverse of `from_unit`."""
        x = np.asarray(x, dtype=float)
        if self.dist == "loguniform":
            return (np.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (x - self.low) / (self.high - self.low)

    def width90(self) -> float:
        """Width of the prior's central 90 % interval, in the parameter's units."""
        return float(self.from_unit(0.95) - self.from_unit(0.05))

    def describe(self) -> str:
        """E.g. `uniform on [0.6, 1]`."""
        return f"{self.dist} on [{self.low:g}, {self.high:g}]"


def declared_path() -> Path:
    """The bundled list of priors, data/inference/priors.yaml."""
    return Path(str(resources.files("awol").joinpath("data", "inference", "priors.yaml")))


@lru_cache(maxsize=4)
def _read_declared(path: str) -> tuple[Prior, ...]:
    where = Path(path)
    try:
        doc = yaml.safe_load(where.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CalibrationError([f"{where}: cannot be read as YAML ({exc})"]) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("parameters"), list):
        raise CalibrationError([f"{where}: format must be {FORMAT!r} with a list of parameters"])
    errors = load_error_model().priors
    problems, priors = [], []
    for i, entry in enumerate(doc["parameters"]):
        at = f"{where}: parameters[{i}]"
        kinds = [k for k in KINDS if k in (entry or {})]
        if not isinstance(entry, dict) or len(kinds) != 1 or not isinstance(entry.get("name"), str):
            problems.append(f"{at}: needs a name and exactly one of {', '.join(KINDS)}")
            continue
        kind, target = kinds[0], str(entry[kinds[0]])
        if kind == "error":
            if target not in errors:
                problems.append(f"{at}: error: {target!r}; the error model has {', '.join(ERROR_PARAMETERS)}")
                continue
            dist, low, high = errors[target]
        else:
            prior = entry.get("prior") or {}
            dist, low, high = prior.get("dist"), prior.get("low"), prior.get("high")
        ok = dist in DISTS and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (low, high))
        if not ok or not low < high or (dist == "loguniform" and low <= 0):
            problems.append(
                f"{at}: prior {dist, low, high}; write {{dist: uniform|loguniform, low: L, high: H}} "
                "with L < H (L > 0 for loguniform)"
            )
            continue
        priors.append(Prior(target, float(low), float(high), dist, kind, entry["name"], str(entry.get("source", ""))))
    names = [e["name"] for e in doc["parameters"] if isinstance(e, dict) and isinstance(e.get("name"), str)]
    problems += [f"{where}: name {n!r} is used twice" for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise CalibrationError(problems)
    return tuple(priors)


def declared_priors(path: str | Path | None = None, scenario: Scenario | None = None) -> list[Prior]:
    """The declared priors (default: the bundled list); with `scenario`, check that each one can be applied to it."""
    priors = list(_read_declared(str(path or declared_path())))
    if scenario is not None:
        check_applicable(scenario, priors)
    return priors


def check_applicable(scenario: Scenario, priors: list[Prior]) -> None:
    """Raise `CalibrationError` naming each prior that does not address a parameter of `scenario`."""
    problems = []
    for p in priors:
        if p.kind == "error":
            continue
        try:
            node = get_path(scenario.raw, p.target)
        except (KeyError, IndexError, TypeError, ValueError):
            problems.append(f"{p.name}: {p.target} is not in scenario {scenario.name!r}")
            continue
        if p.kind == "scale_of" and not (
            isinstance(node, list) and all(isinstance(s, dict) and "value" in s for s in node)
        ):
            problems.append(f"{p.name}: scale_of {p.target} must name a schedule of steps")
        elif p.kind == "date_of" and not isinstance(node, dt.date):
            problems.append(f"{p.name}: date_of {p.target} must name a schedule step's `from` date")
    if problems:
        raise CalibrationError(problems)


def priors_for(
    scenario: Scenario, paths: list[str], declared: dict[str, tuple[float, float]] | None = None
) -> list[Prior]:
    """Uniform priors for `paths`, from the scenario's declared ranges (or `declared`, path → (lo, hi)).

    Raise `CalibrationError` listing every path that is unknown, not a number, or has no range.
    """
    ranges = {p: a.range for p, a in scenario.annotations.items() if a.range is not None}
    ranges.update(declared or {})
    problems = []
    if not paths:
        problems.append("no parameter to calibrate: give at least one --params PATH")
    if len(set(paths)) != len(paths):
        problems.append(f"--params: a path is given twice ({', '.join(paths)})")
    priors = []
    for path in paths:
        try:
            node = get_path(scenario.raw, path)
        except (KeyError, IndexError, TypeError, ValueError):
            problems.append(f"{path}: no such parameter in scenario {scenario.name!r}")
            continue
        value = node["value"] if is_annotated(node) else node
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{path}: holds {value!r}, not a number; only numeric parameters can be calibrated")
            continue
        if path not in ranges:
            problems.append(
                f"{path}: no range declared in scenario {scenario.name!r}; write it in the scenario "
                "file as {value: ..., range: [LO, HI]} to give it a prior"
            )
            continue
        low, high = (float(x) for x in ranges[path])
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            problems.append(f"{path}: range [{low}, {high}] must be finite with LO < HI")
            continue
        priors.append(Prior(path, low, high))
    if problems:
        raise CalibrationError(problems)
    return priors


def split_values(tree: dict, priors: list[Prior], values) -> tuple[dict, dict[str, float]]:
    """A point of the priors as scenario edits (path → value) and error-model values (name → value)."""
    edits: dict = {}
    errors = {name: 0.0 for name in ERROR_PARAMETERS}
    for p, v in zip(priors, values, strict=True):
        v = float(v)
        if p.kind == "path":
            edits[p.target] = v
        elif p.kind == "error":
            errors[p.target] = v
        elif p.kind == "date_of":
            start = get_path(tree, "simulation.start")
            start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
            edits[p.target] = start + dt.timedelta(days=int(round(v)))
        else:
            for i in range(len(get_path(tree, p.target))):
                step = f"{p.target}[{i}].value"
                edits[step] = float(parameter_value(tree, step)) * v
    return edits, errors


def tree_at(tree: dict, values: dict) -> dict:
    """A copy of the scenario tree with the parameters at `values` (path → value)."""
    return with_values(tree, values)


def scenario_at(tree: dict, values: dict) -> Scenario:
    """The validated scenario with the parameters at `values` (path → value)."""
    return scenario_from_tree(tree_at(tree, values), source=f"scenario at {values}")


def scenario_at_point(tree: dict, priors: list[Prior], values) -> tuple[Scenario, dict[str, float]]:
    """The scenario at a point of the priors (values in parameter units) and its error-model values."""
    edits, errors = split_values(tree, priors, values)
    try:
        return scenario_at(tree, edits), errors
    except EditError as exc:
        raise CalibrationError(exc.problems) from None


def sample_unit(n: int, dims: int, seed: int) -> np.ndarray:
    """`n` points of the unit cube, uniform, reproducible from `seed`."""
    from awol.engines.rng import generator

    return generator(int(seed), 21).random((n, dims))


def from_unit(priors: list[Prior], unit: np.ndarray) -> np.ndarray:
    """Values [n, d] of unit-cube points [n, d], parameter by parameter."""
    unit = np.atleast_2d(unit)
    return np.column_stack([p.from_unit(unit[:, j]) for j, p in enumerate(priors)])


def to_unit(priors: list[Prior], values: np.ndarray) -> np.ndarray:
    """Unit-cube points of values [n, d], parameter by parameter."""
    values = np.atleast_2d(values)
    return np.column_stack([p.to_unit(values[:, j]) for j, p in enumerate(priors)])
