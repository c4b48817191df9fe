"""`awol ensemble`, `awol sweep`, `awol sensitivity`, `awol compare`: experiments from the shell.

Each command mirrors a function of `awol.experiments.api`; bad designs exit 2 with one
line per problem; runs already on disk are kept and only missing runs are computed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from awol.cli.common import app, console, fail, scenario_or_exit
from awol.engines import DEFAULT_ENGINE, ENGINES
from awol.experiments import api
from awol.experiments.analysis import SUMMARIES
from awol.experiments.design import DESIGNS, DesignError
from awol.progress import rich_progress
from awol.store.runs import default_out

Runs = Annotated[int, typer.Option(help="Replicates (independent seeds derived from the scenario seed and the run index).")]
Days = Annotated[Optional[int], typer.Option(help="Days to simulate (default: the scenario's).")]
Workers = Annotated[Optional[int], typer.Option(help="Local worker processes (default: one per core).")]
Engine = Annotated[str, typer.Option(help=f"Simulation engine: {', '.join(ENGINES)}.")]
Dask = Annotated[Optional[str], typer.Option(help="Run on dask.distributed: a scheduler address (tcp://HOST:8786) or local:N.")]
Out = Annotated[Optional[Path], typer.Option(help="Output directory (re-running the same command resumes it).")]


def _check_dask(dask: str | None) -> None:
    if dask is None:
        return
    if dask.startswith("local:"):
        n = dask.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            fail(f"--dask: {dask!r}; write local:N with N at least 1, or a scheduler address tcp://HOST:PORT")
    elif "://" not in dask:
        fail(f"--dask: {dask!r}; write local:N or a scheduler address tcp://HOST:PORT")


def _run(description: str, function, *args, **kwargs):
    _check_dask(kwargs.get("dask"))
    if kwargs.get("workers") is not None and kwargs["workers"] < 1:
        fail(f"--workers: {kwargs['workers']}; must be at least 1")
    try:
        with rich_progress(description) as progress:
            return function(*args, progress=progress, **kwargs)
    except DesignError as exc:
        fail(exc.problems)


@app.command()
def ensemble(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    runs: Runs = 20,
    days: Days = None,
    workers: Workers = None,
    engine: Engine = DEFAULT_ENGINE,
    dask: Dask = None,
    out: Out = None,
) -> None:
    """Run N replicates; store each run, the per-day quantiles and a manifest."""
    sc = scenario_or_exit(scenario)
    out = out or default_out(f"{sc.name}-ensemble")
    result = _run(f"{sc.name} × {runs}", api.ensemble, sc, runs, days=days, engine=engine, out=out, workers=workers, dask=dask)
    table = Table(title=f"{sc.name}: {runs} runs ({engine})")
    table.add_column("summary")
    for q in ("5 %", "50 %", "95 %"):
        table.add_column(q, justify="right")
    for name in SUMMARIES:
        v = result.summaries[name].quantile([0.05, 0.5, 0.95])
        table.add_row(name, *(f"{x:,.0f}" for x in v))
    console.print(table)
    console.print(f"Wrote [bold]{out}[/] (runs/run-*.parquet, quantiles.parquet, summaries.parquet, manifest.json, scenario.yaml).")
    console.print(f"Make a report with: awol report {out}")


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    vary: Annotated[list[str], typer.Option(help="PATH=LO:HI[:N], a parameter by its dotted path in the scenario file (repeatable).")],
    design: Annotated[str, typer.Option(help=f"Design: {', '.join(DESIGNS)}.")] = "grid",
    points: Annotated[int, typer.Option(help="Points per axis (grid, unless :N is given) or in all (lhs, sobol).")] = 5,
    runs_per_point: Annotated[int, typer.Option(help="Replicates at each point (common random numbers across points).")] = 1,
    days: Days = None,
    workers: Workers = None,
    engine: Engine = DEFAULT_ENGINE,
    dask: Dask = None,
    out: Out = None,
) -> None:
    """Run a design over parameters addressed by their dotted path in the scenario file."""
    sc = scenario_or_exit(scenario)
    out = out or default_out(f"{sc.name}-sweep")
    result = _run(f"{sc.name} sweep", api.sweep, sc, vary, design_kind=design, points=points,
                  runs_per_point=runs_per_point, days=days, engine=engine, out=out, workers=workers, dask=dask)
    params = [c for c in result.table.columns if "." in c or "[" in c]
    shown = ["total_new_desertions", "final_retained_past_term", "total_cases_filed"]
    means = result.table.groupby("point")[params + shown].mean()
    table = Table(title=f"{sc.name}: {design} design, {len(means)} points × {runs_per_point} runs (means)")
    for c in params + shown:
        table.add_column(c, justify="right")
    for _, row in means.head(40).iterrows():
        table.add_row(*(f"{row[c]:.4g}" for c in params + shown))
    console.print(table)
    console.print(f"Wrote [bold]{out}[/] (points.parquet, runs/, summaries.parquet, manifest.json).")


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    method: Annotated[str, typer.Option(help="sobol (Saltelli/Sobol' sampling) or morris.")] = "sobol",
    parameter: Annotated[Optional[list[str]], typer.Option(help="Parameter path with a declared range (repeatable; default: every ranged parameter).")] = None,
    outputs: Annotated[Optional[list[str]], typer.Option(help=f"Summaries to analyse (repeatable): {', '.join(SUMMARIES)}.")] = None,
    samples: Annotated[int, typer.Option(help="Base samples N (Sobol: N·(D+2) runs; Morris: N·(D+1) runs).")] = 64,
    days: Days = None,
    workers: Workers = None,
    engine: Engine = DEFAULT_ENGINE,
    dask: Dask = None,
    out: Out = None,
) -> None:
    """Global sensitivity over the ranges declared in the scenario file; prints indices, saves a plot."""
    from awol.experiments.plots import indices_plot

    sc = scenario_or_exit(scenario)
    out = out or default_out(f"{sc.name}-{method}")
    result = _run(f"{sc.name} {method}", api.sensitivity, sc, method=method, parameters=parameter, outputs=outputs,
                  samples=samples, days=days, engine=engine, out=out, workers=workers, dask=dask)
    idx = result.table
    for output, rows in idx.groupby("output", sort=False):
        table = Table(title=f"{output} ({method})")
        table.add_column("parameter")
        cols = ["S1", "ST"] if method == "sobol" else ["mu_star", "sigma"]
        for c in cols:
            table.add_column(c + (" ± 95 %" if f"{c}_conf" in rows else ""), justify="right")
        key = cols[1] if method == "sobol" else cols[0]
        for _, r in rows.sort_values(key, ascending=False).iterrows():
            cells = [f"{r[c]:.3g} ± {r[c + '_conf']:.2g}" if f"{c}_conf" in rows else f"{r[c]:.3g}" for c in cols]
            table.add_row(r["parameter"], *cells)
        console.print(table)
    plot = indices_plot(idx, method, out / "indices.html")
    console.print(f"Wrote [bold]{out}[/] (indices.parquet, {plot.name}, points.parquet, runs/, summaries.parquet).")


@app.command()
def compare(
    scenarios: Annotated[list[str], typer.Argument(help="Two or more scenarios; the first is the reference.")],
    runs: Runs = 20,
    days: Days = None,
    workers: Workers = None,
    engine: Engine = DEFAULT_ENGINE,
    dask: Dask = None,
    out: Out = None,
) -> None:
    """Compare scenarios with common random numbers: paired differences with 95 % t-intervals."""
    from awol.experiments.plots import differences_plot

    scs = [scenario_or_exit(s) for s in scenarios]
    if len(scs) < 2:
        fail(f"compare needs at least two scenarios; got {len(scs)}")
    out = out or default_out("compare-" + "-".join(s.name for s in scs))
    result = _run("compare", api.compare, scs, runs=runs, days=days, engine=engine, out=out, workers=workers, dask=dask)
    for name, rows in result.table.groupby("scenario", sort=False):
        table = Table(title=f"{name} − {rows['baseline'].iloc[0]} ({runs} paired runs)")
        for c in ("summary", "reference mean", "difference", "95 % interval"):
            table.add_column(c, justify="right" if c != "summary" else "left")
        for _, r in rows.iterrows():
            table.add_row(r["output"], f"{r['baseline_mean']:,.0f}", f"{r['mean_difference']:+,.1f}",
                          f"[{r['low']:+,.1f}, {r['high']:+,.1f}]")
        console.print(table)
    plot = differences_plot(result.table, out / "differences.html")
    console.print(f"Wrote [bold]{out}[/] (one folder of runs per scenario, summaries.parquet, differences.parquet, {plot.name}).")
    console.print(f"Make a report with: awol report {out}")
