"""The benchmark harness: the reference scenario is valid, and its implementations agree.

Statistical agreement at a small size over a year (fixed seeds): every output's mean
over seeds within 4 standard errors between implementations. A year, not a few weeks:
absent soldiers take days to reach home, so police captures and voluntary returns are
too few in a short run to tell a model without them. No timing here; speed is measured
by `make bench`. Mesa is only in the `bench` extra: its part is skipped when it is not
installed.
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
        assert sc.pursuit.search_units["rear"] == pytest.approx(40 * n / 100_000)
        assert "home" not in sc.pursuit.search_units  # police find absent soldiers at home
        # the subset: no recruitment, no checkpoints, no adaptive pursuit, no peer effect, no leave,
        # absences from the line only, one hiding level, nobody dies at large, one prosecution rule
        assert all(s.value == 0 for s in sc.recruitment.volunteer_per_day) and not sc.recruitment.mobilisation
        assert all(r.checkpoints == 0 for r in sc.pursuit.routes)
        assert not sc.pursuit.adaptive.enabled and sc.desertion.peer_weight == 0
        assert all(s.value == 0 for s in sc.leave.start_per_day) and sc.leave.convalescent_share == 0
        assert sc.desertion.leave_no_return == sc.desertion.treatment_no_return == sc.desertion.refusal == 0
        assert sc.pursuit.hiding_levels == 1 and sc.pursuit.death_at_large_per_day == 0
        assert sc.policy.short_first_prosecution == sc.policy.prosecution_share
        assert sc.pursuit.home_detection_per_day > 0


def test_awol_runs_none_of_the_mechanisms_the_reference_model_leaves_out():
    """The neutral settings are neutral in awol's engines: nobody on leave, no absence but from the
    line, no refusal, no death at large, no checkpoint; and what the model has does happen. 20,000
    soldiers for 120 days: about 10 voluntary returns and 30 finds by police are expected (8 seeds at
    2,000 gave 1 and 4.5 on average in both engines), so a zero would not be chance (P < 1e-4)."""
    for name in ("awol-agents", "awol-cohorts"):
        daily, _, _ = implementations.simulate(name, 20_000, 1, 120)
        for column in ("on_leave", "absences_leave", "absences_treatment", "refusals", "deaths_at_large",
                       "captures_checkpoint"):
            assert daily[column].sum() == 0, (name, column)
        assert daily["new_desertions"].sum() == daily["absences_line"].sum() > 0, name
        assert daily["captures_police"].sum() > 0 and daily["voluntary_returns"].sum() > 0, name


def test_awol_engines_agree_on_the_reference_model():
    result = implementations.agreement(("awol-agents", "awol-cohorts"), 2000, 365, range(1, 11))
    bad = [(r["output"], round(r["max_z"], 2)) for r in result["rows"] if r["max_z"] > 4]
    assert result["agree"], bad
    # the run is not empty: soldiers die, desert, are caught by search and by police, and come back
    means = {r["output"]: r["stats"]["awol-agents"][0] for r in result["rows"]}
    for output in ("total_deaths", "total_new_desertions", "total_captures_search", "total_captures_police",
                   "total_voluntary_returns", "total_escapes"):
        assert means[output] > 0, output


@pytest.mark.parametrize("field, value, named", [
    (("leave", "start_per_day"), [{"from": "2024-01-01", "value": 0.004}], "leave"),
    (("leave", "convalescent_share"), 0.5, "leave"),
    (("desertion", "refusal"), 0.01, "refusal"),
    (("desertion", "treatment_no_return"), 0.03, "treatment_no_return"),
    (("desertion", "peer_weight"), 0.5, "peer_weight"),
    (("pursuit", "hiding_levels"), 4, "hiding_levels"),
    (("pursuit", "death_at_large_per_day"), 0.0001, "death_at_large_per_day"),
    (("policy", "short_first_prosecution"), [{"from": "2024-01-01", "value": 0.05}], "short_first_prosecution"),
    (("policy", "prosecution_share"), [{"from": "2024-01-01", "value": 0.1}, {"from": "2024-06-01", "value": 0.4}],
     "policy.prosecution_share"),
    (("recruitment", "volunteer_per_day"), [{"from": "2024-01-01", "value": 10}], "recruitment"),
])
def test_mesa_refuses_a_scenario_outside_the_reference_model(field, value, named):
    """Mesa has none of awol's other mechanisms: a tree that switches one on is refused, naming it,
    rather than run as a different model from awol's."""
    require_mesa()
    mesa_model = implementations.module("mesa")
    tree = reference.tree(100, 10, 1)
    assert mesa_model.outside_reference(tree) == []
    tree[field[0]][field[1]] = value
    problems = mesa_model.outside_reference(tree)
    assert any(named in p for p in problems), problems
    with pytest.raises(ValueError, match=named):
        mesa_model.ReferenceModel(tree, seed=1)


@pytest.mark.slow
def test_mesa_agrees_with_awol_on_the_reference_model():
    require_mesa()
    result = implementations.agreement(("mesa", "awol-agents", "awol-cohorts"), 2000, 365, range(1, 11))
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
