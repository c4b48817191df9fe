"""The memory estimate bounds what a run allocates, and refuses work the machine cannot hold."""

from __future__ import annotations

import tracemalloc

import pytest

from awol.engines import simulate_columns
from awol.engines.footprint import MemoryNeedError, available_bytes, check_memory, estimate
from tests.scenarios import small_scenario

MiB = 2**20


@pytest.mark.parametrize("engine", ["agents", "cohorts"])
@pytest.mark.parametrize("scale", [0.01, 0.1])
def test_the_estimate_bounds_the_runs_allocations_without_wasting_much(engine, scale):
    """NumPy reports its allocations to tracemalloc: the run's traced peak must not exceed the estimate,
    and the estimate must not exceed three times that peak plus 16 MiB (bounds set before measuring;
    measured ratios were 1.1 to 1.9), or honest runs would be refused."""
    scenario = small_scenario(scale=scale, days=400)
    simulate_columns(small_scenario(scale=0.001, days=5), engine=engine)  # compiled code loaded first
    tracemalloc.start()
    try:
        simulate_columns(scenario, engine=engine)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    need = estimate(scenario, None, engine).bytes
    assert peak <= need <= 3 * peak + 16 * MiB, (peak / MiB, need / MiB)


def test_more_soldiers_and_more_days_need_more_memory():
    small, large = small_scenario(scale=0.01, days=100), small_scenario(scale=0.1, days=100)
    assert estimate(large, None, "agents").bytes > estimate(small, None, "agents").bytes
    assert estimate(small, 400, "agents").bytes > estimate(small, 100, "agents").bytes
    assert estimate(small, 400, "cohorts").bytes > estimate(small, 100, "cohorts").bytes


def test_work_beyond_the_available_memory_is_refused_naming_the_fields():
    scenario = small_scenario(scale=0.1, days=100)
    need = estimate(scenario, None, "agents").bytes
    check_memory([(scenario, None)], "agents", available=need + 1)
    with pytest.raises(MemoryNeedError) as info:
        check_memory([(scenario, None)], "agents", available=need - 1)
    (line,) = info.value.problems
    assert "population.volunteer.size" in line and "soldier records" in line
    with pytest.raises(MemoryNeedError) as info:
        check_memory([(scenario, None)], "agents", concurrent=2, available=need + 1)
    assert "fewer workers" in info.value.problems[0]
    with pytest.raises(MemoryNeedError) as info:
        check_memory([(scenario, None)], "cohorts", available=1)
    assert "cohorts.risk_bins" in info.value.problems[0]


def test_available_memory_is_read_from_the_machine():
    from pathlib import Path

    total = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                 if line.startswith("MemTotal:"))
    assert 0 < available_bytes() <= total


def test_results_read_back_count_too():
    from awol.engines.footprint import gathered_bytes

    scenario = small_scenario(scale=0.01, days=100)
    assert gathered_bytes(2_000, 1_000) == 2 * gathered_bytes(1_000, 1_000)
    with pytest.raises(MemoryNeedError) as info:
        check_memory([(scenario, None)], "cohorts", concurrent=0, gathered=gathered_bytes(1_000, 1_000),
                     available=gathered_bytes(1_000, 1_000) - 1)
    assert info.value.problems[0].startswith("--runs:")
