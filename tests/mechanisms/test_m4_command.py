"""M4 the command's response to desertion (C4: more hunters and checkpoints after desertions rise).

With `adaptive.enabled`, each day t ≥ 1 (docs/ODD.md, M4)

  D̄(t) = mean daily new absences over the `window_days` days ending `lag_days` before t,
  target(t) = min(cap, base·L(t) + g·D̄(t)),   level(t) = level(t − 1) + a·(target(t) − level(t − 1)),

for search units and for checkpoints, each with its own gain and cap. The recursion is written
out here and run on the simulated new absences: the search units and checkpoints of the run
must be exactly its result.

Design: line soldiers whose hazard of leaving jumps about twentyfold on day 60 (combat
intensity 0.1 → 1.5 with risk weight 2), so absences spike; the search units reach their cap,
the checkpoints do not.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from tests.mechanisms.design import design, run, schedule, yesterday

DAYS = 200
BASE_SEARCH, BASE_CHECKPOINTS = 10.0, 4.0
LAG, WINDOW, ADJUST = 7, 10, 0.2
SEARCH_GAIN, CHECKPOINT_GAIN, SEARCH_CAP, CHECKPOINT_CAP = 2.0, 0.5, 100.0, 200.0
SPIKE = 60


@functools.cache
def spike_run(adaptive: bool):
    scenario = design(
        size=30_000, days=DAYS,
        desertion__base_per_day=1e-4, desertion__risk_weight=2.0,
        casualties__death_per_day={"rear": 0.0, "line": 1e-3, "assault": 0.0},
        casualties__intensity=schedule((0.1, 0), (1.5, SPIKE)),
        pursuit__search_units={"front": BASE_SEARCH},
        pursuit__routes=[{"from": "front", "to": "home", "checkpoints": BASE_CHECKPOINTS / 2},
                         {"from": "front", "to": "abroad", "checkpoints": BASE_CHECKPOINTS / 2}],
        pursuit__search_k=1.0, pursuit__search_max_per_day=0.05, pursuit__move_per_day=0.2,
        pursuit__checkpoint_k=0.05,
        pursuit__adaptive={"enabled": adaptive, "lag_days": LAG, "window_days": WINDOW,
                           "search_per_desertion": SEARCH_GAIN, "checkpoints_per_desertion": CHECKPOINT_GAIN,
                           "adjust_per_day": ADJUST, "max_search_units": SEARCH_CAP,
                           "max_checkpoints": CHECKPOINT_CAP},
    )
    return run(scenario, seed=61)


def adaptive_levels(new_absences: np.ndarray, base: float, gain: float, cap: float) -> np.ndarray:
    level = np.empty(len(new_absences))
    level[0] = base
    for t in range(1, len(level)):
        stop = max(0, t - LAG)
        start = max(0, stop - WINDOW)
        recent = new_absences[start:stop].mean() if stop > start else 0.0
        target = min(max(cap, base), base + gain * recent)
        level[t] = level[t - 1] + ADJUST * (target - level[t - 1])
    return level


def test_m4_adaptive_pursuit_follows_recent_absences_with_its_lag_gain_speed_and_caps():
    d = spike_run(True)
    absences = d["new_desertions"].astype(float)
    assert absences[SPIKE + 5:].mean() > 10 * absences[:SPIKE].mean(), "the design must make a spike"
    search = adaptive_levels(absences, BASE_SEARCH, SEARCH_GAIN, SEARCH_CAP)
    checkpoints = adaptive_levels(absences, BASE_CHECKPOINTS, CHECKPOINT_GAIN, CHECKPOINT_CAP)
    assert search.max() > 0.95 * SEARCH_CAP, "the design must reach the search cap"
    assert np.allclose(d["search_units"], search, rtol=1e-9, atol=1e-9)
    assert np.allclose(d["checkpoints"], checkpoints, rtol=1e-9, atol=1e-9)


def test_c4_after_a_desertion_spike_the_adaptive_command_catches_absent_men_faster():
    """C4: same seed, adaptive command against fixed pursuit. Before the spike (and its lag) both arms
    have the base levels; after it the adaptive arm has more search units and checkpoints, and absent men
    are caught (by search or at a checkpoint) at a higher daily rate, beyond 4 standard errors."""
    adaptive, fixed = spike_run(True), spike_run(False)
    assert np.allclose(fixed["search_units"], BASE_SEARCH) and np.allclose(fixed["checkpoints"], BASE_CHECKPOINTS)
    assert adaptive["search_units"][-1] > 5 * BASE_SEARCH and adaptive["checkpoints"][-1] > 5 * BASE_CHECKPOINTS
    after = slice(SPIKE + LAG + 20, None)
    rates = []
    for d in (adaptive, fixed):
        caught = (d["captures_search"] + d["captures_checkpoint"])[after].sum()
        exposed = yesterday(d["at_large"])[after].sum()
        rates.append((caught / exposed, caught / exposed**2))
    (high, v_high), (low, v_low) = rates
    assert high - low > 4 * math.sqrt(v_high + v_low), (high, low)
