"""The forward model: a batch of points gives, run by run, what the full daily table of each run gives."""

from __future__ import annotations

import numpy as np
import pytest

from awol.evidence.observed import load_observed
from awol.evidence.priors import declared_priors, from_unit, sample_unit
from awol.evidence.simulator import COLUMNS, HIDDEN, Problem, hidden_values, simulate_point, simulate_points
from awol.scenario.load import scenario_from_tree
from tests.evidence.conftest import small_calibration_tree

DAYS = 90


@pytest.fixture
def problem(small_data):
    """The small scenario under the declared priors, with three figures inside its days (conftest)."""
    scenario = scenario_from_tree(small_calibration_tree(days=DAYS))
    return Problem(scenario.raw, tuple(declared_priors(scenario=scenario)), load_observed(small_data), DAYS,
                   base_seed=3)


def test_a_batch_of_points_gives_what_each_full_table_gives(problem):
    values = from_unit(list(problem.priors), sample_unit(3, len(problem.priors), 5))
    seeds = [11, 12, 11]
    batch = simulate_points(problem, values, seeds, keep_cases=True)
    for k, outcome in enumerate(batch):
        full = simulate_point(problem, values[k], seeds[k], keep_cases=True, keep_daily=True)
        assert full.daily is not None and outcome.daily is None
        assert np.array_equal(outcome.published, full.published) and len(outcome.published) == len(problem.observed)
        assert np.array_equal(outcome.hidden, full.hidden)
        assert np.array_equal(outcome.cases, full.cases) and outcome.cases.dtype == full.cases.dtype
        assert np.array_equal(outcome.hidden, hidden_values(full.daily))
        one = simulate_point(problem, values[k], seeds[k], keep_cases=True)  # the default path is the batch path
        assert np.array_equal(one.hidden, outcome.hidden) and np.array_equal(one.published, outcome.published)
    assert not np.array_equal(batch[0].hidden, batch[2].hidden)  # another point, the same seed: other totals


def test_the_columns_kept_are_those_the_outcome_reads():
    named = {c for _, col, _ in HIDDEN for c in ((col,) if isinstance(col, str) else col)}
    assert named <= set(COLUMNS) and len(COLUMNS) == len(set(COLUMNS))
    assert {"cases_filed_awol", "cases_decided_desertion"} <= set(COLUMNS)
