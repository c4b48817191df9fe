"""Analysis of run tables: totals per run then over runs, weekly and monthly aggregates, paired quantiles, xarray."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from awol.experiments import analysis


def runs(n: int = 5, days: int = 45, seed: int = 3) -> list[pd.DataFrame]:
    """Daily tables of the engines' shape with random counts (no simulation needed)."""
    rng = np.random.default_rng(seed)
    dates = (np.datetime64("2023-01-30") + np.arange(days)).astype("datetime64[s]")
    out = []
    for k in range(n):
        out.append(pd.DataFrame({
            "run": np.int32(k), "replicate": np.int32(k), "seed": np.int64(100 + k),
            "day": np.arange(days, dtype=np.int32),
            "date": dates, "new_desertions": rng.poisson(3 + k, days), "deserters_at_large": rng.poisson(50, days),
            "retained": rng.poisson(10, days),
        }))
    return out


def test_weekly_flow_is_each_runs_own_weekly_sum_then_quantiles():
    tables = runs()
    weekly = analysis.period_quantiles(tables, "new_desertions", "week")
    # computed another way: pandas resampling of each run, then the median over runs
    sums = np.stack([t.set_index(pd.to_datetime(t["date"]))["new_desertions"].resample("W-SUN").sum().to_numpy()
                     for t in tables])
    np.testing.assert_allclose(weekly["q50"].to_numpy(), np.median(sums, axis=0))
    assert len(weekly) == sums.shape[1] < 45
    # a sum of daily medians is not a median of sums: the test can tell them apart
    daily_medians = np.median(np.stack([t["new_desertions"] for t in tables]), axis=0)
    assert not np.allclose(pd.Series(daily_medians, index=pd.to_datetime(tables[0]["date"])).resample("W-SUN").sum(),
                           weekly["q50"])


def test_monthly_stock_is_the_last_day_of_each_month():
    tables = runs(days=70)
    monthly = analysis.period_quantiles(tables, "deserters_at_large", "month")
    assert list(monthly.index.strftime("%Y-%m-%d")) == ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-09"]
    last = np.stack([t["deserters_at_large"].to_numpy()[[1, 29, 60, 69]] for t in tables])
    np.testing.assert_allclose(monthly["q50"], np.median(last, axis=0))
    assert analysis.is_stock("retained") and analysis.is_stock("on_duty_assault")
    assert not analysis.is_stock("new_desertions") and not analysis.is_stock("flow_serving_to_at_large")
    with pytest.raises(ValueError, match="period"):
        analysis.period_quantiles(tables, "retained", "year")


def test_summary_quantiles_are_over_per_run_totals():
    zero = dict.fromkeys(("imprisoned", "captures", "returned_to_front", "deaths", "recruits", "cases_opened",
                          "cases_filed", "cases_decided"), 0)
    tables = [t.assign(on_duty=1, retained_past_term=t["retained"], **zero) for t in runs()]
    summaries = analysis.summary_table(tables)
    table = analysis.summary_quantiles(summaries).set_index("summary")
    totals = [t["new_desertions"].sum() for t in tables]
    assert table.loc["total_new_desertions", "q50"] == np.median(totals)
    assert table.loc["total_new_desertions", "q05"] == np.quantile(totals, 0.05)
    assert table.loc["final_deserters_at_large", "q50"] == np.median([t["deserters_at_large"].iloc[-1] for t in tables])
    assert set(table.index) == set(analysis.SUMMARIES) and set(analysis.UNITS) == set(analysis.SUMMARIES)


def test_paired_differences_carry_the_quantiles_of_the_pairs():
    base = pd.DataFrame({"scenario": "a", "replicate": range(6), "total_deaths": [10., 12, 9, 14, 11, 13]})
    other = base.assign(scenario="b", total_deaths=base["total_deaths"] + [1, 2, 3, 4, 5, 6])
    d = analysis.paired_differences(pd.concat([base, other]), "a").iloc[0]
    assert d["mean_difference"] == pytest.approx(3.5)
    assert d["q50"] == pytest.approx(3.5) and d["q05"] == pytest.approx(np.quantile([1, 2, 3, 4, 5, 6], 0.05))
    assert d["low"] < 3.5 < d["high"]


def test_runs_as_an_xarray_dataset():
    tables = runs(n=3, days=10)
    ds = analysis.as_dataset(tables)
    assert dict(ds.sizes) == {"run": 3, "date": 10}
    assert list(ds["run"].values) == [0, 1, 2] and list(ds["seed"].values) == [100, 101, 102]
    np.testing.assert_array_equal(ds["new_desertions"].sel(run=2).values, tables[2]["new_desertions"].to_numpy())
    assert ds["new_desertions"].sum("date").values.tolist() == [t["new_desertions"].sum() for t in tables]
