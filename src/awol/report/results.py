"""Results as the report and the web app read them: one run, or an ensemble of runs.

A run directory holds `daily.parquet`, `manifest.json`, `scenario.yaml`
(awol.store.runs). An ensemble directory holds several run directories (any
depth-one subdirectories with a manifest); its bands are computed here from the
runs so the report needs nothing else. Calibration posteriors are read by
`posterior_of` when a result directory holds one (see docs/web.md, "hook").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from awol.experiments.analysis import quantiles
from awol.store.runs import DAILY, MANIFEST, SCENARIO, holds_run, read_daily


class ResultsError(Exception):
    """A path given as results holds no run nor ensemble."""


@dataclass
class Result:
    """One result: its runs (daily tables), its scenario tree and manifests."""

    path: Path
    label: str
    runs: list[pd.DataFrame]
    manifests: list[dict]
    scenario_tree: dict
    posterior: dict | None = field(default=None)
    # Paired differences of this result against the reference of its comparison (`awol compare`), if any.
    differences: pd.DataFrame | None = field(default=None)

    @property
    def is_ensemble(self) -> bool:
        """Several runs (bands and intervals are shown) rather than one (a single line)."""
        return len(self.runs) > 1

    @property
    def scale(self) -> float:
        """`simulation.scale` of the runs: counts are at this fraction of the full force."""
        return float((self.scenario_tree.get("simulation") or {}).get("scale", 1.0))

    def totals(self) -> pd.DataFrame:
        """The run summaries (`analysis.SUMMARIES`), one row per run: totals are per run, then summarised."""
        from awol.experiments.analysis import summary_table

        return summary_table(self.runs)

    def bands(self, column: str) -> pd.DataFrame:
        """Quantiles of `column` over runs, by day (index: day; columns: `analysis.QUANTILES` names)."""
        values = np.stack([run[column].to_numpy(dtype=float) for run in self.runs])
        return pd.DataFrame(quantiles(values), index=self.runs[0]["day"].to_numpy())

    def dates(self) -> pd.Series:
        """The calendar dates of the runs' days (every run of a result shares them)."""
        return pd.to_datetime(self.runs[0]["date"])

    def cumulative_median(self, column: str) -> float:
        """The median over runs of each run's total of `column`: a link width in the Sankey."""
        return float(np.median([run[column].sum() for run in self.runs]))


def run_dirs(path: Path) -> list[Path]:
    """The run directories under `path` (itself, or its subdirectories holding runs)."""
    if holds_run(path) and (path / DAILY).exists():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and holds_run(p))


def is_experiment(path: Path) -> bool:
    """An ensemble written by awol.experiments: `manifest.json` + `runs/run-*.parquet` (docs/experiments.md)."""
    return (path / MANIFEST).exists() and any((path / "runs").glob("run-*.parquet"))


def load_results(path: str | Path) -> list[Result]:
    """Every result under `path`: one run or ensemble, or each scenario of an experiments `compare`."""
    path = Path(path)
    if is_experiment(path) or run_dirs(path):
        return [load_result(path)]
    parts = sorted(p for p in path.iterdir() if p.is_dir() and is_experiment(p)) if path.is_dir() else []
    if not parts and path.is_dir() and (path / MANIFEST).exists():
        parts = sorted(p for p in path.iterdir() if p.is_dir() and any((p / "runs").glob("run-*.parquet")))
    if not parts:
        raise ResultsError(f"{path}: holds no run ({MANIFEST}) nor ensemble (runs/run-*.parquet); "
                           "give a directory written by `awol run`, `awol ensemble` or `awol compare`")
    return [_load_experiment(p, manifest_dir=path if not (p / MANIFEST).exists() else p) for p in parts]


def _scenario_tree(path: Path, manifest: dict) -> dict:
    """The scenario tree stored with the results, else the bundled scenario of that name.

    An ensemble directory stores no scenario file, only its name and hash; the bundled
    scenario is used then, and `scenario_note` in the tree's place says whether its hash matches.
    """
    stored = path / SCENARIO
    if stored.exists():
        return yaml.safe_load(stored.read_text())
    from awol.scenario.load import ScenarioError, load_scenario

    try:
        sc = load_scenario(manifest.get("scenario", ""))
    except (ScenarioError, FileNotFoundError, OSError, ValueError):
        return {"description": f"scenario {manifest.get('scenario')!r} not stored with the results and not bundled"}
    tree = dict(sc.raw)
    if sc.hash != manifest.get("scenario_hash"):
        tree["description"] = (f"{sc.description} [The results store no scenario file and their scenario hash differs "
                               "from the bundled scenario shown here: the runs used modified parameters (scaled or "
                               "swept).]")
    return tree


def _load_experiment(path: Path, manifest_dir: Path) -> Result:
    manifest = json.loads((manifest_dir / MANIFEST).read_text())
    files = sorted((path / "runs").glob("run-*.parquet"))
    runs = [read_daily(f) for f in files]
    name = path.name if manifest_dir != path else manifest.get("scenario", path.name)
    differences = None
    if manifest.get("kind") == "compare" and name in manifest.get("scenarios", []):
        # A comparison's manifest lists its scenarios: this one's hash, and its paired differences.
        i = manifest["scenarios"].index(name)
        manifest = {**manifest, "scenario_hash": manifest["scenario_hashes"][i], "reference": manifest["scenarios"][0]}
        table = manifest_dir / "differences.parquet"
        if i > 0 and table.exists():
            all_differences = pd.read_parquet(table)
            differences = all_differences[all_differences["scenario"] == name].reset_index(drop=True)
    manifest = {**manifest, "scenario": name, "days": len(runs[0]) if runs else manifest.get("days")}
    manifests = [{**manifest, "seed": int(r["seed"].iloc[0]) if "seed" in r.columns else None} for r in runs]
    return Result(path, name, runs, manifests, _scenario_tree(path, manifest), posterior_of(path), differences)


def load_result(path: str | Path, label: str | None = None) -> Result:
    """Read one run, an ensemble of run directories or an experiments ensemble; raise ResultsError if none."""
    path = Path(path)
    if is_experiment(path):
        result = _load_experiment(path, path)
        result.label = label or result.label
        return result
    dirs = run_dirs(path)
    if not dirs:
        raise ResultsError(f"{path}: holds no run ({MANIFEST}) nor ensemble (runs/run-*.parquet); "
                           "give a directory written by `awol run`, `awol ensemble` or `awol compare`")
    runs = [read_daily(d / DAILY) for d in dirs]
    manifests = [json.loads((d / MANIFEST).read_text()) for d in dirs]
    tree = yaml.safe_load((dirs[0] / SCENARIO).read_text())
    name = manifests[0].get("scenario", path.name)
    return Result(path, label or name, runs, manifests, tree, posterior_of(path))


def posterior_of(path: Path) -> dict | None:
    """Hook for the calibration panel: a posterior summary stored with the results.

    `posterior.json` is written by awol.evidence (`awol nowcast POSTERIOR --out DIR`,
    format "awol-posterior/1"); its `summary` maps labels to the lines the panel
    shows (posterior per parameter, fit to each observed figure, nowcast). None
    when the directory holds no posterior.
    """
    candidate = path / "posterior.json"
    if candidate.exists():
        return json.loads(candidate.read_text())
    return None
