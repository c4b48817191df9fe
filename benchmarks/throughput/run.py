"""Throughput of the forward model (issue #17): full-baseline runs a minute on 2 cores, today's path and the
observables path measured side by side in one run; the seconds of a Q2 answer; memory per batch; where one
run's CPU time goes. A benchmark, not a test: it measures, writes results.json and results.md beside itself,
and never fails on a time.

    .venv/bin/python benchmarks/throughput/run.py            # `make bench` runs this (about 5 minutes)
    .venv/bin/python benchmarks/throughput/run.py --runs 16 --repeats 4 --q2-draws 100 --memory-batch 25
                                                             # `make bench-throughput`: issue #17's Q2 of 2 × 100
                                                             # draws (about 35 minutes)
    .venv/bin/python benchmarks/throughput/run.py --quick    # the smallest counts, to check the harness
    .venv/bin/python benchmarks/throughput/run.py --report-only   # results.md again from results.json

(Minutes on 2 free cores at about 6 CPU seconds a full-baseline run, commit 6722c64; longer on a loaded
machine.) Every figure is given twice: wall time, what this machine gave with whatever
else ran on it, and CPU time (`time.process_time` in each worker, summed), what the same number of free
cores would give. The load average is recorded before and after each measurement.

Paths (both run full-scale baseline points drawn from the declared priors, with the bank's seeds):
- today: one task per run, `evidence.simulator.simulate_point(keep_daily=True)`: the run's whole daily table
  as a pandas DataFrame, then its published figures, hidden totals and court cases (what every consumer of
  the forward model did before `engines.simulate_many`);
- observables: one task per batch of runs, `evidence.simulator.simulate_points`: only the columns the
  outcome reads, no pandas (`engines.simulate_many`).
Both on a loky pool of --workers processes (warm: every worker has loaded the compiled code), repeats
interleaved (today, observables, observables, today, ...), the load average recorded before and after each.

Q2: `evidence.answers.policy_differences` (baseline against honour-contracts, run k of each at posterior draw
k, summaries only) against `experiments.api.compare` keeping every run's daily table, each from a cold pool
as an answer would be computed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from machine import cpu_name  # noqa: E402

TARGET_RUNS_PER_MINUTE = 1000   # issue #17, on 2 cores (stretch 10,000)
TARGET_Q2_SECONDS = 15.0        # issue #17: 2 × 100 posterior draws on 2 cores
TARGET_Q2_DRAWS = 100


# ---------------------------------------------------------------- the two paths (top level: workers import them)

def today_runs(problem, values, seeds) -> tuple[int, float]:
    """Runs as every consumer made them before the observables path: a whole daily table each.
    The number of runs and the CPU seconds this worker spent on them."""
    from awol.evidence.simulator import simulate_point

    started = time.process_time()
    for v, s in zip(values, seeds, strict=True):
        simulate_point(problem, v, int(s), keep_cases=True, keep_daily=True)
    return len(seeds), time.process_time() - started


def observable_runs(problem, values, seeds) -> tuple[int, float]:
    """The same runs as one batch of the observables path; runs and the worker's CPU seconds."""
    from awol.evidence.simulator import simulate_points

    started = time.process_time()
    simulate_points(problem, values, [int(s) for s in seeds], keep_cases=True)
    return len(seeds), time.process_time() - started


def warm(days: int) -> int:
    """Load the compiled code in a worker (a short run); its pid, to see that every worker is warm."""
    from awol.engines import simulate_many
    from awol.scenario.load import load_scenario

    simulate_many([load_scenario("baseline")], [1], columns=["on_duty"], days=days)
    return os.getpid()


# ---------------------------------------------------------------- measurements

