"""What an experiment will cost, said before it starts: more work never looks cheaper."""

from __future__ import annotations

import pytest

from awol.experiments.cost import duration, seconds_estimate, soldiers_estimate
from awol.scenario.load import load_scenario
from tests.scenarios import small_scenario

ENGINES = ("agents", "cohorts", "expected")


@pytest.fixture(scope="module")
def scenarios():
    return {scale: small_scenario(scale=scale, days=100) for scale in (0.01, 0.1)}


def test_soldiers_grow_with_scale_and_days(scenarios):
    small, large = scenarios[0.01], scenarios[0.1]
    assert soldiers_estimate(small, 100) < soldiers_estimate(large, 100)
    assert soldiers_estimate(large, 100) == pytest.approx(10 * soldiers_estimate(small, 100), rel=0.01)
    assert soldiers_estimate(small, 50) < soldiers_estimate(small, 100) < soldiers_estimate(small, 400)


def test_a_force_target_counts_at_its_cap():
    with_target = load_scenario("detainee-recruitment")
    target = with_target.recruitment.force_target
    assert target is not None
    assert soldiers_estimate(with_target, 100) - soldiers_estimate(with_target, 99) >= target.max_per_day


@pytest.mark.parametrize("engine", ENGINES)
def test_seconds_never_fall_as_runs_days_or_soldiers_grow(scenarios, engine):
    small, large = scenarios[0.01], scenarios[0.1]
    grid = [(days, runs) for days in (10, 100, 1000) for runs in (1, 4, 16)]
    for days, runs in grid:
        base = seconds_estimate(small, days, runs, engine)
        assert base > 0
        assert seconds_estimate(small, days * 2, runs, engine) > base
        assert seconds_estimate(small, days, runs + 1, engine) > base
        assert seconds_estimate(large, days, runs, engine) >= base


def test_workers_divide_the_time_up_to_one_per_run(scenarios):
    sc = scenarios[0.01]
    one = seconds_estimate(sc, 100, 8, "agents", workers=1)
    assert seconds_estimate(sc, 100, 8, "agents", workers=2) == pytest.approx(one / 2)
    assert seconds_estimate(sc, 100, 8, "agents", workers=8) == pytest.approx(one / 8)
    assert seconds_estimate(sc, 100, 8, "agents", workers=64) == pytest.approx(one / 8)  # idle workers help nothing
    assert seconds_estimate(sc, 100, 8, "agents", workers=0) == pytest.approx(one)


@pytest.mark.parametrize("seconds, words", [(0.2, "about 1 s"), (40, "about 40 s"), (89.4, "about 89 s"),
                                            (90, "about 2 min"), (720, "about 12 min"), (5399, "about 90 min"),
                                            (5400, "about 1.5 h"), (9000, "about 2.5 h")])
def test_durations_in_words(seconds, words):
    assert duration(seconds) == words
