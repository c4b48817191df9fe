"""The one random-number scheme: derived seeds, counter-based uniforms, sequential streams, binomials.

Every statistical check uses fixed seeds and a tolerance of 4 standard errors of the
quantity checked (for n uniforms: SE of the mean sqrt(1/12/n), of a correlation 1/sqrt(n)).
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from awol.engines import rng

N = 20_000


def _unit_se(n: int) -> float:
    return np.sqrt(1 / 12 / n)


def test_child_seed_is_a_pure_function_of_its_arguments():
    """The same base and keys give the same seed in any call and whatever integer type carries them."""
    assert rng.child_seed(7, 3) == rng.child_seed(7, 3) == rng.child_seed(np.int64(7), np.uint32(3))
    assert rng.child_seed(7, *rng.value_keys([0.5, 2.0])) == rng.child_seed(7, *rng.value_keys(np.array([0.5, 2.0])))


def test_child_seeds_are_distinct_in_range_and_spread_over_it():
    """Seeds of replicates 0..N-1 under two bases: all distinct, in [0, 2^63), their top and
    bottom bits balanced (a derivation that kept only small numbers or even ones would show)."""
    seeds = np.array([rng.child_seed(base, k) for base in (1, 2) for k in range(N // 2)], dtype=np.uint64)
    assert len(set(seeds.tolist())) == len(seeds)
    assert int(seeds.max()) < 2**63
    top = (seeds >> np.uint64(62)) & np.uint64(1)
    low = seeds & np.uint64(1)
    for bit in (top, low):
        assert abs(bit.mean() - 0.5) < 4 * np.sqrt(0.25 / len(seeds))
    assert rng.child_seed(1, 2, 3) != rng.child_seed(1, 3, 2)  # keys are ordered


def test_runs_seeded_by_child_seeds_draw_independent_streams():
    """The generators of replicates k and k + 1 are uncorrelated (a seed derivation that, say,
    handed out consecutive Philox counters would correlate them)."""
    a = rng.generator(rng.child_seed(11, 0), rng.RECRUITS).random(N)
    b = rng.generator(rng.child_seed(11, 1), rng.RECRUITS).random(N)
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 / np.sqrt(N)
    assert abs(a.mean() - 0.5) < 4 * _unit_se(N)


def test_aggregate_streams_of_one_run_differ_by_purpose():
    draws = {p: rng.generator(5, p).random(N) for p in (rng.RECRUITS, rng.OBSERVATION, rng.INITIAL, rng.COHORTS)}
    names = list(draws)
    for i, p in enumerate(names):
        for q in names[i + 1:]:
            assert abs(np.corrcoef(draws[p], draws[q])[0, 1]) < 4 / np.sqrt(N), (p, q)
    np.testing.assert_array_equal(rng.generator(5, rng.RECRUITS).random(10), draws[rng.RECRUITS][:10])


def test_zero_mean_poisson_takes_nothing_from_the_recruits_stream():
    """The engine skips the day's Poisson draw when every mean is 0; that must not change the stream."""
    g = rng.generator(5, rng.RECRUITS)
    before = str(g.bit_generator.state)
    assert g.poisson(np.zeros(3)).sum() == 0
    assert str(g.bit_generator.state) == before


@njit
def _uniforms(keys, day, stream):
    """What a kernel draws: soldier i's uniform of `stream` on `day` (inside Numba, as the engines do)."""
    out = np.empty(len(keys))
    for i in range(len(keys)):
        out[i] = rng.uniform(rng.agent_day_hash(keys[i], day), stream)
    return out


def _soldier_day_uniforms(seed: int, soldiers: int, day: int, stream: int) -> np.ndarray:
    keys = np.zeros(soldiers, dtype=np.uint64)
    rng.agent_keys(rng.run_key(seed), 0, keys)
    return _uniforms(keys, day, stream)


