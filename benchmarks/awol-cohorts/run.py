"""The reference model through awol's cohorts engine: `awol.simulate(..., engine="cohorts")`.

The model is benchmarks/reference/scenario.yaml at size N (reference.scenario); the
time is that of the whole `simulate` call, set-up and daily table included.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))

import reference  # noqa: E402
from awol.engines import simulate as awol_simulate  # noqa: E402

ENGINE = "cohorts"


def simulate(n: int, seed: int, days: int):
    """Run the reference model; return (daily table, seconds in simulate)."""
    scenario = reference.scenario(n, days, seed)
    started = time.perf_counter()
    daily = awol_simulate(scenario, seed=seed, days=days, engine=ENGINE)
    return daily, time.perf_counter() - started
