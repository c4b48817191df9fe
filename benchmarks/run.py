"""Run the benchmarks and write benchmarks/results.md (and results.json, the raw figures).

    .venv/bin/python benchmarks/run.py            # what `make bench` runs
    .venv/bin/python benchmarks/run.py --quick    # small sizes, to check the harness

Measures, in one process and one run: STREAM triad bandwidth; the reference model
(benchmarks/reference/DECLARATION.md) in Mesa and in awol's two engines at each size;
whether the implementations agree statistically; and the full-scale baseline as a
whole `awol run` process for each engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "stream"))

import implementations as impl  # noqa: E402
import triad  # noqa: E402
from machine import cpu_name  # noqa: E402

ENGINES = ("awol-agents", "awol-cohorts")

# What the agent kernel (awol.engines.agents.kernel.step_day) touches. It visits a soldier only
# on his candidate days, term end and days at large; the soldiers due on a day lie
# anywhere in memory, so a visit costs one 64-byte cache line in each per-soldier array
# it prefetches (`awol.engines.agents.kernel._prefetch_soldier`: the fields a visit reads,
# times deserted and pathway for the tallies), plus the soldier's id in the day's list.
# A soldier arriving (the whole force on day 0) is read in order, his fields' bytes once.
# A day on which a bound rises scans status, role, channel and unit of every soldier and
# rebuilds the lists from the visit days.
AGENT_VISIT_FIELDS = ("key", "status", "role", "channel", "unit", "contract_end", "tolerance",
                      "bound", "visit_day", "times_deserted", "pathway")
AGENT_SCAN_FIELDS = ("status", "role", "channel", "unit", "visit_day")
CACHE_LINE = 64


def agent_bytes_per_day(n: int, seed: int, days: int) -> dict | None:
    """Bytes the agent kernel touches a day, from one run's counts of visits, arrivals and scans.

    Per visit, a cache line per array of AGENT_VISIT_FIELDS and a 4-byte id; per arrival, the
    bytes of those fields; per scan (a day whose bound rose), AGENT_SCAN_FIELDS of every
    soldier. The day's rates, bound tables and tallies (a few kB) are left out, so this is a
    floor. None if the engine's layout is not the one described.
    """
    from awol.engines import agents
    from awol.engines.agents import soldiers as layout
    from awol.model.rates import make_plan

    try:
        dtypes = layout.DTYPES._asdict()
        record = sum(np.dtype(dtypes[f]).itemsize for f in AGENT_VISIT_FIELDS)
        scanned = sum(np.dtype(dtypes[f]).itemsize for f in AGENT_SCAN_FIELDS)
        sc = impl.reference.scenario(n, days, seed)
        details = agents.run(make_plan(sc, days), seed).details
        soldiers, stats = details.soldiers, details.stats
        visits, passes = stats.visits, stats.redraw_passes
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    per_visit = len(AGENT_VISIT_FIELDS) * CACHE_LINE + 4
    total = visits * per_visit + soldiers.n * record + passes * soldiers.n * scanned
    return {"visits_per_day": visits / days, "visit_bytes": per_visit, "arrival_bytes": record,
            "scan_passes": passes, "scan_bytes": scanned, "bytes_per_day": total / days}


def cohort_bytes_per_day(n: int, seed: int, days: int) -> dict | None:
    """Bytes the cohort engine must read each day, from its state at the end of a run.

    Every day the draw kernel (`awol.engines.cohorts.kernel`) reads, for every pool (18 × units
    × risk levels), the totals of the five classes it steps (serving, retained, in hospital,
    on rotation leave, convalescing) and the six parts without a ring of the serving and
    hospital classes (float64 each; the leave classes are empty in the reference model, so
    their parts are never read), and for every group of pools its descriptor (5 int64); and
    every cohort record in use in the sparse table of deserters at large and detainees
    (`awol.engines.cohorts.table.CohortTable`, caught as the run makes it: key fields, code,
    count, incoming count, successors). Ring slots touched by individual recruits are left
    out, so the count is a floor. None if the engine's layout is not the one described.
    """
    from awol.engines.cohorts import table as tables

    table = getattr(tables, "CohortTable", None)
    if table is None:
        return None
    made = []
    original = table.__init__

    def catching(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    table.__init__ = catching
    try:
        impl.simulate("awol-cohorts", n, seed, days)
    finally:
        table.__init__ = original
    try:
        tab = made[-1].arrays
        cohorts_in_use = int(tab.used[0])
        record = (tab.fields.shape[1] * tab.fields.itemsize + tab.codes.itemsize + tab.count.itemsize
                  + tab.incoming.itemsize + tab.successor.shape[1] * tab.successor.itemsize)
    except (AttributeError, IndexError):
        return None
    sc = impl.reference.scenario(n, days, seed)
    groups = 18 * sc.population.units
    pools = groups * sc.cohorts.risk_bins
    per_pool = (5 + 6) * 8
    return {"cohorts": cohorts_in_use, "record_bytes": record, "pools": pools, "pool_bytes": per_pool,
            "groups": groups, "group_bytes": 5 * 8,
            "bytes_per_day": cohorts_in_use * record + pools * per_pool + groups * 5 * 8}


# ---------------------------------------------------------------- machine

def machine() -> dict:
    cpu = cpu_name()
    import numba

    versions = {}
    for pkg in ("awol", "mesa", "numpy", "numba", "pandas", "pydantic"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    versions["python"] = platform.python_version()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "os": platform.platform(),
        "versions": versions,
        "commit": commit,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def load() -> list[float]:
    return list(os.getloadavg())


# ---------------------------------------------------------------- timing

def time_in_subprocess(name: str, n: int, days: int, seed: int, limit: float) -> dict:
    """One timed run in a child process, given up after `limit` seconds. A 3-day run first
    loads the compiled code, as for the runs timed in this process."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import implementations as i; "
            "i.simulate(sys.argv[2], 1000, 0, 3); "
            "_, s, _ = i.simulate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])); print(s)")
    try:
        out = subprocess.run([sys.executable, "-c", code, str(HERE), name, str(n), str(seed), str(days)],
                             capture_output=True, text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return {"n": n, "days": days, "repeats": 1, "seconds": None, "timed_out": limit, "rate": None}
    seconds = float(out.stdout.strip().splitlines()[-1])
    return {"n": n, "days": days, "repeats": 1, "seconds": seconds, "setup_seconds": 0.0, "rate": n * days / seconds}


def time_model(name: str, n: int, days: int, repeats: int, seed: int = 1) -> dict:
    best, setup = float("inf"), 0.0
    for r in range(repeats):
        _, seconds, setup_s = impl.simulate(name, n, seed + r, days)
        best, setup = min(best, seconds), setup_s
    return {"n": n, "days": days, "repeats": repeats, "seconds": best, "setup_seconds": setup,
            "rate": n * days / best}


def time_baseline(engine: str, repeats: int) -> dict:
    """Wall time of the whole process `awol run scenarios/baseline.yaml --engine E`."""
    awol = str(Path(sys.executable).with_name("awol"))
    with tempfile.TemporaryDirectory() as tmp:
        def once(*extra) -> float:
            started = time.perf_counter()
            subprocess.run([awol, "run", "scenarios/baseline.yaml", "--engine", engine,
                            "--out", str(Path(tmp) / "run"), "--overwrite", *extra],
                           cwd=ROOT, check=True, capture_output=True)
            return time.perf_counter() - started

        once("--days", "3")  # compile caches warm
        times = [once() for _ in range(repeats)]
    return {"engine": engine, "repeats": repeats, "seconds": min(times), "all_seconds": times}


# ---------------------------------------------------------------- report

def fmt_rate(x: float) -> str:
    return f"{x:,.3g}" if x < 1e3 else f"{x:,.0f}"


def sci(n: int) -> str:
    e = int(round(np.log10(n)))
    return f"10^{e}" if 10**e == n else f"{n:,}"


def write_report(res: dict, path: Path) -> None:
    m, bw = res["machine"], res["stream"]["gb_per_s"]
    L = []
    L.append("# Benchmarks: results\n")
    L.append(f"Written by `benchmarks/run.py` (`make bench`) on {m['date']}, commit `{m['commit']}`. "
             "Raw figures: `results.json`.\n")
    L.append("## Machine\n")
    L.append(f"- CPU: {m['cpu']}, {m['cores']} cores (Numba threads: {m['numba_threads']}), "
             f"{m['memory_gb']} GB memory; {m['os']}")
    L.append("- Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()))
    L.append(f"- Load average (1, 5, 15 min) at start {res['load_start']}, at end {res['load_end']}. "
             "The machine is a shared 2-core virtual machine: other work ran beside these "
             "measurements when the load exceeds about 1, so figures may be low by up to about 2×.")
    L.append(f"- STREAM triad: **{bw:.1f} GB/s** (a[i] = b[i] + s·c[i], float64, 24 bytes per element, "
             f"Numba parallel over {res['stream']['threads']} threads, 3 arrays of {res['stream']['array_mb']:.0f} MB, "
             f"best of {res['stream']['repeats']}).\n")

    L.append("## The model\n")
    L.append("The reference model of `reference/DECLARATION.md` (contract expiry and release, role "
             "hazards and hospital, absences from the line with the propensity's hazard without peer "
             "effect, search by region with fixed units and police at home, capture or voluntary return, "
             "detention and return), N contract soldiers, no leave, no recruitment. One **agent-step** is one "
             "soldier for one day: a run of N soldiers over D days counts N·D agent-steps in every "
             "implementation, whatever it does with soldiers who have left (Mesa removes them).\n")

    ag = res["agreement"]
    L.append("## Do the implementations agree?\n")
    verdict = "**Yes**" if ag["agree"] else "**No**"
    worst = max(r["max_z"] for r in ag["rows"])
    L.append(f"{verdict}: over {len(ag['seeds'])} seeds at N = {ag['n']:,} and {ag['days']} days, the "
             f"means of every output below are within {ag['tolerance']:g} standard errors of each "
             f"other for every pair of implementations (largest standardised difference {worst:.2f}). "
             "z = |mean_a − mean_b| / √(se_a² + se_b²), se the standard error over seeds. Stocks are on the "
             f"final day; `total_*` are sums of the daily flows over the run. With {len(ag['rows'])} outputs × "
             f"{len(ag['names']) * (len(ag['names']) - 1) // 2} pairs and "
             "standard errors estimated from the seeds, a single difference beyond 4 standard errors "
             "arises by chance now and then (about 1 % of runs at 20 seeds); a real disagreement "
             "grows with N and with the number of seeds.\n")
    names = ag["names"]
    L.append("| output | " + " | ".join(names) + " | max z |")
    L.append("|---|" + "---:|" * (len(names) + 1))
    for r in ag["rows"]:
        cells = [f"{r['stats'][nm][0]:,.1f} ± {r['stats'][nm][1]:,.1f}" for nm in names]
        L.append(f"| {r['output']} | " + " | ".join(cells) + f" | {r['max_z']:.2f} |")
    L.append("")

    L.append("## Speed\n")
    L.append("Agent-steps per second (higher is better) and the ratio to Mesa at the same N. "
             "awol: the whole `awol.simulate(...)` call (set-up and daily table included), best of the "
             "repeats shown, Numba compile caches warm. Mesa: the daily steps only (building the "
             "agents is left out, which favours Mesa), one run.\n")
    L.append("| implementation | N | days | repeats | seconds | agent-steps/s | × Mesa | bytes/agent-step "
             "| fraction of bandwidth ceiling |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    mesa_rate = {r["n"]: r["rate"] for r in res["timings"]["mesa"]}
    for name in ("mesa", *ENGINES):
        for r in res["timings"][name]:
            if r["seconds"] is None:
                L.append(f"| {name} | {sci(r['n'])} | {r['days']} | 1 | **did not finish within "
                         f"{r['timed_out']:g} s** (given up) | < {fmt_rate(r['n'] * r['days'] / r['timed_out'])} "
                         "| - | - | - |")
                continue
            if name == "mesa":
                ratio = "1×"
            else:
                ratio = f"{r['rate'] / mesa_rate[r['n']]:,.0f}×" if r["n"] in mesa_rate else "no Mesa run"
            b = r.get("bytes_per_step")
            bytes_s = "n/a" if b is None else (f"{b:.3g}" if b < 10 else f"{b:.0f}")
            frac = "n/a" if b is None else f"{r['rate'] * b / (bw * 1e9):.2%}"
            L.append(f"| {name} | {sci(r['n'])} | {r['days']} | {r['repeats']} | {r['seconds']:.3g} | "
                     f"{fmt_rate(r['rate'])} | {ratio} | {bytes_s} | {frac} |")
    L.append("")
    short = [r for r in res["timings"]["mesa"] if r["days"] < res["days"]]
    if short:
        L.append("**Mesa ran fewer days at the large sizes** to keep `make bench` short: "
                 + "; ".join(f"N = {sci(r['n'])}: the first {r['days']} days" for r in short)
                 + f" (of {res['days']}). Its rate there is N × days ÷ seconds over those days only, "
                 "when nearly every soldier is still in the model; over the whole year Mesa's rate "
                 "rises a little as soldiers leave and are removed (compare N = 10^4 and 10^5, run "
                 "for the whole year).\n")
    L.append("**Bandwidth ceiling.** A bandwidth-bound engine would do (STREAM bandwidth ÷ bytes "
             "touched per agent-step) agent-steps per second; the last column is the measured rate "
             "over that ceiling. How the bytes are counted:\n")
    visits = [r for r in res["timings"]["awol-agents"] if r.get("touched")]
    detail = "; ".join(f"N = {sci(r['n'])}: {r['touched']['visits_per_day']:,.0f} visits a day, "
                       f"{r['touched']['scan_passes']} scans" for r in visits)
    any_row = visits[0]["touched"] if visits else None
    L.append("- awol-agents: the bytes the kernel touches a day ÷ N. It visits a soldier only on his "
             "candidate days (a geometric gap under a bound on his daily event probability), his term "
             "end and his days at large, and those soldiers lie anywhere in memory: a visit counts one "
             f"{CACHE_LINE}-byte cache line in each per-soldier array it reads or writes "
             f"({', '.join(AGENT_VISIT_FIELDS)}; "
             + (f"{any_row['visit_bytes']} B with the soldier's id in the day's list" if any_row else "")
             + "), an arrival (the whole force on day 0) the bytes of those fields once "
             + (f"({any_row['arrival_bytes']} B)" if any_row else "")
             + ", and a day on which a bound rises a scan of "
             f"{', '.join(AGENT_SCAN_FIELDS)} over every soldier. "
             + (detail + ". " if detail else "")
             + "The day's rates, bound tables and tallies (a few kB) are left out, so the count is a "
             "floor. The engine does not stream the population, so the ceiling does not bind it: a "
             "day's cost follows its visits (memory latency, hidden in part by prefetching the records "
             "of the soldiers due next) and the fixed cost of a day (`Dynamics.rates`, one kernel call).")
    states = [r for r in res["timings"]["awol-cohorts"] if r.get("state")]
    detail = "; ".join(f"N = {sci(r['n'])}: {r['state']['cohorts']:,} cohorts × {r['state']['record_bytes']} B "
                       f"+ {r['state']['pools']:,} pools × {r['state']['pool_bytes']} B" for r in states)
    L.append("- awol-cohorts: the bytes a day must read at least once ÷ N: for every pool, the totals of "
             "its five classes (serving, retained, hospital, rotation leave, convalescence) and the six parts "
             "of the serving and hospital classes without a ring, and for every group of pools its "
             "descriptor; and every record in use in the sparse table of deserters at large and detainees "
             "(`awol.engines.cohorts.table.CohortTable`, from its state at the end of the run: key fields, code, "
             "count, incoming count, successors). Ring slots touched by individual recruits are left out "
             "(the reference model has none). "
             + (detail + ". " if detail else "")
             + "That state grows with the number of distinct cohorts, not of soldiers, so at large N it is "
             "far below one byte per soldier and fits in cache: the cohort engine is bound by its draws "
             "per pool and per cohort (a few binomials each), not by memory bandwidth. A near-zero "
             "fraction says only that; the per-soldier ceiling does not bind it.")
    L.append("- Mesa: n/a. Each soldier is a Python object; the step is bound by the interpreter.\n")

    L.append("## Full-scale baseline\n")
    L.append("Whole process `awol run scenarios/baseline.yaml --engine E` (1011 days, about 600,000 "
             "soldiers and their recruits; scenario loading, simulation, Parquet and manifest "
             "writing, interpreter start-up), minimum of the repeats, after a 3-day run to warm "
             "the compile caches.\n")
    L.append("| engine | seconds (min) | all repeats |")
    L.append("|---|---:|---|")
    for b in res["baseline"]:
        L.append(f"| {b['engine']} | {b['seconds']:.2f} | {', '.join(f'{s:.2f}' for s in b['all_seconds'])} |")
    L.append("")

    L.append("## Targets\n")
    L.append("| target | measured | reached |")
    L.append("|---|---|---|")
    for t in res["targets"]:
        reached = "yes" if t["reached"] else ("**no**" if t["reached"] is not None else "not measured")
        L.append(f"| {t['target']} | {t['measured']} | {reached} |")
    L.append("")
    path.write_text("\n".join(L))


def targets(res: dict) -> list[dict]:
    def rate(name, n):
        for r in res["timings"][name]:
            if r["n"] == n and r["seconds"] is not None:
                return r
        return None

    out = []
    a, m5 = rate("awol-agents", 10**5), rate("mesa", 10**5)
    ok = None if not (a and m5) else a["rate"] / m5["rate"] >= 500
    out.append({"target": "agent engine ≥ 500× Mesa at N = 10^5",
                "measured": f"{a['rate'] / m5['rate']:,.0f}×" if ok is not None else "-", "reached": ok})
    c, m6 = rate("awol-cohorts", 10**6), rate("mesa", 10**6)
    ok = None if not (c and m6) else c["rate"] / m6["rate"] >= 10_000
    out.append({"target": "cohort engine ≥ 10,000× Mesa at N = 10^6",
                "measured": f"{c['rate'] / m6['rate']:,.0f}×" if ok is not None else "-", "reached": ok})
    c4, c7 = rate("awol-cohorts", 10**4), rate("awol-cohorts", 10**7)
    gave_up = [r for r in res["timings"]["awol-cohorts"] if r["n"] == 10**7 and r["seconds"] is None]
    if gave_up and c4:
        measured, ok = f"> {gave_up[0]['timed_out']:g} s (did not finish) vs {c4['seconds']:.3g} s", False
    elif c4 and c7:
        measured = f"{c7['seconds']:.3g} s vs {c4['seconds']:.3g} s ({c7['seconds'] / c4['seconds']:.1f}×)"
        ok = c7["seconds"] <= 2 * c4["seconds"]
    else:
        measured, ok = "-", None
    out.append({"target": "cohort time at N = 10^7 within 2× of N = 10^4", "measured": measured, "reached": ok})
    base = {b["engine"]: b["seconds"] for b in res["baseline"]}
    for engine, limit in (("agents", 10.0), ("cohorts", 0.5)):
        s = base.get(engine)
        out.append({"target": f"full baseline ≤ {limit:g} s ({engine})",
                    "measured": f"{s:.2f} s" if s is not None else "-",
                    "reached": None if s is None else s <= limit})
    return out


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes and few seeds: check the harness")
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--mesa-days-large", type=int, default=73,
                   help="days Mesa runs at N = 10^6 (the first days; the rate is per agent-step)")
    p.add_argument("--seeds", type=int, default=40, help="seeds of the agreement check")
    p.add_argument("--agreement-n", type=int, default=5000)
    p.add_argument("--baseline-repeats", type=int, default=3)
    p.add_argument("--limit", type=float, default=240,
                   help="seconds after which the cohort run at N = 10^7 is given up (one run, in a child process)")
    p.add_argument("--out", type=Path, default=HERE / "results.md")
    a = p.parse_args(argv)

    res: dict = {"days": a.days, "load_start": [round(x, 2) for x in load()], "machine": machine()}
    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    log("STREAM triad")
    res["stream"] = triad.bandwidth(1 << 22 if a.quick else 1 << 25)
    log(f"  {res['stream']['gb_per_s']:.1f} GB/s")

    for name in ENGINES:  # compile caches warm
        impl.simulate(name, 1000, 0, 3)

    seeds = range(1, (4 if a.quick else a.seeds) + 1)
    n_agree, d_agree = (500, 60) if a.quick else (a.agreement_n, a.days)
    log(f"agreement: {len(seeds)} seeds at N = {n_agree}, {d_agree} days")
    res["agreement"] = impl.agreement(("mesa", *ENGINES), n_agree, d_agree, seeds)
    log(f"  agree: {res['agreement']['agree']}")

    if a.quick:
        sizes = {"mesa": [(10**3, a.days)], "awol-agents": [(10**3, a.days), (10**4, a.days)],
                 "awol-cohorts": [(10**3, a.days), (10**4, a.days)]}
    else:
        sizes = {
            "mesa": [(10**4, a.days), (10**5, a.days), (10**6, a.mesa_days_large)],
            "awol-agents": [(10**4, a.days), (10**5, a.days), (10**6, a.days)],
            "awol-cohorts": [(10**4, a.days), (10**5, a.days), (10**6, a.days), (10**7, a.days), (10**8, a.days)],
        }
    def repeats(name: str, n: int) -> int:
        return 1 if name == "mesa" else (3 if n <= 10**6 else 2)
    res["timings"] = {}
    for name, runs in sizes.items():
        res["timings"][name] = []
        for n, days in runs:
            log(f"{name}: N = {n:,}, {days} days")
            if name == "awol-cohorts" and n >= 10**7:
                r = time_in_subprocess(name, n, days, 1, a.limit)
                if r["seconds"] is None:
                    log(f"  did not finish within {a.limit:g} s")
                    res["timings"][name].append(r)
                    continue
            else:
                r = time_model(name, n, days, repeats(name, n))
            if name == "awol-agents":
                touched = agent_bytes_per_day(n, 1, days)
                r["touched"] = touched
                r["bytes_per_step"] = None if touched is None else touched["bytes_per_day"] / n
            elif name == "awol-cohorts":
                state = cohort_bytes_per_day(n, 1, days)
                r["state"] = state
                r["bytes_per_step"] = None if state is None else state["bytes_per_day"] / n
            log(f"  {r['seconds']:.3g} s, {r['rate']:,.0f} agent-steps/s")
            res["timings"][name].append(r)

    res["baseline"] = []
    if not a.quick:
        for engine in ("agents", "cohorts"):
            log(f"baseline: awol run scenarios/baseline.yaml --engine {engine}")
            b = time_baseline(engine, a.baseline_repeats)
            log(f"  {b['seconds']:.2f} s")
            res["baseline"].append(b)

    res["load_end"] = [round(x, 2) for x in load()]
    res["targets"] = targets(res)
    a.out.write_text("")  # fail early if not writable
    write_report(res, a.out)
    a.out.with_suffix(".json").write_text(json.dumps(res, indent=1, default=str))
    log(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
