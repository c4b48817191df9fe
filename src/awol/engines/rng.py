"""The one random-number scheme: counter-based draws keyed by (seed, who, when, what).

A soldier's uniform on a day is a pure function of the run key, his id, the day
and a stream number, so it does not matter which thread or worker computes it, or
in what order: results are identical whatever the split. The mixer is SplitMix64's
finaliser (Steele, Lea & Flood 2014), applied once to key the soldier and once more
to key the day; further streams of the same soldier-day are mixed again.

Aggregate draws (recruits per day, court-case lags) use NumPy's Philox generator
seeded by `numpy.random.SeedSequence([seed, purpose])`, consumed in day order.
Inside a kernel that draws in a fixed order on one thread (the cohort engine), the
stream is the same mixer over a counter stepped by the golden gamma — SplitMix64
itself — seeded the same way: `stream_state(seed, purpose)`, `next_uniform(state)`,
about 1 ns a draw against about 10 ns for Numba's Mersenne Twister, which takes
only the binomials of large mean (`binomial`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_DAY = np.uint64(0xD1B54A32D192ED03)
_STREAM = np.uint64(0x8CB92BA72F3D8DD7)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0

# Purposes of the aggregate (Philox) streams.
RECRUITS, OBSERVATION, INITIAL, COHORTS = 1, 2, 3, 4


@njit(inline="always", cache=True)
def mix(x):
    """SplitMix64's finaliser: turns a counter into well-mixed bits, so streams can be indexed."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@njit(inline="always", cache=True)
def agent_day_hash(agent_key, day):
    """Hash of (run, agent, day); `agent_key` is the agent's entry of `agent_keys`."""
    return mix(agent_key + np.uint64(day) * _DAY)


@njit(cache=True)
def agent_keys(key, first, out):
    """Per-agent keys mix(key ^ agent·golden) for agents first, first + 1, …: computed once
    per soldier, so a day costs one mixing round per soldier instead of two."""
    for j in range(len(out)):
        out[j] = mix(key ^ (np.uint64(first + j) * _GOLDEN))


@njit(inline="always", cache=True)
def uniform(h, stream):
    """Uniform in [0, 1) for stream `stream` of an agent-day hash `h`."""
    if stream == 0:
        return (h >> _S11) * _TO_UNIT
    return (mix(h ^ (np.uint64(stream) * _STREAM)) >> _S11) * _TO_UNIT


def child_seed(base_seed: int, *keys) -> int:
    """The one way to derive a seed: a run's seed from a base seed and integer keys
    (replicate k; a posterior draw; the bits of a parameter point, `value_keys`).

    A pure function of its arguments, so a run has the same seed whichever worker or
    machine computes it and in whatever order; in [0, 2^63), as a scenario seed.
    """
    state = np.random.SeedSequence([int(base_seed), *(int(k) for k in keys)]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) % (2**63)


def value_keys(values) -> list[int]:
    """Integer keys of a parameter point: the 32-bit words of its float64 values."""
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64)).view(np.uint32).tolist()


def run_key(seed: int) -> np.uint64:
    """The 64-bit key of a run, mixed from its seed."""
    return np.uint64(mix(np.uint64(seed) ^ _GOLDEN))


def generator(seed: int, purpose: int) -> np.random.Generator:
    """A NumPy generator for (seed, purpose): work outside the kernels draws from its own stream."""
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, purpose])))


def stream_state(seed: int, purpose: int) -> np.ndarray:
    """The state (uint64[1]) of a run's sequential in-kernel stream for `purpose`."""
    return np.random.SeedSequence([int(seed), purpose]).generate_state(1, np.uint64)


@njit(inline="always", cache=True)
def next_uniform(state):
    """Next uniform in [0, 1) of a sequential stream (SplitMix64), advancing `state`."""
    state[0] += _GOLDEN
    return (mix(state[0]) >> _S11) * _TO_UNIT


INVERSION_BELOW = 12.0   # binomial means below which inversion beats Numba's BTPE


@njit(inline="always", cache=True)
def binomial(state, n, p):
    """Exact Bin(n, p) for float n ≥ 0 (integral) and any p, as a float.

    Means below `INVERSION_BELOW` use inversion (NumPy's sequential search, with its
    restart bound) on the sequential stream: a few nanoseconds for the small counts that
    dominate. Larger means use Numba's BTPE on its own generator, seeded with the run.
    """
    if n <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return n
    if n == 1.0:
        return 1.0 if next_uniform(state) < p else 0.0
    flip = p > 0.5
    if flip:
        p = 1.0 - p
    mean = n * p
    if mean >= INVERSION_BELOW:
        x = float(np.random.binomial(np.int64(n), p))
        return n - x if flip else x
    q = 1.0 - p
    qn = np.exp(n * np.log1p(-p))
    bound = min(n, mean + 10.0 * np.sqrt(mean * q + 1.0))
    x = 0.0
    px = qn
    u = next_uniform(state)
    while u > px:
        x += 1.0
        if x > bound:
            x = 0.0
            px = qn
            u = next_uniform(state)
        else:
            u -= px
            px = ((n - x + 1.0) * p * px) / (x * q)
    return n - x if flip else x
