"""The implementations of the reference model, one folder each, behind one call.

`simulate(name, n, seed, days)` returns (daily table, seconds): for awol the whole
`awol.simulate` call, for Mesa the daily steps only (building the agents is timed
apart, and left out of its rate, which favours Mesa). `agreement` runs several
seeds of each and compares the means of the outputs of the reference model.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "reference"))

import reference  # noqa: E402

FOLDERS = {"mesa": "mesa/model.py", "awol-agents": "awol-agents/run.py", "awol-cohorts": "awol-cohorts/run.py"}
_loaded: dict = {}


def module(name: str):
    """The implementation's module, loaded from its folder (folder names are not importable)."""
    if name not in _loaded:
        path = HERE / FOLDERS[name]
        sys.path.insert(0, str(path.parent))
        try:
            spec = importlib.util.spec_from_file_location(f"reference_{name.replace('-', '_')}", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
        finally:
            sys.path.remove(str(path.parent))
        _loaded[name] = mod
    return _loaded[name]


def simulate(name: str, n: int, seed: int, days: int):
    """Run one implementation; return (daily table, seconds timed, seconds of set-up not timed)."""
    if name == "mesa":
        daily, stepping, setup = module(name).simulate(reference.tree(n, days, seed), seed, days)
        return daily, stepping, setup
    daily, seconds = module(name).simulate(n, seed, days)
    return daily, seconds, 0.0


def agreement(names, n: int, days: int, seeds, tolerance: float = 4.0) -> dict:
    """Means over seeds of every output, and the largest standardised difference per output.

    For two implementations a and b, z = |mean_a − mean_b| / √(se_a² + se_b²), se the
    standard error of the mean over seeds. They agree when every z ≤ `tolerance`.
    """
    values = {name: {o: [] for o in reference.OUTPUTS} for name in names}
    for name in names:
        for seed in seeds:
            daily, _, _ = simulate(name, n, seed, days)
            for o, v in reference.summarise(daily).items():
                values[name][o].append(v)
    rows = []
    for o in reference.OUTPUTS:
        stats = {}
        for name in names:
            xs = values[name][o]
            mean = sum(xs) / len(xs)
            var = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)
            stats[name] = (mean, math.sqrt(var / len(xs)))
        worst = 0.0
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                (ma, sa), (mb, sb) = stats[a], stats[b]
                se = math.hypot(sa, sb)
                z = abs(ma - mb) / se if se > 0 else (0.0 if ma == mb else math.inf)
                worst = max(worst, z)
        rows.append({"output": o, "stats": stats, "max_z": worst})
    return {
        "n": n, "days": days, "seeds": list(seeds), "tolerance": tolerance, "names": list(names),
        "rows": rows, "agree": all(r["max_z"] <= tolerance for r in rows),
    }
