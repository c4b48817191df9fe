"""Assemble the report: one HTML file with plotly's JavaScript inlined (no CDN; opens offline)."""

from __future__ import annotations

import html as _html
from importlib import resources
from pathlib import Path

import plotly.offline
from markdown_it import MarkdownIt

from awol.experiments.analysis import quantiles
from awol.report import charts
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


def render_markdown(text: str) -> str:
    """CommonMark with tables (markdown-it-py); raw HTML in the text is escaped, not passed through."""
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


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


# Headline rows: (label, run summary of `analysis.SUMMARIES`).
HEADLINES = (
    ("On duty (last day)", "final_on_duty"), ("Retained past term (last day)", "final_retained_past_term"),
    ("Deserters at large (last day)", "final_deserters_at_large"), ("Desertions (total)", "total_new_desertions"),
    ("Captures (total)", "total_captures"), ("Returned to the front (total)", "total_returned_to_front"),
    ("Deaths (total)", "total_deaths"), ("Recruits (total)", "total_recruits"),
    ("Court cases filed (total, public)", "total_cases_filed"),
)


def _count(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _signed(x: float) -> str:
    return f"{x:+,.0f}".replace("-", "−") if abs(x) >= 100 else f"{x:+.3g}".replace("-", "−")


def summary_table(results: list[Result]) -> str:
    """Headline numbers side by side: each run's own total (or last-day stock), then the median
    and the 5-95 % range over runs. Counts are at the scale the runs were made at (said below)."""
    head = "".join(f"<th>{_html.escape(r.label)}: median</th><th>90 % of runs</th>" if r.is_ensemble
                   else f"<th>{_html.escape(r.label)}</th>" for r in results)
    totals = [r.totals() for r in results]
    body = ""
    for name, summary in HEADLINES:
        cells = ""
        for r, t in zip(results, totals):
            values = t[summary].to_numpy(dtype=float)
            q = quantiles(values)
            cells += f"<td>{_count(q['q50'])}</td>"
            if r.is_ensemble:
                cells += f"<td>{_count(q['q05'])} to {_count(q['q95'])}</td>"
        body += f"<tr><td>{name}</td>{cells}</tr>"
    notes = "".join(f"<p class='muted'>{_html.escape(r.label)} ran at scale {r.scale:g}: its counts are for "
                    f"{r.scale:g} of the full force (multiply by {1 / r.scale:,.0f} for full size).</p>"
                    for r in results if r.scale != 1)
    return f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"


def differences_section(results: list[Result]) -> str:
    """The comparison's paired differences, as `awol compare` prints them (analysis.paired_differences)."""
    parts = []
    for r in results:
        if r.differences is None or not len(r.differences):
            continue
        d = r.differences
        reference = _html.escape(str(d["baseline"].iloc[0]))
        drawn = "q05" in d.columns
        rows = "".join(
            f"<tr><td><code>{_html.escape(x['output'])}</code></td><td>{_count(x['baseline_mean'])}</td>"
            f"<td>{_signed(x['mean_difference'])}</td><td>{_signed(x['low'])} to {_signed(x['high'])}</td>"
            + (f"<td>{_signed(x['q05'])} to {_signed(x['q95'])}</td>" if drawn else "") + "</tr>"
            for _, x in d.iterrows())
        parts.append(
            f"<h3>{_html.escape(r.label)} − {reference} ({int(d['runs'].iloc[0])} paired runs)</h3>"
            "<table><thead><tr><th>summary</th><th>reference mean</th><th>mean difference</th>"
            "<th>95 % CI of the mean</th>"
            + ("<th>90 % of paired differences</th>" if drawn else "") + f"</tr></thead><tbody>{rows}</tbody></table>")
    if not parts:
        return ""
    return ("<h2>Paired differences</h2><p>Run k of every scenario used the same seed (and the same parameter draw, "
            "when drawn from a posterior), so each difference pairs like with like. final_* are last-day stocks, "
            "total_* sums over the run; counts of soldiers.</p>" + "".join(parts))


def _seeds(result: Result) -> str:
    """How the runs were seeded, in words: a base seed and the rule, never a list of 19-digit numbers."""
    m = result.manifests[0]
    if m.get("base_seed") is not None:
        if not result.is_ensemble:
            return f"seed derived from base seed {m['base_seed']}"
        return f"run k's seed derived from base seed {m['base_seed']} and k"
    seeds = [x.get("seed") for x in result.manifests]
    if all(s is not None and abs(int(s)) < 10**10 for s in seeds):
        return "seed(s) " + ", ".join(str(s) for s in seeds[:10]) + (" …" if len(seeds) > 10 else "")
    return f"{len(seeds)} seed(s), recorded in the manifests"


def _describe(result: Result) -> str:
    m = result.manifests[0]
    kind = f"ensemble of {len(result.runs)} runs" if result.is_ensemble else "single run"
    days = m.get("days") or len(result.runs[0])
    compared = m.get("reference") and m["reference"] != result.label
    reference = f", compared with {_html.escape(str(m['reference']))}" if compared else ""
    scale = "" if result.scale == 1 else f", at scale {result.scale:g}"
    return (f"<li><strong>{_html.escape(result.label)}</strong>: {kind}{reference}, {days} days{scale}, engine "
            f"{_html.escape(str(m.get('engine')))}, {_seeds(result)}; "
            f"scenario hash <code>{_html.escape(str(m.get('scenario_hash'))[:12])}</code>; "
            f"awol {_html.escape(str(m.get('versions', {}).get('awol')))}; from <code>{_html.escape(str(result.path))}</code></li>")


def calibration_section(results: list[Result]) -> str:
    """Calibration fit and nowcast, when a result carries a posterior (see results.posterior_of)."""
    from awol.evidence.figures import predictive_figure

    with_posterior = [r for r in results if r.posterior]
    if not with_posterior:
        return ""
    parts = []
    for r in with_posterior:
        rows = "".join(f"<tr><td><code>{_html.escape(str(k))}</code></td><td>{_html.escape(str(v))}</td></tr>"
                       for k, v in r.posterior.get("summary", r.posterior).items())
        figure = _div(predictive_figure(r.posterior)) if r.posterior.get("predictive") else ""
        parts.append(f"<h3>{_html.escape(r.label)}</h3><table>{rows}</table>{figure}")
    return "<h2>Calibration</h2>" + "".join(parts)


def build_report(results: list[Result], *, title: str | None = None) -> str:
    """The whole report as one HTML string."""
    title = title or "awol report: " + ", ".join(r.label for r in results)
    fans = "".join(_div(charts.fan_chart(results, col, name)) for col, name in charts.MAIN_OUTPUTS)
    sankeys = "".join(_div(charts.sankey(r)) for r in results)
    comparison = differences_section(results)
    range_words = " and 90 % range" if any(r.is_ensemble for r in results) else ""
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
output under the stated scenario, not an observation. Bands: 90 % (light) and 50 % (dark) of runs, line: median.</p>
<h2>Results</h2><ul>{''.join(_describe(r) for r in results)}</ul>
<p>Headline numbers: each run's own total or last-day count, then the median{range_words} over runs.</p>
{summary_table(results)}
<h2>Outputs over time</h2>{fans}
<h2>Stock and flow</h2>
<p>Recruitment channels feed the serving force; soldiers are retained past term, desert, are captured and returned,
imprisoned, killed or escape. Link widths are cumulative counts over the whole run (recoveries from hospital back to duty are not drawn).</p>
{sankeys}
{comparison}
{calibration_section(results)}
<h2>Scenario and provenance</h2>{provenance}
<h2>Appendix: model description (ODD)</h2><div class="appendix">{render_markdown(odd_markdown())}</div>
</body></html>
"""


def write_report(results: list[Result], out: str | Path, **kwargs) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(results, **kwargs), encoding="utf-8")
    return out
