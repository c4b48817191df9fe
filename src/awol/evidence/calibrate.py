"""Calibration: ABC-SMC (pyabc) of chosen scenario parameters against the observed figures.

The prior is uniform over each parameter's declared range (evidence.priors). Each
particle is one cohort-engine run, cut at the last observed date, measured through
M8 (evidence.measure). The distance is the root mean square of log(1 + count)
differences over the fitted rows: a relative error, so that a cumulative total of
10,000 and a monthly count of 929 weigh alike, and a value of 0.1 reads as "about 10 %
off on a typical row". (pyabc's adaptive distances rescale rows by their spread under
the prior; on the log scale rows are already comparable, and rescaling would give most
weight to the rows the parameters move least.) The acceptance threshold is pyabc's
default, the median distance of the previous generation.

A simulation's seed is a function of (base seed, parameter values), so any particle is
reproducible on its own. With one worker the whole run is reproducible from the seed;
with several, which particles are accepted depends on which simulation finishes first
(pyabc's parallel samplers reseed their workers), though the posterior does not.
The database (`--db`) makes a run resumable: the same command continues it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from awol.engines.rng import child_seed, value_keys
from awol.evidence.measure import check_covered, days_to_cover, measure
from awol.evidence.predictive import ENGINE, coverage_table, make_draws, run_draws
from awol.experiments.analysis import quantiles
from awol.evidence.priors import CalibrationError, Prior, priors_for, scenario_at
from awol.scenario.schema import Scenario

STAT = "log_counts"
FORMAT = "awol-posterior/1"


def log_counts(values: np.ndarray) -> np.ndarray:
    return np.log1p(np.maximum(np.asarray(values, dtype=float), 0.0))


def log_rms_distance(x: dict, x0: dict) -> float:
    """Root mean square of log(1 + count) differences over the fitted rows."""
    return float(np.sqrt(np.mean((np.asarray(x[STAT]) - np.asarray(x0[STAT])) ** 2)))


class CourtCaseModel:
    """pyabc's model: parameters → measured court-case figures (picklable, for dask)."""

    def __init__(self, tree: dict, priors: list[Prior], observed: pd.DataFrame, days: int, base_seed: int):
        self.tree, self.priors, self.observed = tree, priors, observed
        self.days, self.base_seed = days, base_seed

    def values(self, parameter) -> dict[str, float]:
        return {p.path: float(parameter[p.name]) for p in self.priors}

    def __call__(self, parameter) -> dict:
        from awol.engines import simulate

        values = self.values(parameter)
        seed = child_seed(self.base_seed, *value_keys(list(values.values())))
        daily = simulate(scenario_at(self.tree, values), seed=seed, days=self.days, engine=ENGINE)
        return {STAT: log_counts(measure(daily, self.observed))}


@contextmanager
def sampler_for(workers: int, dask: str | None) -> Iterator[object]:
    """pyabc's sampler: one process (reproducible), a local pool of `workers`, or dask (`local:N` or an address)."""
    import pyabc

    if dask:
        from dask.distributed import Client, LocalCluster

        cluster = None
        if dask.startswith("local:"):
            cluster = LocalCluster(n_workers=int(dask.split(":", 1)[1]), threads_per_worker=1, processes=True,
                                   dashboard_address=None, env={"NUMBA_NUM_THREADS": "1"})
            client = Client(cluster)
        else:
            client = Client(dask)
        try:
            yield pyabc.sampler.DaskDistributedSampler(dask_client=client)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif workers <= 1:
        yield pyabc.sampler.SingleCoreSampler()
    else:
        yield pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)


