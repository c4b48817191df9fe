"""The one random-number scheme: counter-based draws keyed by (seed, who, when, what).

A soldier's uniform on a day is a pure function of the run key, his id, the day
and a stream number, so it does not matter which thread or worker computes it, or
in what order: results are identical whatever the split. The mixer is SplitMix64's
finaliser (Steele, Lea & Flood 2014), applied once to key the soldier and once more
to key the day; further streams of the same soldier-day are mixed again.

Aggregate draws (recruits per day, court-case lags) use NumPy's Philox generator
seeded by `numpy.random.SeedSequence([seed, purpose])`, consumed in day order.
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


def run_key(seed: int) -> np.uint64:
    """The 64-bit key of a run, mixed from its seed."""
    return np.uint64(mix(np.uint64(seed) ^ _GOLDEN))


def generator(seed: int, purpose: int) -> np.random.Generator:
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, purpose])))
