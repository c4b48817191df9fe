"""Piecewise-constant schedules on the run's calendar: which step is in force on each day."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np

from awol.model.schedules import schedule_values

START = dt.date(2022, 9, 24)


def steps(*pairs):
    """Schedule steps as the schema gives them: `.start` (a date) and `.value`."""
    return [SimpleNamespace(start=START + dt.timedelta(days=offset), value=value) for offset, value in pairs]


def test_a_step_takes_effect_on_its_own_date_and_not_before():
    values = schedule_values(steps((0, 1.0), (10, 2.0), (11, 3.0)), START, 15)
    assert values.dtype == np.float64 and len(values) == 15
    np.testing.assert_array_equal(values[[0, 9, 10, 11, 14]], [1.0, 1.0, 2.0, 3.0, 3.0])


def test_the_step_in_force_at_the_start_is_the_last_one_dated_before_it():
    values = schedule_values(steps((-20, 5.0), (-5, 6.0), (3, 7.0)), START, 6)
    np.testing.assert_array_equal(values, [6.0, 6.0, 6.0, 7.0, 7.0, 7.0])


def test_before_the_first_step_its_value_holds():
    """A run that starts before the schedule's first entry has no other policy to go by."""
    values = schedule_values(steps((4, 0.5), (8, 0.9)), START, 10)
    np.testing.assert_array_equal(values, [0.5] * 8 + [0.9] * 2)


def test_steps_after_the_run_do_not_reach_into_it():
    values = schedule_values(steps((0, 1.0), (30, 9.0)), START, 30)
    assert (values == 1.0).all()
