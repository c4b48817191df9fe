"""Where the whole `awol run` process goes, part by part (docs/engines.md, Timings).

    .venv/bin/python benchmarks/baseline/startup.py [--repeats 5] [--engines cohorts agents]

Each repeat starts `awol run scenarios/baseline.yaml --engine E` as a fresh process
(after one short run that warms the compile caches). Inside it, the imports the
command needs are made first, one group at a time, then the real `awol.cli.main`
entry point runs with the parts below wrapped in timers; the parent takes the wall
time, so start-up before the first line and the exit after the command are counted
too. Wrapping costs a few ms of its own. Parts whose function is not found (after a
rename) are left out, not guessed. Prints the min and median of each part.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(ROOT / "scenarios" / "baseline.yaml")

CHILD = r'''
import json, sys, time
T = [("start", time.time())]
def mark(name):
    T.append((name, time.time()))
import typer, rich.console, rich.table, rich.progress
mark("import typer and rich")
import pydantic, awol.scenario.schema
mark("import pydantic, build the scenario schema")
import awol.cli.main
mark("import numpy, yaml and the rest of the CLI")
import numba
mark("import numba")
engine = sys.argv[sys.argv.index("--engine") + 1]
import importlib
module = importlib.import_module(f"awol.engines.{engine}")
mark("import the engine's modules")

parts = {}
def timed(owner, name, label, first_label=None):
    """Time every call of owner.name under `label` (the first call under `first_label`)."""
    f = getattr(owner, name, None)
    if f is None:
        return
    def wrapper(*args, **kwargs):
        t = time.time()
        try:
            return f(*args, **kwargs)
        finally:
            key = first_label if first_label and first_label not in parts else label
            parts[key] = parts.get(key, 0.0) + time.time() - t
    setattr(owner, name, wrapper)

import numba.core.dispatcher as dispatcher
compile_for_args, depth = dispatcher.Dispatcher._compile_for_args, [0]
def first_dispatch(self, *args, **kwargs):  # a dispatcher's first call: Numba's start-up, then the cached code
    depth[0] += 1
    t = time.time()
    try:
        return compile_for_args(self, *args, **kwargs)
    finally:
        depth[0] -= 1
        if depth[0] == 0:
            key = "  of which first calls into compiled code (Numba's start-up, scipy.linalg, cache)"
            parts[key] = parts.get(key, 0.0) + time.time() - t
dispatcher.Dispatcher._compile_for_args = first_dispatch

import awol.cli.run as run, awol.engines.outputs as outputs, awol.model.rates as rates, awol.store.runs as runs
timed(run, "scenario_or_exit", "load the scenario")
for name in ("simulate_columns", "simulate"):  # (before 1 Dec 2026 the command called simulate)
    timed(run, name, "simulate")
timed(rates.Dynamics, "rates", "  of which Dynamics.rates")
for name in ("daily_columns", "daily_table"):
    timed(outputs, name, "  of which the daily table")
if engine == "cohorts":
    timed(module, "binned_levels", "  of which risk bins (imports scipy.special)")
    timed(module, "step_day", "  of which the daily kernel, other days",
          "  of which the daily kernel's first call (also in the first calls)")
else:
    timed(module.Newcomers, "draw", "  of which drawing recruits' attributes (NumPy)")
    timed(module, "step_day", "  of which the daily kernel, other days",
          "  of which the daily kernel's first call (also in the first calls)")
timed(run, "make_manifest", "manifest")
timed(run, "write_run", "write the run (Parquet, manifest, scenario.yaml)")
mark("import the model modules (for the timers)")
sys.argv = ["awol"] + sys.argv[1:]
entry = getattr(awol.cli.main, "console", awol.cli.main.main)
T.append(("main: start", time.time()))
try:
    entry()
finally:
    mark("main: end")
    sys.stderr.write("STARTUP " + json.dumps({"marks": T, "parts": parts}) + "\n")
'''


def one_run(engine: str, out: str) -> dict[str, float]:
    started = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD, "run", SCENARIO, "--engine", engine, "--out", out,
                           "--overwrite"],
                          capture_output=True, text=True, cwd=ROOT)
    ended = time.time()
    line = next((x for x in done.stderr.splitlines() if x.startswith("STARTUP ")), None)
    if done.returncode or line is None:
        raise SystemExit(done.stderr[-3000:])
    data = json.loads(line.removeprefix("STARTUP "))
    marks, parts = dict(data["marks"]), data["parts"]
    names = [name for name, _ in data["marks"]]
    row = {"interpreter start-up": marks["start"] - started}
    for before, after in zip(names, names[1:], strict=False):
        if after not in ("main: start", "main: end"):
            row[after] = marks[after] - marks[before]
    row.update(parts)
    counted = sum(v for k, v in parts.items() if not k.startswith(" "))
    row["the rest of the command (Typer, progress bar, summary)"] = marks["main: end"] - marks["main: start"] - counted
    row["exit"] = ended - marks["main: end"]
    row["WHOLE PROCESS"] = ended - started
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engines", nargs="+", default=["cohorts", "agents"])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines:
            subprocess.run([sys.executable, "-m", "awol.cli", "run", SCENARIO, "--engine", engine, "--days", "3",
                            "--out", f"{tmp}/warm", "--overwrite"], check=True, capture_output=True, cwd=ROOT)
            rows = [one_run(engine, f"{tmp}/run") for _ in range(args.repeats)]
            print(f"\n{engine}: seconds, min / median of {args.repeats}")
            for key in rows[0]:
                values = sorted(r.get(key, 0.0) for r in rows)
                print(f"  {key:72s} {values[0]:6.3f} / {values[len(values) // 2]:6.3f}")
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
