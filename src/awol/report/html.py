"""Assemble the report: one HTML file with plotly's JavaScript inlined (no CDN; opens offline)."""

from __future__ import annotations

import html as _html
from importlib import resources
from pathlib import Path

import plotly.offline

from awol.report import charts, markdown
from awol.report.results import Result
from awol.scenario.provenance import strip_annotations

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:0 auto;padding:1.5rem;color:#222}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #1f5fa8;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0} td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f9} code{background:#f4f4f4;padding:0 .2rem} .muted{color:#666}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:.5rem} .appendix{font-size:.92rem}
"""


def odd_markdown() -> str:
    """The ODD description shipped with the package (docs/ODD.md links to it)."""
    return resources.files("awol.report").joinpath("ODD.md").read_text(encoding="utf-8")


def flatten(tree, prefix: str = "") -> list[tuple[str, object]]:
    """(dotted path, value) for every leaf of a plain scenario tree."""
    if isinstance(tree, dict):
        return [row for k, v in tree.items() for row in flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(tree, list) and any(isinstance(v, (dict, list)) for v in tree):
        return [row for i, v in enumerate(tree) for row in flatten(v, f"{prefix}[{i}]")]
    return [(prefix, tree)]


def provenance_table(tree: dict) -> str:
    """Every parameter of the scenario tree, its value, declared range and source."""
    plain, annotations = strip_annotations(tree)
    rows = []
    for path, value in flatten(plain):
        note = annotations.get(path) or {}
        rng = note.get("range") if isinstance(note, dict) else None
        source = note.get("source") if isinstance(note, dict) else None
        rows.append(f"<tr><td><code>{_html.escape(path)}</code></td><td>{_html.escape(str(value))}</td>"
                    f"<td>{_html.escape(str(rng)) if rng is not None else ''}</td>"
                    f"<td>{_html.escape(str(source)) if source else ''}</td></tr>")
    return ("<table><thead><tr><th>parameter</th><th>value</th><th>range</th><th>source</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _div(fig) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})


def summary_table(results: list[Result]) -> str:
    """Headline numbers side by side (medians over runs for an ensemble)."""
    rows = [("On duty (end)", "final", "on_duty"), ("Retained past term (end)", "final", "retained_past_term"),
            ("Deserters at large (end)", "final", "deserters_at_large"), ("Desertions (total)", "sum", "new_desertions"),
            ("Captures (total)", "sum", "captures"), ("Returned to the front (total)", "sum", "returned_to_front"),
            ("Deaths (total)", "sum", "deaths"), ("Recruits (total)", "sum", "recruits"),
            ("Court cases filed (total, public)", "sum", "cases_filed")]
    head = "".join(f"<th>{_html.escape(r.label)}</th>" for r in results)
    body = ""
    for name, how, column in rows:
        cells = "".join(f"<td>{(r.final_median(column) if how == 'final' else r.cumulative_median(column)):,.0f}</td>"
                        for r in results)
        body += f"<tr><td>{name}</td>{cells}</tr>"
    return f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"


def _describe(result: Result) -> str:
    m = result.manifests[0]
    seeds = ", ".join(str(x.get("seed")) for x in result.manifests[:10]) + (" …" if len(result.manifests) > 10 else "")
    kind = f"ensemble of {len(result.runs)} runs" if result.is_ensemble else "single run"
    return (f"<li><strong>{_html.escape(result.label)}</strong>: {kind}, {m.get('days')} days, engine "
            f"{_html.escape(str(m.get('engine')))}, seed(s) {seeds}; scenario hash <code>{str(m.get('scenario_hash'))[:12]}</code>; "
            f"awol {_html.escape(str(m.get('versions', {}).get('awol')))}; from <code>{_html.escape(str(result.path))}</code></li>")


def calibration_section(results: list[Result]) -> str:
    """Calibration fit and nowcast, when a result carries a posterior (see results.posterior_of)."""
    with_posterior = [r for r in results if r.posterior]
    if not with_posterior:
        return ""
    parts = []
    for r in with_posterior:
        rows = "".join(f"<tr><td><code>{_html.escape(str(k))}</code></td><td>{_html.escape(str(v))}</td></tr>"
                       for k, v in r.posterior.get("summary", r.posterior).items())
        parts.append(f"<h3>{_html.escape(r.label)}</h3><table>{rows}</table>")
    return "<h2>Calibration</h2>" + "".join(parts)


def build_report(results: list[Result], *, title: str | None = None) -> str:
    """The whole report as one HTML string."""
    title = title or "awol report: " + ", ".join(r.label for r in results)
    fans = "".join(_div(charts.fan_chart(results, col, name)) for col, name in charts.MAIN_OUTPUTS)
    sankeys = "".join(_div(charts.sankey(r)) for r in results)
    comparison = ""
    if len(results) > 1:
        comparison = ("<h2>Comparison</h2><p>Each chart above overlays the results; the table gives headline numbers "
                      "side by side.</p>" + summary_table(results))
    provenance = "".join(
        f"<h3>{_html.escape(r.label)}</h3><p class='muted'>{_html.escape(str(strip_annotations(r.scenario_tree)[0].get('description', '')))}</p>"
        + provenance_table(r.scenario_tree) for r in results)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style>
<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>
</head><body>
<h1>{_html.escape(title)}</h1>
<p class="muted">Simulated results of awol, a model of a coerced military manpower system. Every number is a model
output under the stated scenario, not an observation. Bands: 5–95 % (light) and 25–75 % (dark) of runs, line: median.</p>
<h2>Results</h2><ul>{''.join(_describe(r) for r in results)}</ul>
{summary_table(results)}
<h2>Outputs over time</h2>{fans}
<h2>Stock and flow</h2>
<p>Recruitment channels feed the serving force; soldiers are retained past term, desert, are captured and returned,
imprisoned, killed or escape. Link widths are cumulative counts over the whole run (recoveries from hospital back to duty are not drawn).</p>
{sankeys}
{comparison}
{calibration_section(results)}
<h2>Scenario and provenance</h2>{provenance}
<h2>Appendix: model description (ODD)</h2><div class="appendix">{markdown.render(odd_markdown())}</div>
</body></html>
"""


def write_report(results: list[Result], out: str | Path, **kwargs) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(results, **kwargs), encoding="utf-8")
    return out
