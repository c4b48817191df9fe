"""The answers the dashboard opens on: questions Q1-Q6 computed ahead from a shipped posterior, at full scale.

    make answers        # = python -m awol.evidence.answers baseline

A nowcast under a posterior takes minutes, and a policy comparison under it more,
so the page cannot compute them when a reader opens it. They are computed here once,
written next to the posterior (`scenarios/<name>.answers.json`) and served as they
are. The file carries a stamp of what it was computed from: the posterior's bytes,
the hash of every scenario it ran, and the source of the model and the engines. The
server recomputes the stamp at start-up; any difference is shown on the page as
stale, with the command that rebuilds the file, so an old answer is never shown as
a current one.

Q1 is the nowcast (`evidence.nowcast`); Q2-Q5 are paired comparisons of each policy
scenario against the baseline, draw k of the posterior in run k of every scenario
(`experiments.api.compare` with `posteriors.posterior_draws`); Q6 is a Morris
screening over the ranges the baseline declares (`experiments.api.sensitivity`). What
drives each nowcast quantity is read from Q6: the parameters with the largest mean
absolute elementary effect on the matching summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from awol.engines import DEFAULT_ENGINE
from awol.evidence.posteriors import file_digest, posterior_draws, posterior_path
from awol.experiments.analysis import QUANTILES, SUMMARIES, UNITS
from awol.scenario.load import BUNDLED_DIR, load_scenario

FORMAT = "awol-answers/1"
SHIPPED = "{name}.answers.json"
REFERENCE = "baseline"

# (question, scenario compared with the baseline, the question as a reader asks it): BRIEF.md Q2-Q5.
QUESTIONS = (
    ("Q2", "honour-contracts", "What if contracts were honoured?"),
    ("Q3", "more-checkpoints", "Do twice the checkpoints and search units cut desertion?"),
    ("Q4", "detainee-recruitment", "Holding the force with detainee contracts: how many recruits, how many desert?"),
    ("Q4", "mobilisation-instead", "Holding the force by mobilisation instead: how many recruits, how many desert?"),
    ("Q5", "amnesty", "An amnesty for deserters from 2024: what changes?"),
)

# Nowcast quantity (evidence.predictive.HIDDEN label) → the run summary whose drivers Q6 measures.
DRIVEN_BY = {
    "retained past term": "final_retained_past_term",
    "absent without leave": "final_deserters_at_large",
    "on duty": "final_on_duty",
    "imprisoned": "final_imprisoned",
    "absences begun (total)": "total_new_desertions",
    "caught (total)": "total_captures",
    "returned to the front (total)": "total_returned_to_front",
    "prosecutions opened (total)": "total_cases_opened",
    "deaths (total)": "total_deaths",
}
# The summaries Q6 screens: every nowcast quantity that has one, and the public count of court cases.
SCREENED = ("final_retained_past_term", "final_deserters_at_large", "final_on_duty", "final_imprisoned",
            "total_new_desertions", "total_captures", "total_returned_to_front", "total_cases_opened", "total_deaths",
            "total_cases_filed")
MORRIS_LEVELS = 4  # SALib's default grid: each step moves a parameter by 4 / (2 · 3) = 2/3 of its range


def model_code_digest() -> str:
    """A digest of the source of the mechanisms, the scenario schema and the engine the answers
    run on (the default, cohorts, and what the engines share): what turns a scenario and a seed
    into these numbers. A change to any of them makes shipped answers stale; a change to the
    agent or expected engine does not."""
    root = Path(str(resources.files("awol")))
    files = [f for part in ("model", "scenario", f"engines/{DEFAULT_ENGINE}") for f in (root / part).rglob("*.py")]
    files += list((root / "engines").glob("*.py"))
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def stamp(posterior: str | Path) -> dict:
    """What answers computed now from `posterior` would depend on (compared field by field)."""
    path = posterior_path(posterior)
    from awol.evidence.nowcast import read_posterior

    reference = read_posterior(path)["scenario"]["name"]
    names = [reference] + [name for _, name, _ in QUESTIONS]
    return {"format": FORMAT, "posterior_sha256": file_digest(path),
            "scenarios": {name: load_scenario(name).hash for name in names},
            "model_code": model_code_digest()}


def stale_reasons(recorded: dict, current: dict) -> list[str]:
    """Why answers stamped `recorded` are not those the current files would give (empty: current)."""
    reasons = []
    if recorded.get("format") != current["format"]:
        reasons.append(f"written in format {recorded.get('format')!r}, now {current['format']!r}")
    if recorded.get("posterior_sha256") != current["posterior_sha256"]:
        reasons.append("the posterior changed since the answers were computed")
    for name, digest in current["scenarios"].items():
        if recorded.get("scenarios", {}).get(name) != digest:
            reasons.append(f"scenario {name!r} changed since the answers were computed")
    if recorded.get("model_code") != current["model_code"]:
        reasons.append("the model or engine code changed since the answers were computed")
    return reasons


def answers_path(name: str = REFERENCE) -> Path:
    """Where the answers of `name` are shipped: beside the bundled scenario, so the package carries them."""
    return BUNDLED_DIR / SHIPPED.format(name=name)


def _commit() -> str | None:
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=40"], capture_output=True, text=True,
                              timeout=10, cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _rows(table: pd.DataFrame, keys: list[str]) -> list[dict]:
    """JSON-ready rows: the keys, then the quantiles, numbers as floats."""
    out = []
    for _, r in table.iterrows():
        row = {k: (r[k].item() if hasattr(r[k], "item") else r[k]) for k in keys}
        row.update({q: float(r[q]) for q in QUANTILES})
        out.append(row)
    return out


def _per_run(summaries: pd.DataFrame) -> dict:
    """Each summary's value in each run (replicate order), so every interval can be checked and any run redone."""
    return {"replicate": summaries["replicate"].astype(int).tolist(),
            "seed": summaries["seed"].astype(int).astype(str).tolist(),
            **{name: summaries[name].astype(float).tolist() for name in SUMMARIES}}


