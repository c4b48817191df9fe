"""The Python API of experiments, mirrored by the CLI: ensemble, sweep, sensitivity, compare.

Every function writes its runs under `out` (one Parquet file per run, see
docs/experiments.md), resumes an interrupted experiment by computing only missing
runs, and returns tidy pandas tables. pandas is imported where the tables are made,
so that the CLI can register these commands without loading it for `awol run`.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from awol.engines import DEFAULT_ENGINE
from awol.engines.rng import child_seed
from awol.experiments import analysis, design
from awol.experiments.design import DesignError, Parameter
from awol.experiments.execution import SUMMARY_SUFFIX, RunTask, execute, executor_for, read_summaries, run_file
from awol.progress import Progress
from awol.scenario import limits
from awol.scenario.load import load_scenario
from awol.scenario.schema import Scenario
from awol.store.runs import default_out, safe_name

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "manifest.json"
QUANTILES = "quantiles.parquet"
SUMMARIES = "summaries.parquet"
POINTS = "points.parquet"


@dataclass
class Experiment:
    """Where an experiment lives and its main tables."""

    out: Path
    summaries: pd.DataFrame
    table: pd.DataFrame  # quantiles (ensemble), points+summaries (sweep), indices (sensitivity), differences (compare)

    def dataset(self, scenario: str | None = None):
        """Every run as an xarray Dataset (variables: outputs; dimensions: run, date), read from `out`.

        A comparison holds one folder of runs per scenario: name it (default: the first)."""
        from awol.store.runs import read_daily

        folder = self.out
        if not (folder / "runs").exists():
            names = json.loads((self.out / MANIFEST).read_text()).get("scenarios", [])
            folder = self.out / (scenario or names[0])
        files = sorted((folder / "runs").glob("run-*.parquet"))
        if not files and any((folder / "runs").glob(f"run-*{SUMMARY_SUFFIX}")):
            raise DesignError([f"{folder}: this experiment kept only each run's summaries (keep_runs=False); "
                               "run it again with keep_runs=True into another folder for the daily tables"])
        return analysis.as_dataset([read_daily(f) for f in files])


def _scenario(s: Scenario | str | Path) -> Scenario:
    return s if isinstance(s, Scenario) else load_scenario(s)


def _write_manifest(out: Path, manifest: dict) -> None:
    """Write the manifest, or check that an existing one describes the same experiment."""
    from awol.store.runs import package_versions

    path = out / MANIFEST
    if path.exists():
        old = json.loads(path.read_text())
        keys = [k for k in {**old, **manifest} if k not in ("versions",)]  # a key either lacks differs too
        differ = [k for k in keys if old.get(k) != manifest.get(k)]
        if differ:
            raise DesignError([
                f"{out} holds a different experiment "
                f"({', '.join(f'{k}: {old.get(k)!r} ≠ {manifest.get(k)!r}' for k in differ)}); "
                "choose another --out"
            ])
        return
    out.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**manifest, "versions": package_versions()}, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)


def _write_scenario(out: Path, sc: Scenario) -> None:
    """Store the resolved scenario with the runs, so a report shows exactly what ran."""
    import yaml

    out.mkdir(parents=True, exist_ok=True)
    (out / "scenario.yaml").write_text(yaml.safe_dump(sc.raw, sort_keys=False, allow_unicode=True))


def _run_all(tasks, executor, workers, dask, progress):
    """Run the tasks; `progress=True` shows a Rich bar (terminal or notebook), False none."""
    from awol.progress import rich_progress

    if workers is not None and workers > 1:
        workers = min(workers, len(tasks))  # no more processes than runs
    ctx = nullcontext(executor) if executor is not None else executor_for(workers, dask)
    bar = rich_progress(f"{len(tasks)} runs") if progress is True else nullcontext(progress or None)
    with ctx as ex, bar as hook:
        return execute(tasks, ex, hook)


def _check_engine(scenarios: list[Scenario], engine: str) -> None:
    """The exact expectation exists only for scenarios whose rates do not follow the state:
    refuse the others before any run starts, not from inside a worker."""
    if engine != "expected":
        return
    from awol.engines.expected import dependence

    problems = list(dict.fromkeys(f"--engine expected: {p}" for sc in scenarios for p in dependence(sc)))
    if problems:
        raise DesignError(problems)


def _check_memory(scenarios: list[Scenario], days: int | None, engine: str, runs: int, executor, workers,
                  dask) -> None:
    """Refuse an experiment whose largest run, as many at once as the executor runs, plus its
    runs' tables read back at the end, needs more memory than the machine has
    (`engines.footprint`), before anything is written. Runs on a remote dask cluster or a
    caller's executor are left to its limits; their tables still come back here."""
    from awol.engines.footprint import MemoryNeedError, check_memory, gathered_bytes

    _check_workers(workers, dask)
    elsewhere = executor is not None or (dask is not None and not dask.startswith("local:"))
    width = 0 if elsewhere else int(dask.split(":", 1)[1]) if dask else (workers or os.cpu_count() or 1)
    concurrent = min(width, runs)
    longest = days or max(sc.simulation.days for sc in scenarios)
    try:
        check_memory([(sc, days) for sc in scenarios], engine, concurrent=concurrent,
                     processes=0 if concurrent <= 1 and not dask else concurrent,
                     gathered=gathered_bytes(runs, longest))
    except MemoryNeedError as exc:
        raise DesignError(exc.problems) from None


