"""The report opens in Chromium with the network off and every chart renders."""

from __future__ import annotations

from awol.report import load_result, write_report
from tests.web.browser import ARTIFACTS, chromium, needs_chromium


@needs_chromium
def test_ensemble_report_renders_offline(experiment_ensembles, tmp_path):
    results = [load_result(experiment_ensembles["baseline"]), load_result(experiment_ensembles["honour-contracts"])]
    assert [len(r.runs) for r in results] == [4, 4]
    out = write_report(results, tmp_path / "report.html")
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.set_offline(True)
        requested = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else (requested.append(route.request.url), route.abort()))
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(out.as_uri())
        charts = page.locator(".plotly-graph-div")
        expected = 8 + len(results)  # fan charts of the main outputs, one Sankey per result
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}", timeout=60_000)
        assert charts.count() == expected
        rendered = page.evaluate(
            "[...document.querySelectorAll('.plotly-graph-div')].filter(d => d.classList.contains('js-plotly-plot')"
            " && d.querySelector('.main-svg')).length")
        assert rendered == expected
        assert page.locator(".sankey").count() == len(results)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"))
    assert requested == [] and errors == []
