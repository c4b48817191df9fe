"""Inference budgets (issue #14): how long the full problem takes to calibrate, and an updated nowcast after one
new figure. A benchmark, not a test: it measures, writes results.json and results.md beside itself, and never fails
on a time.

    .venv/bin/python benchmarks/inference/run.py            # the full problem (method.yaml's bank: long)
    .venv/bin/python benchmarks/inference/run.py --quick    # a small bank, extrapolated to the full one

Full: `awol calibrate baseline --method npe --workers 2` from an empty bank (bank, training, draws, predictive),
then one figure added to a copy of the bundled data, the posterior rebuilt on the same bank and `awol nowcast
--from-bank` (the bank's runs weighted by the new posterior); a nowcast of fresh runs is timed too.
Quick: the same steps with a bank of --simulations runs; the full problem's time is extrapolated from the
measured bank throughput and training time (stated as such in the results).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEW_FIGURE = (
    "2024-06-01,2024-06-30,cases_filed,all,monthly,950,yes,2024-07-20,1,"
    '"synthetic benchmark figure (not a real count)",benchmark only\n'
)


def awol(*args: str) -> float:
    """Run one awol command as a user would; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "awol.cli", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small bank, extrapolated to the full one")
    parser.add_argument("--simulations", type=int, default=100, help="bank size with --quick (default 100)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nowcast-draws", type=int, default=100)
    parser.add_argument(
        "--predictive-draws",
        type=int,
        default=None,
        help="posterior-predictive runs of the first fit (default: method.yaml's; 40 with --quick)",
    )
    args = parser.parse_args(argv)

    from awol.evidence.calibrate import method_rules
    from awol.evidence.observed import bundled_path

    full = int(method_rules()["npe"]["bank_simulations"])
    full_predictive = int(method_rules()["predictive"]["draws"])
    n = args.simulations if args.quick else full
    predictive = args.predictive_draws or (40 if args.quick else full_predictive)
    work = Path(tempfile.mkdtemp(prefix="awol-infer-bench-"))
    bank = work / "bank"
    common = ["--method", "npe", "--workers", str(args.workers), "--bank", str(bank), "--simulations", str(n)]
    try:
        first = awol("calibrate", "baseline", *common, "--draws", str(predictive), "--out", str(work / "p.json"))
        doc = json.loads((work / "p.json").read_text())
        data = work / "court-cases-plus-one.csv"
        shutil.copy(bundled_path(), data)
        with open(data, "a", encoding="utf-8") as handle:
            handle.write(NEW_FIGURE)
        refit = awol(
            "calibrate", "baseline", *common, "--data", str(data), "--draws", "0", "--out", str(work / "p2.json")
        )
        nowcast = awol("nowcast", str(work / "p2.json"), "--from-bank", "--format", "json")
        simulated = awol("nowcast", str(work / "p2.json"), "--draws", str(args.nowcast_draws), "--workers",
                         str(args.workers), "--format", "json")
        doc2 = json.loads((work / "p2.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    seconds = doc["wall_seconds"]
    per_run = seconds["bank"] / n  # wall seconds per bank run with the workers
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "workers": args.workers,
        "bank_simulations": n,
        "full_bank": full,
        "quick": args.quick,
        "calibrate_seconds": round(first, 1),
        "parts": seconds,
        "bank_wall_seconds_per_run": round(per_run, 3),
        "new_figure": {
            "refit_seconds": round(refit, 1),
            "refit_parts": doc2["wall_seconds"],
            "nowcast_from_bank_seconds": round(nowcast, 1),
            "effective_bank_runs": doc2["bank_nowcast"]["effective_runs"],
            "total_seconds": round(refit + nowcast, 1),
            "simulated_nowcast_seconds": round(simulated, 1),
            "simulated_nowcast_draws": args.nowcast_draws,
        },
    }
    if args.quick:
        result["extrapolated_full_calibrate_seconds"] = round(
            per_run * full
            + seconds["training"] * full / n
            + seconds["predictive"] * full_predictive / predictive
            + (first - seconds["this_session"]),
            0,
        )
        result["note"] = (
            "extrapolated linearly in the bank size (simulation and training) and in the predictive "
            "draws; training time grows with the bank and the epochs early stopping needs, so this is "
            "an estimate"
        )
    (HERE / "results.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    lines = [
        "# Inference budgets",
        "",
        f"Measured {result['date']} on {os.cpu_count()} cores, {args.workers} workers"
        f"{' (quick: a bank of ' + str(n) + ' runs, extrapolated)' if args.quick else ''}.",
        "",
        "| what | seconds | budget |",
        "|---|---|---|",
        f"| calibrate, bank of {n} from empty, {predictive} predictive runs | {first:.0f} | |",
        f"| of which bank ({per_run:.2f} s a run) / training / predictive | {seconds['bank']:.0f} / "
        f"{seconds['training']:.0f} / {seconds['predictive']:.0f} | |",
    ]
    if args.quick:
        lines.append(
            f"| full problem (bank of {full}), extrapolated | {result['extrapolated_full_calibrate_seconds']:.0f}"
            " | 1,800 |"
        )
    else:
        lines[-2] = lines[-2].replace("| |", "| 1,800 |")
    lines.append(f"| one new figure: refit on the bank + nowcast from the bank | {refit + nowcast:.0f} | 120 |")
    lines.append(f"| (a nowcast of {args.nowcast_draws} fresh runs instead) | {simulated:.0f} | |")
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
