"""The HTML report: self-contained, every parameter's provenance, bands from the runs, flows that add up."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from awol.cli.main import app
from awol.report import build_report, load_result
from awol.report.charts import flow_links
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


def test_ensemble_bands_are_quantiles_of_the_runs(ensembles):
    result = load_result(ensembles["baseline"])
    assert len(result.runs) == 3
    bands = result.bands("deserters_at_large")
    values = np.stack([r["deserters_at_large"].to_numpy(float) for r in result.runs])
    np.testing.assert_allclose(bands["q50"].to_numpy(), np.median(values, axis=0))
    assert (bands["q05"] <= bands["q25"]).all() and (bands["q75"] <= bands["q95"]).all()


def test_sankey_links_add_up_to_the_recorded_flows(ensembles):
    result = load_result(ensembles["baseline"] / "run-2")
    links = {(s, t): v for s, t, v in flow_links(result)}
    run = result.runs[0]
    assert sum(links.get((c, "serving"), 0) for c in ("volunteer", "mobilised", "detainee")) == run["recruits"].sum()
    deserted = sum(v for (s, t), v in links.items() if t == "absent")
    assert deserted == run["new_desertions"].sum() > 0
    returned = links.get(("detained", "returned"), 0)
    assert returned == run["flow_detained_to_serving"].sum() + run["flow_detained_to_retained"].sum()


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


def test_cli_writes_report_and_rejects_non_results(ensembles, tmp_path):
    out = tmp_path / "r.html"
    ok = CliRunner().invoke(app, ["report", str(ensembles["baseline"]), "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.stat().st_size > 1_000_000  # plotly inlined
    bad = CliRunner().invoke(app, ["report", str(tmp_path / "nothing")])
    assert bad.exit_code == 2
    assert "holds no run" in bad.output


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


def test_experiments_ensemble_is_read_with_its_runs_and_seeds(experiment_ensembles, tmp_path):
    import shutil

    from awol.scenario.load import scenario_from_tree

    result = load_result(experiment_ensembles["baseline"])
    assert result.is_ensemble and len(result.runs) == 4
    assert len({m["seed"] for m in result.manifests}) == 4
    # the ensemble stores the scenario that ran: the scaled-down tree, hash and all
    assert scenario_from_tree(result.scenario_tree).hash == result.manifests[0]["scenario_hash"]
    older = shutil.copytree(experiment_ensembles["baseline"], tmp_path / "older")
    (older / "scenario.yaml").unlink()  # results written before ensembles stored their scenario
    fallback = load_result(older)
    assert "simulation" in fallback.scenario_tree  # the bundled tree stands in for the unstored scenario
    assert "hash differs" in fallback.scenario_tree["description"]  # the runs were scaled down


def test_compare_directory_gives_one_result_per_scenario(experiment_ensembles):
    from awol.report.results import ResultsError, load_results

    parent = experiment_ensembles["baseline"].parent
    assert [r.label for r in load_results(experiment_ensembles["baseline"])] == ["baseline"]
    with pytest.raises(ResultsError, match="holds no run"):
        load_results(parent / "nothing")