def run_key(scenario: Scenario, priors: list[Prior], observed: pd.DataFrame, seed: int, population: int) -> str:
    """What identifies a calibration in the database, so that the same command resumes it."""
    fitted = observed[observed["use"]][["date_from", "date_to", "quantity", "article", "kind", "value"]]
    text = json.dumps({"scenario": scenario.hash, "priors": [(p.path, p.low, p.high) for p in priors],
                       "rows": fitted.astype(str).values.tolist(), "seed": seed, "population": population,
                       "engine": ENGINE, "distance": "log_rms"}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _stored_run(db: Path, key: str) -> int | None:
    """The id of the calibration with this key in the database, if any."""
    if not db.exists():
        return None
    from pyabc.storage import History

    for run in History(f"sqlite:///{db}").all_runs():
        if key in str(run.json_parameters or ""):
            return int(run.id)
    return None


def versions() -> dict[str, str]:
    from importlib import metadata

    from awol.store.runs import package_versions

    out = package_versions()
    for name in ("pyabc", "scipy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def calibrate(
    scenario: Scenario,
    observed: pd.DataFrame,
    paths: list[str],
    *,
    population: int = 100,
    generations: int = 5,
    workers: int = 1,
    dask: str | None = None,
    db: str | Path | None = None,
    seed: int | None = None,
    predictive_draws: int = 60,
    max_minutes: float | None = None,
    declared: dict[str, tuple[float, float]] | None = None,
    scenario_file: str | None = None,
    data_files: list[str | Path] | None = None,
    log: Callable[[str], None] | None = None,
    show_progress: bool = False,
) -> dict:
    """Fit `paths` of `scenario` to the fitted rows of `observed`; return the posterior (a JSON-ready dict).

    `declared` gives ranges for paths the scenario file does not annotate (tests);
    `db` (an SQLite file) keeps every generation, so a second call with the same
    arguments continues where the first stopped; `max_minutes` bounds pyabc's wall time.
    """
    import pyabc

    log = log or (lambda message: None)
    if population < 2:
        raise CalibrationError([f"--population: {population}; must be at least 2"])
    if generations < 1:
        raise CalibrationError([f"--generations: {generations}; must be at least 1"])
    priors = priors_for(scenario, paths, declared)
    seed = scenario.simulation.seed if seed is None else int(seed)
    fitted = observed[observed["use"]].reset_index(drop=True)
    days = days_to_cover(fitted, scenario.simulation.start)
    check_covered(observed, scenario.simulation.start, scenario.simulation.days)
    started = time.perf_counter()

    model = CourtCaseModel(scenario.raw, priors, fitted, days, seed)
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors})
    key = run_key(scenario, priors, observed, seed, population)
    db_path = Path(db) if db else None
    if db_path:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{db_path}" if db_path else "sqlite://"
    np.random.seed(seed % 2**32)  # pyabc samples from NumPy's global generator
    with sampler_for(workers, dask) as sampler:
        sampler.show_progress = show_progress  # a bar per generation (pyabc draws it on stdout)
        abc = pyabc.ABCSMC(model, prior, log_rms_distance, population_size=population, sampler=sampler)
        stored = _stored_run(db_path, key) if db_path else None
        if stored is not None:
            history = abc.load(db_url, stored)
            log(f"resuming calibration {stored} in {db_path}: {history.max_t + 1} generation(s) done")
        else:
            observed_stat = {STAT: log_counts(fitted["value"].to_numpy())}
            history = abc.new(db_url, observed_stat, meta_info={"awol_key": key})
        remaining = generations - (history.max_t + 1)
        if remaining > 0:
            walltime = dt.timedelta(minutes=max_minutes) if max_minutes else None
            history = abc.run(max_nr_populations=remaining, max_walltime=walltime)
    abc_seconds = time.perf_counter() - started

    frame, weights = history.get_distribution(m=0, t=history.max_t)
    particles = frame[[p.name for p in priors]].to_numpy(dtype=float)
    populations = history.get_all_populations()
    if "wall_time" in populations:  # summed over every session of a resumed run
        abc_seconds = float(populations["wall_time"].sum())
    populations = populations[populations["t"] >= 0]
    simulations = int(history.total_nr_simulations)

    predictive, predictive_started = None, time.perf_counter()
    if predictive_draws > 0:
        from awol.experiments.execution import executor_for

        cover_days = days_to_cover(observed, scenario.simulation.start)
        draws = make_draws(scenario.raw, [p.path for p in priors], particles, weights, n=predictive_draws,
                           seed=seed, days=cover_days, observed=observed)
        log(f"posterior predictive: {predictive_draws} simulations")
        if workers > 1 or dask:
            with executor_for(workers, dask) as ex:
                _, rows, _ = run_draws(draws, ex)
        else:
            _, rows, _ = run_draws(draws, None)
        predictive = coverage_table(observed, rows)

    return posterior_document(
        scenario=scenario, priors=priors, particles=particles, weights=weights, observed=observed,
        predictive=predictive, seed=seed, simulations=simulations, predictive_draws=predictive_draws,
        populations=populations, population=population, days=days,
        wall_seconds={"calibration": round(abc_seconds, 1),
                      "predictive": round(time.perf_counter() - predictive_started, 1),
                      "this_session": round(time.perf_counter() - started, 1)}, scenario_file=scenario_file, data_files=data_files, db=str(db_path) if db_path else None,
        abc_id=int(history.id),
    )


