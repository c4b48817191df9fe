"""ABC-SMC (pyabc): the cross-check and fallback of neural posterior estimation.

The prior is uniform on the unit cube of the fitted parameters (evidence.priors maps it
to values: the declared priors, or `--params` with their scenario ranges, plus the error
model's parameters in either case). Each particle is one run of the forward model
(evidence.simulator): the scenario at the point, cut at the last fitted date, its court
cases through the observation error model. The distance is the root mean square of
log(1 + figure) differences over the fitted rows: a relative error, so that a cumulative
total of 10,000 and a monthly count of 929 weigh alike. The threshold is pyabc's default,
the median distance of the previous generation.

Stopping is a rule fixed in advance (data/inference/method.yaml): the first of a most
number of generations, an acceptance rate below a floor, or a threshold that fell by less
than a set fraction. `--max-minutes` remains for quick looks and is recorded when it stops
a run; a shipped posterior never uses it.

Reproducible and resumable: a simulation's seed is a function of (base seed, parameter
values); each generation runs in its own `abc.run` on a freshly loaded history, with
NumPy's global generator (which pyabc samples from) seeded by (seed, generation). An
uninterrupted run and one killed at any point and resumed from `--db` therefore take the
same path. With one worker the posterior is a function of the seed; with several, which
particles are accepted depends on which simulation finishes first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from awol.engines.rng import child_seed, value_keys
from awol.evidence.error_model import load_error_model
from awol.evidence.measure import check_covered, days_to_cover
from awol.evidence.posterior import FORMAT, provenance, rows_hash
from awol.evidence.predictive import ENGINE, coverage_table, make_draws, run_draws
from awol.evidence.priors import CalibrationError, Prior, declared_priors, from_unit, priors_for
from awol.evidence.simulator import Problem, simulate_point
from awol.experiments.analysis import quantiles
from awol.scenario.schema import Scenario

STAT = "log_counts"


@lru_cache(maxsize=2)
def method_rules(path: str | None = None) -> dict:
    """The rules fixed in advance (data/inference/method.yaml)."""
    where = Path(path) if path else Path(str(resources.files("awol").joinpath("data", "inference", "method.yaml")))
    return yaml.safe_load(where.read_text(encoding="utf-8"))


def log_counts(values: np.ndarray) -> np.ndarray:
    """log(1 + count), negative counts taken as 0: what the ABC distance compares."""
    return np.log1p(np.maximum(np.asarray(values, dtype=float), 0.0))


def log_rms_distance(x: dict, x0: dict) -> float:
    """Root mean square of log(1 + count) differences over the fitted rows (infinite if a figure is not finite)."""
    d = float(np.sqrt(np.mean((np.asarray(x[STAT]) - np.asarray(x0[STAT])) ** 2)))
    return d if np.isfinite(d) else float("inf")


def error_priors() -> list[Prior]:
    """The error model's parameters as priors (added to every calibration)."""
    declared = load_error_model().priors.items()
    return [Prior(name, low, high, dist, "error", name) for name, (dist, low, high) in declared]


def fitted_rows(observed: pd.DataFrame, published_by=None) -> pd.DataFrame:
    """The rows a calibration fits: use = yes, and published by `published_by` if given."""
    keep = observed["use"].to_numpy(dtype=bool).copy()
    if published_by is not None:
        if "published" not in observed or observed["published"].isna().any():
            raise CalibrationError(["--published-by needs a publication date on every row (column `published`)"])
        keep &= (observed["published"] <= pd.Timestamp(published_by)).to_numpy()
    fitted = observed[keep].reset_index(drop=True)
    if fitted.empty:
        raise CalibrationError([f"no fitted figure {'published by ' + str(published_by) if published_by else ''}: "
                                "nothing to calibrate against".replace("  ", " ")])
    return fitted


