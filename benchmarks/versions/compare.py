"""Two versions of awol side by side in one run: is a change faster or slower, and by how much?

    .venv/bin/python benchmarks/versions/compare.py --before 059a90a [--after WORKTREE] [--repeats 5]

Each version is a git tree (`--before`/`--after` name a commit; `--after` defaults to
this working tree) checked out into a temporary worktree; every measurement runs in its
own process with that tree first on PYTHONPATH and a Numba cache of its own, and the
versions alternate, repeat by repeat, so both see the same machine load. Measured per
engine (agents, cohorts):

- cold compile: a 3-day run of the baseline with an empty Numba cache (import, compile, run);
- the full baseline in a warm process: `simulate(...)` of every day, best and median of
  the repeats (after one warm-up run in the same process);
- the reference model (benchmarks/reference of each tree) at N = 10⁴, 10⁵, 10⁶ over 365 days.

Writes benchmarks/versions/results.json and .md: times and the ratio after / before.
No assertion: speed is reported, not tested.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ENGINES = ("agents", "cohorts")
SIZES = (10_000, 100_000, 1_000_000)

COLD = """
import time, sys
started = time.perf_counter()
from awol.engines import simulate
from awol.scenario.load import load_scenario
simulate(load_scenario("baseline"), seed=1, days=3, engine=sys.argv[1])
print(time.perf_counter() - started)
"""

BASELINE = """
import time, sys
from awol.engines import simulate
from awol.scenario.load import load_scenario
engine, repeats = sys.argv[1], int(sys.argv[2])
sc = load_scenario("baseline")
simulate(sc, seed=0, engine=engine)
for i in range(repeats):
    started = time.perf_counter()
    simulate(sc, seed=i + 1, engine=engine)
    print(time.perf_counter() - started)
"""

REFERENCE = """
import sys, time
sys.path.insert(0, sys.argv[4])
import reference
engine, n = sys.argv[1], int(sys.argv[2])
reference.run_awol(engine, n, 0, 3)
best = min(reference.run_awol(engine, n, seed, 365)[1] for seed in range(1, int(sys.argv[3]) + 1))
print(best)
"""


def tree_of(ref: str | None, tmp: Path) -> Path:
    """A checkout of `ref` (a temporary worktree), or this working tree for None."""
    if ref is None:
        return ROOT
    path = tmp / f"tree-{ref}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(path), ref],
                   check=True, capture_output=True)
    return path


def run(tree: Path, cache: Path, code: str, *args: str) -> list[float]:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), NUMBA_CACHE_DIR=str(cache), NUMBA_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          cwd=str(tree), timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: {done.stderr[-2000:]}")
    return [float(x) for x in done.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="commit of the version compared against")
    parser.add_argument("--after", default=None, help="commit of the new version (default: this working tree)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES))
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        trees = {"before": tree_of(args.before, tmp), "after": tree_of(args.after, tmp)}
        caches = {v: tmp / f"cache-{v}" for v in trees}
        load = [os.getloadavg()]
        try:
            for engine in args.engines:
                times = {v: {"compile": [], "baseline": []} for v in trees}
                for repeat in range(2):  # cold compile: an empty cache each time
                    for v, tree in trees.items():
                        times[v]["compile"] += run(tree, tmp / f"cold-{v}-{engine}-{repeat}", COLD, engine)
                for v, tree in trees.items():  # fill the warm caches
                    run(tree, caches[v], COLD, engine)
                for _ in range(args.repeats):
                    for v, tree in trees.items():
                        times[v]["baseline"] += run(tree, caches[v], BASELINE, engine, "1")
                for n in args.sizes:
                    if engine == "agents" and n > 1_000_000:
                        continue
                    times_n = {v: [] for v in trees}
                    for _ in range(max(1, args.repeats // 2)):
                        for v, tree in trees.items():
                            times_n[v] += run(tree, caches[v], REFERENCE, engine, str(n), "2",
                                              str(tree / "benchmarks" / "reference"))
                    for v in trees:
                        times[v][f"reference N={n:,}"] = times_n[v]
                for what in times["before"]:
                    b, a = times["before"][what], times["after"][what]
                    rows.append({"engine": engine, "what": what, "before_min": min(b), "after_min": min(a),
                                 "before_median": statistics.median(b), "after_median": statistics.median(a),
                                 "ratio_min": min(a) / min(b),
                                 "ratio_median": statistics.median(a) / statistics.median(b),
                                 "before": b, "after": a})
                load.append(os.getloadavg())
        finally:
            for v, ref in (("before", args.before), ("after", args.after)):
                if ref is not None:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(trees[v])],
                                   capture_output=True)
    result = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "before": args.before,
              "after": args.after or "working tree", "repeats": args.repeats, "load_average": load, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [f"# {result['after']} against {args.before}", "",
             f"{result['date']}; {args.repeats} repeats, versions alternating; load average "
             f"{load[0][0]:.1f} before, {load[-1][0]:.1f} after. Times in seconds; ratio = after / before "
             "(below 1: faster).", "",
             "| engine | what | before (min) | after (min) | ratio (min) | ratio (median) |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['engine']} | {r['what']} | {r['before_min']:.3f} | {r['after_min']:.3f} | "
                     f"{r['ratio_min']:.2f} | {r['ratio_median']:.2f} |")
    (args.out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
