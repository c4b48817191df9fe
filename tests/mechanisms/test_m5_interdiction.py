"""M5 detection, interdiction and voluntary return, and where each pathway's absence begins.

An absent man with hiding factor η (here one hiding level: η = 1) in region g meets, in order
(docs/ODD.md, M5): found with p_f(g), where p_f = p_max·(1 − exp(−k_s·S_g/(A_g + 1))) in front,
occupied and border regions and `home_detection_per_day`·L(t) at home; else comes back with
v(t) = v·(1 + (M − 1)·amnesty(t)); else dies with δ; else tries the next route with
`move_per_day` and is stopped there with 1 − exp(−k_c·c). Absences from the line begin at the
unit's front, after leave or a convalescence at home, after hospital in the rear.

Design A (regions front – occupied – home – abroad, nobody moves): line absentees stay at the
front, those not back from leave at home, those not back from hospital in the occupied rear,
convalescents at home; search units at the front and in the rear, police at home. So the men
absent by the line pathway are exactly the men absent at the front, and those absent by the
leave pathway exactly those at home, and each ending's daily count is a binomial of the
previous day's stock with the documented probability.

Design B (front – abroad with c checkpoints; everyone heads abroad): every absent man is at the
front; each day a share (1 − v)·m tries the route and is stopped with 1 − exp(−k_c·c), else
escapes.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from tests.mechanisms.design import design, on_days, run, schedule, yesterday, z_binomial

DAYS = 200
SEARCH_FRONT, SEARCH_REAR, SEARCH_K, SEARCH_MAX = 5.0, 20.0, 10.0, 0.05
HOME_DETECTION, RETURN, RETURN_MULTIPLIER, DEATH_AT_LARGE = 0.01, 0.005, 5.0, 0.001
LEVEL = ((1.0, 0), (2.0, 100))       # pursuit level: search units and police at home
AMNESTY = ((0.0, 0), (0.5, 120))
FOUR_REGIONS = [{"name": "front", "kind": "front"}, {"name": "occupied", "kind": "occupied"},
                {"name": "home", "kind": "home"}, {"name": "abroad", "kind": "exit"}]


@functools.cache
def regions_run(engine: str = "cohorts"):
    scenario = design(
        size=30_000, days=DAYS,
        desertion__base_per_day=5e-4, desertion__leave_no_return=0.1, desertion__treatment_no_return=0.1,
        leave__start_per_day=schedule((0.01, 0)), leave__days=10.0, leave__convalescent_share=0.5,
        casualties__wound_per_day={"rear": 0.0, "line": 2e-3, "assault": 0.0}, casualties__recovery_days=10.0,
        pursuit__regions=FOUR_REGIONS,
        pursuit__routes=[{"from": "front", "to": "occupied", "checkpoints": 0.0},
                         {"from": "occupied", "to": "home", "checkpoints": 0.0},
                         {"from": "home", "to": "abroad", "checkpoints": 0.0}],
        pursuit__search_units={"front": SEARCH_FRONT, "occupied": SEARCH_REAR},
        pursuit__search_k=SEARCH_K, pursuit__search_max_per_day=SEARCH_MAX,
        pursuit__home_detection_per_day=HOME_DETECTION, pursuit__level=schedule(*LEVEL),
        pursuit__voluntary_return_per_day=RETURN, pursuit__amnesty_return_multiplier=RETURN_MULTIPLIER,
        pursuit__death_at_large_per_day=DEATH_AT_LARGE, policy__amnesty=schedule(*AMNESTY),
    )
    return run(scenario, seed=51, engine=engine)


def test_m5_each_pathway_starts_where_it_should_and_leave_absentees_meet_no_front_search():
    """Absent after leave: at home, so found by police and never by search units; from the line: at the
    front, found by search and never by police; after treatment: both (the rear, or home after a
    convalescence)."""
    d = regions_run()
    assert d["ended_leave_search"].sum() == 0 and d["ended_leave_checkpoint"].sum() == 0
    assert d["ended_leave_police"].sum() > 200
    assert d["ended_line_police"].sum() == 0 and d["ended_line_search"].sum() > 200
    assert d["ended_treatment_search"].sum() > 20 and d["ended_treatment_police"].sum() > 20


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m5_search_capture_rises_with_search_units_per_absent_man(engine):
    d = regions_run(engine)
    level = on_days(LEVEL, DAYS)
    assert np.allclose(d["search_units"], (SEARCH_FRONT + SEARCH_REAR) * level)
    absent = yesterday(d["at_large_line"])[1:]            # all of them at the front
    p = SEARCH_MAX * (1 - np.exp(-SEARCH_K * SEARCH_FRONT * level[1:] / (absent + 1)))
    assert p.max() > 0.04 and p[98] < 0.02, "the design must move search capture"
    z = z_binomial(d["ended_line_search"][1:], absent, p)
    assert abs(z) <= 4, z


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m5_police_find_men_at_home_at_their_rate_times_the_pursuit_level(engine):
    d = regions_run(engine)
    found = HOME_DETECTION * on_days(LEVEL, DAYS)[1:]
    z = z_binomial(d["ended_leave_police"][1:], yesterday(d["at_large_leave"])[1:], found)
    assert abs(z) <= 4, z


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
def test_m5_voluntary_return_and_death_at_large_follow_their_rates_and_the_amnesty(engine):
    """Men absent after leave, at home: come back with (1 − p_police)·v(t), v raised by the amnesty from day
    120; die with (1 − p_police)(1 − v(t))·δ."""
    d = regions_run(engine)
    police = HOME_DETECTION * on_days(LEVEL, DAYS)[1:]
    back = np.minimum(1.0, RETURN * (1 + (RETURN_MULTIPLIER - 1) * on_days(AMNESTY, DAYS)[1:]))
    absent = yesterday(d["at_large_leave"])[1:]
    for days in (slice(0, 119), slice(119, None)):    # before and under the amnesty
        z = z_binomial(d["ended_leave_returned"][1:][days], absent[days], ((1 - police) * back)[days])
        assert abs(z) <= 4, ("returned", days, z)
    z = z_binomial(d["ended_leave_died"][1:], absent, (1 - police) * (1 - back) * DEATH_AT_LARGE)
    assert abs(z) <= 4, ("died", z)


# ---------------------------------------------------------------- checkpoints

CHECKPOINT_K, MOVE, BACK = 0.1, 0.3, 0.01


@functools.cache
def checkpoint_run(checkpoints: float, engine: str = "cohorts"):
    scenario = design(
        days=DAYS, desertion__exit_share=1.0, pursuit__move_per_day=MOVE, pursuit__checkpoint_k=CHECKPOINT_K,
        pursuit__voluntary_return_per_day=BACK,
        pursuit__routes=[{"from": "front", "to": "home", "checkpoints": 0.0},
                         {"from": "front", "to": "abroad", "checkpoints": checkpoints}],
    )
    return run(scenario, seed=52, engine=engine)


@pytest.mark.parametrize("engine", ["cohorts", "agents"])
@pytest.mark.parametrize("checkpoints", [2.0, 10.0])
def test_m5_checkpoints_stop_men_on_the_route_with_one_minus_exp_kc(checkpoints, engine):
    d = checkpoint_run(checkpoints, engine)
    stop = 1 - math.exp(-CHECKPOINT_K * checkpoints)
    stopped, escaped = d["ended_line_checkpoint"], d["ended_line_escaped"]
    assert np.allclose(d["checkpoints"], checkpoints)
    assert abs(z_binomial(stopped, stopped + escaped, stop)) <= 4
    absent = yesterday(d["at_large_line"])[1:]
    assert abs(z_binomial(stopped[1:], absent, (1 - BACK) * MOVE * stop)) <= 4


def test_m5_more_checkpoints_stop_more_of_the_men_who_try_the_route():
    """Same seed, 10 checkpoints against 2: a larger share of attempts stopped, beyond 4 standard errors."""
    shares = []
    for checkpoints in (2.0, 10.0):
        d = checkpoint_run(checkpoints)
        k, n = d["ended_line_checkpoint"].sum(), d["ended_line_checkpoint"].sum() + d["ended_line_escaped"].sum()
        shares.append((k / n, (k / n) * (1 - k / n) / n))
    (low, v_low), (high, v_high) = shares
    assert high - low > 4 * math.sqrt(v_low + v_high), (low, high)
