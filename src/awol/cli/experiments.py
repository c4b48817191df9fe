"""`awol ensemble`, `awol sweep`, `awol sensitivity`, `awol compare`: experiments from the shell.

Each command mirrors a function of `awol.experiments.api`; bad designs exit 2 with one
line per problem; runs already on disk are kept and only missing runs are computed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from awol.cli.common import app, check_dask, console, fail, scenario_or_exit
from awol.engines import DEFAULT_ENGINE, ENGINES
from awol.experiments import api
from awol.experiments.analysis import LABELS, SUMMARIES, UNITS
from awol.experiments.design import DESIGNS, DesignError
from awol.problems import ProblemsError
from awol.progress import rich_progress
from awol.store.runs import default_out

Runs = Annotated[int, typer.Option(help="Replicates (independent seeds derived from the scenario seed and the run "
                                        "index).")]
Days = Annotated[int | None, typer.Option(help="Days to simulate (default: the scenario's).")]
Workers = Annotated[int | None, typer.Option(help="Local worker processes (default: one per core).")]
Engine = Annotated[str, typer.Option(help=f"Simulation engine: {', '.join(ENGINES)}.")]
Dask = Annotated[str | None, typer.Option(help="Run on dask.distributed: a scheduler address (tcp://HOST:8786) or "
                                               "local:N.")]
Out = Annotated[Path | None, typer.Option(help="Output directory (re-running the same command resumes it).")]


def _run(description: str, function, *args, **kwargs):
    check_dask(kwargs.get("dask"))
    if kwargs.get("workers") is not None and kwargs["workers"] < 1:
        fail(f"--workers: {kwargs['workers']}; must be at least 1")
    try:
        with rich_progress(description) as progress:
            return function(*args, progress=progress, **kwargs)
    except ProblemsError as exc:  # a design, a scenario an engine refuses, memory, ...
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
    result = _run(f"{sc.name} × "
                  f"{runs}", api.ensemble, sc, runs, days=days, engine=engine, out=out, workers=workers, dask=dask)
    from awol.experiments.analysis import summary_quantiles

    scale = sc.simulation.scale
    size = "full scale" if scale == 1 else f"scale {scale:g}: counts for {scale:g} of the force"
    table = Table(title=f"{sc.name}: {runs} runs ({engine}, {size})", title_justify="left", box=box.SIMPLE_HEAD,
                  caption="Counts of soldiers per run, then over runs: (end) on the last day, others summed over "
                          "the run.", caption_justify="left")
    table.add_column("summary", no_wrap=True)
    for q in ("median", "50 % of runs", "90 % of runs"):
        table.add_column(q, justify="right", no_wrap=True)
    for _, r in summary_quantiles(result.summaries).iterrows():
        table.add_row(LABELS[r["summary"]], _count(r["q50"]), f"{_count(r['q25'])}–{_count(r['q75'])}",
                      f"{_count(r['q05'])}–{_count(r['q95'])}")
    console.print(table)
    console.print(f"Wrote [bold]{out}[/] (runs/run-*.parquet, quantiles.parquet, summaries.parquet, manifest.json, "
                  f"scenario.yaml).")
    console.print(f"Make a report with: awol report {out}")


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    vary: Annotated[list[str], typer.Option(help="PATH=LO:HI[:N], a parameter by its dotted path in the scenario file "
                                                 "(repeatable).")],
    design: Annotated[str, typer.Option(help=f"Design: {', '.join(DESIGNS)}.")] = "grid",
    points: Annotated[int, typer.Option(help="Points per axis (grid, unless :N is given) or in all (lhs, sobol).")] = 5,
    runs_per_point: Annotated[int, typer.Option(help="Replicates at each point (common random numbers across "
                                                     "points).")] = 1,
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


# Above this many runs (or this many estimated seconds) `awol sensitivity` starts only with --yes.
CONFIRM_RUNS = 500
CONFIRM_SECONDS = 15 * 60


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    method: Annotated[str, typer.Option(help="sobol (Saltelli/Sobol' sampling) or morris.")] = "sobol",
    parameter: Annotated[list[str] | None, typer.Option(help="Parameter path with a declared range (repeatable; "
                                                             "default: every ranged parameter).")] = None,
    outputs: Annotated[list[str] | None, typer.Option(help=f"Summaries to analyse (repeatable): "
                                                           f"{', '.join(SUMMARIES)}.")] = None,
    samples: Annotated[int, typer.Option(help="Base samples N (Sobol: N·(D+2) runs; Morris: N·(D+1) runs).")] = 64,
    days: Days = None,
    workers: Workers = None,
    engine: Engine = DEFAULT_ENGINE,
    dask: Dask = None,
    out: Out = None,
    yes: Annotated[bool, typer.Option(
        "--yes", help=f"Start even above {CONFIRM_RUNS} runs or {CONFIRM_SECONDS // 60} minutes.")] = False,
) -> None:
    """Global sensitivity over the ranges declared in the scenario file; prints indices, saves a plot."""
    import os

    from awol.experiments.cost import duration, seconds_estimate
    from awol.experiments.design import ranges_from_scenario
    from awol.experiments.plots import indices_plot

    sc = scenario_or_exit(scenario)
    if method not in ("sobol", "morris"):
        fail(f"--method: {method!r}; choose sobol or morris")
    if samples < 1:
        fail(f"--samples: {samples}; must be at least 1")
    if engine not in ENGINES:
        fail(f"--engine: {engine!r} is not an engine; choose one of {', '.join(ENGINES)}")
    try:
        count = len(ranges_from_scenario(sc, parameter))
    except DesignError as exc:
        fail(exc.problems)
    runs = samples * (count + (2 if method == "sobol" else 1))
    try:  # the limits before the plan: a plan of 10^10 runs is not worth printing
        api.check_size(runs, days, engine, what="--samples")
    except DesignError as exc:
        fail(exc.problems)
    cores = 1 if dask else (workers or os.cpu_count() or 1)
    seconds = seconds_estimate(sc, days or sc.simulation.days, runs, engine, workers=cores)
    plan = (f"{sc.name}: {method} over {count} parameters, {samples} base samples: {runs:,} runs of "
            f"{days or sc.simulation.days} days, {duration(seconds)} on {cores} worker(s)"
            + (" (dask: depends on the cluster)" if dask else ""))
    console.print(plan, highlight=False)
    if not yes and (runs > CONFIRM_RUNS or seconds > CONFIRM_SECONDS):
        fail(f"this would start {runs:,} runs ({duration(seconds)}); pass --yes to start them, "
             "or lower --samples or name fewer --parameter")
    out = out or default_out(f"{sc.name}-{method}")
    result = _run(f"{sc.name} {method}", api.sensitivity, sc, method=method, parameters=parameter, outputs=outputs,
                  samples=samples, days=days, engine=engine, out=out, workers=workers, dask=dask)
    idx = result.table
    for output, rows in idx.groupby("output", sort=False):
        unit = UNITS.get(output, output)
        if method == "sobol":
            note = "share of the variance of " + unit
        else:
            note = f"μ*: mean absolute change in {unit} per step of 2/3 of a range"
        table = Table(title=f"{output} ({method})", caption=note, caption_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("parameter", overflow="fold")
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


def _count(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _signed(x: float) -> str:
    if x == 0:
        return "0"
    return f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+.3g}"


def _between(low: float, high: float) -> str:
    return _signed(low) if low == high else f"{_signed(low)} to {_signed(high)}"


def differences_table(rows, title: str, *, drawn: bool) -> Table:
    """Paired differences, readable at 80 columns: the reference's mean, the mean difference
    ± the half-width of its 95 % t-interval and, under posterior draws, the 90 % range of the differences."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left",
                  caption="Counts of soldiers: (end) on the last day, others summed over the run. ± : half-width "
                          "of the 95 % t-interval of the mean difference"
                          + ("; 90 % of draws: 5th to 95th percentile of the paired differences." if drawn else "."),
                  caption_justify="left")
    table.add_column("summary", no_wrap=True)
    table.add_column("reference mean", justify="right", no_wrap=True)
    table.add_column("mean difference", justify="right", no_wrap=True)
    if drawn:
        table.add_column("90 % of draws", justify="right", no_wrap=True)
    for _, r in rows.iterrows():
        half = (r["high"] - r["low"]) / 2
        cells = [LABELS.get(r["output"], r["output"]), _count(r["baseline_mean"]),
                 _signed(r["mean_difference"]) + ("" if half != half else f" ± {_count(half)}")]
        if drawn:
            cells.append(_between(r["q05"], r["q95"]))
        table.add_row(*cells)
    return table


