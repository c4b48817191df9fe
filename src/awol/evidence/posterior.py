"""The posterior file: its schema, a safe reader, its provenance and the stamp of the model it was fitted with.

Everything that reads a posterior (nowcast, report, compare, the answers' policy draws)
goes through `read_posterior`, which checks the file against one pydantic schema and
turns every defect into one line naming the field, the value and what is allowed - a
posterior may come from another machine or another version, so it is input like any
other. `draw_edits` turns one particle into the scenario edits and error-model values it
stands for (a change point is a date, a scale multiplies a schedule), so a consumer never
interprets parameter kinds itself.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator, model_validator

from awol.problems import ProblemsError

FORMAT = "awol-posterior/1"
MAX_BYTES = 100_000_000  # 4,000 draws of 15 parameters take about 1.5 MB; a larger file is refused before reading
MAX_PARTICLES = 200_000


class PosteriorError(ProblemsError):
    """A posterior file that cannot be used; `.problems` holds one line per problem."""


Finite = Annotated[float, Field(allow_inf_nan=False)]


class ScenarioRef(BaseModel):
    """The scenario a posterior was fitted to: name and hash (a nowcast refuses a changed one)."""

    model_config = ConfigDict(extra="allow", strict=True)
    name: str = Field(min_length=1)
    hash: str = Field(min_length=8)
    file: str | None = None


class Parameter(BaseModel):
    """One fitted parameter: `path` is the scenario path (or the schedule, step date or error parameter of `kind`)."""

    model_config = ConfigDict(extra="allow", strict=True)
    path: str = Field(min_length=1, max_length=300)
    name: str | None = None
    kind: Literal["path", "date_of", "scale_of", "error"] = "path"
    prior: list | None = None


class Particles(BaseModel):
    """Draws and their weights: finite values, weights >= 0 and not all zero, one per particle."""

    model_config = ConfigDict(extra="allow", strict=False)
    values: list[list[Finite]] = Field(min_length=1, max_length=MAX_PARTICLES)
    weights: list[Finite] = Field(min_length=1, max_length=MAX_PARTICLES)

    @field_validator("weights")
    @classmethod
    def _weights(cls, w: list[float]) -> list[float]:
        if any(x < 0 for x in w):
            raise ValueError("weights must be >= 0")
        if not sum(w) > 0:
            raise ValueError("weights must not all be zero")
        return w

    @model_validator(mode="after")
    def _shapes(self) -> Particles:
        if len(self.values) != len(self.weights):
            raise ValueError(f"{len(self.values)} particles but {len(self.weights)} weights; one weight per particle")
        if len({len(v) for v in self.values}) != 1:
            raise ValueError("every particle must have the same number of values")
        return self


class PosteriorFile(BaseModel):
    """What every reader relies on; other fields (method, predictive, summary, provenance) are kept as they are."""

    model_config = ConfigDict(extra="allow")
    format: Literal["awol-posterior/1"]
    scenario: ScenarioRef
    parameters: list[Parameter] = Field(min_length=1, max_length=200)
    particles: Particles
    observed: list[dict]
    seed: StrictInt = Field(ge=0, lt=2**63)

    @model_validator(mode="after")
    def _one_value_per_parameter(self) -> PosteriorFile:
        n = len(self.parameters)
        if len(self.particles.values[0]) != n:
            raise ValueError(f"particles have {len(self.particles.values[0])} values but {n} parameters are listed")
        return self


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate_posterior(doc: Any, where: str = "posterior") -> dict:
    """Check a parsed posterior against the schema; return it (as parsed) or raise `PosteriorError`."""
    if not isinstance(doc, dict):
        raise PosteriorError(
            [
                f"{where}: holds a JSON {type(doc).__name__}; a posterior is an object with format "
                f"{FORMAT!r}, as written by `awol calibrate`"
            ]
        )
    if doc.get("format") != FORMAT:
        raise PosteriorError(
            [f"{where}: format {_shown(doc.get('format'))}; expected {FORMAT!r} as written by `awol calibrate`"]
        )
    try:
        PosteriorFile.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            field = _loc(e["loc"])
            shown = "" if e["type"] == "missing" else f" (found {_shown(e.get('input'))})"
            problems.append(f"{where}: {field}: {e['msg']}{shown}")
        raise PosteriorError(problems) from None
    return doc


def read_posterior(path: str | Path) -> dict:
    """Read a posterior JSON file safely (regular file, bounded size, bounded nesting) and check its schema."""
    path = Path(path)
    if not path.exists():
        raise PosteriorError([f"{path}: no such file; give a posterior written by `awol calibrate`"])
    if not path.is_file():
        raise PosteriorError([f"{path}: not a regular file; give a posterior JSON file"])
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise PosteriorError([f"{path}: {size:,} bytes; a posterior file may hold at most {MAX_BYTES:,} bytes"])
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise PosteriorError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except json.JSONDecodeError as exc:
        raise PosteriorError([f"{path}: not JSON ({exc})"]) from None
    except RecursionError:
        raise PosteriorError([f"{path}: JSON nested too deeply to be a posterior"]) from None
    except ValueError as exc:
        raise PosteriorError([f"{path}: {exc}"]) from None
    return validate_posterior(doc, str(path))


def _refuse_constant(name: str):
    raise ValueError(f"holds {name}, which is not a number JSON allows; every value must be finite")


def draw_edits(doc: dict, tree: dict, values) -> tuple[dict, dict[str, float]]:
    """One particle of `doc` as scenario edits (path -> value) and error-model values (name -> value)."""
    from awol.evidence.priors import split_values

    return split_values(tree, priors_of(doc), values)


def priors_of(doc: dict):
    """The posterior's parameters as `Prior`s (kind and target; the prior's bounds where recorded)."""
    from awol.evidence.priors import Prior

    out = []
    for p in doc["parameters"]:
        prior = p.get("prior") or ["uniform", 0.0, 1.0]
        low, high = (float(prior[1]), float(prior[2])) if len(prior) == 3 else (0.0, 1.0)
        out.append(Prior(p["path"], low, high, str(prior[0]), p.get("kind", "path"), p.get("name") or ""))
    return out


# --- provenance ---------------------------------------------------------------------------------------------

STAMPED = (  # what a posterior fitted with the cohort engine depends on (the other engines do not enter it)
    "model",
    "engines/__init__.py",
    "engines/outputs.py",
    "engines/result.py",
    "engines/rng.py",
    "engines/cohorts",
    "evidence/error_model.py",
    "evidence/simulator.py",
    "evidence/priors.py",
    "evidence/measure.py",
    "data/inference",
    "scenarios/baseline.yaml",
)


def model_stamp() -> str:
    """A hash of the code and declarations a posterior depends on: the model, the cohort engine, the forward
    model of inference, the declared priors, error model and rules, and the baseline scenario.
    A shipped posterior whose stamp differs was fitted to another model (`make posterior` rebuilds it)."""
    import awol

    root = Path(awol.__file__).resolve().parent
    digest = hashlib.sha256()
    for part in STAMPED:
        where = root / part
        files = sorted(where.rglob("*")) if where.is_dir() else [where]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".yaml"):
                digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def git_commit() -> str | None:
    """The commit of the working tree awol runs from, if it is a git checkout (with '+dirty' if changed)."""
    import awol

    where = Path(awol.__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."], cwd=where, capture_output=True, text=True, timeout=10
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def provenance(*, workers: int, engine: str, data_hash: str, command: list[str] | None = None) -> dict:
    """What made a posterior: command line, worker count, commit, awol version, engine, data and model stamps."""
    from importlib import metadata

    try:
        version = metadata.version("awol")
    except metadata.PackageNotFoundError:
        version = None
    return {
        "command": list(command if command is not None else sys.argv),
        "workers": int(workers),
        "commit": git_commit(),
        "awol_version": version,
        "engine": engine,
        "data_hash": data_hash,
        "model_stamp": model_stamp(),
    }


def rows_hash(observed) -> str:
    """Hash of the observed rows a posterior saw (dates, kinds, values, use, publication, rounding)."""
    cols = [
        c
        for c in ("date_from", "date_to", "quantity", "article", "kind", "value", "use", "published", "rounded_to")
        if c in observed
    ]
    text = observed[cols].astype(str).to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()
