"""Nowcast: what a posterior implies for the hidden system at a date.

Particles are drawn by weight from a posterior file (evidence.posterior checks it), each
is simulated to the date by the forward model (evidence.simulator), and the median and
50 % / 90 % intervals are reported for hidden quantities (retained past term, deserters at
large, desertions, captures, returns, deaths of returned deserters...) and for every
observed figure within the simulated dates. The intervals carry parameter uncertainty,
run noise and observation error (the error model, for the observable figures), and each
90 % end its bootstrap Monte Carlo error. Where the posterior holds the prior's predictive
of the hidden totals at the same date, each total is labelled by whether the data narrowed
it or the prior set it (the rule in data/inference/method.yaml).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from awol.evidence.calibrate import method_rules, report_summary, versions, write_posterior
from awol.evidence.posterior import PosteriorError, priors_of, read_posterior
from awol.evidence.predictive import coverage_table, hidden_table, make_draws, run_draws
from awol.evidence.priors import CalibrationError, check_applicable
from awol.evidence.simulator import Problem
from awol.progress import Progress
from awol.scenario.load import ScenarioError, load_scenario, resolve_path

__all__ = ["PosteriorError", "read_posterior", "nowcast", "nowcast_table", "write_results"]
MC_LIMIT = 0.02  # a 90 % end whose relative Monte Carlo error exceeds this is flagged (method.yaml, predictive)


def posterior_scenario(doc: dict, posterior_path: Path):
    """The scenario the posterior was fitted to: its file (as recorded, or beside the posterior), else the bundled."""
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
            workers: int = 1, dask: str | None = None, keep_daily: bool = False,
            progress: Progress | None = None, from_bank: bool = False) -> dict:
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
    if from_bank:
        return bank_nowcast(doc, scenario, scenario_file, f"{end:%Y-%m-%d}", path)
    if draws < 1:
        raise PosteriorError([f"--draws: {draws}; must be at least 1"])
    observed = pd.DataFrame(doc["observed"])
    if len(observed):
        observed["date_from"] = pd.to_datetime(observed["date_from"])
        observed["date_to"] = pd.to_datetime(observed["date_to"])
        observed = observed[(observed["date_from"] >= start) & (observed["date_to"] <= end)].reset_index(drop=True)
    if "published" in observed:
        observed["published"] = pd.to_datetime(observed["published"])
    seed = int(doc["seed"]) + 1 if seed is None else int(seed)
    priors = priors_of(doc)
    try:
        check_applicable(scenario, priors)
    except CalibrationError as exc:
        raise PosteriorError([f"{path}: parameters: {p}" for p in exc.problems]) from None
    problem = Problem(scenario.raw, tuple(priors), observed, days, seed)
    plan = make_draws(problem, np.asarray(doc["particles"]["values"], float),
                      np.asarray(doc["particles"]["weights"], float), n=draws, seed=seed, keep_daily=keep_daily)
    if workers > 1 or dask:
        from awol.experiments.execution import executor_for

        with executor_for(workers, dask) as ex:
            hidden, rows, dailies = run_draws(plan, ex, progress)
    else:
        hidden, rows, dailies = run_draws(plan, None, progress)
    observable = coverage_table(observed, rows) if len(observed) else pd.DataFrame()
    table = label_by_prior(hidden_table(hidden, seed), doc, f"{end:%Y-%m-%d}")
    return {"until": f"{end:%Y-%m-%d}", "hidden": table, "observed": observable, "doc": doc,
            "scenario": scenario, "scenario_file": str(scenario_file), "dailies": dailies, "seed": seed,
            "draws": plan}


def bank_nowcast(doc: dict, scenario, scenario_file, until: str, path: Path) -> dict:
    """The nowcast held in an NPE posterior: the bank's runs weighted by posterior over prior, no new simulation.

    Only at the scenario's end (where the bank's runs stop) and only for the hidden totals.
    """
    held = doc.get("bank_nowcast")
    if not held:
        raise PosteriorError([f"{path}: holds no bank nowcast; --from-bank needs a posterior of "
                              "`awol calibrate --method npe`"])
    if held["until"] != until:
        raise PosteriorError([f"--until: {until}; the bank's runs end on {held['until']}, the only date "
                              "--from-bank can report (drop --from-bank to simulate another date)"])
    table = label_by_prior(pd.DataFrame(held["hidden"]), doc, until)
    return {"until": until, "hidden": table, "observed": pd.DataFrame(), "doc": doc, "scenario": scenario,
            "scenario_file": str(scenario_file), "dailies": [], "seed": int(doc["seed"]), "draws": [],
            "effective_runs": held["effective_runs"]}


def label_by_prior(table: pd.DataFrame, doc: dict, until: str) -> pd.DataFrame:
    """Add `set_by` (data or prior) and the width ratio, where the posterior holds the prior's predictive at `until`."""
    prior = (doc.get("prior_predictive") or {})
    table = table.copy()
    table["width_ratio"], table["set_by"] = np.nan, ""
    if prior.get("until") != until:
        return table
    limit = float(method_rules()["predictive"]["prior_set_ratio"])
    widths = {r["quantity"]: r["q95"] - r["q05"] for r in prior["hidden"]}
    for i, row in table.iterrows():
        width = widths.get(row["quantity"])
        if width:
            ratio = (row["q95"] - row["q05"]) / width
            table.loc[i, "width_ratio"] = ratio
            table.loc[i, "set_by"] = "prior" if ratio > limit else "data"
    return table


