"""The agent engine's run: room that must grow, visits only on candidate days, and bounds that must be raised.

The engine visits a soldier only on his candidate days (a Bernoulli process under a
bound on his daily event probability) and thins them to the day's probability. The
pieces (the geometric gap, the day lists) are tested in tests/engines/agents/; these
tests check whole runs: arrays that grow mid-run, the visits saved, and a run whose
desertion rate jumps above its bound mid-run (forcing soldiers to draw fresh
candidates) against the exact expectation.
"""

from __future__ import annotations

import numpy as np
import pytest

from awol.engines import simulate
from awol.engines.agents import run as run_agents
from awol.engines.outputs import as_frame, daily_columns
from awol.model.rates import make_plan
from tests.engines.test_cross_validation import OUTPUTS
from tests.engines.test_expectation import independent
from tests.scenarios import small_scenario


def test_output_does_not_depend_on_the_room_reserved(monkeypatch):
    """Arrays and calendar pool that must grow during the run (recruits beyond the room
    reserved at the start) give the same counts as a run that never grows."""
    from awol.engines import agents

    sc = small_scenario(scale=0.002, days=60)
    roomy = run_agents(make_plan(sc, 60), 4)
    monkeypatch.setattr(agents, "expected_soldiers", lambda plan: 1024)
    tight = run_agents(make_plan(sc, 60), 4)
    soldiers = tight.details.soldiers
    assert soldiers.capacity > 1024 and soldiers.n > 1024
    np.testing.assert_array_equal(roomy.tallies, tight.tallies)


def test_soldiers_are_visited_only_on_candidate_days():
    """On the bundled scenario the engine visits far fewer soldier-days than it simulates."""
    sc = independent()
    details = run_agents(make_plan(sc, sc.simulation.days), 1).details
    assert details.stats.visits < 0.1 * details.soldiers.n * sc.simulation.days


@pytest.mark.slow
def test_a_rate_above_its_bound_forces_fresh_candidates_and_keeps_the_law():
    """Combat intensity triples on day 15, drops on day 28 and triples again on day 33: the
    assault desertion hazard (risk weight 1) rises far above the bound fitted before, so the
    soldiers of those classes draw fresh candidates. Terms end during the run (contracts
    started within 24 months), so term ends, returns from hospital after the term and
    retention are in it too. Means over 40 seeds match the exact expectation within 4
    standard errors (bounded as in test_cross_validation: Var ≤ mean in an independent chain)."""
    intensity = [{"from": "2022-09-24", "value": 1.0}, {"from": "2022-10-09", "value": 3.0},
                 {"from": "2022-10-22", "value": 0.5}, {"from": "2022-10-27", "value": 3.0}]
    sc = independent(casualties__intensity=intensity, desertion__risk_weight=1.0,
                     population__volunteer__started_within_months=24)
    days = sc.simulation.days
    exact = simulate(sc, engine="expected")[OUTPUTS].to_numpy()
    runs, redraws = [], []
    for seed in range(40):
        run = run_agents(make_plan(sc, days), seed)
        daily = as_frame(daily_columns(run, scenario=sc, seed=seed))
        runs.append(daily[OUTPUTS].to_numpy(float))
        redraws.append(run.details.stats.redraw_passes)
    assert min(redraws) >= 2, redraws  # both rises above the bound forced fresh candidates
    x = np.stack(runs)
    check = [10, 16, 22, 30, 36, 39]
    mean = x.mean(axis=0)[check]
    se = np.maximum(x.std(axis=0, ddof=1)[check], np.sqrt(exact[check])) / np.sqrt(len(x))
    se = np.where(se == 0, 1e-9, se)
    z = np.abs(mean - exact[check]) / se
    assert np.all(z < 4), (np.argwhere(z >= 4), z.max())
    assert exact[:, OUTPUTS.index("retained")][-1] > 0 and exact[:, OUTPUTS.index("deaths")].sum() > 0
