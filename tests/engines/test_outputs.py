"""The daily output table: dtypes, the date column, court cases lagged per article, flows read from every source.

Columns that are sums of others by construction (captures, deaths, recruits) are not
re-added here; what could go wrong is the wiring: a dtype that changes the bytes of a
run, a date off by one, the filing and verdict lags swapped or an article's cases
filed under another, a transition into absence left out of `new_desertions`.
"""

from __future__ import annotations

import numpy as np
import pytest

from awol.engines.outputs import as_frame, daily_columns
from awol.engines.result import EngineRun
from awol.model import tallies as K
from awol.model.observation import ARTICLES, DISOBEDIENCE, geometric_pmf
from awol.model.states import AT_LARGE, DETAINED, RETAINED, SERVING, TRANSITIONS
from tests.scenarios import small_scenario

DAYS = 400
OPENED = 20_000


@pytest.fixture(scope="module")
def scenario():
    # filing and verdict lags far apart, so that a swap shows
    return small_scenario(days=DAYS, observation__filing_lag_days=60.0, observation__verdict_lag_days=15.0,
                          observation__reporting_share=0.8)


def engine_run(expectation: bool) -> EngineRun:
    """A run whose only events are OPENED disobedience cases opened on day 0."""
    tallies = np.zeros((DAYS, K.N_TALLIES), dtype=float if expectation else np.int64)
    tallies[0, K.CASES_ARTICLE + DISOBEDIENCE] = OPENED
    return EngineRun(tallies, np.full(DAYS, 3.0), np.arange(DAYS) % 5, expectation=expectation, seconds=0.0)


def test_dtypes_and_the_date_column(scenario):
    for expectation, counts in ((False, np.int64), (True, np.float64)):
        out = daily_columns(engine_run(expectation), scenario=scenario, seed=1)
        assert out["day"].tolist() == list(range(DAYS))  # its dtype is the counts' (int32 is cast away)
        assert out["date"].dtype == np.dtype("datetime64[s]")
        assert out["date"][0] == np.datetime64(scenario.simulation.start, "s")
        assert (np.diff(out["date"]) == np.timedelta64(86_400, "s")).all()
        assert out["search_units"].dtype == out["checkpoints"].dtype == np.float64
        others = {k: v.dtype for k, v in out.items() if k not in ("date", "search_units", "checkpoints")}
        assert set(others.values()) == {np.dtype(counts)}, expectation
        assert {len(v) for v in out.values()} == {DAYS}
        frame = as_frame(out)
        assert list(frame.columns) == list(out) and str(frame["date"].dtype) == "datetime64[s]"


def test_expected_court_cases_are_lagged_by_filing_then_verdict_under_their_own_article(scenario):
    out = daily_columns(engine_run(True), scenario=scenario, seed=1)
    filed = OPENED * 0.8 * geometric_pmf(DAYS, 60.0)
    np.testing.assert_allclose(out["cases_filed_disobedience"], filed)
    np.testing.assert_allclose(out["cases_decided_disobedience"], np.convolve(filed, geometric_pmf(DAYS, 15.0))[:DAYS])
    for a in ARTICLES:
        if a != "disobedience":
            assert not out[f"cases_filed_{a}"].any() and not out[f"cases_decided_{a}"].any()
    assert out["cases_opened"][0] == OPENED


def test_drawn_court_cases_follow_the_filing_lag_and_the_runs_seed(scenario):
    out = daily_columns(engine_run(False), scenario=scenario, seed=1)
    filed = out["cases_filed_disobedience"]
    expected = OPENED * 0.8 * geometric_pmf(DAYS, 60.0)
    # cases filed within the run: Binomial(OPENED, 0.8 P(lag < DAYS)); their mean lag: the truncated geometric's
    p_seen = 0.8 * geometric_pmf(DAYS, 60.0).sum()
    assert abs(filed.sum() - OPENED * p_seen) < 4 * np.sqrt(OPENED * p_seen * (1 - p_seen))
    lags = np.arange(DAYS)
    mean_lag = (lags * expected).sum() / expected.sum()
    sd_lag = np.sqrt((lags**2 * expected).sum() / expected.sum() - mean_lag**2)
    assert abs((lags * filed).sum() / filed.sum() - mean_lag) < 4 * sd_lag / np.sqrt(filed.sum())
    assert out["cases_decided_disobedience"].sum() < filed.sum()
    assert out["cases_filed_awol"].sum() == out["cases_filed_desertion"].sum() == 0
    again = daily_columns(engine_run(False), scenario=scenario, seed=1)
    other = daily_columns(engine_run(False), scenario=scenario, seed=2)
    np.testing.assert_array_equal(again["cases_filed"], out["cases_filed"])
    assert not np.array_equal(other["cases_filed"], out["cases_filed"])


def test_new_desertions_and_returns_read_every_transition_the_model_allows(scenario):
    """One soldier on each transition into absence, and out of detention back to duty: the outputs
    count every one the model lists (a pathway added to `TRANSITIONS` but not here would show)."""
    run = engine_run(False)
    for k, (src, dst) in enumerate(TRANSITIONS):
        run.tallies[5, K.flow_index(src, dst)] = 2**k  # distinct powers of 2: a sum tells which flows it holds
    out = daily_columns(run, scenario=scenario, seed=1)
    into_absence = sum(run.tallies[5, K.flow_index(s, d)] for s, d in TRANSITIONS if d == AT_LARGE)
    back = sum(run.tallies[5, K.flow_index(s, d)] for s, d in TRANSITIONS if s == DETAINED and d in (SERVING, RETAINED))
    assert out["new_desertions"][5] == into_absence and len([1 for _, d in TRANSITIONS if d == AT_LARGE]) == 4
    assert out["returned_to_front"][5] == back
