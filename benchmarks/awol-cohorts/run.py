"""The reference model through awol's cohorts engine: `awol.simulate(..., engine="cohorts")`.

The model is benchmarks/reference/scenario.yaml at size N; `reference.run_awol` times
the whole `simulate` call, set-up and daily table included.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))

import reference  # noqa: E402

ENGINE = "cohorts"


def simulate(n: int, seed: int, days: int):
    """Run the reference model; return (daily table, seconds in simulate)."""
    return reference.run_awol(ENGINE, n, seed, days)
