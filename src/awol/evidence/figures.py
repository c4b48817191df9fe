"""Figures of the evidence: predictive against observed (plotly), SBC rank histograms and coverage (SVG),
and a side-by-side table of two posteriors.

    python -m awol.evidence.figures src/awol/scenarios/baseline.posterior.json predictive.html

One row per observed figure: the posterior-predictive 90 % interval (thin bar), 50 %
interval (thick bar) and median (tick) on a log scale, and the observed value (dot:
dark inside the 90 % interval, red outside). Figures left out of the fit are grey. The
report shows the same figure in its calibration section; written to `.html` it opens
offline (plotly inlined); written to `.svg` or `.png` it goes through plotly's image
export, kaleido (`pip install 'awol[docs]'`), which drives Debian's Chromium
(`/usr/bin/chromium`, as the browser tests do) unless `BROWSER_PATH` names another.
"""

from __future__ import annotations

import html
import json
import math
import sys
from pathlib import Path


def predictive_figure(doc: dict, title: str | None = None):
    """A plotly figure of `doc["predictive"]` (rows as written by `awol calibrate`)."""
    import plotly.graph_objects as go

    rows = sorted(doc["predictive"],
                  key=lambda r: (not r["use"], r["date_to"], r["date_from"], r["quantity"], r["article"]))
    labels = [("" if r["use"] else "(not fitted) ") + r["row"] for r in rows]
    fig = go.Figure()
    for fitted in (True, False):
        part = [(label, r) for label, r in zip(labels, rows, strict=True) if r["use"] == fitted]
        if not part:
            continue
        colour = "#1f5fa8" if fitted else "#9a9a9a"
        y = [label for label, _ in part]
        for lo, hi, width, name in (("q05", "q95", 2, "90 %"), ("q25", "q75", 9, "50 %")):
            xs, ys = [], []
            for label, r in part:
                xs += [r[lo], r[hi], None]
                ys += [label, label, None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": width},
                                     name=f"{name} predictive interval" + ("" if fitted else " (not fitted)"),
                                     hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=[r["q50"] for _, r in part], y=y, mode="markers",
                                 marker={"symbol": "line-ns-open", "size": 14, "color": "black"},
                                 name="predictive median" if fitted else "median (not fitted)", showlegend=fitted))
    fig.add_trace(go.Scatter(
        x=[r["observed"] for r in rows], y=labels, mode="markers", name="observed (red: outside the 90 % interval)",
        marker={"size": 9, "color": ["#222" if r["covered90"] else "#d62728" for r in rows],
                "line": {"color": "white", "width": 1}}))
    title = title or (f"Posterior predictive vs observed: {doc['scenario']['name']} "
                      f"({doc['simulations']['predictive']} simulations)")
    fig.update_layout(title=title, template="plotly_white", height=140 + 26 * len(rows),
                      margin={"l": 20, "r": 20, "t": 60, "b": 40},
                      xaxis={"type": "log", "title": {"text": "court cases (log scale)"}},
                      yaxis={"autorange": "reversed", "automargin": True},
                      legend={"orientation": "h", "y": -0.08})
    return fig