@app.command()
def compare(
    scenarios: Annotated[list[str], typer.Argument(help="Two or more scenarios; the first is the reference.")],
    runs: Runs = 20,
    posterior: Annotated[str | None, typer.Option(
        help="Draw the calibrated parameters from this posterior (a file, or a bundled scenario name such as "
             "baseline): draw k is used in run k of every scenario.")] = None,
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
    if runs < 1:
        fail(f"--runs: {runs}; must be at least 1")
    parameters = None
    if posterior is not None:
        from awol.evidence.nowcast import PosteriorError
        from awol.evidence.posteriors import posterior_draws

        try:
            parameters = posterior_draws(posterior, runs)
        except PosteriorError as exc:
            fail(exc.problems)
    out = out or default_out("compare-" + "-".join(s.name for s in scs))
    result = _run("compare", api.compare, scs, runs=runs, parameters=parameters, days=days, engine=engine, out=out,
                  workers=workers, dask=dask)
    how = f"{runs} paired runs" + (f", parameters drawn from {Path(parameters.attrs['source']).name}"
                                   if parameters is not None else "")
    for name, rows in result.table.groupby("scenario", sort=False):
        title = f"{name} − {rows['baseline'].iloc[0]} ({how})"
        console.print(differences_table(rows, title, drawn=parameters is not None))
    plot = differences_plot(result.table, out / "differences.html")
    console.print(f"Wrote [bold]{out}[/] (one folder of runs per scenario, summaries.parquet, differences.parquet, "
                  f"{plot.name}).")
    console.print(f"Make a report with: awol report {out}")