def _check_workers(workers: int | None, dask: str | None) -> None:
    """Local workers are whole processes: at most `limits.MAX_WORKERS`."""
    local = int(dask.split(":", 1)[1]) if dask and dask.startswith("local:") and dask[6:].isdigit() else None
    problems = [f"{name}: {n:,}; at most {limits.MAX_WORKERS} worker processes on this machine"
                for name, n in (("--workers", workers), ("--dask", local)) if n is not None and n > limits.MAX_WORKERS]
    if problems:
        raise DesignError(problems)


def check_size(runs: int, days: int | None, engine: str, points: int = 1, what: str = "--runs") -> None:
    """Refuse options every experiment shares beyond their limits; `runs` × `points` is the experiment's size.
    Public so that a command can check before it prints a plan or asks for confirmation."""
    from awol.engines import ENGINES

    problems = []
    if runs < 1:
        problems.append(f"{what}: {runs}; must be at least 1")
    elif runs * points > limits.MAX_RUNS:
        many = f" ({runs:,} × {points:,} points)" if points > 1 else ""
        problems.append(f"{what}: {runs * points:,} runs{many}; at most {limits.MAX_RUNS:,} in one experiment "
                        "(scenario/limits.py MAX_RUNS)")
    if days is not None and not 1 <= days <= limits.MAX_DAYS:
        problems.append(f"--days: {days}; must be from 1 to {limits.MAX_DAYS:,}")
    if engine not in ENGINES:
        problems.append(f"--engine: {engine!r} is not an engine; choose one of {', '.join(ENGINES)}")
    if problems:
        raise DesignError(problems)


def ensemble(
    scenario: Scenario | str | Path,
    runs: int,
    *,
    days: int | None = None,
    engine: str = DEFAULT_ENGINE,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    executor: Executor | None = None,
    progress: Progress | bool = True,
) -> Experiment:
    """N replicates of one scenario; run k's seed comes from (scenario seed, k).

    Returns the per-run summaries and the tidy per-day quantiles (also written to `out`).
    """
    sc = _scenario(scenario)
    check_size(runs, days, engine)
    _check_engine([sc], engine)
    _check_memory([sc], days, engine, runs, executor, workers, dask)
    out = Path(out or default_out(f"{sc.name}-ensemble"))
    base = sc.simulation.seed
    _write_manifest(out, {
        "kind": "ensemble", "scenario": sc.name, "scenario_hash": sc.hash, "base_seed": base,
        "runs": runs, "days": days or sc.simulation.days, "engine": engine,
        "seeds": "numpy.random.SeedSequence([base_seed, run]).generate_state(2)",
    })
    _write_scenario(out, sc)
    tasks = [
        RunTask(run=k, replicate=k, point=0, seed=child_seed(base, k), days=days, engine=engine, tree=sc.raw,
                path=str(run_file(out, k)))
        for k in range(runs)
    ]
    files = _run_all(tasks, executor, workers, dask, progress)
    from awol.store.runs import read_daily

    daily = [read_daily(f) for f in files]
    quantiles = analysis.daily_quantiles(daily)
    summaries = analysis.summary_table(daily)
    from awol.store.runs import write_parquet

    write_parquet(quantiles, out / QUANTILES)
    write_parquet(summaries, out / SUMMARIES)
    return Experiment(out, summaries, quantiles)


