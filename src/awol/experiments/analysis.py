"""Analysis: only ever takes tables (daily runs, design points, summaries), never a model.

Summaries reduce a run to scalars that answer the questions users ask (how many
retained past term at the end, how many desertions in all); quantiles describe an
ensemble day by day; paired differences compare scenarios run with common random
numbers; `sobol_indices` and `morris_indices` wrap SALib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# The one naming of quantiles, in every table, file and page: median and the ends of the
# 50 % and 90 % central intervals.
QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}
RUN_KEYS = ("run", "point", "replicate", "seed")

# name -> (column of the daily table, how it is reduced over the run)
SUMMARIES = {
    "final_on_duty": ("on_duty", "last"),
    "final_retained_past_term": ("retained_past_term", "last"),
    "final_deserters_at_large": ("deserters_at_large", "last"),
    "final_imprisoned": ("imprisoned", "last"),
    "total_new_desertions": ("new_desertions", "sum"),
    "total_captures": ("captures", "sum"),
    "total_returned_to_front": ("returned_to_front", "sum"),
    "total_deaths": ("deaths", "sum"),
    "total_recruits": ("recruits", "sum"),
    "total_cases_opened": ("cases_opened", "sum"),
    "total_cases_filed": ("cases_filed", "sum"),
    "total_cases_decided": ("cases_decided", "sum"),
}

# Short names of the summaries, for tables that must fit 80 columns.
LABELS = {
    "final_on_duty": "on duty (end)",
    "final_retained_past_term": "retained (end)",
    "final_deserters_at_large": "at large (end)",
    "final_imprisoned": "imprisoned (end)",
    "total_new_desertions": "desertions",
    "total_captures": "captures",
    "total_returned_to_front": "returned to front",
    "total_deaths": "deaths",
    "total_recruits": "recruits",
    "total_cases_opened": "cases opened",
    "total_cases_filed": "cases filed",
    "total_cases_decided": "cases decided",
}
# What each summary counts, for tables and charts that must say their units.
UNITS = {
    "final_on_duty": "soldiers on duty on the last day",
    "final_retained_past_term": "soldiers held past their term on the last day",
    "final_deserters_at_large": "deserters at large on the last day",
    "final_imprisoned": "soldiers in prison on the last day",
    "total_new_desertions": "desertions over the run",
    "total_captures": "captures over the run",
    "total_returned_to_front": "captured deserters returned to the front over the run",
    "total_deaths": "deaths over the run",
    "total_recruits": "recruits over the run",
    "total_cases_opened": "prosecutions opened over the run",
    "total_cases_filed": "court cases filed over the run (public)",
    "total_cases_decided": "court cases decided over the run (public)",
}


def quantiles(values, *, axis: int = 0, weights=None) -> dict[str, np.ndarray]:
    """The one quantile function: `QUANTILES` of `values` along `axis`, by name.

    Unweighted: NumPy's linear interpolation between order statistics. Weighted (a
    posterior's particles, `axis` 0 only): the weighted empirical CDF with each point at
    the middle of its weight, interpolated linearly, so equal weights give the midpoints
    (Hazen) rule.
    """
    levels = list(QUANTILES.values())
    values = np.asarray(values, dtype=float)
    if weights is None:
        q = np.quantile(values, levels, axis=axis)
    else:
        if axis != 0:
            raise ValueError("weighted quantiles are taken along axis 0")
        w = np.asarray(weights, dtype=float)
        flat = values.reshape(len(values), -1)
        q = np.empty((len(levels), flat.shape[1]))
        for j in range(flat.shape[1]):
            order = np.argsort(flat[:, j], kind="stable")
            v, wj = flat[order, j], w[order]
            cdf = (np.cumsum(wj) - 0.5 * wj) / wj.sum()
            q[:, j] = np.interp(levels, cdf, v)
        q = q.reshape((len(levels),) + values.shape[1:])
    return dict(zip(QUANTILES, q))


def summarize(daily) -> dict[str, float]:
    """The scalar summaries of one run (see SUMMARIES), from its daily table or {column: daily values}."""
    out = {}
    for name, (column, how) in SUMMARIES.items():
        values = np.asarray(daily[column])
        out[name] = float(values[-1] if how == "last" else values.sum())
    return out


STOCK_COLUMNS = ("retained_past_term", "deserters_at_large", "search_units", "checkpoints")
PERIODS = {"day": None, "week": "W", "month": "M"}


def is_stock(column: str) -> bool:
    """Whether a daily column is a stock (a count on the day) rather than a flow (a count of events that day).

    Stocks are the statuses and the counts of soldiers or means on duty; every other
    count is a flow. Aggregating over a week or a month takes a stock's last value and
    a flow's sum, so that neither is misread.
    """
    from awol.model.states import STATUSES

    return column in STATUSES or column.startswith("on_duty") or column in STOCK_COLUMNS


def period_quantiles(runs: list[pd.DataFrame], column: str, period: str = "week") -> pd.DataFrame:
    """Quantiles over runs of one column by day, week or month: each run's own weekly (monthly)
    total of a flow, or its last value of a stock, then `quantiles` over runs.

    Index: the period's last date in the data; columns `QUANTILES`. Daily counts of a
    small ensemble flicker; a week's total does not, and it is a number a reader can
    compare with published weekly figures.
    """
    import pandas as pd

    if period not in PERIODS:
        raise ValueError(f"period: {period!r}; choose one of {', '.join(PERIODS)}")
    dates = pd.to_datetime(runs[0]["date"]).to_numpy()
    values = np.stack([run[column].to_numpy(dtype=float) for run in runs])  # runs × days
    if PERIODS[period] is None:
        return pd.DataFrame(quantiles(values), index=pd.DatetimeIndex(dates, name="date"))
    keys = pd.DatetimeIndex(dates).to_period(PERIODS[period]).asi8
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)] - 1
    if is_stock(column):
        per_run = values[:, ends]
    else:
        per_run = np.add.reduceat(values, starts, axis=1)
    return pd.DataFrame(quantiles(per_run), index=pd.DatetimeIndex(dates[ends], name="date"))


def summary_quantiles(summaries: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """Each summary's quantiles over runs (one row per summary): totals are computed per run
    first, then summarised, never added up from daily medians."""
    import pandas as pd

    names = [n for n in (names or list(SUMMARIES)) if n in summaries.columns]
    q = quantiles(summaries[names].to_numpy(dtype=float))
    table = pd.DataFrame({k: v for k, v in q.items()}, index=pd.Index(names, name="summary"))
    table.insert(0, "mean", summaries[names].mean().to_numpy(dtype=float))
    table.insert(0, "runs", len(summaries))
    return table.reset_index()


def summary_table(runs: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per run: its keys and its summaries."""
    import pandas as pd

    rows = []
    for daily in runs:
        keys = {k: int(daily[k].iloc[0]) for k in RUN_KEYS if k in daily}
        rows.append({**keys, **summarize(daily)})
    return pd.DataFrame(rows)