def _drivers(indices: pd.DataFrame, summary: str, top: int = 3) -> list[dict]:
    rows = indices[indices["output"] == summary].sort_values("mu_star", ascending=False).head(top)
    return [{"parameter": r["parameter"], "mu_star": float(r["mu_star"]), "mu_star_conf": float(r["mu_star_conf"])}
            for _, r in rows.iterrows()]


def _nowcast(path: Path, draws: int, workers: int | None, work: Path, current: dict) -> dict:
    """The nowcast, kept in the work directory: a rebuild that failed later redoes only what is missing,
    as the experiments' runs are."""
    import pickle

    from awol.evidence.nowcast import nowcast

    kept = work / f"nowcast-{current['posterior_sha256'][:12]}-{current['model_code'][:12]}-{draws}.pickle"
    if kept.exists():
        return pickle.loads(kept.read_bytes())
    now = nowcast(path, draws=draws, workers=workers or 1)
    work.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(pickle.dumps({k: now[k] for k in ("until", "hidden", "observed", "doc", "scenario", "seed")}))
    return now


def build(posterior: str | Path = REFERENCE, *, draws: int = 100, runs: int = 30, trajectories: int = 3,
          workers: int | None = None, work_dir: str | Path | None = None, progress: bool = True) -> dict:
    """Compute the answers document (see the module docstring); nothing is written here."""
    from awol.experiments import api

    started = time.monotonic()
    commit = _commit()  # the code that computes, recorded before it runs
    path = posterior_path(posterior)
    current = stamp(path)
    reference = next(iter(current["scenarios"]))
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="awol-answers-"))
    kept = len(list(work.rglob("*.parquet"))) + len(list(work.rglob("*.summary.json"))) + len(
        list(work.glob("nowcast-*.pickle")))  # from an earlier build

    say = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda m: None)
    say(f"Q1: nowcast from {path.name}, {draws} draws")
    now = _nowcast(path, draws, workers, work, current)
    scenario = now["scenario"]

    say(f"Q6: Morris screening of {reference}, {trajectories} trajectories")
    screening = api.sensitivity(reference, method="morris", samples=trajectories, outputs=list(SCREENED),
                                out=work / "morris", workers=workers, progress=progress)
    indices = screening.table
    n_screened = indices["parameter"].nunique()

    say(f"Q2-Q5: {len(QUESTIONS)} policies against {reference}, {runs} posterior draws each")
    parameters = posterior_draws(path, runs)
    names = [reference] + [name for _, name, _ in QUESTIONS]
    compared = policy_differences(names, parameters, work / "compare", workers=workers, progress=progress)
    differences = compared.table
    summaries = compared.summaries

    hidden = now["hidden"].copy()
    nowcast_rows = _rows(hidden, ["quantity", "how"])
    for row in nowcast_rows:
        summary = DRIVEN_BY.get(row["quantity"])
        row["summary"] = summary
        row["drivers"] = _drivers(indices, summary) if summary in SCREENED else []
    observed = now["observed"]
    observed_rows = [] if not len(observed) else [
        {"figure": r["row"], "fitted": bool(r["use"]), "observed": float(r["observed"]),
         **{q: float(r[q]) for q in QUANTILES}, "covered90": bool(r["covered90"])}
        for _, r in observed.iterrows()]

    questions = []
    for question, name, text in QUESTIONS:
        rows = differences[differences["scenario"] == name]
        base = summaries[summaries["scenario"] == reference]
        table = []
        for _, r in rows.iterrows():
            reference_q = {q: float(v) for q, v in zip(QUANTILES, np.quantile(
                base[r["output"]].to_numpy(float), list(QUANTILES.values())), strict=True)}
            table.append({"summary": r["output"], "unit": UNITS[r["output"]], "runs": int(r["runs"]),
                          "reference_mean": float(r["baseline_mean"]), "reference": reference_q,
                          "mean_difference": float(r["mean_difference"]), "mean_low": float(r["low"]),
                          "mean_high": float(r["high"]), **{q: float(r[q]) for q in QUANTILES}})
        sc = load_scenario(name)
        mine = summaries[summaries["scenario"] == name].sort_values("replicate")
        questions.append({"question": question, "scenario": name, "asks": text, "description": sc.description,
                          "rows": table, "per_run": _per_run(mine)})

    reference_runs = _per_run(summaries[summaries["scenario"] == reference].sort_values("replicate"))
    return {
        "format": FORMAT,
        "stamp": current,
        "scenario": reference,
        "start": f"{scenario.simulation.start:%Y-%m-%d}",
        "until": now["until"],
        "scale": 1.0,
        "posterior": {"file": path.name, "parameters": [p["path"] for p in now["doc"]["parameters"]],
                      "summary": now["doc"].get("summary", {})},
        "nowcast": {"draws": draws, "seed": now["seed"], "rows": nowcast_rows, "observed": observed_rows},
        "questions": questions,
        "questions_method": {"runs": runs, "draws_seed": int(parameters.attrs["seed"]),
                             "reference_per_run": reference_runs,
                             # exact values, so that the runs can be redone
                             "draws": {c: parameters[c].tolist() for c in parameters.columns},
                             "base_seed": int(load_scenario(reference).simulation.seed),
                             "pairing": "run k of every scenario: posterior draw k and seed child_seed(base seed, k)"},
        "sensitivity": {
            "method": "morris", "trajectories": trajectories, "levels": MORRIS_LEVELS,
            "runs": int(len(screening.summaries)), "parameters": int(n_screened),
            "step": "2/3 of each parameter's declared range",
            "units": {s: UNITS[s] for s in SCREENED},
            "rows": [{"summary": r["output"], "parameter": r["parameter"], "mu_star": float(r["mu_star"]),
                      "mu_star_conf": float(r["mu_star_conf"]), "sigma": float(r["sigma"])}
                     for _, r in indices.iterrows()],
        },
        "built": {"command": " ".join(["python -m awol.evidence.answers", str(posterior),
                                       f"--draws {draws} --runs {runs} --trajectories {trajectories}"]),
                  "commit": commit, "versions": _versions(), "engine": "cohorts",
                  "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  "wall_seconds": round(time.monotonic() - started, 1),
                  "resumed": (f"{kept} files of an earlier build reused (its wall time is not counted)"
                              if kept else None)},
    }


