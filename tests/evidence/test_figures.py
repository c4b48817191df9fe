"""The predictive-vs-observed figure (plotly): one row per observed figure, misses in red, written offline."""

from __future__ import annotations

import json

from awol.evidence.figures import main, predictive_figure
from awol.scenario.load import BUNDLED_DIR


def test_every_observed_figure_is_drawn_with_its_intervals_and_misses_in_red(tmp_path):
    doc = json.loads((BUNDLED_DIR / "baseline.posterior.json").read_text())
    fig = predictive_figure(doc)
    observed = next(t for t in fig.data if t.name.startswith("observed"))
    assert len(observed.x) == len(doc["predictive"])
    missed = [c == "#d62728" for c in observed.marker.color]
    assert missed == [not r["covered90"] for r in sorted(
        doc["predictive"], key=lambda r: (not r["use"], r["date_to"], r["date_from"], r["quantity"], r["article"]))]
    assert fig.layout.xaxis.type == "log"
    bars = [t for t in fig.data if t.name.startswith("90 % predictive interval")]
    assert sum(len([x for x in t.x if x is not None]) for t in bars) == 2 * len(doc["predictive"])
    out = tmp_path / "f.html"
    assert main([str(BUNDLED_DIR / "baseline.posterior.json"), str(out)]) == 0
    assert "<script src=" not in out.read_text()  # plotly inlined: opens offline
