"""The ODD's patterns (docs/ODD.md, section 1) in the bundled baseline, with tolerances stated here.

The tolerances were set before the baseline was run against them (by the task that wrote these
tests, issue #13): the force on duty within the published range of each date; killed and
wounded per day within ±25 % of each monthly UK Defence Intelligence figure; more than half of
the prosecuted absences opened by 3 Apr 2023 longer than a month. The figures are read from
`data/manpower.csv` and `data/absences.csv`, where each has its source. One full-scale run of
the baseline with its own seed (the cohort engine); at that size the sampling error of every
quantity here is below 1 %, so the tolerances are about the model, not the draw. Patterns the
baseline misses are marked xfail (strict) with the value it gives, so that they are reported,
not tuned away, and a model change that meets them shows up.

"Force in the war zone" is read as the soldiers on duty (serving or held past term): not those
in hospital, on leave at home, absent, detained or imprisoned.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from tests.mechanisms.design import baseline_run

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[2] / "src" / "awol" / "data"
LAST_DAY = dt.date(2025, 6, 30)      # the baseline's last day
KW_TOLERANCE = 0.25
DURATION_BINS = ("under_3_days", "3_to_10_days", "11_to_30_days", "31_to_90_days", "91_to_180_days", "over_180_days")


def rows(name: str, quantity: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["quantity"] == quantity and r["use"] == "pattern"]


def dates(d) -> np.ndarray:
    return d["date"].astype("datetime64[D]")


def mean_over(d, column: str, first: dt.date, last: dt.date) -> float:
    days = (dates(d) >= np.datetime64(first)) & (dates(d) <= np.datetime64(last))
    assert days.any(), (first, last)
    return float(np.asarray(d[column], float)[days].mean())


def month(year: int, m: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, m, 1)
    return first, (dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))


# ---------------------------------------------------------------- force in the war zone

FORCE = [  # (month, low, high): the published range around that month (figures in data/manpower.csv)
    pytest.param((2023, 12), 450_000, 617_000, id="Dec 2023"),   # Ukrainian intelligence; Russian claim, 14 Dec
    pytest.param((2024, 6), 470_000, 700_000, id="Jun 2024"),    # Ukrainian intelligence, early 2024; claim, 14 Jun
    pytest.param((2025, 6), 600_000, 700_000, id="Jun 2025",     # Zelensky, Jan 2025; foreign intelligence, Jul
                 marks=pytest.mark.xfail(strict=True, reason="the baseline has 806,000 on duty in Jun 2025 "
                                                             "(seed 20220924), above 700,000")),
]


def test_the_force_bounds_are_figures_of_the_data():
    figures = set()
    for r in rows("manpower.csv", "force_in_war_zone"):
        figures |= {float(r[k]) for k in ("value", "low", "high") if r[k]}
    for param in FORCE:
        _, low, high = param.values
        assert {low, high} <= figures, (low, high)


@pytest.mark.parametrize(("when", "low", "high"), FORCE)
def test_the_force_on_duty_lies_in_the_published_range(when, low, high):
    force = mean_over(baseline_run(1.0), "on_duty", *month(*when))
    assert low <= force <= high, force


# ---------------------------------------------------------------- killed and wounded per day

KW_MISSED = {"2023-11-01": "the baseline has 688 a day in Nov 2023 (seed 20220924), 26 % below 931"}


def kw_params():
    out = []
    for r in rows("manpower.csv", "killed_and_wounded_per_day"):
        first, last = dt.date.fromisoformat(r["period_from"]), dt.date.fromisoformat(r["period_to"])
        if not r["value"] or last > LAST_DAY:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KW_MISSED[r["period_from"]])] if r["period_from"] in KW_MISSED \
            else []
        out.append(pytest.param(first, last, float(r["value"]), id=first.strftime("%b %Y"), marks=marks))
    return out


@pytest.mark.parametrize(("first", "last", "published"), kw_params())
def test_killed_and_wounded_per_day_within_a_quarter_of_the_uk_figure(first, last, published):
    d = baseline_run(1.0)
    per_day = mean_over(d, "deaths", first, last) + mean_over(d, "wounds", first, last)
    assert abs(per_day / published - 1) <= KW_TOLERANCE, (per_day, published)


def test_every_month_of_the_run_with_a_figure_is_checked():
    assert len(kw_params()) >= 8


# ---------------------------------------------------------------- how long prosecuted absences lasted

@pytest.mark.xfail(strict=True, reason="the baseline gives 0.32 of the absences prosecuted by 3 Apr 2023 longer "
                                       "than a month (seed 20220924), against more than half")
def test_more_than_half_of_the_early_prosecuted_absences_lasted_over_a_month():
    """Mediazona, 11 Apr 2023: in more than half of the 629 AWOL cases received by courts by 3 Apr 2023 the
    man had been away for over a month. The model's prosecutions opened by that day, by days at large."""
    (row,) = [r for r in rows("absences.csv", "share_awol_cases_absence_over_1_month")
              if r["period_to"] == "2023-04-03"]
    d = baseline_run(1.0)
    by = dates(d) <= np.datetime64(row["period_to"])
    opened = {b: d[f"cases_opened_after_{b}"][by].sum() for b in DURATION_BINS}
    share = sum(opened[b] for b in DURATION_BINS[3:]) / sum(opened.values())
    assert share > float(row["low"]), share
