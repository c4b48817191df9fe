"""Nowcast: what a posterior implies for the hidden system at a date.

Particles are drawn by weight from a posterior JSON written by `calibrate`, each is
simulated with the cohort engine to the date, and the posterior-predictive median
and 50 % / 90 % intervals are reported for hidden quantities (retained past term,
deserters at large, desertions, captures, returns, deaths of returned deserters…)
and for every observed figure that falls within the simulated dates.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from awol.problems import ProblemsError
from awol.evidence.calibrate import FORMAT, report_summary, versions, write_posterior
from awol.evidence.predictive import coverage_table, hidden_table, make_draws, run_draws
from awol.evidence.priors import scenario_at
from awol.progress import Progress
from awol.scenario.load import ScenarioError, load_scenario, resolve_path


class PosteriorError(ProblemsError):
    """A posterior file that cannot be used; `.problems` holds one line per problem."""


def read_posterior(path: str | Path) -> dict:
    """Read a posterior JSON and check it holds what a nowcast needs."""
    path = Path(path)
    if not path.exists():
        raise PosteriorError([f"{path}: no such file; give a posterior written by `awol calibrate`"])
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PosteriorError([f"{path}: not JSON ({exc})"]) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PosteriorError([f"{path}: format {doc.get('format') if isinstance(doc, dict) else None!r}; "
                              f"expected {FORMAT!r} as written by `awol calibrate`"])
    problems = [f"{path}: field {key!r} missing" for key in ("scenario", "parameters", "particles", "observed", "seed")
                if key not in doc]
    if not problems:
        n = len(doc["parameters"])
        values, weights = doc["particles"].get("values"), doc["particles"].get("weights")
        if not values or len(values) != len(weights or []) or any(len(v) != n for v in values):
            problems.append(f"{path}: particles.values must be a list of {n}-value particles, one weight each")
    if problems:
        raise PosteriorError(problems)
    return doc


def posterior_scenario(doc: dict, posterior_path: Path):
    """The scenario the posterior was fitted to: its file (as recorded, or beside the posterior), else the bundled one."""
    recorded = doc["scenario"].get("file")
    candidates = [Path(recorded)] if recorded else []
    if recorded and not Path(recorded).is_absolute():
        candidates.append(posterior_path.parent / Path(recorded).name)
    candidates.append(resolve_path(doc["scenario"]["name"]))
    for candidate in candidates:
        if candidate.exists():
            try:
                scenario = load_scenario(candidate)
            except ScenarioError as exc:
                raise PosteriorError([str(p) for p in exc.problems]) from None
            if scenario.hash == doc["scenario"]["hash"]:
                return scenario, candidate
    raise PosteriorError([f"{posterior_path}: no scenario file with hash {doc['scenario']['hash'][:12]} found "
                          f"(looked at {', '.join(str(c) for c in candidates)}); the scenario changed since "
                          "calibration: calibrate again"])


def nowcast(posterior: str | Path, *, until: str | dt.date | None = None, draws: int = 100, seed: int | None = None,
            workers: int = 1, dask: str | None = None, keep_daily: bool = False, progress: Progress | None = None) -> dict:
    """Posterior-predictive hidden quantities at `until` (default: the scenario's end) and every observable figure.

    `posterior` is a file written by `awol calibrate` or the name of a bundled scenario
    with a shipped posterior (`"baseline"`). Returns {"until", "hidden": DataFrame,
    "observed": DataFrame, "doc", "scenario", "dailies"}.
    """
    from awol.evidence.posteriors import posterior_path

    path = posterior_path(posterior)
    doc = read_posterior(path)
    scenario, scenario_file = posterior_scenario(doc, path)
    start = pd.Timestamp(scenario.simulation.start)
    if until is None:
        end = start + pd.Timedelta(days=scenario.simulation.days - 1)
    else:
        try:
            end = pd.Timestamp(until)
        except (ValueError, TypeError):
            raise PosteriorError([f"--until: {until!r} is not a date; write YYYY-MM-DD"]) from None
    days = int((end - start).days) + 1
    if days < 1:
        raise PosteriorError([f"--until: {end:%Y-%m-%d} is before the scenario starts ({start:%Y-%m-%d})"])
    if draws < 1:
        raise PosteriorError([f"--draws: {draws}; must be at least 1"])
    observed = pd.DataFrame(doc["observed"])
    if len(observed):
        observed["date_from"] = pd.to_datetime(observed["date_from"])
        observed["date_to"] = pd.to_datetime(observed["date_to"])
        observed = observed[(observed["date_from"] >= start) & (observed["date_to"] <= end)].reset_index(drop=True)
    seed = int(doc["seed"]) + 1 if seed is None else int(seed)
    paths = [p["path"] for p in doc["parameters"]]
    plan = make_draws(scenario.raw, paths, np.asarray(doc["particles"]["values"], float),
                      np.asarray(doc["particles"]["weights"], float), n=draws, seed=seed, days=days,
                      observed=observed, keep_daily=keep_daily)
    if workers > 1 or dask:
        from awol.experiments.execution import executor_for

        with executor_for(workers, dask) as ex:
            hidden, rows, dailies = run_draws(plan, ex, progress)
    else:
        hidden, rows, dailies = run_draws(plan, None, progress)
    observable = coverage_table(observed, rows) if len(observed) else pd.DataFrame()
    return {"until": f"{end:%Y-%m-%d}", "hidden": hidden_table(hidden), "observed": observable, "doc": doc,
            "scenario": scenario, "scenario_file": str(scenario_file), "dailies": dailies, "seed": seed,
            "draws": plan}


def write_results(result: dict, out: str | Path) -> Path:
    """A results directory `awol report` reads: the draws' daily tables as an ensemble, posterior.json, nowcast.csv.

    Layout as awol.experiments writes ensembles (manifest.json + runs/run-*.parquet),
    plus scenario.yaml and the posterior with the nowcast added to its summary.
    """
    import yaml

    from awol.store.runs import write_parquet

    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    for draw, daily in zip(result["draws"], result["dailies"]):
        table = daily.copy()
        table.insert(0, "seed", np.int64(draw.seed))
        table.insert(0, "run", np.int32(draw.index))
        write_parquet(table, out / "runs" / f"run-{draw.index:05d}.parquet")
    scenario = result["scenario"]
    manifest = {"kind": "nowcast", "scenario": scenario.name, "scenario_hash": scenario.hash,
                "days": int(len(result["dailies"][0])), "engine": "cohorts", "runs": len(result["dailies"]),
                "seed": result["seed"], "until": result["until"], "versions": versions(),
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    (out / "scenario.yaml").write_text(yaml.safe_dump(scenario.raw, sort_keys=False), encoding="utf-8")
    table = nowcast_table(result)
    table.to_csv(out / "nowcast.csv", index=False)
    doc = dict(result["doc"])
    summary = dict(doc.get("summary") or report_summary(doc))
    for _, row in result["hidden"].iterrows():
        summary[f"nowcast {result['until']}: {row['quantity']}"] = (
            f"median {row['q50']:,.0f} (50 %: {row['q25']:,.0f}–{row['q75']:,.0f}; 90 %: {row['q05']:,.0f}–{row['q95']:,.0f})")
    doc["summary"] = summary
    doc["nowcast"] = {"until": result["until"], "draws": len(result["dailies"]), "seed": result["seed"],
                      "table": table.to_dict(orient="records")}
    write_posterior(doc, out / "posterior.json")
    return out


def nowcast_table(result: dict) -> pd.DataFrame:
    """One table: hidden quantities, then observable figures (with the observed value and coverage)."""
    hidden = result["hidden"].rename(columns={"how": "kind"}).assign(group="hidden", observed=np.nan,
                                                                      covered90=pd.NA)
    parts = [hidden[["group", "quantity", "kind", "q50", "q25", "q75", "q05", "q95", "observed", "covered90"]]]
    obs = result["observed"]
    if len(obs):
        shown = obs.drop(columns=["quantity"]).rename(columns={"row": "quantity"}).assign(
            group=np.where(obs["use"], "observable (fitted)", "observable (not fitted)"))
        parts.append(shown[["group", "quantity", "kind", "q50", "q25", "q75", "q05", "q95", "observed", "covered90"]])
    return pd.concat(parts, ignore_index=True)