def problem_and_points(n: int, seed: int = 17):
    """The full baseline under the declared priors (no observed rows: the bank's problem), n prior points."""
    import pandas as pd

    from awol.evidence.bank import run_seed
    from awol.evidence.priors import declared_priors, from_unit, sample_unit
    from awol.evidence.simulator import Problem
    from awol.scenario.load import load_scenario

    scenario = load_scenario("baseline")
    priors = declared_priors(scenario=scenario)
    problem = Problem(scenario.raw, tuple(priors), pd.DataFrame(), scenario.simulation.days, seed)
    values = from_unit(priors, sample_unit(n, len(priors), seed))
    seeds = [run_seed(seed, k) for k in range(n)]
    return problem, values, seeds


def where_time_goes(runs: int) -> dict:
    """One warm full-baseline run at a time in this process, part by part (CPU seconds of this process, medians
    over runs: other work on the machine changes them far less than it changes wall time).

    The cohort engine's day loop is split by timing its calls: the Numba kernel (`step_day`), the day's
    rates (`model.rates.Dynamics.rates`, Python) and the rest of the driver (Python). The engine times its
    day loop with `time.perf_counter`; here its `time` is made to read `time.process_time` instead, so the
    loop's seconds are CPU seconds like the rest.
    """
    import types

    from awol.engines import cohorts
    from awol.engines.outputs import as_frame, daily_columns
    from awol.evidence.error_model import published_figures
    from awol.evidence.priors import scenario_at_point
    from awol.evidence.simulator import hidden_values
    from awol.model import rates
    from awol.model.rates import make_plan

    clock = time.process_time
    problem, values, seeds = problem_and_points(runs, seed=29)
    spent = {"kernel": 0.0, "rates": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            started = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += clock() - started
        return wrapper

    step_day, day_rates, engine_time = cohorts.step_day, rates.Dynamics.rates, cohorts.time
    cohorts.step_day, rates.Dynamics.rates = timed("kernel", step_day), timed("rates", day_rates)
    cohorts.time = types.SimpleNamespace(perf_counter=clock)
    parts: dict[str, list[float]] = {}
    wall: list[float] = []
    try:
        warm(5)
        for v, seed in zip(values, seeds, strict=True):
            spent.update(kernel=0.0, rates=0.0)
            w0, t0 = time.perf_counter(), clock()
            scenario, errors = scenario_at_point(problem.tree, list(problem.priors), v)
            t1 = clock()
            plan = make_plan(scenario, problem.days)
            t2 = clock()
            run = cohorts.run(plan, int(seed))
            t3 = clock()
            columns = daily_columns(run, scenario=scenario, seed=int(seed))
            t4 = clock()
            frame = as_frame(columns)
            t5 = clock()
            hidden_values(columns)
            published_figures(columns, scenario.simulation.start, _observed(), 0.1, 0.1, int(seed))
            t6 = clock()
            wall.append(time.perf_counter() - w0)
            row = {"scenario at the point (edit + validation)": t1 - t0, "plan": t2 - t1,
                   "engine set-up (levels, pools, rings, table)": t3 - t2 - run.seconds,
                   "kernel (Numba step_day)": spent["kernel"], "day's rates (Python)": spent["rates"],
                   "rest of the day loop (Python)": run.seconds - spent["kernel"] - spent["rates"],
                   "daily columns and court cases": t4 - t3, "pandas frame (today's path only)": t5 - t4,
                   "published figures and hidden totals": t6 - t5, "total": t6 - t0}
            for k, x in row.items():
                parts.setdefault(k, []).append(x)
            del frame
    finally:
        cohorts.step_day, rates.Dynamics.rates, cohorts.time = step_day, day_rates, engine_time
    medians = {k: float(np.median(x)) for k, x in parts.items()}
    return {"runs": runs, "clock": "process_time", "wall_seconds_median": float(np.median(wall)),
            "load_after": os.getloadavg()[0], "seconds": medians}


def _observed():
    from awol.evidence.observed import load_observed

    return load_observed()


def throughput(runs: int, repeats: int, workers: int, batch: int | None) -> dict:
    """Runs a minute of each path on a warm pool of `workers`, repeats interleaved.

    Two figures per repeat: wall (runs over the elapsed time: what this machine gave, with whatever else ran
    on it) and CPU (runs over the workers' summed CPU seconds, times `workers`: what `workers` cores to
    themselves would give, if the pool added nothing; pickling in this process is left out).
    """
    from awol.experiments.execution import process_pool

    problem, values, seeds = problem_and_points(runs)
    per_batch = batch or max(1, runs // workers)
    out = {"today": [], "observables": []}
    with process_pool(workers) as pool:
        pids = {f.result() for f in [pool.submit(warm, 5) for _ in range(4 * workers)]}
        for r in range(repeats):
            order = ("today", "observables") if r % 2 == 0 else ("observables", "today")
            for path in order:
                load_before = os.getloadavg()[0]
                started = time.perf_counter()
                if path == "today":
                    futures = [pool.submit(today_runs, problem, values[k:k + 1], seeds[k:k + 1]) for k in range(runs)]
                else:
                    futures = [pool.submit(observable_runs, problem, values[k:k + per_batch], seeds[k:k + per_batch])
                               for k in range(0, runs, per_batch)]
                results = [f.result() for f in futures]
                seconds = time.perf_counter() - started
                done, cpu = sum(n for n, _ in results), sum(c for _, c in results)
                out[path].append({"runs": done, "seconds": seconds, "runs_per_minute": 60 * done / seconds,
                                  "cpu_seconds": cpu, "cpu_seconds_per_run": cpu / done,
                                  "cpu_runs_per_minute": 60 * done * workers / cpu,
                                  "load_before": load_before, "load_after": os.getloadavg()[0]})
    summary = {path: {"median_runs_per_minute": float(np.median([m["runs_per_minute"] for m in ms])),
                      "median_cpu_runs_per_minute": float(np.median([m["cpu_runs_per_minute"] for m in ms])),
                      "median_cpu_seconds_per_run": float(np.median([m["cpu_seconds_per_run"] for m in ms])),
                      "repeats": ms} for path, ms in out.items()}
    return {"workers": workers, "warm_workers_seen": len(pids), "runs_per_repeat": runs, "batch": per_batch,
            **summary}


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its ended, reaped children (a pool's workers once it is shut down)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def q2_answer(draws: int, workers: int) -> dict:
    """Seconds of a Q2 answer (baseline against honour-contracts under `draws` posterior draws), both ways."""
    from awol.evidence.answers import policy_differences
    from awol.evidence.posteriors import posterior_draws
    from awol.experiments import api

    parameters = posterior_draws("baseline", draws)
    names = ["baseline", "honour-contracts"]
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in ("observables", "today"):
            load_before, cpu_before = os.getloadavg()[0], _cpu_seconds()
            started = time.perf_counter()
            if path == "observables":
                result = policy_differences(names, parameters, Path(tmp) / path, workers=workers, progress=False)
            else:
                result = api.compare(names, parameters=parameters, out=Path(tmp) / path, workers=workers,
                                     progress=False)
            seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
            row = result.table.set_index("output").loc["final_retained_past_term"]
            out[path] = {"seconds": seconds, "cpu_seconds": cpu, "seconds_on_free_cores": cpu / workers,
                         "runs": 2 * draws, "load_before": load_before,
                         "load_after": os.getloadavg()[0],
                         "retained_past_term_difference": [float(row["q05"]), float(row["q50"]), float(row["q95"])]}
    key = "retained_past_term_difference"
    out["same_answer"] = out["today"][key] == out["observables"][key]
    return {"draws": draws, "workers": workers, **out}


MEMORY_CODE = """
import resource, sys, json
sys.path.insert(0, sys.argv[1])
import run as bench
problem, values, seeds = bench.problem_and_points(int(sys.argv[3]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[2] == "today":
    from awol.evidence.simulator import simulate_point
    outcomes = [simulate_point(problem, v, int(s), keep_cases=True, keep_daily=True) for v, s in zip(values, seeds)]
    kept = sum(int(o.daily.memory_usage(deep=True).sum()) for o in outcomes)
else:
    from awol.engines import simulate_many
    from awol.evidence.priors import scenario_at_point
    from awol.evidence.simulator import COLUMNS
    scenarios = [scenario_at_point(problem.tree, list(problem.priors), v)[0] for v in values]
    runs = simulate_many(scenarios, seeds, columns=COLUMNS, days=problem.days)
    kept = sum(a.nbytes for a in runs.values())
print(json.dumps({"peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "rss_before_runs_bytes": before * 1024, "kept_bytes": kept}))
"""


def memory_per_batch(batch: int) -> dict:
    """Peak resident memory of a fresh process making one batch of `batch` full-baseline runs, and the bytes of
    what the batch keeps: today, every run's daily table (as a consumer that keeps them would hold them); the
    observables path, its columns [run, day]. Plus the engine's own estimate (`engines.footprint`) of one run."""
    from awol.engines.footprint import estimate
    from awol.scenario.load import load_scenario

    out = {"batch": batch}
    for path in ("today", "observables"):
        done = subprocess.run([sys.executable, "-c", MEMORY_CODE, str(HERE), path, str(batch)], capture_output=True,
                              text=True, check=True, cwd=ROOT)
        out[path] = json.loads(done.stdout.strip().splitlines()[-1])
    footprint = estimate(load_scenario("baseline"))
    out["engine_estimate_per_run_bytes"] = {k: int(v) for k, v in footprint.parts.items()}
    return out


# ---------------------------------------------------------------- report

def machine() -> dict:
    cpu = cpu_name()
    versions = {}
    for pkg in ("awol", "numpy", "numba", "pandas", "loky"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    versions["python"] = platform.python_version()
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE")
            * os.sysconf("SC_PHYS_PAGES") / 1e9, 1), "os": platform.platform(), "versions": versions,
            "commit": commit, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_at_start": list(os.getloadavg())}


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def verdict(res: dict) -> dict:
    """Whether issue #17's targets are met, on the CPU figures (what `workers` free cores would give) and on the
    wall figures of this run; and the CPU seconds a run may take for the runs-per-minute target."""
    t, q = res["throughput"], res.get("q2")
    fast = t["observables"]
    out = {"runs_per_minute_target": TARGET_RUNS_PER_MINUTE,
           "cpu_seconds_per_run_allowed": 60 * t["workers"] / TARGET_RUNS_PER_MINUTE,
           "cpu_seconds_per_run": fast["median_cpu_seconds_per_run"],
           "met_on_cpu": fast["median_cpu_runs_per_minute"] >= TARGET_RUNS_PER_MINUTE,
           "met_on_wall": fast["median_runs_per_minute"] >= TARGET_RUNS_PER_MINUTE}
    out["speed_up_needed"] = out["cpu_seconds_per_run"] / out["cpu_seconds_per_run_allowed"]
    if q:
        # fewer draws than the issue's: scaled linearly in runs, start-up included (so a little high)
        scale = max(1.0, TARGET_Q2_DRAWS / q["draws"])
        out["q2_target_seconds"] = TARGET_Q2_SECONDS
        out["q2_scaled_to_draws"] = max(q["draws"], TARGET_Q2_DRAWS)
        out["q2_free_core_seconds_at_target_draws"] = scale * q["observables"]["seconds_on_free_cores"]
        out["q2_wall_seconds_at_target_draws"] = scale * q["observables"]["seconds"]
        out["q2_met_on_cpu"] = out["q2_free_core_seconds_at_target_draws"] <= TARGET_Q2_SECONDS
        out["q2_met_on_wall"] = out["q2_wall_seconds_at_target_draws"] <= TARGET_Q2_SECONDS
    return out


def write_report(res: dict, path: Path) -> None:
    m, t, parts, v = res["machine"], res["throughput"], res["where_time_goes"], res["verdict"]
    yes = {True: "yes", False: "no"}
    lines = [
        "# Throughput of the forward model (issue #17)",
        "",
        f"{m['date']}, commit {m['commit']}, {m['cpu']}, {m['cores']} cores, Python {m['versions']['python']}, "
        f"NumPy {m['versions']['numpy']}, Numba {m['versions']['numba']}. Command: `{res['command']}`. "
        f"Load average (1 min) {m['load_at_start'][0]:.1f} at the start, {m['load_at_end'][0]:.1f} at the end; "
        "each measurement gives its own. Other work on the machine slows the wall figures; the CPU figures "
        "(CPU seconds the workers spent, see README.md) change much less with it.",
        "",
        "## Verdict",
        "",
        f"Target: at least {v['runs_per_minute_target']:,} full-baseline runs a minute on the observables path on "
        f"{t['workers']} cores, i.e. at most {v['cpu_seconds_per_run_allowed']:.3f} CPU seconds a run. "
        f"Measured: {v['cpu_seconds_per_run']:.3f} CPU seconds a run (median), "
        f"{t['observables']['median_cpu_runs_per_minute']:,.0f} runs a minute on {t['workers']} free cores, "
        f"{t['observables']['median_runs_per_minute']:,.0f} on this machine as loaded. "
        f"Met: {yes[v['met_on_cpu']]} on CPU time, {yes[v['met_on_wall']]} on wall time"
        + ("" if v["met_on_cpu"] else f"; a run must become {v['speed_up_needed']:.1f}× cheaper") + ".",
    ]
    if "q2_target_seconds" in v:
        q = res["q2"]["observables"]
        draws = res["q2"]["draws"]
        scaled = (f"; scaled linearly to {v['q2_scaled_to_draws']} draws (start-up included, so a little high): "
                  f"{v['q2_wall_seconds_at_target_draws']:.0f} s wall, {v['q2_free_core_seconds_at_target_draws']:.0f}"
                  " s on free cores" if draws < v["q2_scaled_to_draws"] else "")
        lines += ["", f"Q2 answer (issue #17: {TARGET_Q2_DRAWS} posterior draws per scenario, at most "
                      f"{v['q2_target_seconds']:.0f} s). Measured with {draws} draws per scenario: "
                      f"{q['seconds']:.1f} s wall, {q['seconds_on_free_cores']:.1f} s on {res['q2']['workers']} "
                      "free cores "
                      f"({q['cpu_seconds']:.1f} CPU seconds){scaled}. Met: {yes[v['q2_met_on_cpu']]} on CPU time, "
                      f"{yes[v['q2_met_on_wall']]} on wall time."]
    lines += [
        "",
        f"## Full-baseline runs a minute on {t['workers']} worker processes",
        "",
        f"{t['runs_per_repeat']} runs per repeat (prior points of the declared priors, the bank's seeds), "
        f"observables in batches of {t['batch']}; warm workers ({t['warm_workers_seen']} seen); repeats "
        "interleaved. CPU runs/min: runs over the workers' CPU seconds, times the workers.",
        "",
        "| path | CPU s a run (median) | runs/min, CPU (median) | runs/min, wall (median) | "
        "repeats: wall runs/min (load before → after) |",
        "|---|---:|---:|---:|---|",
    ]
    for name in ("today", "observables"):
        reps = "; ".join(f"{r['runs_per_minute']:.1f} ({r['load_before']:.1f} → {r['load_after']:.1f})"
                         for r in t[name]["repeats"])
        lines.append(f"| {name} | {t[name]['median_cpu_seconds_per_run']:.3f} | "
                     f"{t[name]['median_cpu_runs_per_minute']:.1f} | {t[name]['median_runs_per_minute']:.1f} | "
                     f"{reps} |")
    ratio = t["observables"]["median_cpu_runs_per_minute"] / t["today"]["median_cpu_runs_per_minute"]
    lines += ["", f"Observables path / today's path, on CPU time: {ratio:.2f}×.", ""]
    lines += ["## Where one warm full-baseline run's CPU time goes (one process, medians)", "",
              f"{parts['runs']} runs, {parts['wall_seconds_median']:.3f} s wall each (median); load average after: "
              f"{parts['load_after']:.1f}.", "",
              "| part | CPU seconds | share |", "|---|---:|---:|"]
    total = parts["seconds"]["total"]
    for k, x in parts["seconds"].items():
        lines.append(f"| {k} | {x:.3f} | {100 * x / total:.1f} % |")
    if res.get("q2"):
        q = res["q2"]
        lines += ["", f"## A Q2 answer: baseline against honour-contracts, {q['draws']} posterior draws each "
                      f"({2 * q['draws']} runs), {q['workers']} workers, cold pool", "",
                  f"Target (issue #17): at most {TARGET_Q2_SECONDS:.0f} s. CPU seconds: this process and the "
                  "pool's workers (reaped when the pool shuts down), start-up included.", "",
                  "| path | seconds, wall | CPU seconds | seconds on free cores | load before → after | "
                  "retained past term, difference q05 / q50 / q95 |",
                  "|---|---:|---:|---:|---|---|"]
        for name in ("today", "observables"):
            r = q[name]
            d = " / ".join(f"{x:,.0f}" for x in r["retained_past_term_difference"])
            lines.append(f"| {name} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['seconds_on_free_cores']:.1f} "
                         f"| {r['load_before']:.1f} → {r['load_after']:.1f} | {d} |")
        lines += ["", f"Both paths give the same answer: {'yes' if q['same_answer'] else 'NO'}."]
    mem = res["memory"]
    lines += ["", f"## Memory per batch of {mem['batch']} full-baseline runs (a fresh process)", "",
              "| path | peak resident | resident before the runs | outputs kept |", "|---|---:|---:|---:|"]
    for name in ("today", "observables"):
        r = mem[name]
        lines.append(f"| {name} | {_mib(r['peak_rss_bytes'])} | {_mib(r['rss_before_runs_bytes'])} | "
                     f"{_mib(r['kept_bytes'])} |")
    est = mem["engine_estimate_per_run_bytes"]
    lines += ["", "The engine's own arrays for one run (`engines.footprint.estimate`): "
              + ", ".join(f"{k} {_mib(v)}" for k, v in est.items()) + ".", "",
              "Raw figures: `results.json`. What the figures mean: `README.md`.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the smallest counts, to check the harness")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=None, help="runs per repeat and path (default 8; 2 quick)")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per path, interleaved (default 2)")
    parser.add_argument("--q2-draws", type=int, default=None,
                        help="posterior draws per scenario of the Q2 answer (default 10; 2 quick; issue #17: 100)")
    parser.add_argument("--batch", type=int, default=None, help="runs per batch on the observables path")
    parser.add_argument("--profile-runs", type=int, default=None, help="runs split part by part (default 3; 1 quick)")
    parser.add_argument("--memory-batch", type=int, default=None, help="runs in the memory batch (default 4; 2 quick)")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--report-only", action="store_true", help="rewrite results.md from results.json in --out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        res = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        res["verdict"] = verdict(res)
        write_report(res, args.out / "results.md")
        print((args.out / "results.md").read_text(encoding="utf-8"))
        return 0
    small = 2 if args.quick else None
    res = {"command": " ".join(["python benchmarks/throughput/run.py", *(argv if argv is not None else sys.argv[1:])]),
           "machine": machine()}
    res["where_time_goes"] = where_time_goes(args.profile_runs or (1 if args.quick else 3))
    res["throughput"] = throughput(args.runs or small or 8, args.repeats or 2, args.workers, args.batch)
    res["q2"] = q2_answer(args.q2_draws or small or 10, args.workers)
    res["memory"] = memory_per_batch(args.memory_batch or small or 4)
    res["machine"]["load_at_end"] = list(os.getloadavg())
    res["peak_rss_this_process_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    (args.out / "results.json").write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    res["verdict"] = verdict(res)
    (args.out / "results.json").write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    write_report(res, args.out / "results.md")
    print((args.out / "results.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
