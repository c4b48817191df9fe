"""Ensemble throughput: runs per minute of the full-scale baseline.

    .venv/bin/python benchmarks/experiments/ensemble_bench.py [--runs 200] [--compare-runs 30] [--engine cohorts]

Measures (each into a fresh temporary directory, so nothing is resumed):
  1. the headline ensemble of --runs runs on a 2-process pool;
  2. --compare-runs runs on 1 process, on 2 processes and on a dask LocalCluster of 2
     workers: runs/minute, the 2-worker speed-up, and dask against the process pool.
Prints one line per measurement and writes a JSON summary (--out, default results.json
next to this file).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from awol.experiments import api
from awol.experiments.execution import dask_executor, process_pool
from awol.scenario.load import load_scenario


def timed(label: str, scenario, runs: int, engine: str, executor, days: int | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        api.ensemble(scenario, runs, engine=engine, days=days, out=Path(tmp) / "e", executor=executor, progress=False)
        wall = time.perf_counter() - started
    rate = runs / wall * 60
    print(f"{label:<28} {runs:>4} runs  {wall:8.1f} s  {rate:7.1f} runs/min", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--compare-runs", type=int, default=30)
    parser.add_argument("--engine", default="cohorts")
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()
    sc = load_scenario(args.scenario)
    out = {"scenario": sc.name, "engine": args.engine, "days": args.days or sc.simulation.days}
    with process_pool(2) as ex:
        timed("warm-up (compile, 2 procs)", sc, 2, args.engine, ex, args.days)
        out["headline_2_procs"] = timed("headline, 2 processes", sc, args.runs, args.engine, ex, args.days)
        out["procs_2"] = timed("2 processes", sc, args.compare_runs, args.engine, ex, args.days)
    with process_pool(1) as ex:
        timed("warm-up (1 proc)", sc, 1, args.engine, ex, args.days)
        out["procs_1"] = timed("1 process", sc, args.compare_runs, args.engine, ex, args.days)
    with dask_executor("local:2") as ex:
        timed("warm-up (dask)", sc, 2, args.engine, ex, args.days)
        out["dask_local_2"] = timed("dask LocalCluster, 2 workers", sc, args.compare_runs, args.engine, ex, args.days)
    out["speedup_2_vs_1"] = round(out["procs_2"] / out["procs_1"], 2)
    out["dask_vs_pool"] = round(out["dask_local_2"] / out["procs_2"], 2)
    out["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    summary = json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}, indent=2)
    print(summary)
    args.out.write_text(summary + "\n")


if __name__ == "__main__":
    main()