def _design_tasks(sc: Scenario, points: pd.DataFrame, replicates: int, days, engine,
                  out: Path) -> tuple[list[RunTask], list[Scenario]]:
    """One task per (point, replicate); replicate r uses the same seed at every point (common random numbers).
    Also the validated scenario of every point."""
    paths = [c for c in points.columns if c != "point"]
    tasks, scenarios = [], []
    for _, row in points.iterrows():
        p = int(row["point"])
        at = design.point_scenario(sc, {path: row[path] for path in paths})
        scenarios.append(at)
        for r in range(replicates):
            k = p * replicates + r
            tasks.append(RunTask(run=k, replicate=r, point=p, seed=child_seed(sc.simulation.seed, r), days=days,
                                 engine=engine, tree=at.raw, path=str(run_file(out, k))))
    return tasks, scenarios


def _summaries_of(files: list[str]) -> pd.DataFrame:
    """One row per run (keys and summaries), from daily tables or from runs kept as summaries."""
    import pandas as pd

    from awol.store.runs import read_daily

    if files and all(f.endswith(SUMMARY_SUFFIX) for f in files):
        return pd.DataFrame(read_summaries(files))
    return analysis.summary_table([read_daily(f) for f in files])


def sweep(
    scenario: Scenario | str | Path,
    vary: list[Parameter | str],
    *,
    design_kind: str = "grid",
    points: int = 5,
    runs_per_point: int = 1,
    days: int | None = None,
    engine: str = DEFAULT_ENGINE,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    executor: Executor | None = None,
    progress: Progress | bool = True,
) -> Experiment:
    """Run a design (grid, Latin hypercube or Sobol points) over parameters addressed by path.

    Returns one row per run: the point's parameter values and the run's summaries.
    """
    sc = _scenario(scenario)
    params = [design.parse_vary(v) if isinstance(v, str) else v for v in vary]
    design.check_parameters(sc, params)
    check_size(runs_per_point, days, engine, design.design_size(params, design_kind, max(points, 1)),
                  what="--points")
    table = design.make_design(params, design_kind, points, seed=sc.simulation.seed)
    out = Path(out or default_out(f"{sc.name}-sweep"))
    tasks, scenarios = _design_tasks(sc, table, runs_per_point, days, engine, out)  # validates every point first
    _check_engine(scenarios, engine)
    _check_memory(scenarios, days, engine, len(tasks), executor, workers, dask)
    _write_manifest(out, {
        "kind": "sweep", "scenario": sc.name, "scenario_hash": sc.hash, "base_seed": sc.simulation.seed,
        "design": design_kind, "parameters": [[p.path, p.low, p.high, p.levels] for p in params],
        "points": len(table), "runs_per_point": runs_per_point, "days": days or sc.simulation.days, "engine": engine,
    })
    from awol.store.runs import write_parquet

    write_parquet(table, out / POINTS)
    files = _run_all(tasks, executor, workers, dask, progress)
    summaries = _summaries_of(files)
    write_parquet(summaries, out / SUMMARIES)
    return Experiment(out, summaries, table.merge(summaries, on="point"))


