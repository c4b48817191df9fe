"""The benchmark harness: the reference scenario is valid, and its implementations agree.

Statistical agreement at a small size over a few weeks (fixed seeds): every output's
mean over seeds within 4 standard errors between implementations. No timing here;
speed is measured by `make bench`. Mesa is only in the `bench` extra: its part is
skipped when it is not installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import implementations  # noqa: E402
import reference  # noqa: E402


def require_mesa() -> None:
    """Skip unless Mesa itself is installed: without it, `import mesa` finds benchmarks/mesa/ as a namespace."""
    spec = importlib.util.find_spec("mesa")
    if spec is None or not spec.has_location:
        pytest.skip("mesa is not installed (it is in the bench extra: make bench)")


def test_reference_scenario_is_a_valid_awol_scenario_at_every_size():
    for n in (10, 10**4, 10**7):
        sc = reference.scenario(n, 365, 1)
        assert sc.population.volunteer.size == n
        assert sc.pursuit.search_units["home"] == pytest.approx(60 * n / 100_000)
        # the subset: no recruitment, no checkpoints, no adaptive pursuit, no peer effect
        assert sc.recruitment.volunteer_per_day == 0 and not sc.recruitment.mobilisation
        assert all(r.checkpoints == 0 for r in sc.pursuit.routes)
        assert not sc.pursuit.adaptive.enabled and sc.desertion.peer_weight == 0


def test_awol_engines_agree_on_the_reference_model():
    result = implementations.agreement(("awol-agents", "awol-cohorts"), 2000, 60, range(1, 11))
    bad = [(r["output"], round(r["max_z"], 2)) for r in result["rows"] if r["max_z"] > 4]
    assert result["agree"], bad
    # the run is not empty: soldiers die, desert and are caught
    means = {r["output"]: r["stats"]["awol-agents"][0] for r in result["rows"]}
    assert means["total_deaths"] > 0 and means["total_new_desertions"] > 0 and means["total_captures_search"] > 0


def test_mesa_agrees_with_awol_on_the_reference_model():
    require_mesa()
    result = implementations.agreement(("mesa", "awol-agents", "awol-cohorts"), 2000, 60, range(1, 11))
    bad = [(r["output"], round(r["max_z"], 2)) for r in result["rows"] if r["max_z"] > 4]
    assert result["agree"], bad


def test_agreement_detects_a_different_model():
    """The check can fail: a Mesa run with desertion ten times likelier does not agree."""
    require_mesa()
    mesa_model = implementations.module("mesa")

    class Deserting(mesa_model.ReferenceModel):
        def _set_day_rates(self):
            super()._set_day_rates()
            self.desertion = {s: [min(1.0, 10 * h) for h in hs] for s, hs in self.desertion.items()}

    def run(n, seed, days):
        model = Deserting(reference.tree(n, days, seed), seed=seed)
        for _ in range(days):
            model.step()
        return model.datacollector.get_model_vars_dataframe().reset_index(drop=True), 0.0, 0.0

    original = implementations.simulate
    implementations.simulate = lambda name, n, seed, days: (
        run(n, seed, days) if name == "mesa" else original(name, n, seed, days))
    try:
        result = implementations.agreement(("mesa", "awol-agents"), 2000, 60, range(1, 11))
    finally:
        implementations.simulate = original
    assert not result["agree"]