class CourtCaseModel:
    """pyabc's model: a point of the unit cube -> the published figures (picklable, for dask)."""

    def __init__(self, problem: Problem):
        self.problem = problem

    def values(self, parameter) -> np.ndarray:
        """The parameter values of a pyabc particle (a point of the unit cube)."""
        unit = np.array([[float(parameter[p.name]) for p in self.problem.priors]])
        return from_unit(list(self.problem.priors), unit)[0]

    def __call__(self, parameter) -> dict:
        """One run at the particle, seeded by its values: the published figures as pyabc's summary."""
        values = self.values(parameter)
        seed = child_seed(self.problem.base_seed, *value_keys(values))
        return {STAT: log_counts(simulate_point(self.problem, values, seed).published)}


@contextmanager
def sampler_for(workers: int, dask: str | None) -> Iterator[object]:
    """Pyabc's sampler: one process (reproducible), a local pool of `workers`, or dask (`local:N` or an address)."""
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


def run_key(scenario: Scenario, priors: list[Prior], fitted: pd.DataFrame, seed: int, population: int) -> str:
    """What identifies a calibration in the database, so that the same command resumes it."""
    text = json.dumps({"scenario": scenario.hash, "priors": [(p.kind, p.path, p.dist, p.low, p.high) for p in priors],
                       "rows": rows_hash(fitted), "seed": seed, "population": population,
                       "engine": ENGINE, "distance": "log_rms", "error_model": "awol-error-model/1"}, sort_keys=True)
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
    """Versions of awol's dependencies and of the inference libraries, as recorded in a posterior."""
    from importlib import metadata

    from awol.store.runs import package_versions

    out = package_versions()
    for name in ("pyabc", "scipy", "sbi", "torch"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def stop_reason(populations: pd.DataFrame, max_generations: int, rules: dict) -> str | None:
    """Which declared rule stops the run after the generations in `populations` (None: go on)."""
    done = populations[populations["t"] >= 0].sort_values("t")
    if len(done) >= max_generations:
        return f"most generations ({max_generations})"
    last = done.iloc[-1]
    if last["samples"] > 0 and last["particles"] / last["samples"] < rules["min_acceptance_rate"]:
        return f"acceptance rate {last['particles'] / last['samples']:.3f} below {rules['min_acceptance_rate']}"
    if len(done) >= 2:
        before, now = float(done.iloc[-2]["epsilon"]), float(done.iloc[-1]["epsilon"])
        if np.isfinite(before) and before > 0 and (before - now) / before < rules["min_epsilon_drop"]:
            return f"threshold fell by {(before - now) / before:.1%}, less than {rules['min_epsilon_drop']:.0%}"
    return None


def degenerate(t: int, population: int, dims: int, detail: str, db: Path | None) -> CalibrationError:
    """The error of a generation whose weights degenerated: what happened and what to change."""
    kept = f"; generations before it are kept in {db} and the same command resumes" if db else ""
    return CalibrationError([
        f"ABC-SMC generation {t}: the particle weights degenerated ({detail}). Too few distinct particles "
        f"were accepted to build the next proposal: raise --population (at least {max(10 * dims, 50)} for {dims} "
        f"parameters), fit fewer parameters, or widen the priors{kept}"])


def calibrate(
    scenario: Scenario,
    observed: pd.DataFrame,
    paths: list[str] | None = None,
    *,
    priors: list[Prior] | None = None,
    population: int | None = None,
    generations: int | None = None,
    workers: int = 1,
    dask: str | None = None,
    db: str | Path | None = None,
    seed: int | None = None,
    predictive_draws: int = 60,
    max_minutes: float | None = None,
    declared: dict[str, tuple[float, float]] | None = None,
    published_by=None,
    scenario_file: str | None = None,
    data_files: list[str | Path] | None = None,
    log: Callable[[str], None] | None = None,
    show_progress: bool = False,
    command: list[str] | None = None,
) -> dict:
    """Fit the scenario to the fitted rows of `observed` with ABC-SMC; return the posterior (a JSON-ready dict).

    `paths` (with `declared` ranges for paths the scenario does not annotate) or, if none,
    the declared priors (data/inference/priors.yaml); the error model's parameters are
    always fitted with them. `generations` is the most generations (counting those in
    `db`); the declared stopping rule may end the run earlier. `published_by` fits only the
    figures published by that date (a time split).
    """
    import pyabc

    rules = method_rules()["abc"]
    population = int(rules["population"] if population is None else population)
    generations = int(rules["max_generations"] if generations is None else generations)
    log = log or (lambda message: None)
    if population < 2:
        raise CalibrationError([f"--population: {population}; must be at least 2"])
    if generations < 1:
        raise CalibrationError([f"--generations: {generations}; must be at least 1"])
    if priors is None:
        priors = priors_for(scenario, paths, declared) + error_priors() if paths else declared_priors(scenario=scenario)
    seed = scenario.simulation.seed if seed is None else int(seed)
    fitted = fitted_rows(observed, published_by)
    days = days_to_cover(fitted, scenario.simulation.start)
    check_covered(observed, scenario.simulation.start, scenario.simulation.days)
    started = time.perf_counter()

    problem = Problem(scenario.raw, tuple(priors), fitted, days, seed)
    model = CourtCaseModel(problem)
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", 0.0, 1.0) for p in priors})
    key = run_key(scenario, priors, fitted, seed, population)
    db_path = Path(db) if db else None
    if db_path:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    scratch = None
    if db_path is None:  # each generation reloads the history, so it lives in a file even when none is asked for
        import tempfile

        scratch = tempfile.TemporaryDirectory(prefix="awol-abc-")
        db_path = None
    db_url = f"sqlite:///{db_path or Path(scratch.name) / 'abc.db'}"
    stopped_by = None
    with sampler_for(workers, dask) as sampler:
        sampler.show_progress = show_progress  # a bar per generation (pyabc draws it on stdout)
        stored = _stored_run(Path(db_url[len("sqlite:///"):]), key)
        if stored is None:
            abc = pyabc.ABCSMC(model, prior, log_rms_distance, population_size=population, sampler=sampler)
            history = abc.new(db_url, {STAT: log_counts(fitted["value"].to_numpy())}, meta_info={"awol_key": key})
            stored = int(history.id)
        else:
            log(f"resuming calibration {stored} in {db_path}")
        deadline = time.perf_counter() + 60 * max_minutes if max_minutes else None
        while True:
            abc = pyabc.ABCSMC(model, prior, log_rms_distance, population_size=population, sampler=sampler)
            history = abc.load(db_url, stored)
            if history.max_t >= 0:
                stopped_by = stop_reason(history.get_all_populations(), generations, rules)
            if stopped_by:
                break
            if deadline and time.perf_counter() > deadline:
                stopped_by = f"--max-minutes {max_minutes} (a wall-clock limit, not the declared rule)"
                break
            t = history.max_t + 1
            np.random.seed(child_seed(seed, 200_000 + t) % 2**32)  # pyabc samples from NumPy's global generator
            try:
                abc.run(max_nr_populations=1)
            except AssertionError as exc:  # pyabc's Population refuses weights that do not sum to one
                raise degenerate(t, population, len(priors), str(exc), db_path) from None
            except (ValueError, np.linalg.LinAlgError) as exc:  # a proposal fitted to a degenerate population
                raise degenerate(t, population, len(priors), str(exc), db_path) from None
            eps = history.get_all_populations().query("t == @t")["epsilon"]
            if len(eps) and not np.isfinite(float(eps.iloc[0])):
                raise CalibrationError([f"ABC-SMC generation {t}: every simulated figure was NaN or infinite, so no "
                                        "particle can be accepted; check the scenario at the priors' ends"])
    abc_seconds = time.perf_counter() - started

    frame, weights = history.get_distribution(m=0, t=history.max_t)
    unit = frame[[p.name for p in priors]].to_numpy(dtype=float)
    particles = from_unit(priors, unit)
    weights = np.asarray(weights, dtype=float)
    if not (np.isfinite(weights).all() and weights.sum() > 0):
        raise degenerate(history.max_t, population, len(priors), "weights NaN or zero in the last generation", db_path)
    populations = history.get_all_populations()
    if "wall_time" in populations:  # summed over every session of a resumed run
        abc_seconds = float(populations["wall_time"].sum())
    populations = populations[populations["t"] >= 0]
    simulations = int(history.total_nr_simulations)

    predictive, predictive_started = None, time.perf_counter()
    if predictive_draws > 0:
        predictive = predictive_check(scenario, priors, observed, particles, weights, predictive_draws, seed, workers,
                                      dask, log, published_by)

    abc_id = int(history.id)
    if scratch is not None:
        scratch.cleanup()
    return posterior_document(
        scenario=scenario, priors=priors, particles=particles, weights=weights, observed=observed,
        predictive=predictive, seed=seed, simulations=simulations, predictive_draws=predictive_draws,
        method={"algorithm": "ABC-SMC (pyabc)",
                "distance": "root mean square of log(1 + figure) differences, fitted rows",
                "epsilon": "median of the previous generation", "engine": ENGINE, "population": population,
                "generations": int(len(populations)), "max_generations": generations, "stopped_by": stopped_by,
                "rules": rules, "simulated_days": days, "epsilons": [float(e) for e in populations["epsilon"]],
                "database": str(db_path) if db_path else None, "abc_id": abc_id,
                "published_by": str(pd.Timestamp(published_by).date()) if published_by is not None else None,
                "fitted_rows": int(len(fitted))},
        wall_seconds={"calibration": round(abc_seconds, 1),
                      "predictive": round(time.perf_counter() - predictive_started, 1),
                      "this_session": round(time.perf_counter() - started, 1)},
        scenario_file=scenario_file, data_files=data_files, workers=workers, fitted=fitted, command=command)


def predictive_check(scenario, priors, observed, particles, weights, draws, seed, workers, dask, log,
                     published_by=None) -> pd.DataFrame:
    """Posterior predictive of every observed row (fitted or not), with the error model applied.

    `fitted` marks the rows the posterior saw (use = yes, published by `published_by`); with a
    time split, `after_cut` marks those published later, which it predicts.
    """
    cover_days = days_to_cover(observed, scenario.simulation.start)
    problem = Problem(scenario.raw, tuple(priors), observed.reset_index(drop=True), cover_days, seed)
    plan = make_draws(problem, particles, weights, n=draws, seed=seed)
    log(f"posterior predictive: {draws} simulations")
    if workers > 1 or dask:
        from awol.experiments.execution import executor_for

        with executor_for(workers, dask) as ex:
            _, rows, _ = run_draws(plan, ex)
    else:
        _, rows, _ = run_draws(plan, None)
    table = coverage_table(observed.reset_index(drop=True), rows)
    table["fitted"] = table["use"].to_numpy(dtype=bool)
    table["after_cut"] = False
    if published_by is not None:
        later = (pd.to_datetime(observed["published"]) > pd.Timestamp(published_by)).to_numpy()
        table["after_cut"] = later
        table["fitted"] &= ~later
    return table


def posterior_document(*, scenario, priors, particles, weights, observed, predictive, seed, simulations,
                       predictive_draws, method, wall_seconds, scenario_file, data_files, workers, fitted,
                       command: list[str] | None = None, extra: dict | None = None) -> dict:
    """The posterior as written to JSON (docs/what-the-data-imply.md lists the fields; evidence.posterior checks)."""
    from awol.evidence.observed import file_hash

    weights = np.asarray(weights, dtype=float) / np.sum(weights)
    table = []
    for j, p in enumerate(priors):
        q = quantiles(particles[:, j], weights=weights)
        width = float(q["q95"] - q["q05"])
        table.append({"path": p.path, "name": p.name, "kind": p.kind, "prior": [p.low, p.high], "dist": p.dist,
                      "mean": float(np.average(particles[:, j], weights=weights)),
                      **{k: float(v) for k, v in q.items()},
                      "width_ratio": width / p.width90()})
    rows = observed.drop(columns=["file", "line"], errors="ignore").copy()
    for column in ("date_from", "date_to", "published"):
        if column in rows:
            rows[column] = [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in rows[column]]
    doc = {
        "format": FORMAT,
        "scenario": {"name": scenario.name, "file": scenario_file, "hash": scenario.hash,
                     "start": str(scenario.simulation.start), "days": scenario.simulation.days},
        "parameters": [{"path": p.path, "name": p.name, "kind": p.kind, "prior": [p.dist, p.low, p.high],
                        "source": p.source} for p in priors],
        "particles": {"values": particles.tolist(), "weights": weights.tolist()},
        "posterior": table,
        "data": [{"file": _shown_path(f), "sha256": file_hash(f)} for f in (data_files or []) if Path(f).is_file()],
        "observed": rows.to_dict(orient="records"),
        "method": method,
        "seed": seed,
        "simulations": {"calibration": simulations, "predictive": predictive_draws if predictive is not None else 0},
        "wall_seconds": wall_seconds,
        "provenance": provenance(workers=workers, engine=ENGINE, data_hash=rows_hash(fitted), command=command),
        "versions": versions(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "predictive": None if predictive is None else predictive.to_dict(orient="records"),
        **(extra or {}),
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


def method_line(method: dict) -> str:
    """One line saying how a posterior was computed (ABC generations or NPE simulations)."""
    if "generations" in method:
        return (f"{method['generations']} generations of {method['population']} particles"
                + (f", stopped by {method['stopped_by']}" if method.get("stopped_by") else ""))
    return f"trained on {method.get('training_simulations', '?')} simulations, {method.get('draws', '?')} draws"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def report_summary(doc: dict) -> dict[str, str]:
    """Flat label → text pairs: what the report's calibration panel shows."""
    seconds = sum(doc["wall_seconds"].get(k, 0) for k in ("calibration", "bank", "training"))
    out = {"scenario": f"{doc['scenario']['name']} (hash {doc['scenario']['hash'][:12]})",
           "method": f"{doc['method']['algorithm']}: {method_line(doc['method'])}; {doc['simulations']['calibration']} "
                     f"simulations in {seconds:.0f} s; "
                     f"seed {doc['seed']}"}
    for row in doc["posterior"]:
        out[row["path"]] = (f"median {_fmt(row['q50'])} (50 %: {_fmt(row['q25'])}–{_fmt(row['q75'])}; "
                                 f"90 %: {_fmt(row['q05'])}–{_fmt(row['q95'])}); prior {row.get('dist', 'uniform')} on "
                            f"[{_fmt(row['prior'][0])}, {_fmt(row['prior'][1])}]"
                            + (f"; 90 % width {row['width_ratio']:.0%} of the prior's" if "width_ratio" in row else ""))
    if doc.get("predictive"):
        fitted = [r for r in doc["predictive"] if r.get("fitted", r["use"])]
        others = [r for r in doc["predictive"] if not r.get("fitted", r["use"])]
        out["fit"] = (f"{sum(r['covered90'] for r in fitted)} of {len(fitted)} fitted figures inside the 90 % "
                      f"predictive interval ({sum(r['covered50'] for r in fitted)} inside the 50 %); "
                      f"{sum(r['covered90'] for r in others)} of {len(others)} figures not fitted")
        later = [r for r in doc["predictive"] if r.get("after_cut") and r["use"]]
        if later:
            out["time split"] = (f"figures published after {doc['method'].get('published_by')}: "
                                 f"{sum(r['covered90'] for r in later)} of {len(later)} inside the 90 % predictive "
                                 f"interval, {sum(r['covered50'] for r in later)} inside the 50 %")
        for r in doc["predictive"]:
            mark = "inside" if r["covered90"] else "OUTSIDE"
            out[f"{'fitted' if r.get('fitted', r['use']) else 'not fitted'}: {r['row']}"] = (
                f"observed {_fmt(r['observed'])}; predicted {_fmt(r['q50'])} "
                f"(90 %: {_fmt(r['q05'])}–{_fmt(r['q95'])}), {mark}")
    return out


def write_posterior(doc: dict, path: str | Path) -> Path:
    """Write a posterior atomically (a temporary renamed into place), NaN as null."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(_finite(doc), indent=1, default=_json_default, allow_nan=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _finite(x):
    """The document with every NaN (a missing value in a table) written as null, since JSON has no NaN."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


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

