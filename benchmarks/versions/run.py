"""Versions of awol side by side: is a change slower than the code before it?

Each version (a git revision) is extracted with `git archive` into a temporary folder
(its `src/` and `benchmarks/reference/`) and measured by `child.py` in fresh processes
with that `src/` first on the path and a compile cache of its own. The versions take turns
inside every repeat, so a load that comes and goes falls on all of them alike, and each
figure is the minimum over the repeats. Measured:

- cold compile: the first 3-day reference run of each engine in an empty compile cache
  (import and Numba compilation; one process per version, engine and repeat);
- the reference model (benchmarks/reference) at each N over 365 days, both engines, caches warm;
- the full default scenario (that version's `baseline.yaml`), both engines, caches warm.

CPU time (`time.process_time` of the child) is the figure compared: it holds on a shared
machine where wall time does not. The ratios are to the first version given. The report
applies the rules of issue 12, fixed before this benchmark ran: no engine more than 10 %
slower at any size, the full baseline not slower, cold compile at most 25 % longer.

    python benchmarks/versions/run.py 5542ada 9e2f951 HEAD
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from machine import cpu_name  # noqa: E402

ENGINES = ("agents", "cohorts")
RULES = {"reference": 1.10, "baseline": 1.0, "compile": 1.25}  # largest ratio to the first version allowed


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def extract(rev: str, into: Path) -> dict:
    """The version's src/ and benchmarks/reference/ under `into`; its full commit and subject."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    data = subprocess.run(["git", "archive", commit, "src", "benchmarks/reference"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return {"rev": rev, "commit": commit, "subject": git("log", "-1", "--format=%s", commit)[:120],
            "tree": str(into)}


def child(version: dict, cache: Path, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(version["tree"]) / "src"), NUMBA_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, str(HERE / "child.py"), version["tree"], *args], env=env,
                         check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    expected = Path(version["tree"]) / "src"
    if not Path(result["awol_file"]).resolve().is_relative_to(expected.resolve()):
        raise SystemExit(f"{version['rev']}: awol was imported from {result['awol_file']}, not from {expected}")
    return result


def best(samples: list[dict]) -> dict:
    return {"cpu": min(s["cpu"] for s in samples), "wall": min(s["wall"] for s in samples),
            "cpu_all": [round(s["cpu"], 4) for s in samples]}


def measure(versions: list[dict], sizes: list[int], repeats: int, compile_repeats: int, log) -> dict:
    compile_runs = {v["rev"]: {e: [] for e in ENGINES} for v in versions}
    warm_runs = {v["rev"]: [] for v in versions}
    with tempfile.TemporaryDirectory(prefix="awol-versions-cache-") as caches:
        for r in range(compile_repeats):
            for engine in ENGINES:
                for v in versions:
                    cache = Path(caches) / f"cold-{v['commit'][:12]}-{engine}-{r}"
                    compile_runs[v["rev"]][engine].append(child(v, cache, "compile", engine)["compile"])
                    log(f"compile {engine} {v['rev']} repeat {r + 1}: "
                        f"{compile_runs[v['rev']][engine][-1]['cpu']:.1f} CPU s")
        for r in range(repeats):
            for v in versions:
                warm_runs[v["rev"]].append(child(v, Path(caches) / f"warm-{v['commit'][:12]}", "warm",
                                                 *map(str, sizes)))
                base = warm_runs[v["rev"]][-1]["baseline"]
                log(f"warm {v['rev']} repeat {r + 1}: baseline agents {base['agents']['cpu']:.2f}, "
                    f"cohorts {base['cohorts']['cpu']:.2f} CPU s")
    return {
        v["rev"]: {
            "compile": {e: best(compile_runs[v["rev"]][e]) for e in ENGINES},
            "reference": {e: {str(n): best([w["reference"][e][str(n)] for w in warm_runs[v["rev"]]])
                              for n in sizes} for e in ENGINES},
            "baseline": {e: best([w["baseline"][e] for w in warm_runs[v["rev"]]]) for e in ENGINES},
        }
        for v in versions
    }


def rows(res: dict) -> list[dict]:
    """Every compared figure of every version, with its ratio to the first version and its rule."""
    first = res["versions"][0]["rev"]

    def figures(m: dict) -> list[tuple[str, str, str, dict]]:
        out = [("compile", e, "3 days", m["compile"][e]) for e in ENGINES]
        out += [("reference", e, f"N = {n:,}", m["reference"][e][str(n)]) for e in ENGINES for n in res["sizes"]]
        return out + [("baseline", e, "full", m["baseline"][e]) for e in ENGINES]

    before = figures(res["measured"][first])
    table = []
    for v in res["versions"]:
        for (kind, engine, size, fig), (*_, ref) in zip(figures(res["measured"][v["rev"]]), before, strict=True):
            ratio = fig["cpu"] / ref["cpu"]
            table.append({"version": v["rev"], "kind": kind, "engine": engine, "size": size, "cpu": fig["cpu"],
                          "wall": fig["wall"], "ratio": ratio, "allowed": RULES[kind],
                          "within": v["rev"] == first or ratio <= RULES[kind]})
    return table


