"""The input limits hold what their reasons claim: the calendar, seeds and engine storage fit within them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from awol.engines.agents.soldiers import DTYPES
from awol.engines.rng import child_seed
from awol.scenario import limits
from awol.scenario.load import ScenarioError, scenario_from_tree
from tests.scenarios import small_tree


def test_a_run_of_the_longest_length_from_the_latest_start_stays_in_the_calendar():
    last = limits.LATEST_DATE + dt.timedelta(days=limits.MAX_DAYS)
    assert limits.EARLIEST_DATE < limits.LATEST_DATE < last
    assert np.datetime64(last, "D") - np.datetime64(limits.LATEST_DATE, "D") == limits.MAX_DAYS  # as outputs date it


def test_derived_seeds_are_seeds_a_scenario_accepts():
    """A run's seed comes from `child_seed`; a scenario accepts [0, MAX_SEED), so every derived seed is one."""
    tree = small_tree(days=5)
    for seed in (child_seed(limits.MAX_SEED - 1, k) for k in range(50)):
        assert 0 <= seed < limits.MAX_SEED
    tree["simulation"]["seed"] = limits.MAX_SEED - 1
    assert scenario_from_tree(tree).simulation.seed == limits.MAX_SEED - 1
    tree["simulation"]["seed"] = limits.MAX_SEED
    with pytest.raises(ScenarioError, match="simulation.seed"):
        scenario_from_tree(tree)


def test_the_largest_graph_and_force_fit_the_agent_engines_fields():
    assert np.iinfo(DTYPES.region).max >= limits.MAX_REGIONS - 1
    assert np.iinfo(DTYPES.unit).max >= limits.MAX_UNITS - 1
    assert np.iinfo(DTYPES.contract_end).max >= limits.MAX_DAYS + limits.MAX_MONTHS * 31


def test_counts_at_the_limits_fit_the_tallies():
    """A day's tallies are int64: the largest force plus every inflow over the longest run fits with room."""
    most = 3 * limits.MAX_SOLDIERS + limits.MAX_STEPS * limits.MAX_SOLDIERS + 3 * limits.MAX_PER_DAY * limits.MAX_DAYS
    assert most * limits.MAX_DAYS < np.iinfo(np.int64).max  # even summed over days (days at large)