def policy_differences(names: list[str], parameters: pd.DataFrame, out: str | Path, *, workers: int | None = None,
              progress: bool = True):
    """Q2-Q5: each policy scenario against the reference (the first name), run k of each at posterior draw k.

    Only each run's summaries are kept (`experiments.api.compare(keep_runs=False)`): the
    answers are the paired differences, and a daily table per run would be written and read
    back for nothing (benchmarks/throughput measures a Q2 answer this way).
    """
    from awol.experiments import api

    return api.compare(names, parameters=parameters, out=out, workers=workers, progress=progress, keep_runs=False)


def _versions() -> dict:
    from awol.store.runs import package_versions

    return package_versions()


def write(doc: dict, out: str | Path) -> Path:
    """Write `doc` as JSON through a temporary file, so a killed build never leaves half a file that
    the dashboard would then read.
    """
    out = Path(out)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def read(path: str | Path) -> dict | None:
    """The answers document at `path`, or None when none was built (the dashboard then says how to build it)."""
    path = Path(path)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    """`python -m awol.evidence.answers` (`make answers`): build the answers and write them; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m awol.evidence.answers",
                                     description="Compute the dashboard's answers (Q1-Q6) from a shipped posterior.")
    parser.add_argument("posterior", nargs="?", default=REFERENCE, help="bundled scenario name or posterior file")
    parser.add_argument("--draws", type=int, default=100, help="posterior draws for the nowcast (Q1)")
    parser.add_argument("--runs", type=int, default=30, help="posterior draws per policy comparison (Q2-Q5)")
    parser.add_argument("--trajectories", type=int, default=3, help="Morris trajectories (Q6)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--out", type=Path, default=None, help="default: scenarios/<name>.answers.json")
    parser.add_argument("--work-dir", type=Path, default=None, help="keep the runs here (default: a temporary dir)")
    args = parser.parse_args(argv)
    problems = [f"--{k}: {v}; must be at least 1" for k, v in
                (("draws", args.draws), ("runs", args.runs), ("trajectories", args.trajectories)) if v < 1]
    if problems:
        print("\n".join(f"error: {p}" for p in problems), file=sys.stderr)
        return 2
    doc = build(args.posterior, draws=args.draws, runs=args.runs, trajectories=args.trajectories,
                workers=args.workers, work_dir=args.work_dir)
    name = doc["scenario"] if args.out is None else None
    out = write(doc, args.out or answers_path(name))
    print(f"wrote {out} in {doc['built']['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
