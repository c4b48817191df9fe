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


def at_large_summaries(sc, engine, seeds):
    """Per run: absences ended by each ending, their days at large, the ended absences by
    duration bin, and the deserters still at large at the end."""
    from awol.model.states import ABSENCE_PATHWAYS, DURATIONS, ENDINGS
    from awol.model.tallies import tally_columns

    durations = [n for n in tally_columns() if n.startswith("ended_after_")]
    assert len(durations) == len(DURATIONS)
    out = []
    for seed in seeds:
        d = simulate(sc, seed=seed, engine=engine)
        row = [d[f"absences_ended_{e}"].sum() for e in ENDINGS]
        row += [sum(d[f"days_at_large_{p}_{e}"].sum() for p in ABSENCE_PATHWAYS) for e in ENDINGS]
        row += [d[name].sum() for name in durations]
        row.append(d["at_large"].iloc[-1])
        out.append(row)
    return np.array(out, dtype=float)


@pytest.mark.slow
def test_time_at_large_by_ending_matches_the_cohort_engine():
    """Deserters at large are visited only on candidate days drawn under their class's bound
    (region, destination, hiding level), with search that moves with the number at large
    (adaptive pursuit, baseline at 5 % over 300 days). Over 30 seeds each, the agent and
    cohort engines agree, within 4 standard errors of the difference, on how many absences
    end by each ending, their total days at large, the ended absences by duration bin and
    the number still at large at the end: 19 comparisons, which fail together by chance
    with probability below 0.2 % if the engines agree."""
    sc = small_scenario(scale=0.05, days=300)
    seeds = range(200, 230)
    a = at_large_summaries(sc, "agents", seeds)
    c = at_large_summaries(sc, "cohorts", seeds)
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + c.var(axis=0, ddof=1) / len(c))
    z = np.abs(a.mean(axis=0) - c.mean(axis=0)) / np.where(se == 0, 1e-9, se)
    assert c[:, -1].mean() > 100 and c[:, :6].sum(axis=1).mean() > 500  # enough absences to test
    assert np.all(z < 4), (np.argwhere(z >= 4).ravel(), np.round(z, 1))
