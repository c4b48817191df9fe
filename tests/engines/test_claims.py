"""Direction of effect of the mechanisms, as the report's claims state them (C1-C6).

Each test runs R seeds per arm of a scaled-down baseline and asserts that the
difference of means exceeds 4 standard errors of the difference (Welch), in the
claimed direction. With effects of the size the mechanisms produce, a wrong sign
or a missing mechanism fails; noise alone passes with probability < 1e-4.
"""

from __future__ import annotations

import numpy as np
import pytest

import awol
from awol.scenario.load import scenario_from_tree
from tests.scenarios import small_tree
from tests.stats import assert_greater

pytestmark = pytest.mark.slow

SEEDS = range(1, 11)
DAYS = 500


def runs(tree):
    scenario = scenario_from_tree(tree)
    return [awol.simulate(scenario, seed=s, days=DAYS) for s in SEEDS]


@pytest.fixture(scope="module")
def baseline_runs():
    return runs(small_tree(scale=0.02, days=DAYS))


def test_releasing_at_term_lowers_retention_and_desertion(baseline_runs):
    """C1-C3: honouring contracts empties 'retained past term' and cuts desertions."""
    honour = runs(small_tree("honour-contracts", scale=0.02, days=DAYS))
    assert_greater([d["retained_past_term"].iloc[-1] for d in baseline_runs],
                   [d["retained_past_term"].iloc[-1] for d in honour], "retained past term")
    assert_greater([d["new_desertions"].sum() for d in baseline_runs],
                   [d["new_desertions"].sum() for d in honour], "desertions")


def capture_rate(daily):
    """Captures per deserter-day at large: the hazard of being caught, whatever the number who desert."""
    return daily["captures"].sum() / max(1, daily["at_large"].sum())


def test_more_checkpoints_and_search_catch_deserters_faster(baseline_runs):
    """C4: more pursuit → a deserter at large is caught sooner."""
    more = runs(small_tree("more-checkpoints", scale=0.02, days=DAYS))
    assert_greater([capture_rate(d) for d in more], [capture_rate(d) for d in baseline_runs], "capture rate")
    tree = small_tree(scale=0.02, days=DAYS)
    for route in tree["pursuit"]["routes"]:
        route["checkpoints"] *= 3
    tree["pursuit"]["adaptive"]["enabled"] = False
    fixed = small_tree(scale=0.02, days=DAYS, pursuit__adaptive__enabled=False)
    assert_greater([capture_rate(d) for d in runs(tree)], [capture_rate(d) for d in runs(fixed)],
                   "capture rate with three times the checkpoints")


def test_returned_deserters_die_at_a_higher_rate(baseline_runs):
    """C2, C5: men sent back after capture die faster than those who never deserted.

    Rates are deaths per soldier-day on duty over the same days of the same runs;
    the comparison is paired by run.
    """
    returned = np.array([d["deaths_returned"].sum() / d["on_duty_returned"].sum() for d in baseline_runs])
    never = np.array([
        (d["deaths"].sum() - d["deaths_returned"].sum()) / (d["on_duty"].sum() - d["on_duty_returned"].sum())
        for d in baseline_runs
    ])
    diff = returned - never
    assert diff.mean() > 4 * diff.std(ddof=1) / np.sqrt(len(diff)), (returned, never)


def test_detainee_recruitment_raises_the_inflow():
    """C6: offering detainees a contract adds recruits."""
    more = small_tree(scale=0.02, days=DAYS)
    none = small_tree(scale=0.02, days=DAYS)
    for step in none["recruitment"]["detentions_per_day"]:
        step["value"] = 0
    with_detainees, without = runs(more), runs(none)
    assert_greater([d["recruits"].sum() for d in with_detainees], [d["recruits"].sum() for d in without], "recruits")
    assert all(d["recruits_detainee"].sum() == 0 for d in without)
