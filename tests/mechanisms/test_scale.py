"""Scale invariance: a run at `simulation.scale` s has the per-soldier rates of the full-scale run.

Sizes and inflows are multiplied by s; every term that counts soldiers (absent men per pursuer
in the arrest term, absent men per search unit, the adaptive command's gains, a force target)
sees counts divided by s (docs/ODD.md, Scales). Three checks:

1. The plan (everything fixed by the schedules) is the same at 2 % and full scale, but for the
   sizes and inflows, which are multiplied by the scale.
2. The day's rates given a state are the same at 2 % and at full scale when the 2 % state is the
   full-scale state times 0.02: every probability, the propensity table and the pursuit levels,
   over 60 days of a state with many absent men and a desertion spike (so that the adaptive
   command, the arrest term and search capture all move).
3. The baseline run at 2 % (eight seeds) and at full scale (its own seed) give the same hazards
   per soldier-day: leaving from the line by status, not returning per leave or treatment that
   ends, each ending of an absence per absent soldier-day, death per soldier-day on duty. The
   standard error combines the spread of the eight small runs over √8 with the full run's own error:
   the larger of its Poisson error and the small runs' spread times √0.02 (a run's variance falls
   as 1/size, and the feedback makes it more than Poisson); z ≤ 4. With eight seeds this detects a
   difference of about 4 % in the hazards of leaving and about 15 % in search captures. Noise
   alone leaves smaller differences: units and regions hold 50 times fewer men at 2 %, and the
   peer term and search capture are not linear in their counts (in 32 seeds the hazards of leaving
   came out 1-1.5 % higher at 2 %, search captures 3 % lower; see docs/testing.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from awol.model.rates import Aggregate, Dynamics, make_plan
from awol.scenario.edits import scaled
from awol.scenario.load import read_tree, scenario_from_tree
from tests.mechanisms.design import baseline_run, yesterday

SMALL = 0.02
DAYS = 1011


def plans():
    tree = read_tree("baseline")
    return (make_plan(scenario_from_tree(scaled(tree, 1.0)), DAYS),
            make_plan(scenario_from_tree(scaled(tree, SMALL)), DAYS))


def test_the_plan_differs_between_scales_only_in_sizes_and_inflows():
    full, small = plans()
    for field in ("release", "death", "wound", "propensity_fixed", "severity", "prosecute", "voluntary_return",
                  "assault_returned"):
        assert np.array_equal(getattr(full, field), getattr(small, field)), field
    for a, b in zip(full.hiding, small.hiding, strict=True):
        assert np.array_equal(a, b)
    assert np.allclose(small.recruits, SMALL * full.recruits)
    assert np.all(np.abs(small.initial_size - SMALL * full.initial_size) <= 0.5)
    assert abs(small.mobilisation.sum() - SMALL * full.mobilisation.sum()) <= 0.5


def test_the_days_rates_are_the_same_for_a_state_scaled_down():
    full, small = plans()
    dyn_full, dyn_small = Dynamics(full), Dynamics(small)
    regions = full.geography.n_regions
    units = full.scenario.population.units
    rng = np.random.default_rng(5)
    at_large = rng.uniform(500, 5000, size=regions)          # full-scale absent men by region
    on_duty = rng.uniform(15_000, 30_000, size=units)
    compared = 0
    for t in range(60):
        desertions = rng.uniform(20, 60, size=units) * (8.0 if 20 <= t < 30 else 1.0)
        states = []
        for s in (1.0, SMALL):
            states.append(Aggregate(at_large * s, on_duty * s, desertions * s, float(on_duty.sum()) * s))
        a, b = dyn_full.rates(t, states[0]), dyn_small.rates(t, states[1])
        for field in a._fields:
            x, y = np.asarray(getattr(a, field), float), np.asarray(getattr(b, field), float)
            if field == "recruits":
                y = y / SMALL
            if field == "mobilised_quota":
                continue                                       # an exact count at each scale
            assert np.allclose(x, y, rtol=1e-9, atol=1e-12), (t, field)
            compared += 1
        dyn_full.record(t, float(desertions.sum()))
        dyn_small.record(t, float(desertions.sum()) * SMALL)
        at_large = at_large * rng.uniform(0.97, 1.05, size=regions)
    assert compared > 1000
    assert dyn_full.search_total > 1.5 * full.geography.base_search.sum(), "the state must move the command"


def hazards(d) -> dict[str, tuple[float, float]]:
    """(events, exposure) for each per-soldier-day hazard, over days 1 … end."""
    later = slice(1, None)
    out = {}
    for status in ("serving", "retained"):
        events = sum(d[f"line_absences_{status}_{r}"] for r in ("rear", "line", "assault"))
        out[f"leaves from the line, {status}"] = (events[later].sum(), yesterday(d[status])[later].sum())
    leave_ends = sum(d[f"flow_on_leave_to_{s}"] for s in ("serving", "retained", "at_large", "detained"))
    hospital_ends = sum(d[f"flow_hospital_to_{s}"] for s in ("serving", "retained", "released", "on_leave",
                                                            "at_large", "detained"))
    out["not back, per leave or treatment ending"] = (
        (d["flow_on_leave_to_at_large"] + d["flow_hospital_to_at_large"]).sum(), (leave_ends + hospital_ends).sum())
    for ending in ("search", "police", "checkpoint", "returned"):
        out[f"absence ends by {ending}"] = (d[f"absences_ended_{ending}"][later].sum(),
                                            yesterday(d["at_large"])[later].sum())
    out["death on duty"] = (d["deaths"][later].sum(), yesterday(d["on_duty"])[later].sum())
    return out


@pytest.mark.slow
def test_hazards_per_soldier_day_agree_at_two_percent_and_full_scale():
    full = hazards(baseline_run(1.0))
    small = [hazards(baseline_run(SMALL, seed)) for seed in range(1, 9)]
    for name, (k, n) in full.items():
        rates = np.array([ks / ns for ks, ns in (s[name] for s in small)])
        se = np.sqrt(rates.var(ddof=1) / len(rates) + max(k / n**2, SMALL * rates.var(ddof=1)))
        z = (rates.mean() - k / n) / se
        assert k > 1000, name
        assert abs(z) <= 4, (name, rates.mean(), k / n, z)
