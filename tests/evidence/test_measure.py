"""M8 measured: exact sums on a hand-made daily table; rows outside the run are named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from awol.engines import simulate
from awol.evidence.measure import MeasurementError, measure
from awol.model.observation import ARTICLES
from tests.scenarios import small_scenario

START = pd.Timestamp("2022-09-24")
DAYS = 43  # 24 Sep .. 5 Nov 2022


def hand_table() -> pd.DataFrame:
    """Filed AWOL cases = the day index (0, 1, 2, …), one disobedience case a day, 5 desertion verdicts on 4 Oct."""
    day = np.arange(DAYS)
    table = pd.DataFrame({"day": day, "date": pd.date_range(START, periods=DAYS, freq="D")})
    for a in ARTICLES:
        table[f"cases_filed_{a}"] = 0
        table[f"cases_decided_{a}"] = 0
    table["cases_filed_awol"] = day
    table["cases_filed_disobedience"] = 1
    table.loc[table["date"] == "2022-10-04", "cases_decided_desertion"] = 5
    table["cases_filed"] = sum(table[f"cases_filed_{a}"] for a in ARTICLES)
    table["cases_decided"] = sum(table[f"cases_decided_{a}"] for a in ARTICLES)
    return table


def rows(*specs) -> pd.DataFrame:
    fields = ("date_from", "date_to", "quantity", "article", "kind")
    return pd.DataFrame([dict(zip(fields, s, strict=True)) for s in specs]).assign(
        date_from=lambda t: pd.to_datetime(t["date_from"]), date_to=lambda t: pd.to_datetime(t["date_to"]), use=True)


def test_sums_by_hand():
    observed = rows(
        ("2022-09-24", "2022-10-03", "cases_filed", "awol", "cumulative"),         # days 0..9: 0+…+9 = 45
        ("2022-10-01", "2022-10-31", "cases_filed", "awol", "monthly"),            # days 7..37: (7+37)·31/2 = 682
        ("2022-11-01", "2022-11-05", "cases_filed", "awol", "period"),             # days 38..42: 200
        ("2022-09-24", "2022-09-26", "cases_filed", "all", "cumulative"),          # 0+1+2 AWOL + 3 disobedience = 6
        ("2022-10-01", "2022-10-31", "cases_decided", "desertion", "monthly"),     # 5 on 4 Oct
        ("2022-10-05", "2022-11-05", "cases_decided", "all", "period"),            # none after 4 Oct
        ("2022-09-24", "2022-11-05", "cases_filed", "disobedience", "cumulative"),  # 43 days × 1
        ("2022-10-04", "2022-10-04", "cases_decided", "desertion", "period"),      # a one-day window
    )
    assert measure(hand_table(), observed).tolist() == [45, 682, 200, 6, 5, 0, 43, 5]


def test_rows_outside_the_simulated_days_are_each_named():
    observed = rows(
        ("2022-10-01", "2022-10-31", "cases_filed", "awol", "monthly"),
        ("2022-11-01", "2022-11-30", "cases_filed", "awol", "monthly"),
        ("2022-09-01", "2022-09-30", "cases_filed", "all", "monthly"),
    )
    with pytest.raises(MeasurementError) as caught:
        measure(hand_table(), observed)
    problems = caught.value.problems
    assert len(problems) == 2
    assert "2022-11-01..2022-11-30 lies outside the simulated days 2022-09-24..2022-11-05" in problems[0]
    assert "2022-09-01..2022-09-30 lies outside" in problems[1]


def test_agrees_with_pandas_sums_on_a_real_run():
    daily = simulate(small_scenario(scale=0.1, days=100), seed=5, engine="cohorts")
    observed = rows(
        ("2022-09-24", "2022-12-31", "cases_filed", "all", "cumulative"),
        ("2022-11-01", "2022-11-30", "cases_decided", "awol", "monthly"),
        ("2022-10-15", "2022-12-20", "cases_filed", "desertion", "period"),
    )
    dates = pd.to_datetime(daily["date"])
    expected = [
        daily.loc[dates <= "2022-12-31", "cases_filed"].sum(),
        daily.loc[(dates >= "2022-11-01") & (dates <= "2022-11-30"), "cases_decided_awol"].sum(),
        daily.loc[(dates >= "2022-10-15") & (dates <= "2022-12-20"), "cases_filed_desertion"].sum(),
    ]
    assert measure(daily, observed).tolist() == [float(x) for x in expected]
    assert expected[0] > 0
