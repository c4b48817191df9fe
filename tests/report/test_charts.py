"""Plotly figures of results: the stock-and-flow Sankey and the weekly fan charts."""

from __future__ import annotations

from awol.report import load_result
from awol.report.charts import flow_links


def test_sankey_links_add_up_to_the_recorded_flows(ensembles):
    result = load_result(ensembles["baseline"] / "run-2")
    links = {(s, t): v for s, t, v in flow_links(result)}
    run = result.runs[0]
    assert sum(links.get((c, "serving"), 0) for c in ("volunteer", "mobilised", "detainee")) == run["recruits"].sum()
    deserted = sum(v for (s, t), v in links.items() if t == "absent")
    assert deserted == run["new_desertions"].sum() > 0
    returned = links.get(("detained", "returned"), 0)
    assert returned == run["flow_detained_to_serving"].sum() + run["flow_detained_to_retained"].sum()



def test_fan_chart_draws_the_90_and_50_percent_bands_around_the_weekly_median(in_memory):
    from awol.experiments.analysis import period_quantiles
    from awol.report.charts import fan_chart

    result = in_memory["ensemble"]
    fig = fan_chart([result], "new_desertions", "Desertions per week")
    weekly = period_quantiles(result.runs, "new_desertions", "week")
    assert len(fig.data) == 5
    (hi90, lo90, hi50, lo50, median) = fig.data
    for trace, q in ((hi90, "q95"), (lo90, "q05"), (hi50, "q75"), (lo50, "q25"), (median, "q50")):
        assert list(trace.y) == weekly[q].tolist(), q
        assert list(trace.x) == list(weekly.index)
    assert lo90.fill == lo50.fill == "tonexty" and median.fill is None
    assert "median of 3 runs" in median.name and "(scale 0.01)" in median.name
    assert fig.layout.title.text == "Desertions per week"


def test_a_single_run_is_one_line_and_results_get_their_own_colours(in_memory):
    from awol.report.charts import fan_chart

    fig = fan_chart([in_memory["ensemble"], in_memory["single"]], "on_duty", "On duty")
    assert len(fig.data) == 5 + 1
    ensemble_line, single_line = fig.data[4], fig.data[5]
    assert single_line.name == "single & <one> (scale 0.01)"
    assert ensemble_line.line.color != single_line.line.color
    assert fig.data[1].fillcolor.startswith("rgba(31,95,168,")  # the first colour, #1f5fa8, made translucent
