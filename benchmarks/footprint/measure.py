"""The memory estimate (`awol.engines.footprint`) against the peak resident memory of real runs.

For each engine and size, a fresh process loads awol, makes a tiny run (so that compiled
code and libraries are resident), resets its peak-RSS mark (`/proc/self/clear_refs`,
Linux), makes the run and reads the peak (`VmHWM`). The run's own memory is that peak
less the resident memory before it; the estimate should lie above it. Writes
benchmarks/footprint/results.json. Usage: python benchmarks/footprint/measure.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = [("agents", 0.01, 1), ("agents", 0.1, 1), ("agents", 1.0, 1), ("agents", 1.0, 4),
         ("cohorts", 0.01, 1), ("cohorts", 1.0, 1), ("cohorts", 1.0, 4)]

CHILD = r"""
import json, sys
from pathlib import Path
from awol.engines import simulate_columns
from awol.engines.footprint import estimate, PROCESS_BYTES
from awol.scenario.edits import scaled
from awol.scenario.load import read_tree, scenario_from_tree
from awol.scenario.provenance import strip_annotations

engine, scale, times = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])

def kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024

tree, _ = strip_annotations(read_tree("baseline"))
tree = scaled(tree, scale)
for c in ("volunteer", "mobilised", "detainee"):
    tree["population"][c]["size"] *= times
tree["recruitment"]["volunteer_per_day"] *= times
tree["recruitment"]["mobilisation"][0]["size"] *= times
sc = scenario_from_tree(tree)
simulate_columns(scenario_from_tree(scaled(tree, 0.001)), days=30, engine=engine)  # load compiled code
before = kb("VmRSS")
Path("/proc/self/clear_refs").write_text("5")
simulate_columns(sc, engine=engine)
peak = kb("VmHWM")
fp = estimate(sc, None, engine)
print(json.dumps({"engine": engine, "scale": scale, "times": times, "process_before": before,
                  "run_peak": peak - before, "estimate": fp.bytes, "parts": fp.parts,
                  "process_bytes_assumed": PROCESS_BYTES}))
"""


def main() -> None:
    rows = []
    for engine, scale, times in CASES:
        out = subprocess.run([sys.executable, "-c", CHILD, engine, str(scale), str(times)], capture_output=True,
                             text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{engine:8s} scale {scale:<5} ×{times}: process {row['process_before'] / 2**20:7.0f} MiB, "
              f"run peak {row['run_peak'] / 2**20:8.1f} MiB, estimate {row['estimate'] / 2**20:8.1f} MiB", flush=True)
    (HERE / "results.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
