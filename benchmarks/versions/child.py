"""One measurement of one version of awol, run with that version's `src/` first on the path.

`run.py` starts this script once per (version, repeat) with PYTHONPATH and NUMBA_CACHE_DIR
pointing into the version's extracted tree, and reads one JSON line from stdout. Only the
public calls every compared version has are used: `awol.engines.simulate`,
`awol.scenario.load.load_scenario` and the tree's own `benchmarks/reference/reference.py`.

    child.py compile ENGINE           first reference run (3 days) in a fresh compile cache
    child.py warm N [N ...]           reference model at each N (365 days) and the full baseline, both engines
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ENGINES = ("agents", "cohorts")


def timed(call) -> dict:
    """CPU seconds (this process) and wall seconds of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}


def main(argv: list[str]) -> None:
    tree = Path(argv[0])
    sys.path.insert(0, str(tree / "benchmarks" / "reference"))
    import reference

    import awol
    from awol.engines import simulate
    from awol.scenario.load import load_scenario

    out: dict = {"awol_file": awol.__file__}
    task = argv[1]
    if task == "compile":
        engine = argv[2]
        sc = reference.scenario(1000, 3, 0)
        out["compile"] = timed(lambda: simulate(sc, seed=0, days=3, engine=engine))
    elif task == "warm":
        sizes = [int(n) for n in argv[2:]]
        baseline = load_scenario(tree / "src" / "awol" / "scenarios" / "baseline.yaml")
        for engine in ENGINES:  # compiled code loaded before anything is timed: whole runs, since some
            simulate(reference.scenario(1000, 365, 0), seed=0, days=365, engine=engine)  # kernels are first
            simulate(baseline, seed=0, engine=engine)  # called late in a run (compiled then, without a warm cache)
        models = {n: reference.scenario(n, 365, 1) for n in sizes}  # built before the clock starts
        out["reference"] = {
            engine: {str(n): timed(lambda n=n, engine=engine: simulate(models[n], seed=1, days=365, engine=engine))
                     for n in sizes}
            for engine in ENGINES
        }
        out["baseline"] = {engine: timed(lambda engine=engine: simulate(baseline, seed=1, engine=engine))
                           for engine in ENGINES}
    else:
        raise SystemExit(f"child.py: unknown task {task!r} (compile or warm)")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