def posterior_document(*, scenario, priors, particles, weights, observed, predictive, seed, simulations,
                       predictive_draws, populations, population, days, wall_seconds, scenario_file,
                       data_files, db, abc_id) -> dict:
    """The posterior as written to JSON (see docs/what-the-data-imply.md for the fields)."""
    from awol.evidence.observed import file_hash

    table = []
    for j, p in enumerate(priors):
        q = quantiles(particles[:, j], weights=weights)
        mean = float(np.average(particles[:, j], weights=weights))
        table.append({"path": p.path, "prior": [p.low, p.high], "mean": mean, **{k: float(v) for k, v in q.items()}})
    rows = observed.drop(columns=["file", "line"], errors="ignore").copy()
    rows["date_from"] = rows["date_from"].dt.strftime("%Y-%m-%d")
    rows["date_to"] = rows["date_to"].dt.strftime("%Y-%m-%d")
    doc = {
        "format": FORMAT,
        "scenario": {"name": scenario.name, "file": scenario_file, "hash": scenario.hash,
                     "start": str(scenario.simulation.start), "days": scenario.simulation.days},
        "parameters": [{"path": p.path, "name": p.name, "prior": ["uniform", p.low, p.high]} for p in priors],
        "particles": {"values": particles.tolist(), "weights": (np.asarray(weights) / np.sum(weights)).tolist()},
        "posterior": table,
        "data": [{"file": _shown_path(f), "sha256": file_hash(f)} for f in (data_files or []) if Path(f).exists()],
        "observed": rows.to_dict(orient="records"),
        "method": {"algorithm": "ABC-SMC (pyabc)", "distance": "root mean square of log(1 + count) differences, fitted rows",
                   "epsilon": "median of the previous generation", "engine": ENGINE, "population": population,
                   "generations": int(len(populations)), "simulated_days": days,
                   "epsilons": [float(e) for e in populations["epsilon"]],
                   "database": db, "abc_id": abc_id},
        "seed": seed,
        "simulations": {"calibration": simulations, "predictive": predictive_draws if predictive is not None else 0},
        "wall_seconds": wall_seconds,  # calibration: pyabc's generations, summed over resumed sessions
        "versions": versions(),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "predictive": None if predictive is None else predictive.to_dict(orient="records"),
    }
    doc["summary"] = report_summary(doc)
    return doc


def _shown_path(path) -> str:
    """A data file's path as recorded: relative to the package for bundled data (portable), else as given."""
    import awol

    package = Path(awol.__file__).resolve().parent
    try:
        return "awol/" + Path(path).resolve().relative_to(package).as_posix()
    except ValueError:
        return str(path)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def report_summary(doc: dict) -> dict[str, str]:
    """Flat label → text pairs: what the report's calibration panel shows."""
    out = {"scenario": f"{doc['scenario']['name']} (hash {doc['scenario']['hash'][:12]})",
           "method": f"{doc['method']['algorithm']}, {doc['method']['generations']} generations of "
                     f"{doc['method']['population']} particles; {doc['simulations']['calibration']} simulations "
                     f"in {doc['wall_seconds']['calibration']:.0f} s; seed {doc['seed']}"}
    for row in doc["posterior"]:
        out[row["path"]] = (f"median {_fmt(row['q50'])} (50 %: {_fmt(row['q25'])}–{_fmt(row['q75'])}; "
                            f"90 %: {_fmt(row['q05'])}–{_fmt(row['q95'])}); prior uniform on "
                            f"[{_fmt(row['prior'][0])}, {_fmt(row['prior'][1])}]")
    if doc.get("predictive"):
        fitted = [r for r in doc["predictive"] if r["use"]]
        others = [r for r in doc["predictive"] if not r["use"]]
        out["fit"] = (f"{sum(r['covered90'] for r in fitted)} of {len(fitted)} fitted figures inside the 90 % "
                      f"predictive interval ({sum(r['covered50'] for r in fitted)} inside the 50 %); "
                      f"{sum(r['covered90'] for r in others)} of {len(others)} figures not fitted")
        for r in doc["predictive"]:
            mark = "inside" if r["covered90"] else "OUTSIDE"
            out[f"{'fitted' if r['use'] else 'not fitted'}: {r['row']}"] = (
                f"observed {_fmt(r['observed'])}; predicted {_fmt(r['q50'])} "
                f"(90 %: {_fmt(r['q05'])}–{_fmt(r['q95'])}), {mark}")
    return out


def write_posterior(doc: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=1, default=_json_default) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, (pd.Timestamp, dt.date)):
        return x.isoformat()[:10]
    raise TypeError(f"not JSON serialisable: {type(x)}")