def sensitivity(
    scenario: Scenario | str | Path,
    *,
    method: str = "sobol",
    parameters: list[str] | None = None,
    outputs: list[str] | None = None,
    samples: int = 64,
    days: int | None = None,
    engine: str = DEFAULT_ENGINE,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    executor: Executor | None = None,
    progress: Progress | bool = True,
) -> Experiment:
    """Global sensitivity over the ranges declared in the scenario file (SALib Sobol or Morris).

    Every run uses the scenario's seed (common random numbers), so the indices measure
    the parameters' effects, not noise between seeds. Returns the indices per output.
    """
    import pandas as pd
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    sc = _scenario(scenario)
    problems = []
    if method not in ("sobol", "morris"):
        problems.append(f"--method: {method!r}; choose sobol or morris")
    if samples < 1:
        problems.append(f"--samples: {samples}; must be at least 1")
    outputs = list(outputs or analysis.SUMMARIES)
    problems += [f"--outputs: {o!r} is not a summary; choose from {', '.join(analysis.SUMMARIES)}"
                 for o in outputs if o not in analysis.SUMMARIES]
    if problems:
        raise DesignError(problems)
    params = design.ranges_from_scenario(sc, parameters)
    size = samples * (len(params) + (2 if method == "sobol" else 1))  # SALib's sample sizes
    check_size(size, days, engine, what="--samples")
    problem = analysis.salib_problem([p.path for p in params], [(p.low, p.high) for p in params])
    seed = sc.simulation.seed
    if method == "sobol":
        x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        x = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    table = pd.DataFrame(x, columns=problem["names"])
    table.insert(0, "point", np.arange(len(table)))
    out = Path(out or default_out(f"{sc.name}-{method}"))
    tasks, scenarios = _design_tasks(sc, table, 1, days, engine, out)
    _check_engine(scenarios, engine)
    _check_memory(scenarios, days, engine, len(tasks), executor, workers, dask)
    _write_manifest(out, {
        "kind": "sensitivity", "method": method, "scenario": sc.name, "scenario_hash": sc.hash,
        "base_seed": seed, "parameters": [[p.path, p.low, p.high] for p in params], "samples": samples,
        "points": len(table), "days": days or sc.simulation.days, "engine": engine,
    })
    from awol.store.runs import write_parquet

    write_parquet(table, out / POINTS)
    files = _run_all(tasks, executor, workers, dask, progress)
    summaries = _summaries_of(files).sort_values("point")
    write_parquet(summaries, out / SUMMARIES)
    y = summaries[outputs].reset_index(drop=True)
    if method == "sobol":
        indices = analysis.sobol_indices(problem, y, seed=seed)
    else:
        indices = analysis.morris_indices(problem, x, y, seed=seed)
    write_parquet(indices, out / "indices.parquet")
    return Experiment(out, summaries, indices)


def _parameter_rows(parameters: pd.DataFrame | None, runs: int | None) -> tuple[int, list[dict]]:
    """The number of runs and, per replicate, the parameter values to set (path → value)."""
    if parameters is None:
        runs = 20 if runs is None else runs
        return runs, [{} for _ in range(max(runs, 0))]
    paths = [c for c in parameters.columns if c != "replicate"]
    problems = []
    if runs is not None and runs != len(parameters):
        problems.append(f"--runs: {runs}, but the parameter table has {len(parameters)} rows; "
                        "run k uses row k, so give as many rows as runs")
    if not paths:
        problems.append("parameters: the table names no parameter (one column per dotted path)")
    for path in paths:
        column = parameters[path]
        import pandas as pd

        if not pd.api.types.is_numeric_dtype(column) or not np.isfinite(column.to_numpy(dtype=float)).all():
            problems.append(f"parameters: column {path!r} must hold finite numbers")
    if problems:
        raise DesignError(problems)
    rows = [{p: (v.item() if hasattr(v, "item") else v) for p, v in zip(paths, row, strict=True)}
            for row in parameters[paths].itertuples(index=False)]
    return len(parameters), rows


def without_levers(row: dict, sc, reference) -> dict:
    """The drawn values of `row` except those at paths where `sc` differs from `reference` (its levers)."""
    from awol.scenario.edits import parameter_value

    kept = {}
    for path, value in row.items():
        try:
            lever = parameter_value(sc.raw, path) != parameter_value(reference.raw, path)
        except Exception:  # a path the scenario lacks: point_scenario names it
            lever = False
        if not lever:
            kept[path] = value
    return kept


