"""Plotly figures of results: fan charts over time and the stock-and-flow Sankey."""

from __future__ import annotations

import plotly.graph_objects as go

from awol.experiments.analysis import period_quantiles
from awol.report.results import Result

# The main outputs a reader asks about first (BRIEF questions Q1-Q5); stocks at the end of each
# week, flows summed over the week (`analysis.period_quantiles`).
MAIN_OUTPUTS = (
    ("on_duty", "On duty (end of week)"),
    ("retained_past_term", "Retained past term (end of week)"),
    ("deserters_at_large", "Deserters at large (end of week)"),
    ("new_desertions", "Desertions per week"),
    ("captures", "Captures per week"),
    ("deaths", "Deaths per week"),
    ("recruits", "Recruits per week"),
    ("cases_filed", "Court cases filed per week (public)"),
)
PERIOD = "week"

COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d68910")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def fan_chart(results: list[Result], column: str, title: str) -> go.Figure:
    """Weekly median with the 50 % and 90 % bands over runs for an ensemble; the weekly line for a single run.

    Each run's weekly total (or end-of-week stock) is taken first, then the quantiles
    over runs, so the bands describe runs, not days."""
    fig = go.Figure()
    for i, result in enumerate(results):
        colour = COLOURS[i % len(COLOURS)]
        bands = period_quantiles(result.runs, column, PERIOD)
        x = bands.index
        scale = "" if result.scale == 1 else f" (scale {result.scale:g})"
        if result.is_ensemble:
            for lo, hi, alpha, name in (("q05", "q95", 0.15, "90 % of runs"), ("q25", "q75", 0.3, "50 % of runs")):
                fig.add_trace(go.Scatter(x=x, y=bands[hi], mode="lines", line={"width": 0},
                                         showlegend=False, hoverinfo="skip", legendgroup=result.label))
                fig.add_trace(go.Scatter(x=x, y=bands[lo], mode="lines", line={"width": 0}, fill="tonexty",
                                         fillcolor=_rgba(colour, alpha), name=f"{result.label}{scale}: {name}",
                                         legendgroup=result.label))
            name = f"{result.label}{scale}: median of {len(result.runs)} runs"
        else:
            name = f"{result.label}{scale}"
        fig.add_trace(go.Scatter(x=x, y=bands["q50"], mode="lines", line={"color": colour, "width": 2}, name=name,
                                 legendgroup=result.label))
    fig.update_layout(title=title, margin={"l": 60, "r": 20, "t": 50, "b": 40}, height=380,
                      template="plotly_white", legend={"orientation": "h", "y": -0.18, "font": {"size": 12}})
    return fig


# Nodes of the stock-and-flow picture and the columns whose cumulative sums size each link.
NODES = ("volunteer", "mobilised", "detainee", "serving", "retained", "hospital", "on_leave", "released",
         "absent", "detained", "escaped", "returned", "imprisoned", "killed")
STATUS_NODE = {"serving": "serving", "retained": "retained", "hospital": "hospital", "on_leave": "on_leave",
               "released": "released", "at_large": "absent", "detained": "detained", "escaped": "escaped",
               "imprisoned": "imprisoned", "killed": "killed"}


def flow_links(result: Result) -> list[tuple[str, str, float]]:
    """(source node, target node, median cumulative count) for every recruitment channel and flow column."""
    run = result.runs[0]
    links = [(c, "serving", result.cumulative_median(f"recruits_{c}")) for c in ("volunteer", "mobilised", "detainee")]
    for column in run.columns:
        if not column.startswith("flow_"):
            continue
        src, dst = column[len("flow_"):].split("_to_")
        if src in ("hospital", "on_leave") and dst in ("serving", "retained"):
            continue  # returns to duty from hospital or leave would make a cycle, which a Sankey cannot draw
        target = STATUS_NODE[dst]
        if src == "detained" and dst in ("serving", "retained"):
            target = "returned"
        links.append((STATUS_NODE[src], target, result.cumulative_median(column)))
    # Returned soldiers rejoin the force; drawn as an end node, since a link back would be a cycle.
    merged: dict[tuple[str, str], float] = {}
    for source, target, value in links:  # e.g. detained -> serving and -> retained are both "returned"
        merged[source, target] = merged.get((source, target), 0.0) + value
    return [(s, t, v) for (s, t), v in merged.items() if v > 0]


def sankey(result: Result) -> go.Figure:
    """The stock-and-flow picture of one result: median cumulative counts along every link
    (`flow_links`), so a reader sees where the soldiers went.
    """
    links = flow_links(result)
    index = {name: i for i, name in enumerate(NODES)}
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": [n.replace("_", " ") for n in NODES], "pad": 14, "thickness": 16},
        link={"source": [index[s] for s, _, _ in links], "target": [index[t] for _, t, _ in links],
              "value": [v for _, _, v in links]},
    ))
    what = "median over runs" if result.is_ensemble else "one run"
    fig.update_layout(title=f"Stock and flow, cumulative counts ({result.label}, {what})", height=420,
                      margin={"l": 20, "r": 20, "t": 50, "b": 20})
    return fig
