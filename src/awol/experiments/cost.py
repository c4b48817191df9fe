"""What an experiment will cost, said before it starts: soldiers, soldier-days and seconds.

The CLI states a sensitivity analysis's run count and time and asks for `--yes` above
a threshold; the web refuses jobs above a size and shows every job's time before it
runs. Both use these estimates. The rates are measured on the 2-core development
machine with nothing else running (docs/experiments.md, Throughput: 89 full-scale
baseline runs of 1,011 days a minute in one process, 0.67 s a run with its file): the
cohort engine's cost follows its pools and cohorts, not its soldiers, so a run costs
about the same per simulated day at any scale, taken here as 1 ms (a margin of half
again for the scenarios that recruit to a target); the agent engine's cost follows
soldier-days (a full-scale baseline run, about 1.6e9 soldier-days, takes about 0.8 s).
A machine shared with other work is slower: an estimate is a floor, not a promise.
"""

from __future__ import annotations

from awol.scenario.schema import Scenario

SECONDS_PER_DAY = {"cohorts": 1.0e-3, "agents": 2.0e-4, "expected": 5.0e-3}  # per simulated day of one run
SECONDS_PER_SOLDIER_DAY = {"cohorts": 0.0, "agents": 5.0e-10, "expected": 0.0}  # added per soldier-day


def soldiers_estimate(scenario: Scenario, days: int) -> float:
    """Soldiers a run will hold at most, at the scenario's scale: the initial force, the mobilisation
    quotas and the recruits expected over `days` (`model.rates.make_plan`), with a force target at its cap."""
    from awol.model.rates import make_plan

    plan = make_plan(scenario, days)
    target = scenario.recruitment.force_target
    extra = target.max_per_day * scenario.simulation.scale * days if target is not None else 0.0
    return float(plan.initial_size.sum() + plan.mobilisation.sum() + plan.recruits.sum() + extra)


def seconds_estimate(scenario: Scenario, days: int, runs: int, engine: str, workers: int = 1) -> float:
    """Wall seconds for `runs` runs of `days` days on `workers` processes (an idle machine's floor)."""
    soldier_days = soldiers_estimate(scenario, days) * days
    per_run = SECONDS_PER_DAY[engine] * days + SECONDS_PER_SOLDIER_DAY[engine] * soldier_days
    return per_run * runs / max(1, min(workers, runs))


def duration(seconds: float) -> str:
    """'about 40 s', 'about 12 min', 'about 2.5 h'."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"
