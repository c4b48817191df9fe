"""Piecewise-constant policy schedules evaluated on the simulation calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np


def schedule_values(steps, start: dt.date, days: int) -> np.ndarray:
    """Value of a schedule on each simulated day.

    Before the first step's date the first value holds: a schedule describes the
    policy in force, and a run starting earlier than its first entry has no other.
    """
    offsets = np.array([(s.start - start).days for s in steps])
    values = np.array([s.value for s in steps], dtype=float)
    day = np.arange(days)
    index = np.searchsorted(offsets, day, side="right") - 1
    return values[np.clip(index, 0, len(values) - 1)]
