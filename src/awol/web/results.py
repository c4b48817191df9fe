"""What the page shows of a finished job: charts by week or month, totals per run, paired differences.

Every number is computed from the runs themselves: a total is each run's own sum,
then summarised over runs (never a sum of daily medians); a chart's weekly value is
each run's weekly total (or end-of-week stock), then summarised. A job run at a
fraction of its size (`scale` < 1) is shown scaled back to full size, and says so:
per-soldier rates are those of the full scenario (docs/ODD.md, Scales), so counts
grow with the size.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from awol.experiments.analysis import QUANTILES, UNITS, period_quantiles, summary_quantiles, summary_table
from awol.report.results import Result, load_result, load_results

SERIES = ("on_duty", "retained_past_term", "deserters_at_large", "new_desertions", "captures", "deaths",
          "recruits", "cases_filed")
DIFFERENCES = "differences.parquet"


def _series(result: Result, columns: list[str], period: str, factor: float) -> tuple[list[str], dict]:
    series, dates = {}, []
    for column in columns:
        table = period_quantiles(result.runs, column, period) * factor
        dates = [d.date().isoformat() for d in table.index]
        series[column] = {q: table[q].round(3).tolist() for q in QUANTILES}
    return dates, series


def _summary(result: Result, factor: float) -> list[dict]:
    table = summary_quantiles(summary_table(result.runs))
    rows = []
    for _, r in table.iterrows():
        rows.append({"summary": r["summary"], "unit": UNITS[r["summary"]], "runs": int(r["runs"]),
                     "mean": float(r["mean"]) * factor, **{q: float(r[q]) * factor for q in QUANTILES}})
    return rows


def _view(result: Result, label: str, columns: list[str], period: str, factor: float) -> dict:
    dates, series = _series(result, columns, period, factor)
    return {"label": label, "runs": len(result.runs), "dates": dates, "series": series,
            "summary": _summary(result, factor)}


def differences(result_dir: Path, factor: float) -> list[dict]:
    """A comparison's paired differences (`analysis.paired_differences`), scaled back."""
    table = pd.read_parquet(result_dir / DIFFERENCES)
    numbers = ["baseline_mean", "mean_difference", "low", "high", *QUANTILES]
    return [{"summary": r["output"], "unit": UNITS.get(r["output"], ""), "runs": int(r["runs"]),
             **{k: float(r[k]) * factor for k in numbers}} for _, r in table.iterrows()]


def job_results(record: dict, result_dir: Path, columns: list[str], period: str) -> dict:
    """The JSON of `GET /api/jobs/{id}/results` for a finished job (ensemble or comparison)."""
    request = record["request"]
    scale = float(request.get("scale") or 1.0)
    factor = 1.0 / scale
    base = {"id": record["id"], "label": record["label"], "kind": record.get("kind", "ensemble"), "period": period,
            "scale": scale, "scaled_back": scale != 1.0}
    if base["kind"] == "compare":
        import json

        order = json.loads((result_dir / "manifest.json").read_text())["scenarios"]  # the reference first
        by_name = {r.label: r for r in load_results(result_dir)}
        reference, compared = (by_name[name] for name in order)
        view = _view(compared, record["label"], columns, period, factor)
        ref = _view(reference, request["compare_with"], columns, period, factor)
        return base | view | {"reference": ref, "differences": differences(result_dir, factor)}
    result = load_result(result_dir, label=record["label"])
    return base | _view(result, record["label"], columns, period, factor) | {"reference": None, "differences": None}


def output_columns(record: dict, result_dir: Path) -> list[str]:
    """The daily columns a job's runs hold (for checking `columns=`)."""
    runs = sorted(result_dir.rglob("run-*.parquet"))
    import pyarrow.parquet as pq

    return [c for c in pq.read_schema(runs[0]).names if c not in ("day", "date")] if runs else []
