"""What every engine returns: one type, whatever the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class EngineRun:
    """A run's daily tallies (`model.tallies`) and pursuit levels, and how they were made.

    `tallies` is [days, N_TALLIES]: whole numbers (int64) for engines that draw, floats
    for the expected course (`expectation` True), whose court cases M8 then gives in
    expectation too. `details` is engine-specific (the agent engine's soldiers and
    calendar statistics), for tests and benchmarks.
    """

    tallies: np.ndarray
    search_units: np.ndarray
    checkpoints: np.ndarray
    expectation: bool
    seconds: float
    details: object = field(default=None, repr=False)