def compare(
    scenarios: list[Scenario | str | Path],
    *,
    runs: int | None = None,
    parameters: pd.DataFrame | None = None,
    days: int | None = None,
    engine: str = DEFAULT_ENGINE,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    executor: Executor | None = None,
    progress: Progress | bool = True,
    keep_runs: bool = True,
) -> Experiment:
    """Compare scenarios with common random numbers: run k of every scenario uses the same seed.

    `parameters`, one row per run and one column per dotted parameter path, sets run
    k of every scenario to row k's values (e.g. draws from a posterior:
    `awol.evidence.posteriors.posterior_draws`), so the differences carry the
    parameters' uncertainty and still pair run by run. Without it, `runs` (default 20)
    replicates of each scenario as written. The first scenario is the reference;
    returns the paired differences of every summary of each other scenario against it
    (`analysis.paired_differences`). `keep_runs=False` keeps each run's summaries only (no
    daily table built or written; the same summaries, bit for bit), for comparisons whose
    answer is the table of differences, such as the dashboard's (`evidence.answers`).
    """
    scs = [_scenario(s) for s in scenarios]
    if len(scs) < 2:
        raise DesignError([f"compare needs at least two scenarios; got {len(scs)}"])
    names = [safe_name(s.name) for s in scs]  # each scenario's runs go in a folder of its name
    if len(set(names)) < len(names):
        names = [f"{i}-{n}" for i, n in enumerate(names)]
    runs, rows = _parameter_rows(parameters, runs)
    check_size(runs, days, engine, len(scs))
    _check_engine(scs, engine)
    _check_memory(scs, days, engine, runs * len(scs), executor, workers, dask)
    base_seed = scs[0].simulation.seed
    out = Path(out or default_out("compare-" + "-".join(names)))
    # Validate every (scenario, draw) before anything runs or is written. A policy keeps its own levers: a
    # drawn parameter that the scenario sets differently from the reference is the policy, not the draw's.
    trees = [[design.point_scenario(sc, without_levers(row, sc, scs[0])).raw if row else sc.raw for row in rows]
             for sc in scs]
    manifest = {
        "kind": "compare", "scenarios": names, "scenario_hashes": [s.hash for s in scs], "base_seed": base_seed,
        "runs": runs, "days": days or scs[0].simulation.days, "engine": engine,
    }
    if not keep_runs:
        manifest["runs_kept"] = "summaries"
    if parameters is not None:
        manifest["parameters"] = {"paths": [c for c in parameters.columns if c != "replicate"],
                                  "source": str(parameters.attrs.get("source", "a table given to compare")),
                                  "sha256": _table_digest(parameters)}
    _write_manifest(out, manifest)
    if parameters is not None:
        from awol.store.runs import write_parquet

        table = parameters.drop(columns=["replicate"], errors="ignore").reset_index(drop=True)
        table.insert(0, "replicate", np.arange(runs))
        write_parquet(table, out / "parameters.parquet")
    tasks, owner = [], []
    for i, sc in enumerate(scs):
        _write_scenario(out / names[i], sc)
        for k in range(runs):
            path = run_file(out / names[i], k, summaries_only=not keep_runs)
            tasks.append(RunTask(run=k, replicate=k, point=i, seed=child_seed(base_seed, k), days=days, engine=engine,
                                 tree=trees[i][k], path=str(path)))
            owner.append(names[i])
    files = _run_all(tasks, executor, workers, dask, progress)
    summaries = _summaries_of(files)
    summaries.insert(0, "scenario", owner)
    from awol.store.runs import write_parquet

    write_parquet(summaries, out / SUMMARIES)
    differences = analysis.paired_differences(summaries, names[0])
    write_parquet(differences, out / "differences.parquet")
    return Experiment(out, summaries, differences)


def _table_digest(table: pd.DataFrame) -> str:
    """A digest of a parameter table's values, so a resumed comparison is known to use the same draws."""
    import hashlib

    data = np.ascontiguousarray(table.drop(columns=["replicate"], errors="ignore").to_numpy(dtype=float))
    names = "\x1f".join(c for c in table.columns if c != "replicate").encode()
    return hashlib.sha256(names + data.tobytes()).hexdigest()
