"""`make mutants`: break the model on purpose, one semantic mutation at a time, and see which test notices.

Each mutation in `mutations.toml` is one exact text replacement in one file of `src/`. For each,
the repository's `src/` is copied to a scratch directory, the replacement applied there (the
text must occur exactly once, or the run stops before anything is run), and the behavioural
tests (`tests/mechanisms`, plus any `tests` the mutation lists) run in a subprocess against
that copy: PYTHONPATH points at the scratch `src/` and NUMBA_CACHE_DIR at a fresh directory of
its own (Numba's cache does not notice a change in an inlined callee from another file, so a
shared cache could run the unmutated kernels). The test written to catch the mutation (its
`expect`) runs first, alone; if it passes, the whole set runs, stopped at the first failure.
The first failing test is recorded as the one that caught the mutation. Running the expected
test first spares compiling and running the rest when it does its job; a mutation it misses
still meets every test. An unmutated copy runs first as a control and must pass the whole
set, or every mutation would look caught.

One or two runs at a time (`--jobs`; the machine has two cores), each under `nice -n 10`
(`--nice`). `--budget-minutes` starts no run after that time, so that a shared machine gets
a partial but honest table: mutations not run are listed as such. Prints the table of
mutation → test that caught it (or SURVIVED), rewrites `results.md` beside this file after
every run, and exits non-zero if the control failed or any mutation survived or was not run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SRC = ROOT / "src"
TESTS = ("tests/mechanisms",)
IGNORE = shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc", "*.egg-info")
FIRST_FAILURE = re.compile(r"^(FAILED|ERROR) (\S+)", re.MULTILINE)


def load(path: Path) -> list[dict]:
    """The mutations of a TOML file (names unique)."""
    mutations = tomllib.loads(path.read_text(encoding="utf-8"))["mutation"]
    names = [m["name"] for m in mutations]
    if len(set(names)) != len(names):
        sys.exit(f"{path}: mutation names must be unique")
    return mutations


def problems(mutations: list[dict]) -> list[str]:
    """Every mutation whose file is missing or whose text does not occur exactly once."""
    out = []
    for m in mutations:
        path = SRC / m["file"]
        if not path.is_file():
            out.append(f"{m['name']}: no file src/{m['file']}")
            continue
        count = path.read_text(encoding="utf-8").count(m["find"])
        if count != 1:
            out.append(f"{m['name']}: the text to replace occurs {count} times in src/{m['file']} (must be once): "
                       f"{m['find']!r}")
        if m["find"] == m["replace"]:
            out.append(f"{m['name']}: the replacement is the text itself")
    return out


def pytest(targets: list[str], env: dict, niceness: int) -> tuple[int, str]:
    """Run pytest on `targets`, stopped at the first failure: (exit status, output)."""
    cmd = ["nice", "-n", str(niceness), sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-rfE",
           *targets]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def run_one(mutation: dict | None, keep: bool, niceness: int) -> dict:
    """Copy src/, apply `mutation` (None: the control), run the tests; what happened."""
    name = mutation["name"] if mutation else "none (control)"
    work = Path(tempfile.mkdtemp(prefix="awol-mutant-"))
    started = time.monotonic()
    try:
        src = work / "src"
        shutil.copytree(SRC, src, ignore=IGNORE)
        tests = list(TESTS)
        if mutation:
            path = src / mutation["file"]
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(mutation["find"], mutation["replace"], 1), encoding="utf-8")
            tests += mutation.get("tests", [])
        env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{ROOT}", NUMBA_CACHE_DIR=str(work / "numba-cache"),
                   PYTHONDONTWRITEBYTECODE="1")
        where = subprocess.run([sys.executable, "-c", "import awol; print(awol.__file__)"], env=env, cwd=ROOT,
                               capture_output=True, text=True)
        if not where.stdout.strip().startswith(str(src)):
            return dict(name=name, status="error", caught_by=f"awol imported from {where.stdout.strip() or '?'}",
                        seconds=time.monotonic() - started, log=where.stderr[-2000:])
        if mutation and mutation.get("expect"):
            code, log = pytest([f"{TESTS[0]}/{mutation['expect']}"], env, niceness)
            first = FIRST_FAILURE.search(log)
            if code == 1 and first:
                return dict(name=name, status="caught", caught_by=first.group(2), seconds=time.monotonic() - started,
                            log=log[-3000:])
            if code != 0:
                return dict(name=name, status="error", caught_by=f"expected test: pytest exit {code}",
                            seconds=time.monotonic() - started, log=log[-3000:])
        code, log = pytest(tests, env, niceness)
        first = FIRST_FAILURE.search(log)
        if code == 0:
            status, caught_by = ("passed" if mutation is None else "SURVIVED"), ""
        elif first and code == 1:
            status, caught_by = ("FAILED" if mutation is None else "caught"), first.group(2)
        else:
            status, caught_by = "error", f"pytest exit {code}" + (f" at {first.group(2)}" if first else "")
        return dict(name=name, status=status, caught_by=caught_by, seconds=time.monotonic() - started, log=log[-3000:])
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def src_tree() -> str:
    """The git tree of src/ as the scratch copies see it (HEAD's, or "dirty" if src/ has uncommitted changes)."""
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
    if dirty.stdout.strip():
        return "dirty"
    return subprocess.run(["git", "rev-parse", "HEAD:src"], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def earlier(path: Path, mutations: list[dict], tree: str) -> dict[str, dict]:
    """Results of an earlier run (`--resume`) made on the same src/ tree with the same mutation texts."""
    if not path.is_file() or tree == "dirty":
        return {}
    saved = json.loads(path.read_text(encoding="utf-8"))
    if saved.get("src_tree") != tree:
        return {}
    texts = {m["name"]: [m["file"], m["find"], m["replace"]] for m in mutations} | {"none (control)": None}
    return {r["name"]: r for r in saved["results"] if r["name"] in texts and r.get("mutation") == texts[r["name"]]
            and r["status"] in ("caught", "passed", "SURVIVED")}


def commit() -> str:
    """The commit the scratch copies were made from, and whether src/ differed from it."""
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() + (" (src/ with uncommitted changes)" if dirty.stdout.strip() else "")


def table(results: list[dict], mutations: dict[str, dict]) -> str:
    """The results as a Markdown table, in the order of the mutations file."""
    lines = ["| mutation | file | caught by (first failing test) | written to catch it | minutes |",
             "|---|---|---|---|---|"]
    for r in results:
        m = mutations.get(r["name"], {})
        caught = r["caught_by"].removeprefix("tests/mechanisms/") if r["status"] in ("caught", "FAILED") else \
            f"**{r['status']}** {r['caught_by']}".strip()
        expect = m.get("expect", "")
        if expect and r["status"] == "caught" and expect.split("[")[0] in r["caught_by"]:
            expect = "same"
        minutes = f"{r['seconds'] / 60:.1f}" if r.get("seconds") is not None else ""
        lines.append(f"| {r['name']} | {('src/' + m['file']) if m else ''} | {caught} | {expect} | {minutes} |")
    return "\n".join(lines)


def report(results: list[dict], jobs: list, by_name: dict, args, minutes: float, final: bool) -> tuple[str, list]:
    """The table (runs not made listed as such), its summary, and the names not caught or not run."""
    done = {r["name"]: r for r in results}
    rows = []
    for m in jobs:
        name = "none (control)" if m is None else m["name"]
        rows.append(done.get(name) or dict(name=name, status="not run" if final else "running or waiting",
                                           caught_by="", seconds=None))
    missing = [r["name"] for r in rows if r["status"] not in ("caught", "passed")]
    caught = sum(r["status"] == "caught" for r in rows)
    n = sum(m is not None for m in jobs)
    summary = (f"{caught} of {n} mutations caught"
               + (f"; not caught or not run: {', '.join(missing)}" if missing else "; none survived")
               + f". {minutes:.0f} minutes, {args.jobs} at a time, under nice -n {args.nice}"
               + ("" if final else " (in progress)") + ".")
    return table(rows, by_name) + "\n\n" + summary, missing


def main() -> int:
    """Check every mutation applies, run the control and the mutations, report; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutations", type=Path, default=HERE / "mutations.toml")
    parser.add_argument("--only", help="run only the mutations whose name contains this text")
    parser.add_argument("--jobs", type=int, default=2, choices=(1, 2), help="runs at a time (at most 2)")
    parser.add_argument("--nice", type=int, default=10, choices=range(0, 20), metavar="0-19",
                        help="niceness of the test runs (default 10)")
    parser.add_argument("--budget-minutes", type=float, default=None,
                        help="start no run after this many minutes; the rest are reported as not run")
    parser.add_argument("--resume", action="store_true",
                        help="keep the results of the last run (results.json) made on the same src/ tree")
    parser.add_argument("--no-control", action="store_true", help="skip the unmutated control run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies (their paths are in the log)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()

    mutations = load(args.mutations)
    if args.only:
        mutations = [m for m in mutations if args.only in m["name"]]
    found = problems(mutations)
    if found:
        print("mutations that cannot be applied:", *found, sep="\n  ", file=sys.stderr)
        return 2
    jobs = ([] if args.no_control else [None]) + mutations
    by_name = {m["name"]: m for m in mutations}
    started = time.monotonic()
    stamp, tree = commit(), src_tree()
    kept = earlier(args.out.with_suffix(".json"), mutations, tree) if args.resume else {}
    # Mutations marked `first` run first (a run cut short by the budget still covers every mechanism).
    waiting = sorted((m for m in jobs if ("none (control)" if m is None else m["name"]) not in kept),
                     key=lambda m: m is not None and not m.get("first", False))

    def write(text: str) -> None:
        if args.only:
            return
        args.out.with_suffix(".json").write_text(json.dumps(dict(src_tree=tree, results=[
            {k: r[k] for k in ("name", "status", "caught_by", "seconds")}
            | {"mutation": None if r["name"] == "none (control)" else
               [by_name[r["name"]][k] for k in ("file", "find", "replace")]}
            for r in results]), indent=1) + "\n", encoding="utf-8")
        args.out.write_text(
            "# Mutants: which behavioural test catches each broken mechanism\n\n"
            f"Written by `make mutants` (tools/mutants/run.py) on {dt.date.today().isoformat()}, commit {stamp}. "
            "Each mutation is one exact replacement in one file (tools/mutants/mutations.toml). For each, the "
            "test written to catch it runs first; if it passes, all of tests/mechanisms runs, stopped at the first "
            "failure. The control is the unmutated copy, which must pass all of tests/mechanisms.\n\n"
            + text + "\n", encoding="utf-8")

    def in_budget() -> bool:
        return args.budget_minutes is None or (time.monotonic() - started) / 60 < args.budget_minutes

    results: list[dict] = list(kept.values())
    for r in results:
        print(f"kept from the last run: {r['name']}: {r['status']} {r['caught_by']}", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        running = set()
        while waiting or running:
            while waiting and len(running) < args.jobs and in_budget():
                running.add(pool.submit(run_one, waiting.pop(0), args.keep, args.nice))
            if not running:
                break
            finished, running = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                r = future.result()
                results.append(r)
                print(f"[{len(results)}/{len(jobs)}] {r['name']}: {r['status']} {r['caught_by']} "
                      f"({r['seconds'] / 60:.1f} min)", flush=True)
                if r["status"] in ("error", "FAILED"):
                    print(r["log"], file=sys.stderr)
            write(report(results, jobs, by_name, args, (time.monotonic() - started) / 60, final=False)[0])
    text, missing = report(results, jobs, by_name, args, (time.monotonic() - started) / 60, final=True)
    print("\n" + text)
    write(text)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