def sbc_svgs(result: dict, tolerance: float | None = None) -> dict[str, str]:
    """Rank histograms (one panel per parameter) and the expected-coverage curve of an SBC result, as SVG files.

    The coverage plot shades the declared tolerance around the diagonal (method.yaml's
    `coverage_tolerance` unless `tolerance` is given), so a reader sees at once where a
    parameter's intervals cover less, or more, than they say."""
    if tolerance is None:
        from awol.evidence.calibrate import method_rules

        tolerance = float(method_rules()["sbc"]["coverage_tolerance"])
    params = result["parameters"]
    cols, pw, ph = 5, 180, 120
    rows = (len(params) + cols - 1) // cols
    width, height = cols * pw + 20, rows * ph + 60
    expected = result["datasets"] / len(params[0]["histogram"])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="18" font-size="14" font-weight="bold">SBC rank histograms: {result["datasets"]} data sets, '
        f"{result['draws_per_dataset']} draws each</text>",
        '<text x="10" y="34" fill="#555">grey band: 99 % range of a bin count under uniform ranks; '
        "title: chi-square p (red below the declared 0.01)</text>",
    ]
    top = max(max(p["histogram"]) for p in params) * 1.1
    band = 2.576 * math.sqrt(expected * (1 - 1 / len(params[0]["histogram"])))
    for k, p in enumerate(params):
        x0, y0 = 10 + (k % cols) * pw, 50 + (k // cols) * ph
        h, w = ph - 34, pw - 20
        bins = p["histogram"]
        y = lambda c, y0=y0, h=h: y0 + 20 + h - c / top * h  # noqa: E731
        colour = "#222" if p["chi2_p"] > 0.01 else "#d62728"
        out.append(
            f'<text x="{x0}" y="{y0 + 12}" fill="{colour}">{html.escape(p["name"])} (p {p["chi2_p"]:.2f})</text>'
        )
        out.append(
            f'<rect x="{x0}" y="{y(expected + band):.1f}" width="{w}" '
            f'height="{y(expected - band) - y(expected + band):.1f}" fill="#e8e8e8"/>'
        )
        for i, c in enumerate(bins):
            bw = w / len(bins)
            out.append(
                f'<rect x="{x0 + i * bw + 1:.1f}" y="{y(c):.1f}" width="{bw - 2:.1f}" height="{y(0) - y(c):.1f}" '
                'fill="#1f5fa8"/>'
            )
    out.append("</svg>")
    curve = result["coverage_curve"]
    size, pad = 360, 40
    sx = lambda v: pad + v * (size - 2 * pad)  # noqa: E731
    sy = lambda v: size - pad - v * (size - 2 * pad)  # noqa: E731
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="10" y="16" font-size="13" font-weight="bold">Expected coverage (SBC)</text>',
        f'<text x="10" y="30" fill="#555">grey: ±{tolerance * 100:.0f} points of nominal; thin: each parameter; '
        'thick: their mean</text>',
        f'<polygon points="{sx(0)},{sy(tolerance)} {sx(1 - tolerance)},{sy(1)} {sx(1)},{sy(1)} '
        f'{sx(1)},{sy(1 - tolerance)} {sx(tolerance)},{sy(0)} {sx(0)},{sy(0)}" fill="#e8e8e8"/>',
        f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="#999" stroke-dasharray="4"/>',
        f'<text x="{size / 2 - 40}" y="{size - 6}">nominal level</text>',
        f'<text x="4" y="{size / 2}" transform="rotate(-90 10 {size / 2})">empirical coverage</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        svg.append(f'<text x="{sx(tick) - 8:.1f}" y="{sy(0) + 14:.1f}" fill="#555">{tick:g}</text>')
        svg.append(f'<text x="{sx(0) - 24:.1f}" y="{sy(tick) + 4:.1f}" fill="#555">{tick:g}</text>')
    empirical = [list(row) for row in curve["empirical"]]
    for j in range(len(params)):
        points = " ".join(
            f"{sx(level):.1f},{sy(row[j]):.1f}" for level, row in zip(curve["levels"], empirical, strict=True)
        )
        svg.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-opacity="0.4"/>')
    mean = " ".join(f"{sx(level):.1f},{sy(sum(row) / len(row)):.1f}"
                    for level, row in zip(curve["levels"], empirical, strict=True))
    svg.append(f'<polyline points="{mean}" fill="none" stroke="#0b2f5a" stroke-width="2.5"/>')
    svg.append("</svg>")
    return {"sbc-ranks.svg": "\n".join(out) + "\n", "sbc-coverage.svg": "\n".join(svg) + "\n"}


def side_by_side(first: dict, second: dict) -> str:
    """A markdown table of two posteriors of the same parameters (NPE against ABC): median, 90 % interval and
    width over the prior's, per parameter, and the overlap of the two 90 % intervals."""
    rows = {r.get("name") or r["path"]: r for r in second["posterior"]}
    a_name, b_name = first["method"]["algorithm"], second["method"]["algorithm"]
    out = [f"| parameter | {a_name}: median (90 %) | width | {b_name}: median (90 %) | width | overlap |",
           "|---|---|---|---|---|---|"]
    for a in first["posterior"]:
        b = rows.get(a.get("name") or a["path"])
        if b is None:
            continue
        overlap = max(0.0, min(a["q95"], b["q95"]) - max(a["q05"], b["q05"]))
        shorter = min(a["q95"] - a["q05"], b["q95"] - b["q05"]) or 1.0
        cells = [a.get("name") or a["path"]]
        for r in (a, b):
            ratio = r.get("width_ratio", float("nan"))
            cells += [f"{_num(r['q50'])} ({_num(r['q05'])} – {_num(r['q95'])})", f"{ratio:.0%}"]
        out.append("| " + " | ".join(cells + [f"{overlap / shorter:.0%}"]) + " |")
    return "\n".join(out) + "\n"


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def main(argv: list[str] | None = None) -> int:
    """`python -m awol.evidence.figures POSTERIOR OUT.html|OUT.svg`, or `--compare A.json B.json` (a markdown table)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 3 and argv[0] == "--compare":
        from awol.evidence.posterior import PosteriorError, read_posterior

        try:
            print(side_by_side(read_posterior(argv[1]), read_posterior(argv[2])), end="")
        except PosteriorError as exc:
            print("\n".join(exc.problems), file=sys.stderr)
            return 2
        return 0
    if len(argv) != 2:
        print("usage: python -m awol.evidence.figures POSTERIOR.json OUT.html|OUT.svg | --compare A.json B.json",
              file=sys.stderr)
        return 2
    doc = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    if not doc.get("predictive"):
        print(f"{argv[0]}: holds no posterior-predictive table (calibrate with --draws > 0)", file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    fig = predictive_figure(doc)
    if out.suffix == ".html":
        fig.write_html(out, include_plotlyjs=True, full_html=True)
    else:
        import os

        if Path("/usr/bin/chromium").exists():
            os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")  # never a downloaded browser
        try:
            fig.write_image(out, width=1000)
        except (ValueError, ImportError, RuntimeError) as exc:
            print(f"{out}: cannot export {out.suffix} ({exc}); write .html, or install plotly's kaleido",
                  file=sys.stderr)
            return 2
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