def numeric_outputs(daily: pd.DataFrame) -> list[str]:
    import pandas as pd

    return [c for c in daily.columns if c not in RUN_KEYS and c != "day" and pd.api.types.is_numeric_dtype(daily[c])]


def as_dataset(runs: list[pd.DataFrame]):
    """The runs as one xarray Dataset for analysts: one variable per output, dimensions (run, date).

    `run` is each table's `run` key when it has one (else its position); the run keys
    (point, replicate, seed) become coordinates along `run`. Every run must cover the
    same dates.
    """
    import xarray as xr

    outputs = numeric_outputs(runs[0])
    dates = np.asarray(runs[0]["date"]).astype("datetime64[ns]")
    index = [int(r["run"].iloc[0]) if "run" in r else i for i, r in enumerate(runs)]
    data = {name: (("run", "date"), np.stack([r[name].to_numpy() for r in runs])) for name in outputs}
    coords = {"run": index, "date": dates, "day": ("date", runs[0]["day"].to_numpy())}
    for key in ("point", "replicate", "seed"):
        if key in runs[0]:
            coords[key] = ("run", [int(r[key].iloc[0]) for r in runs])
    return xr.Dataset(data, coords=coords)


def daily_quantiles(runs: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-day quantiles of every numeric output over runs: one row per (day, output), columns
    day, date, output and the quantiles by their one naming, `q05 q25 q50 q75 q95`."""
    import pandas as pd

    outputs = numeric_outputs(runs[0])
    stacked = np.stack([d[outputs].to_numpy(dtype=float) for d in runs])  # runs × days × outputs
    q = quantiles(stacked)  # name → days × outputs
    days = runs[0]["day"].to_numpy()
    nd, no = len(days), len(outputs)
    table = pd.DataFrame({
        "day": np.repeat(days, no),
        "output": np.tile(np.array(outputs, dtype=object), nd),
        **{name: values.reshape(-1) for name, values in q.items()},
    })
    if "date" in runs[0]:
        dates = dict(zip(days, runs[0]["date"]))
        table.insert(1, "date", table["day"].map(dates))
    return table


def paired_differences(summaries: pd.DataFrame, baseline: str, *, level: float = 0.95) -> pd.DataFrame:
    """Paired differences (scenario − baseline) of every summary: their mean with a t-interval,
    and their own quantiles.

    `summaries` has columns `scenario`, `replicate` and the summaries; replicate k of
    every scenario used the same seed (common random numbers), and the same parameter
    values when they were drawn from a posterior, so differences pair by k. The
    t-interval (`low`, `high`) says how well the runs pin down the mean difference; the
    quantiles `q05`…`q95` say how far one replicate's difference may fall from another's
    (with posterior draws, what the uncertain parameters leave open).
    """
    import pandas as pd
    from scipy import stats

    outputs = [c for c in summaries.columns if c in SUMMARIES]
    base = summaries[summaries["scenario"] == baseline].set_index("replicate").sort_index()
    rows = []
    for name in summaries["scenario"].unique():
        if name == baseline:
            continue
        other = summaries[summaries["scenario"] == name].set_index("replicate").sort_index()
        common = base.index.intersection(other.index)
        for output in outputs:
            d = other.loc[common, output].to_numpy(float) - base.loc[common, output].to_numpy(float)
            n = len(d)
            mean = float(d.mean())
            half = float(stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
            rows.append({
                "scenario": name, "baseline": baseline, "output": output, "runs": n,
                "baseline_mean": float(base.loc[common, output].mean()), "mean_difference": mean,
                "low": mean - half, "high": mean + half,
                **{k: float(v) for k, v in quantiles(d).items()},
            })
    return pd.DataFrame(rows)


def salib_problem(paths: list[str], bounds: list[tuple[float, float]]) -> dict:
    return {"num_vars": len(paths), "names": list(paths), "bounds": [list(b) for b in bounds]}


def sobol_indices(problem: dict, outputs: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % confidence half-widths, per output (SALib)."""
    import pandas as pd
    from SALib.analyze import sobol

    rows = []
    for output in outputs.columns:
        y = outputs[output].to_numpy(float)
        if np.ptp(y) == 0:  # no variation at all: every index is exactly 0
            res = {k: np.zeros(problem["num_vars"]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            res = sobol.analyze(problem, y, calc_second_order=False, print_to_console=False, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append({
                "output": output, "parameter": name,
                "S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]),
                "ST": float(res["ST"][i]), "ST_conf": float(res["ST_conf"][i]),
            })
    return pd.DataFrame(rows)


def morris_indices(problem: dict, x: np.ndarray, outputs: pd.DataFrame, *, seed: int = 0, levels: int = 4) -> pd.DataFrame:
    """Morris elementary effects (mu*, its 95 % confidence half-width, sigma) per output (SALib)."""
    import pandas as pd
    from SALib.analyze import morris

    rows = []
    for output in outputs.columns:
        y = outputs[output].to_numpy(float)
        res = morris.analyze(problem, x, y, num_levels=levels, print_to_console=False, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append({
                "output": output, "parameter": name,
                "mu_star": float(res["mu_star"][i]), "mu_star_conf": float(res["mu_star_conf"][i]),
                "sigma": float(res["sigma"][i]),
            })
    return pd.DataFrame(rows)
