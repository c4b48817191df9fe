"""Predictive-vs-observed figure as a self-contained SVG (no plotting dependency, opens anywhere).

    python -m awol.evidence.figures src/awol/scenarios/baseline.posterior.json docs/figures/predictive-vs-observed.svg

One line per observed figure: the posterior-predictive 90 % interval (thin bar),
50 % interval (thick bar) and median (tick) on a log scale, and the observed value
(dot: dark inside the 90 % interval, red outside). Figures left out of the fit are grey.
"""

from __future__ import annotations

import html
import json
import math
import sys
from pathlib import Path

LEFT, RIGHT, TOP, ROW, WIDTH = 360, 40, 46, 22, 960


def _x(value: float, low: float, high: float) -> float:
    span = math.log10(high) - math.log10(low)
    return LEFT + (math.log10(max(value, low)) - math.log10(low)) / span * (WIDTH - LEFT - RIGHT)


def predictive_svg(doc: dict, title: str | None = None) -> str:
    """The posterior-predictive intervals of every observed figure against its value, as SVG."""
    rows = sorted(
        doc["predictive"], key=lambda r: (not r["use"], r["date_to"], r["date_from"], r["quantity"], r["article"])
    )
    values = [v for r in rows for v in (r["q05"], r["q95"], r["observed"]) if v > 0]
    low = 10 ** math.floor(math.log10(max(min(values), 1)))
    top = 10 ** math.floor(math.log10(max(values)))
    high = next(top * m for m in (1, 2, 5, 10) if top * m >= max(values))
    height = TOP + ROW * (len(rows) + 1) + 40
    title = title or (
        f"Posterior predictive vs observed: {doc['scenario']['name']} ({doc['simulations']['predictive']} simulations)"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{html.escape(title)}</text>',
        '<text x="10" y="36" fill="#555">bars: 90 % (thin) and 50 % (thick) predictive intervals, tick: median; '
        "dot: observed (red: outside 90 %); grey: not fitted; log scale</text>",
    ]
    decade = low
    bottom = TOP + ROW * len(rows) + 6
    while decade <= high:
        for mult in (1, 2, 5):
            v = decade * mult
            if low <= v <= high:
                x = _x(v, low, high)
                out.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#e4e4e4"/>')
                out.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#555">{v:,.0f}</text>')
        decade *= 10
    for i, r in enumerate(rows):
        y = TOP + ROW * i + ROW / 2
        colour = "#1f5fa8" if r["use"] else "#9a9a9a"
        label = ("" if r["use"] else "(not fitted) ") + r["row"]
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{html.escape(label)}</text>')
        x05, x25, x50, x75, x95 = (_x(r[k], low, high) for k in ("q05", "q25", "q50", "q75", "q95"))
        out.append(
            f'<line x1="{x05:.1f}" y1="{y:.1f}" x2="{x95:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="2"/>'
        )
        out.append(
            f'<line x1="{x25:.1f}" y1="{y:.1f}" x2="{x75:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="7"/>'
        )
        out.append(
            f'<line x1="{x50:.1f}" y1="{y - 7:.1f}" x2="{x50:.1f}" y2="{y + 7:.1f}" stroke="black" stroke-width="1.5"/>'
        )
        dot = "#222" if r["covered90"] else "#d62728"
        out.append(
            f'<circle cx="{_x(r["observed"], low, high):.1f}" cy="{y:.1f}" r="4.5" fill="{dot}" stroke="white"/>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def sbc_svgs(result: dict) -> dict[str, str]:
    """Rank histograms (one panel per parameter) and the expected-coverage curve of an SBC result, as SVG files."""
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
        f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="#999" stroke-dasharray="4"/>',
        f'<text x="{size / 2 - 40}" y="{size - 8}">nominal level</text>',
        f'<text x="4" y="{size / 2}" transform="rotate(-90 10 {size / 2})">empirical coverage</text>',
    ]
    for j in range(len(params)):
        points = " ".join(
            f"{sx(level):.1f},{sy(row[j]):.1f}" for level, row in zip(curve["levels"], curve["empirical"], strict=True)
        )
        svg.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-opacity="0.5"/>')
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
    """`python -m awol.evidence.figures POSTERIOR OUT.svg`, or `--compare A.json B.json` (a markdown table)."""
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
        print("usage: python -m awol.evidence.figures POSTERIOR.json OUT.svg | --compare A.json B.json",
              file=sys.stderr)
        return 2
    doc = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    if not doc.get("predictive"):
        print(f"{argv[0]}: holds no posterior-predictive table (calibrate with --draws > 0)", file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(predictive_svg(doc), encoding="utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
