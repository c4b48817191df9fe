"""The predictive-vs-observed figure (plotly): does the calibrated model reproduce the public figures?

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

import json
import sys
from pathlib import Path


def predictive_figure(doc: dict, title: str | None = None):
    """A plotly figure of `doc["predictive"]` (rows as written by `awol calibrate`)."""
    import plotly.graph_objects as go

    rows = sorted(doc["predictive"], key=lambda r: (not r["use"], r["date_to"], r["date_from"], r["quantity"], r["article"]))
    labels = [("" if r["use"] else "(not fitted) ") + r["row"] for r in rows]
    fig = go.Figure()
    for fitted in (True, False):
        part = [(label, r) for label, r in zip(labels, rows) if r["use"] == fitted]
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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m awol.evidence.figures POSTERIOR.json OUT.html|OUT.svg", file=sys.stderr)
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
