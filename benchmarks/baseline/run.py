"""Time the full baseline as whole processes, for both engines, and as warm in-process runs.

    .venv/bin/python benchmarks/baseline/run.py [--repeats 5] [--engines cohorts agents]

Whole process: `awol run scenarios/baseline.yaml --engine E --out <tmp>` (interpreter
start-up, imports, scenario loading, Numba cache loading, simulation, Parquet and
manifest), after one short run that warms the compile caches. Warm worker: in one
process, `simulate(...)` plus writing the run's Parquet, as an ensemble worker does
for every run after its first. Prints min and median of the repeats and the load
average, which matters on a shared machine. No assertion: speed is reported, not tested.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AWOL = [sys.executable, "-m", "awol.cli"]
SCENARIO = str(ROOT / "scenarios" / "baseline.yaml")


def whole_process(engine: str, repeats: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(AWOL + ["run", SCENARIO, "--engine", engine, "--days", "3", "--out", f"{tmp}/warm"],
                       check=True, capture_output=True)
        for i in range(repeats):
            out = f"{tmp}/run{i}"
            started = time.perf_counter()
            subprocess.run(AWOL + ["run", SCENARIO, "--engine", engine, "--out", out], check=True, capture_output=True)
            times.append(time.perf_counter() - started)
            shutil.rmtree(out)
    return times


WORKER = """
import sys, time, tempfile
from awol.engines import simulate
from awol.scenario.load import load_scenario
from awol.store.runs import make_manifest, write_run
engine, repeats = sys.argv[1], int(sys.argv[2])
sc = load_scenario(sys.argv[3])
simulate(sc, seed=0, days=3, engine=engine)
with tempfile.TemporaryDirectory() as tmp:
    for i in range(repeats):
        started = time.perf_counter()
        daily = simulate(sc, seed=i + 1, engine=engine)
        manifest = make_manifest(sc, seed=i + 1, days=len(daily), engine=engine, wall_seconds=0.0)
        write_run(f"{tmp}/run{i}", daily, manifest, sc.raw)
        print(time.perf_counter() - started)
"""


def warm_worker(engine: str, repeats: int) -> list[float]:
    out = subprocess.run([sys.executable, "-c", WORKER, engine, str(repeats), SCENARIO],
                         check=True, capture_output=True, text=True)
    return [float(x) for x in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engines", nargs="+", default=["cohorts", "agents"])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    rows = []
    for engine in args.engines:
        measures = (("whole process (awol run)", whole_process), ("warm worker (simulate + Parquet)", warm_worker))
        for what, measure in measures:
            times = measure(engine, args.repeats)
            rows.append((engine, what, min(times), statistics.median(times), times))
    print(f"load average after: {os.getloadavg()}")
    print()
    print("| engine | what | min s | median s | all |")
    print("| --- | --- | ---: | ---: | --- |")
    for engine, what, lo, med, times in rows:
        print(f"| {engine} | {what} | {lo:.2f} | {med:.2f} | {', '.join(f'{t:.2f}' for t in times)} |")


if __name__ == "__main__":
    main()
