"""M5: checkpoints, search, detection at home, hiding levels, shortest paths."""

from __future__ import annotations

import numpy as np
import pytest

from awol.model import interdiction


def test_interception_and_search_directions():
    cp = interdiction.checkpoint_interception(np.array([0, 2, 8]), 0.08)
    assert cp[0] == 0 and cp[2] > cp[1] > 0
    s = interdiction.search_capture(np.array([10, 40, 40]), np.array([100, 100, 1000]), 10.0, 0.05)
    assert s[1] > s[0] and s[1] > s[2]
    assert (s <= 0.05).all()


def test_detection_is_search_away_from_home_and_police_at_home():
    d = interdiction.detection(np.array([0.01, 0.02, 0.03]), np.array([False, True, False]), 0.007)
    np.testing.assert_allclose(d, [0.01, 0.007, 0.03])


@pytest.mark.parametrize("shape, levels", [(0.7, 4), (2.0, 8), (0.3, 1)])
def test_hiding_levels_keep_the_mean_and_spread_it(shape, levels):
    factors, probs = interdiction.hiding_levels(shape, levels)
    assert probs.sum() == pytest.approx(1.0)
    assert (factors * probs).sum() == pytest.approx(1.0, rel=1e-9)
    assert np.all(np.diff(factors) > 0)
    # each level's factor is the gamma's mean over its bin of probability 1/L, by numerical integration
    from scipy import integrate, stats

    gamma = stats.gamma(shape, scale=1 / shape)
    edges = gamma.ppf(np.linspace(0, 1, levels + 1))
    means = [levels * integrate.quad(lambda x: x * gamma.pdf(x), a, b, epsabs=1e-11, limit=200)[0]
             for a, b in zip(edges[:-1], edges[1:], strict=True)]
    np.testing.assert_allclose(factors, means, rtol=1e-6)


def test_next_hops_follow_shortest_paths():
    # 0 - 1 - 2 - 3(target), and 1 - 4 (dead end), 5 isolated
    hops = interdiction.next_hops(6, [(0, 1), (1, 2), (2, 3), (1, 4)], [3])
    assert list(hops) == [1, 2, 3, 3, 1, 5]
