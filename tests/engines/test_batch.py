"""Many runs in one call (`engines.simulate_many`): each run is the run made alone, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from awol.engines import BatchError, simulate_columns, simulate_many
from awol.scenario.edits import with_values
from awol.scenario.load import scenario_from_tree
from tests.scenarios import small_tree

COLUMNS = ["retained_past_term", "deserters_at_large", "new_desertions", "cases_filed_awol", "cases_decided_desertion",
           "days_at_large_ended", "search_units", "date"]
DAYS = 50


@pytest.fixture(scope="module")
def scenarios():
    """Two scenarios of one name that differ in one parameter, and another scenario."""
    tree = small_tree(days=DAYS)
    return (scenario_from_tree(tree), scenario_from_tree(with_values(tree, {"desertion.base_per_day": 3e-4})),
            scenario_from_tree(small_tree("honour-contracts", days=DAYS)))


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_each_run_of_a_batch_is_that_run_made_alone(scenarios, engine):
    base, deserting, honour = scenarios
    batch = [(base, 3), (deserting, 3), (honour, 4), (base, 5), (base, 3)]   # repeats, a shared scenario object
    got = simulate_many([s for s, _ in batch], [seed for _, seed in batch], columns=COLUMNS, engine=engine)
    assert set(got) == set(COLUMNS)
    for k, (scenario, seed) in enumerate(batch):
        alone = simulate_columns(scenario, seed=seed, engine=engine)
        for name in COLUMNS:
            assert got[name].shape == (len(batch), DAYS)
            assert got[name].dtype == alone[name].dtype, name
            assert np.array_equal(got[name][k], alone[name]), (k, name)
    # and the runs differ where they should: another parameter, another seed
    assert not np.array_equal(got["new_desertions"][0], got["new_desertions"][1])
    assert not np.array_equal(got["new_desertions"][0], got["new_desertions"][3])


def test_days_apply_to_every_run(scenarios):
    base, _, honour = scenarios
    got = simulate_many([base, honour], [1, 1], columns=["on_duty"], days=20)
    assert got["on_duty"].shape == (2, 20)
    assert np.array_equal(got["on_duty"][1], simulate_columns(honour, seed=1, days=20)["on_duty"])


def test_an_empty_batch_is_empty():
    assert simulate_many([], [], columns=["on_duty"], days=10)["on_duty"].shape == (0, 10)


def test_bad_batches_are_refused_naming_the_argument(scenarios):
    base, _, _ = scenarios
    longer = scenario_from_tree(small_tree(days=DAYS + 1))
    for kwargs, says in (
        (dict(scenarios=[base], seeds=[1, 2], columns=["on_duty"]), "seeds: 2 seeds for 1 scenarios"),
        (dict(scenarios=[base], seeds=[1], columns=["on_duty", "nonsense"]), "columns: 'nonsense' is not a daily"),
        (dict(scenarios=[base], seeds=[1], columns=[]), "columns: none named"),
        (dict(scenarios=[base, longer], seeds=[1, 1], columns=["on_duty"]), f"days: the scenarios run for {DAYS}, "),
        (dict(scenarios=[base], seeds=[1], columns=["on_duty"], days=0), "days: 0 must be at least 1"),
        (dict(scenarios=[base], seeds=[1], columns=["on_duty"], engine="fast"), "engine: 'fast' is not an engine"),
    ):
        with pytest.raises(BatchError) as caught:
            simulate_many(**kwargs)
        assert len(caught.value.problems) == 1 and caught.value.problems[0].startswith(says), caught.value.problems
