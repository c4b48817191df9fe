"""Static, offline plots of experiment results (plotly, the library inlined: no CDN)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _write(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path


def indices_plot(indices: pd.DataFrame, method: str, path: Path) -> Path:
    """Bar chart of sensitivity indices with 95 % error bars, one panel per output."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    outputs = list(dict.fromkeys(indices["output"]))
    fig = make_subplots(rows=len(outputs), cols=1, subplot_titles=outputs)
    measures = ("S1", "ST") if method == "sobol" else ("mu_star",)
    for i, output in enumerate(outputs, start=1):
        rows = indices[indices["output"] == output]
        for m in measures:
            fig.add_trace(go.Bar(name=m, x=rows["parameter"], y=rows[m], showlegend=(i == 1),
                                 error_y=dict(type="data", array=rows[f"{m}_conf"])), row=i, col=1)
    fig.update_layout(barmode="group", height=280 * len(outputs), title=f"Sensitivity ({method})")
    return _write(fig, path)


def differences_plot(differences: pd.DataFrame, path: Path) -> Path:
    """Relative paired differences (% of the reference mean) with 95 % intervals."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, rows in differences.groupby("scenario", sort=False):
        scale = rows["baseline_mean"].abs().where(rows["baseline_mean"] != 0, 1.0) / 100
        mean = rows["mean_difference"] / scale
        fig.add_trace(go.Scatter(
            name=name, x=mean, y=rows["output"], mode="markers",
            error_x=dict(type="data", symmetric=False, array=(rows["high"] / scale - mean),
                         arrayminus=(mean - rows["low"] / scale)),
        ))
    fig.update_layout(title="Paired differences from the reference (% of its mean, 95 % t-interval)",
                      xaxis_title="difference (%)", height=120 + 40 * differences["output"].nunique())
    return _write(fig, path)