def write_report(res: dict, path: Path) -> None:
    first = res["versions"][0]["rev"]
    lines = [
        "# Versions side by side",
        "",
        f"Written by `benchmarks/versions/run.py` on {res['date']} (command `{res['command']}`). Raw figures: "
        "`results.json`.",
        "",
        f"- Machine: {res['machine']['cpu']}, {res['machine']['cores']} cores; Python {res['machine']['python']}.",
        f"- Load average (1, 5, 15 min) at start {res['load'][0]}, at end {res['load'][1]}.",
        f"- Each figure is the least CPU time of {res['repeats']} repeats ({res['compile_repeats']} for cold "
        "compile), the versions taking turns within each repeat; wall time beside it.",
        f"- Ratios are to `{first}`. Rules (issue 12, fixed before the run): reference model at most "
        f"{RULES['reference']:.2f}×, full baseline at most {RULES['baseline']:.2f}×, cold compile at most "
        f"{RULES['compile']:.2f}×.",
        "",
        "| version | commit | subject |",
        "|---|---|---|",
    ]
    lines += [f"| `{v['rev']}` | `{v['commit'][:10]}` | {v['subject'].replace('|', '/')} |" for v in res["versions"]]
    lines += ["", "| what | engine | size | " + " | ".join(f"`{v['rev']}` CPU s (× first)" for v in res["versions"])
              + " | within the rule |", "|---|---|---|" + "---:|" * len(res["versions"]) + "---|"]
    table = rows(res)
    keys = []
    for r in table:
        if (r["kind"], r["engine"], r["size"]) not in keys:
            keys.append((r["kind"], r["engine"], r["size"]))
    for key in keys:
        cells = [r for r in table if (r["kind"], r["engine"], r["size"]) == key]
        figures = " | ".join(f"{c['cpu']:.3g} ({c['ratio']:.2f}×)" for c in cells)
        verdict = "yes" if all(c["within"] for c in cells) else "**no**: " + ", ".join(
            f"`{c['version']}` {c['ratio']:.2f}×" for c in cells if not c["within"])
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {figures} | {verdict} |")
    lines += ["", "Wall seconds, same order: " + "; ".join(
        f"{r['kind']} {r['engine']} {r['size']} `{r['version']}` {r['wall']:.3g}" for r in table) + ".", ""]
    path.write_text("\n".join(lines))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("revisions", nargs="+", help="git revisions; the first is the one compared against")
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                   help="reference model sizes N (365 days)")
    p.add_argument("--repeats", type=int, default=5, help="warm repeats (each version once per repeat)")
    p.add_argument("--compile-repeats", type=int, default=2, help="cold-compile repeats per engine and version")
    p.add_argument("--out", type=Path, default=HERE / "results.md")
    args = p.parse_args(argv)
    if len(args.revisions) < 2:
        p.error("give at least two revisions to compare")
    if min(args.sizes) < 1000 or args.repeats < 1 or args.compile_repeats < 1:
        p.error("--sizes must be at least 1000; --repeats and --compile-repeats at least 1")

    def log(message: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    load_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="awol-versions-") as tmp:
        try:
            versions = [extract(rev, Path(tmp) / f"v{i}") for i, rev in enumerate(args.revisions)]
        except subprocess.CalledProcessError as err:
            p.error(f"revisions: {' '.join(args.revisions)} — one is not a commit of this repository "
                    f"({err.stderr.strip() if isinstance(err.stderr, str) else err.stderr.decode().strip()})")
        measured = measure(versions, args.sizes, args.repeats, args.compile_repeats, log)
    for v in versions:
        v.pop("tree")
    res = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python benchmarks/versions/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"cpu": cpu_name(), "cores": os.cpu_count(),
                    "python": platform.python_version()},
        "load": [load_start, [round(x, 2) for x in os.getloadavg()]],
        "versions": versions, "sizes": args.sizes, "repeats": args.repeats, "compile_repeats": args.compile_repeats,
        "measured": measured,
    }
    res["rows"] = rows(res)
    args.out.with_name("results.json").write_text(json.dumps(res, indent=1))
    write_report(res, args.out)
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