def test_counter_based_uniforms_lie_in_the_unit_interval_with_mean_one_half():
    for stream in (0, 1, 7):
        u = _soldier_day_uniforms(3, N, day=10, stream=stream)
        assert u.min() >= 0.0 and u.max() < 1.0
        assert abs(u.mean() - 0.5) < 4 * _unit_se(N), stream
        assert abs(u.var() - 1 / 12) < 4 * np.sqrt(1 / 180 / N)  # Var((U - ½)²) = 1/180


def test_streams_days_and_neighbouring_soldiers_are_uncorrelated():
    base = _soldier_day_uniforms(3, N, day=10, stream=0)
    others = {
        "another stream": _soldier_day_uniforms(3, N, day=10, stream=1),
        "the next day": _soldier_day_uniforms(3, N, day=11, stream=0),
        "another run": _soldier_day_uniforms(4, N, day=10, stream=0),
        "the next soldier": np.roll(base, 1),
    }
    for what, other in others.items():
        assert abs(np.corrcoef(base, other)[0, 1]) < 4 / np.sqrt(N), what
        assert not np.array_equal(base, other), what


def test_a_soldiers_uniform_does_not_depend_on_how_the_soldiers_are_split():
    """Keys computed for soldiers 0..99 at once equal keys computed in two parts from their own offsets,
    so whichever worker or block handles a soldier draws the same numbers for him."""
    key = rng.run_key(9)
    whole = np.zeros(100, dtype=np.uint64)
    rng.agent_keys(key, 0, whole)
    parts = np.zeros(100, dtype=np.uint64)
    rng.agent_keys(key, 0, parts[:37])
    rng.agent_keys(key, 37, parts[37:])
    np.testing.assert_array_equal(whole, parts)
    assert len(set(whole.tolist())) == 100


def test_sequential_stream_is_uniform_and_keyed_by_seed_and_purpose():
    state = rng.stream_state(5, rng.COHORTS)
    u = np.array([rng.next_uniform(state) for _ in range(N)])
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 4 * _unit_se(N)
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / np.sqrt(N)  # successive draws
    again = rng.stream_state(5, rng.COHORTS)
    assert [rng.next_uniform(again) for _ in range(5)] == u[:5].tolist()
    other = rng.stream_state(5, rng.INITIAL)
    assert rng.next_uniform(other) != u[0]


def test_binomial_edge_cases():
    state = rng.stream_state(1, rng.COHORTS)
    assert rng.binomial(state, 0.0, 0.3) == 0.0
    assert rng.binomial(state, 10.0, 0.0) == 0.0
    assert rng.binomial(state, 10.0, 1.0) == 10.0
    assert rng.binomial(state, 1.0, 0.999999) in (0.0, 1.0)


@pytest.mark.parametrize("n, p", [(20.0, 0.3), (1.0, 0.4), (50.0, 0.9), (400.0, 0.2), (5000.0, 0.7)])
def test_binomial_draws_follow_the_binomial_law(n, p):
    """Inversion (small means, p flipped above ½) and BTPE (large means): a chi-square test of the
    counts against Bin(n, p), cells pooled to an expected count of at least 20, at the 0.1 % level."""
    state = rng.stream_state(2, rng.COHORTS)
    draws = np.array([rng.binomial(state, n, p) for _ in range(N)])
    assert np.all(draws == np.round(draws)) and draws.min() >= 0 and draws.max() <= n
    k = np.arange(int(n) + 1)
    expected = stats.binom.pmf(k, int(n), p) * N
    observed = np.bincount(draws.astype(int), minlength=len(k))
    # pool neighbouring cells until each holds an expected count of at least 20
    cells_obs, cells_exp, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected, strict=True):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= 20:
            cells_obs.append(acc_o)
            cells_exp.append(acc_e)
            acc_o = acc_e = 0.0
    cells_obs[-1] += acc_o
    cells_exp[-1] += acc_e
    chi2 = sum((o - e) ** 2 / e for o, e in zip(cells_obs, cells_exp, strict=True))
    assert stats.chi2.sf(chi2, len(cells_obs) - 1) > 1e-3, (chi2, len(cells_obs))
