"""M4 Command response (claim C4).

Search units (per region) and checkpoints (per route) follow the scenario's base
allocation times a fixed schedule L(t) (`pursuit.level`, default 1), or, with
`adaptive.enabled`, grow with recent desertions:

    target(t) = min(cap, base · L(t) + g · D̄(t − lag)),
    level(t+1) = level(t) + a · (target(t) − level(t)),

with D̄ the mean daily desertions over `window_days` ending `lag_days` ago, gain g
per daily desertion, adjustment speed a, and cap. The growth is spread over
regions and routes in proportion to the base allocation. Mobile military-police
groups hunting deserters in occupied Luhansk and Donetsk were reported in March
2024 (censor.net, 12 Mar 2024) and more checkpoints in Aug 2024 (the NRC report).
"""

from __future__ import annotations

import numpy as np


def recent_desertions(history: np.ndarray, today: int, lag: int, window: int) -> float:
    """Mean daily desertions over the `window` days ending `lag` days before today."""
    stop = max(0, today - lag)
    start = max(0, stop - window)
    return float(history[start:stop].sum()) / (stop - start) if stop > start else 0.0


def adaptive_target(base_total: float, per_desertion: float, recent: float, cap: float) -> float:
    """M5 adaptive pursuit: command adds search units in proportion to recent desertions, up to a cap."""
    return float(min(max(cap, base_total), base_total + per_desertion * recent))


def adjust(level: float, target: float, speed: float) -> float:
    """Command moves towards its target gradually (units take time to raise or stand down)."""
    return level + speed * (target - level)


def allocate(total: float, base: np.ndarray) -> np.ndarray:
    """Spread a total over places in proportion to their base allocation."""
    base = np.asarray(base, float)
    s = base.sum()
    return base * (total / s) if s > 0 else base