def write_results(result: dict, out: str | Path) -> Path:
    """A results directory `awol report` reads: the draws' daily tables as an ensemble, posterior.json, nowcast.csv.

    Layout as awol.experiments writes ensembles (manifest.json + runs/run-*.parquet),
    plus scenario.yaml and the posterior with the nowcast added to its summary. Every
    file is written to a temporary and renamed into place, and the manifest (what marks
    the directory complete) is removed first and written last: a write killed at any
    point leaves no half file, and the same command run again writes the same directory.
    """
    import yaml

    from awol.store.runs import write_parquet

    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    for stale in out.rglob(".*.tmp"):
        stale.unlink(missing_ok=True)
    for draw, daily in zip(result["draws"], result["dailies"], strict=True):
        table = daily.copy()
        table.insert(0, "seed", np.int64(draw.seed))
        table.insert(0, "run", np.int32(draw.index))
        target = out / "runs" / f"run-{draw.index:05d}.parquet"
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        write_parquet(table, tmp)
        tmp.replace(target)
    scenario = result["scenario"]
    manifest = {"kind": "nowcast", "scenario": scenario.name, "scenario_hash": scenario.hash,
                "days": int(len(result["dailies"][0])), "engine": "cohorts", "runs": len(result["dailies"]),
                "seed": result["seed"], "until": result["until"], "versions": versions(),
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    _write_text(out / "scenario.yaml", yaml.safe_dump(scenario.raw, sort_keys=False))
    table = nowcast_table(result)
    _write_text(out / "nowcast.csv", table.to_csv(index=False))
    doc = dict(result["doc"])
    summary = dict(doc.get("summary") or report_summary(doc))
    for _, row in result["hidden"].iterrows():
        summary[f"nowcast {result['until']}: {row['quantity']}"] = (
            f"median {row['q50']:,.0f} (50 %: {row['q25']:,.0f}–{row['q75']:,.0f}; "
            f"90 %: {row['q05']:,.0f}–{row['q95']:,.0f})")
    doc["summary"] = summary
    doc["nowcast"] = {"until": result["until"], "draws": len(result["dailies"]), "seed": result["seed"],
                      "table": table.to_dict(orient="records")}
    write_posterior(doc, out / "posterior.json")
    _write_text(out / "manifest.json", json.dumps(manifest, indent=1) + "\n")
    return out


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def nowcast_table(result: dict) -> pd.DataFrame:
    """One table: hidden quantities, then observable figures (with the observed value and coverage)."""
    columns = ["group", "quantity", "kind", "q50", "q25", "q75", "q05", "q95", "observed", "covered90",
               "mc_q05", "mc_q95", "set_by"]
    hidden = result["hidden"].rename(columns={"how": "kind"}).assign(group="hidden", observed=np.nan,
                                                                      covered90=pd.NA)
    for column in ("mc_q05", "mc_q95", "set_by"):
        if column not in hidden:
            hidden[column] = np.nan if column.startswith("mc") else ""
    parts = [hidden[columns]]
    obs = result["observed"]
    if len(obs):
        shown = obs.drop(columns=["quantity"]).rename(columns={"row": "quantity"}).assign(
            group=np.where(obs["use"], "observable (fitted)", "observable (not fitted)"), mc_q05=np.nan, mc_q95=np.nan,
            set_by="")
        parts.append(shown[columns])
    return pd.concat(parts, ignore_index=True)


def mc_warning(result: dict) -> str | None:
    """A line naming the hidden totals whose 90 % ends carry more Monte Carlo error than MC_LIMIT, if any."""
    hidden = result["hidden"]
    worst = hidden[["mc_q05", "mc_q95"]].max(axis=1)
    flagged = hidden.loc[worst > MC_LIMIT, "quantity"].tolist()
    if not flagged:
        return None
    return (f"Monte Carlo error of a 90 % end above {MC_LIMIT:.0%} for {', '.join(flagged)} "
            f"(largest {worst.max():.1%}): raise --draws")
