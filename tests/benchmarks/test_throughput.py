"""The throughput benchmark's verdict (benchmarks/throughput/run.py): no timing here, only that the report
says a target is met exactly when the measured figures reach it, and scales a short Q2 answer to the
issue's 100 draws. Speed itself is measured by `make bench` / `make bench-throughput`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "throughput" / "run.py"
spec = importlib.util.spec_from_file_location("throughput_run", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def result(cpu_seconds_per_run: float, wall_runs_per_minute: float, q2_draws: int, q2_free_core_seconds: float):
    workers = 2
    path = {"median_cpu_seconds_per_run": cpu_seconds_per_run,
            "median_cpu_runs_per_minute": 60 * workers / cpu_seconds_per_run,
            "median_runs_per_minute": wall_runs_per_minute}
    q2 = {"seconds": 2 * q2_free_core_seconds, "seconds_on_free_cores": q2_free_core_seconds}
    return {"throughput": {"workers": workers, "today": path, "observables": path},
            "q2": {"draws": q2_draws, "workers": workers, "observables": q2}}


def test_the_runs_target_is_met_exactly_when_a_run_costs_at_most_its_share_of_two_cores():
    allowed = 60 * 2 / bench.TARGET_RUNS_PER_MINUTE  # 0.12 CPU seconds a run on 2 cores
    met = bench.verdict(result(0.9 * allowed, 1200, 100, 10))
    missed = bench.verdict(result(1.1 * allowed, 900, 100, 10))
    assert met["met_on_cpu"] and met["met_on_wall"]
    assert not missed["met_on_cpu"] and not missed["met_on_wall"]
    assert missed["speed_up_needed"] == pytest.approx(1.1)
    assert not bench.verdict(result(0.9 * allowed, 900, 100, 10))["met_on_wall"]  # the two clocks are separate


def test_a_q2_answer_from_fewer_draws_is_scaled_to_the_issues_100_before_it_is_judged():
    short = bench.verdict(result(1.0, 10, 10, 10.0))  # 10 s for 2 × 10 draws: about 100 s for 2 × 100
    assert short["q2_free_core_seconds_at_target_draws"] == pytest.approx(100.0)
    assert not short["q2_met_on_cpu"]
    full = bench.verdict(result(1.0, 10, 100, 10.0))
    assert full["q2_free_core_seconds_at_target_draws"] == pytest.approx(10.0)
    assert full["q2_met_on_cpu"]
