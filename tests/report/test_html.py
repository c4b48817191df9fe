"""The HTML report: self-contained, every parameter's provenance, bands from the runs, flows that add up."""

from __future__ import annotations

import re

import numpy as np
from typer.testing import CliRunner

from awol.cli.main import app
from awol.report import build_report, charts, load_result
from awol.report.html import odd_markdown, provenance_table, render_markdown
from awol.scenario.load import load_scenario
from awol.scenario.provenance import strip_annotations


def test_single_run_report_is_self_contained(ensembles):
    result = load_result(ensembles["baseline"] / "run-1")
    assert not result.is_ensemble
    page = build_report([result])
    # plotly.js itself mentions its CDN in strings; what matters is that nothing is loaded from outside.
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert "Plotly.newPlot" in page and "plotly.js v" in page.lower()
    assert "<h2>Appendix: model description (ODD)</h2>" in page


def test_provenance_lists_every_parameter_with_range_and_source():
    tree = load_scenario("baseline").raw
    table = provenance_table(tree)
    plain, annotations = strip_annotations(tree)
    assert "<code>desertion.base_per_day</code>" in table
    assert "<code>desertion.arrest_k</code>" in table and "Epstein (2002)" in table
    assert table.count("<tr>") - 1 >= len(annotations) > 10


def test_headline_table_gives_per_run_totals_with_intervals_side_by_side(ensembles):
    import re

    results = [load_result(ensembles["baseline"]), load_result(ensembles["honour-contracts"])]
    page = build_report(results)
    assert "<th>baseline: median</th><th>90 % of runs</th><th>honour-contracts: median</th>" in page
    totals = [r["new_desertions"].sum() for r in results[0].runs]
    low, mid, high = np.quantile(totals, [0.05, 0.5, 0.95])
    row = re.search(r"<tr><td>Desertions \(total\)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
    assert row.group(1) == f"{mid:.3g}" or row.group(1) == f"{mid:,.0f}"
    assert row.group(2).split(" to ")[0] in (f"{low:.3g}", f"{low:,.0f}")
    assert "ran at scale 0.01" in page  # the scale is said wherever it is not 1


def test_markdown_renders_headings_tables_lists_and_escapes():
    page = render_markdown("# Title\n\nSome *x* and `a<b`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n"
                           "\n<script>alert(1)</script>\n")
    assert "<h1>Title</h1>" in page and "<em>x</em>" in page and "<code>a&lt;b</code>" in page
    assert "<td>1</td>\n<td>2</td>" in page and "<li>one</li>\n<li>two</li>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # raw HTML in the text stays text
    odd = render_markdown(odd_markdown())
    assert odd.count("<table>") >= 3 and "<h2>" in odd


def test_compare_report_shows_the_clis_paired_differences(tmp_path):
    """`awol compare` then `awol report` on its directory: the same differences, the scenarios' own hashes and days."""
    import pandas as pd

    from tests.experiments.conftest import write_tree
    from tests.scenarios import small_tree

    a = write_tree(tmp_path / "baseline.yaml", small_tree(days=30))
    b = write_tree(tmp_path / "honour.yaml", small_tree("honour-contracts", days=30))
    out = tmp_path / "cmp"
    ran = CliRunner().invoke(app, ["compare", str(a), str(b), "--runs", "3", "--workers", "1", "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    differences = pd.read_parquet(out / "differences.parquet").set_index("output")
    report = tmp_path / "r.html"
    assert CliRunner().invoke(app, ["report", str(out), "-o", str(report)]).exit_code == 0
    page = report.read_text()
    assert "<h2>Paired differences</h2>" in page and "honour-contracts − baseline (3 paired runs)" in page
    retained = differences.loc["final_retained_past_term"]
    cells = (f"<td><code>final_retained_past_term</code></td><td>{retained['baseline_mean']:,.0f}</td>"
             f"<td>{retained['mean_difference']:+,.0f}</td>".replace("-", "−"))
    assert cells in page  # the numbers `awol compare` wrote
    assert "None days" not in page and "scenario hash <code>None" not in page
    from awol.report.results import load_results

    hashes = {r.label: r.manifests[0]["scenario_hash"] for r in load_results(out)}
    assert all(f"<code>{h[:12]}</code>" in page for h in hashes.values()) and len(set(hashes.values())) == 2
    described = page.split("<h2>Results</h2><ul>")[1].split("</ul>")[0]
    assert "30 days" in described and "base seed" in described
    assert not re.search(r"\d{11,}", described)  # no 19-digit seeds in prose




def test_labels_and_descriptions_reach_the_page_as_text_never_as_markup(in_memory):
    from tests.report.conftest import HOSTILE

    page = build_report([in_memory["ensemble"], in_memory["single"]], title="<i>report</i>")
    assert HOSTILE not in page and "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page  # shown, escaped, in the tables and lists
    assert "<title>&lt;i&gt;report&lt;/i&gt;</title>" in page and "<h1>&lt;i&gt;report&lt;/i&gt;</h1>" in page
    assert "<th>single &amp; &lt;one&gt;</th>" in page  # a single run: one column, no interval


def test_a_minimal_result_renders_every_section(in_memory):
    page = build_report([in_memory["single"]])
    for section in ("Results", "Outputs over time", "Stock and flow", "Scenario and provenance",
                    "Appendix: model description (ODD)"):
        assert f"<h2>{section}</h2>" in page
    assert "Paired differences" not in page and "<h2>Calibration</h2>" not in page  # nothing to show
    assert page.count("Plotly.newPlot") == len(charts.MAIN_OUTPUTS) + 1  # the fan charts and one Sankey
    assert "seed(s) 1;" in page  # a small seed is given as is
