"""The agent engine's calendar: geometric gaps to the next candidate day, and the day lists in blocks."""

from __future__ import annotations

import numpy as np
import pytest

from awol.engines.agents import calendar


def candidate(u, p, first, days):
    return calendar.candidate_day(u, calendar.gap_scale(p), calendar.none_left(p, days - first), first, days)


def test_candidate_day_is_geometric():
    """P(first candidate ≥ first + k) = (1 − p)^k, and none before the end of the run gives `days`."""
    u = (np.arange(200_000) + 0.5) / 200_000  # a fine grid of uniforms: the quantiles
    for p, days in ((0.3, 10_000), (0.01, 10_000), (0.01, 60)):
        got = np.array([candidate(x, p, 10, days) for x in u])
        assert got.min() >= 10 and got.max() <= days
        for k in (0, 1, 5, 49):
            assert np.mean(got >= 10 + k) == pytest.approx((1 - p) ** k, abs=2e-5)
        assert np.mean(got == days) == pytest.approx((1 - p) ** (days - 10), abs=2e-5)
    assert candidate(0.0, 1.0, 7, 20) == candidate(0.999, 1.0, 7, 20) == 7
    assert candidate(0.0, 0.0, 7, 20) == candidate(0.999, 0.0, 7, 20) == 20
    assert candidate(0.999, 0.01, 7, 20) == 20


def test_day_lists_hold_each_soldier_once_and_the_pool_suffices():
    """Random schedules, a day emptied as the kernel does, a rebuild: every soldier due on a
    day is on that day's list exactly once, and the pool never runs dry."""
    days, n = 30, 5000
    cal = calendar.Calendar(days, n)
    C = cal.arrays()
    visit = np.zeros(n, dtype=np.int32)
    gen = np.random.default_rng(3)
    wanted = gen.integers(0, days + 5, size=n)  # some past the run
    for i in range(n):
        calendar.schedule(C, visit, i, int(wanted[i]), days)

    def lists():
        out = {}
        for d in range(days):
            b, got = C.first[d], []
            while b != calendar.END:
                got.extend(C.ids[b * calendar.BLOCK : b * calendar.BLOCK + C.fill[b]])
                b = C.link[b]
            out[d] = sorted(got)
        return out

    for d, got in lists().items():
        assert got == sorted(np.flatnonzero(visit == d))
    # everyone due on day 0 moves to a later day, then the lists of days ≥ 1 are rebuilt
    for i in np.flatnonzero(visit == 0):
        calendar.schedule(C, visit, int(i), int(gen.integers(1, days)), days)
    calendar.release_day(C, 0)
    calendar.rebuild(C, visit, n, 1, days)
    for d, got in lists().items():
        assert got == sorted(np.flatnonzero(visit == d))
    # blocks in use plus free blocks are the whole pool
    used = sum(-(-len(v) // calendar.BLOCK) for v in lists().values())
    b, free_blocks = C.free[0], 0
    while b != calendar.END:
        free_blocks += 1
        b = C.link[b]
    assert used + free_blocks == len(C.fill)




def _day_list(C, day: int) -> list[int]:
    """The ids on a day's list, block by block, in the order they were scheduled."""
    b, got = C.first[day], []
    while b != calendar.END:
        got.extend(C.ids[b * calendar.BLOCK : b * calendar.BLOCK + C.fill[b]].tolist())
        b = C.link[b]
    return got


def _free_blocks(C) -> int:
    b, count = C.free[0], 0
    while b != calendar.END:
        count += 1
        b = C.link[b]
    return count


def test_a_full_block_spills_into_the_next_and_a_released_day_returns_them_all():
    days, n = 5, 2 * calendar.BLOCK + 3
    cal = calendar.Calendar(days, n)
    C = cal.arrays()
    visit = np.zeros(n, dtype=np.int32)
    pool = _free_blocks(C)
    for i in range(n):
        calendar.schedule(C, visit, i, 2, days)
    assert _day_list(C, 2) == list(range(n))
    assert _free_blocks(C) == pool - 3  # two full blocks and one holding 3
    assert C.fill[C.last[2]] == 3
    calendar.release_day(C, 2)
    assert _day_list(C, 2) == [] and C.last[2] == calendar.END
    assert _free_blocks(C) == pool


def test_a_day_past_the_run_is_recorded_on_the_soldier_but_on_no_list():
    days = 4
    cal = calendar.Calendar(days, 8)
    C = cal.arrays()
    visit = np.zeros(8, dtype=np.int32)
    pool = _free_blocks(C)
    calendar.schedule(C, visit, 5, days + 3, days)
    assert visit[5] == days + 3
    assert all(_day_list(C, d) == [] for d in range(days)) and _free_blocks(C) == pool


def test_reserve_adds_blocks_and_keeps_the_lists_in_use():
    """The engine grows the pool when recruits outgrow it mid-run: lists already filled stay as
    they were and the free list holds the old free blocks plus the new ones."""
    days = 10
    cal = calendar.Calendar(days, 2 * calendar.BLOCK)
    C = cal.arrays()
    visit = np.zeros(5000, dtype=np.int32)
    for i in range(2 * calendar.BLOCK):
        calendar.schedule(C, visit, i, i % days, days)
    before = [_day_list(C, d) for d in range(days)]
    free_before, total_before = _free_blocks(C), len(C.fill)
    cal.reserve(5000)
    C = cal.arrays()
    assert [_day_list(C, d) for d in range(days)] == before
    assert _free_blocks(C) == free_before + len(C.fill) - total_before
    assert len(C.fill) >= 5000 // calendar.BLOCK + days + 2  # the pool's bound (module docstring)
    for i in range(2 * calendar.BLOCK, 5000):  # every soldier due on some day: the pool must not run dry
        calendar.schedule(C, visit, i, i % days, days)
    assert sorted(sum((_day_list(C, d) for d in range(days)), [])) == list(range(5000))
