"""M8 measured: the simulated value of each observed figure.

Every kind of row (cumulative, monthly, period) is the sum of a daily court-case
column over the row's days, both ends included. The column is
`cases_filed_<article>` / `cases_decided_<article>` of the run's daily table (M8,
with the scenario's reporting share and filing and verdict lags), or `cases_filed` /
`cases_decided` for article `all`. A cumulative row counts from its `date_from`,
which for the bundled tally is the simulation start (24 Sep 2022).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from awol.problems import ProblemsError


class MeasurementError(ProblemsError):
    """Observed rows the run cannot measure; `.problems` holds one line per row."""


def column_of(quantity: str, article: str) -> str:
    """The daily column a figure of this quantity and article sums."""
    return quantity if article == "all" else f"{quantity}_{article}"


def window_days(observed: pd.DataFrame, start: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Simulation day indices of each row's first and last day."""
    first = ((observed["date_from"] - start).dt.days).to_numpy()
    last = ((observed["date_to"] - start).dt.days).to_numpy()
    return first, last


def days_to_cover(observed: pd.DataFrame, start) -> int:
    """Days a run starting on `start` needs to measure every row (up to the last `date_to`)."""
    return int((observed["date_to"].max() - pd.Timestamp(start)).days) + 1


def check_covered(observed: pd.DataFrame, start, days: int) -> None:
    """Raise `MeasurementError` naming each row that falls outside `start .. start + days - 1`."""
    start = pd.Timestamp(start)
    end = start + pd.Timedelta(days=days - 1)
    first, last = window_days(observed, start)
    problems = []
    for i in np.flatnonzero((first < 0) | (last >= days)):
        row = observed.iloc[i]
        where = f"{row['file']}: line {row['line']}" if "file" in observed else f"row {i}"
        problems.append(f"{where}: {row['date_from']:%Y-%m-%d}..{row['date_to']:%Y-%m-%d} lies outside the "
                        f"simulated days {start:%Y-%m-%d}..{end:%Y-%m-%d}; drop the row or simulate these dates")
    if problems:
        raise MeasurementError(problems)


def measure(daily: pd.DataFrame, observed: pd.DataFrame) -> np.ndarray:
    """The simulated value of each observed row, in row order (float array)."""
    dates = pd.to_datetime(daily["date"])
    start = dates.iloc[0]
    check_covered(observed, start, len(daily))
    first, last = window_days(observed, start)
    out = np.empty(len(observed), dtype=float)
    columns = [column_of(q, a) for q, a in zip(observed["quantity"], observed["article"], strict=True)]
    for column in set(columns):
        running = np.concatenate([[0], np.cumsum(daily[column].to_numpy(dtype=np.int64))])
        mask = np.array([c == column for c in columns])
        out[mask] = running[last[mask] + 1] - running[first[mask]]
    return out
