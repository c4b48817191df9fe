"""Fuzz: the suite's property tests of inputs, with many more examples than `make test` gives them.

Runs, with Hypothesis's example budget raised to EXAMPLES (environment AWOL_FUZZ_EXAMPLES):

* tests/scenario/test_properties.py: scenario files generated from the schema's JSON schema
  and mutations of a valid scenario, each through `awol run` (a run with sane counts, or
  exit 2 naming a field; never a traceback);
* tests/web/test_openapi.py: schemathesis against the OpenAPI schema (no 5xx, responses
  as documented), in-process;
* the fixed corpora of malformed files and requests (tests/scenario/test_load.py,
  tests/scenario/test_schema.py, tests/web/test_api.py, tests/cli/test_bad_input.py).

Writes benchmarks/fuzz/results.json: pass/fail per module, wall time, and how the generated
scenarios ended (ran / refused). Usage: python benchmarks/fuzz/fuzz.py [--examples 400]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODULES = ["tests/scenario/test_properties.py", "tests/web/test_openapi.py", "tests/scenario/test_load.py",
           "tests/scenario/test_schema.py", "tests/web/test_api.py", "tests/cli/test_bad_input.py"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=400)
    args = parser.parse_args()
    outcomes = Path(tempfile.mkstemp(prefix="awol-fuzz-", suffix=".txt")[1])
    env = {**os.environ, "AWOL_FUZZ_EXAMPLES": str(args.examples), "AWOL_FUZZ_OUTCOMES": str(outcomes),
           "PYTHONPATH": str(ROOT)}
    rows = []
    for module in MODULES:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", module],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        last = (done.stdout.strip().splitlines() or [""])[-1]
        rows.append({"module": module, "passed": done.returncode == 0, "summary": last,
                     "seconds": round(time.monotonic() - started, 1),
                     "failures": [] if done.returncode == 0 else done.stdout[-4000:].splitlines()})
        print(f"{module}: {last} ({rows[-1]['seconds']} s)", flush=True)
    counted = collections.Counter(outcomes.read_text().split())
    outcomes.unlink()
    result = {"examples_per_property": args.examples, "modules": rows, "generated_scenarios": dict(counted),
              "all_passed": all(r["passed"] for r in rows)}
    (HERE / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({"generated_scenarios": dict(counted), "all_passed": result["all_passed"]}))
    if not result["all_passed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
