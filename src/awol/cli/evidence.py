"""`awol calibrate` and `awol nowcast`: fit parameters to the public figures, then ask what they imply.

Bad data, unknown parameters or parameters without a declared range exit 2 with one
line per problem; a calibration database (`--db`) makes an interrupted run resumable.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from awol.cli.common import app, console, errors, fail, scenario_or_exit
from awol.progress import rich_progress

FORMATS = ("table", "json", "csv")


def _observed_or_exit(paths):
    from awol.evidence.observed import ObservedDataError, bundled_path, load_observed

    files = list(paths) if paths else [bundled_path()]
    try:
        return load_observed(files), files
    except ObservedDataError as exc:
        fail(exc.problems, title=f"observed data: {len(exc.problems)} problem(s)")


def _check_dask(dask: str | None) -> None:
    if dask is None:
        return
    count = dask.split(":", 1)[1] if dask.startswith("local:") else None
    if (count is not None and (not count.isdigit() or int(count) < 1)) or (count is None and "://" not in dask):
        fail(f"--dask: {dask!r}; write local:N with N at least 1, or a scheduler address tcp://HOST:PORT")


def _check_work(least: int = 1, **options: int) -> None:
    """Every count of work an evidence command takes has an upper limit (scenario/limits.py);
    `--draws` may be `least` (0: calibrate skips the predictive check)."""
    from awol.scenario import limits

    most = {"population": limits.MAX_DRAWS, "draws": limits.MAX_DRAWS, "generations": limits.MAX_GENERATIONS,
            "workers": limits.MAX_WORKERS}
    lowest = {name: least if name == "draws" else 1 for name in options}
    problems = [f"--{name}: {value:,}; must be from {lowest[name]} to {most[name]:,}"
                for name, value in options.items() if not lowest[name] <= value <= most[name]]
    if problems:
        fail(problems)


def _check_nowcast_days(posterior: Path, until: str | None, draws: int, workers: int) -> None:
    """`--until` as a date within the scenario's longest run, and memory for the draws, before any draw runs."""
    import datetime as dt

    from awol.engines.footprint import MemoryNeedError, check_memory
    from awol.evidence.nowcast import PosteriorError, posterior_scenario, read_posterior
    from awol.scenario import limits

    try:
        scenario, _ = posterior_scenario(read_posterior(posterior), posterior)
    except PosteriorError:
        return  # the nowcast itself names what is wrong with the posterior
    days = None
    if until is not None:
        try:
            end = dt.date.fromisoformat(until)
        except ValueError:
            fail(f"--until: {until!r} is not a date; write YYYY-MM-DD")
        days = (end - scenario.simulation.start).days + 1
        if days > limits.MAX_DAYS:
            fail(f"--until: {until}; at most {limits.MAX_DAYS:,} days from the scenario's start "
                 f"{scenario.simulation.start} (scenario/limits.py MAX_DAYS)")
        if days < 1:
            return  # the nowcast names it
    try:
        check_memory([(scenario, days)], "cohorts", concurrent=min(workers, draws),
                     processes=workers if workers > 1 else 0)
    except MemoryNeedError as exc:
        fail(exc.problems)


def _show_pyabc_progress() -> None:
    """pyabc reports each generation (threshold, acceptance) through its logger; show it on stderr."""
    import pyabc  # noqa: F401  (installs its own handler on import; replaced below)
    from rich.logging import RichHandler

    logger = logging.getLogger("ABC")
    logger.handlers[:] = [RichHandler(console=errors, show_path=False, show_time=True)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logging.getLogger("ABC.Sampler").setLevel(logging.WARNING)


def _fmt(x) -> str:
    x = float(x)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    params: Annotated[list[str], typer.Option("--params", help="Dotted path of a parameter to fit (repeat); its prior is the range declared in the scenario file.")],
    data: Annotated[Optional[list[Path]], typer.Option("--data", help="Observed-data CSV (repeat; default: the bundled court-case tally).")] = None,
    population: Annotated[int, typer.Option(help="Particles per generation.")] = 100,
    generations: Annotated[int, typer.Option(help="ABC-SMC generations (in total, counting those already in --db).")] = 5,
    workers: Annotated[int, typer.Option(help="Local worker processes (1: reproducible from --seed).")] = 1,
    dask: Annotated[Optional[str], typer.Option(help="Run on dask.distributed: a scheduler address (tcp://HOST:8786) or local:N.")] = None,
    db: Annotated[Optional[Path], typer.Option(help="pyabc database (SQLite); the same command resumes it (default: <out>.db).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Posterior JSON (default: <scenario stem>.posterior.json next to the scenario file; in the current directory for a bundled scenario).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Base seed (default: the scenario's).")] = None,
    draws: Annotated[int, typer.Option(help="Posterior-predictive simulations for the fit check.")] = 60,
    max_minutes: Annotated[Optional[float], typer.Option(help="Stop sampling after this many minutes (the last whole generation is kept).")] = None,
) -> None:
    """Fit scenario parameters to observed court-case figures with ABC-SMC (pyabc); write the posterior as JSON."""
    from awol.evidence.calibrate import calibrate as run_calibration, write_posterior
    from awol.evidence.measure import MeasurementError
    from awol.evidence.priors import CalibrationError, priors_for
    from awol.scenario.load import BUNDLED_DIR, resolve_path

    _check_dask(dask)
    if workers < 1:
        fail(f"--workers: {workers}; must be at least 1")
    _check_work(0, population=population, generations=generations, draws=draws, workers=workers)
    sc = scenario_or_exit(scenario)
    observed, files = _observed_or_exit(data)
    try:
        priors_for(sc, params)
    except CalibrationError as exc:
        fail(exc.problems, title=f"--params: {len(exc.problems)} problem(s)")
    scenario_file = resolve_path(scenario)
    bundled = scenario_file.resolve().parent == BUNDLED_DIR.resolve()
    if out is None:  # next to the scenario; for a bundled one, here (the shipped posterior stays untouched)
        out = (Path.cwd() if bundled else scenario_file.parent) / f"{scenario_file.stem}.posterior.json"
    db = db or out.with_suffix(".db")
    _show_pyabc_progress()
    try:
        doc = run_calibration(sc, observed, params, population=population, generations=generations, workers=workers,
                              dask=dask, db=db, seed=seed, predictive_draws=draws, max_minutes=max_minutes,
                              scenario_file=scenario_file.name if bundled else str(scenario_file),
                              data_files=files, show_progress=sys.stdout.isatty(),
                              log=lambda m: errors.print(m, highlight=False))
    except (CalibrationError, MeasurementError) as exc:
        fail(exc.problems, title=f"{len(exc.problems)} problem(s)")
    write_posterior(doc, out)
    show_posterior(doc)
    console.print(f"posterior written to {out} (database {db})", highlight=False)


def show_posterior(doc: dict) -> None:
    table = Table(title=f"Posterior ({doc['method']['generations']} generations, {doc['simulations']['calibration']} simulations, "
                        f"{doc['wall_seconds']['calibration']:.0f} s)")
    for col in ("parameter", "prior", "median", "50 %", "90 %"):
        table.add_column(col, no_wrap=col == "parameter")
    for r in doc["posterior"]:
        table.add_row(r["path"], f"{_fmt(r['prior'][0])}–{_fmt(r['prior'][1])}", _fmt(r["q50"]),
                      f"{_fmt(r['q25'])}–{_fmt(r['q75'])}", f"{_fmt(r['q05'])}–{_fmt(r['q95'])}")
    console.print(table)
    if doc.get("predictive"):
        fit = Table(title="Posterior predictive against the observed figures")
        for col in ("figure", "fitted", "observed", "median", "90 %", "inside 90 %"):
            fit.add_column(col)
        for r in doc["predictive"]:
            fit.add_row(r["row"], "yes" if r["use"] else "no", _fmt(r["observed"]), _fmt(r["q50"]),
                        f"{_fmt(r['q05'])}–{_fmt(r['q95'])}", "yes" if r["covered90"] else "[red]no[/]")
        console.print(fit)


@app.command()
def nowcast(
    posterior: Annotated[Path, typer.Argument(help="Posterior JSON written by `awol calibrate`, or a bundled scenario name (its shipped posterior).")],
    until: Annotated[Optional[str], typer.Option(help="Date of the nowcast, YYYY-MM-DD (default: the scenario's end).")] = None,
    draws: Annotated[int, typer.Option(help="Particles drawn by weight and simulated.")] = 100,
    format: Annotated[str, typer.Option("--format", help="table, json or csv (to stdout).")] = "table",
    seed: Annotated[Optional[int], typer.Option(help="Seed of the draws (default: the calibration's seed + 1).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    dask: Annotated[Optional[str], typer.Option(help="Run on dask.distributed: a scheduler address or local:N.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Also write a results directory that `awol report` shows (runs, posterior.json, nowcast.csv).")] = None,
) -> None:
    """Hidden quantities at a date implied by a posterior: medians and 50 % / 90 % intervals."""
    import json

    from awol.evidence.nowcast import PosteriorError, nowcast as run_nowcast, nowcast_table, write_results
    from awol.scenario.load import BUNDLED_DIR

    if format not in FORMATS:
        fail(f"--format: {format!r}; choose one of {', '.join(FORMATS)}")
    _check_dask(dask)
    if workers < 1:
        fail(f"--workers: {workers}; must be at least 1")
    if not posterior.exists() and (BUNDLED_DIR / f"{posterior}.posterior.json").exists():
        posterior = BUNDLED_DIR / f"{posterior}.posterior.json"  # `awol nowcast baseline`: the shipped posterior
    _check_work(draws=draws, workers=workers)
    _check_nowcast_days(posterior, until, draws, workers)
    try:
        if format == "table":
            with rich_progress(f"nowcast ({draws} draws)", transient=True) as progress:
                result = run_nowcast(posterior, until=until, draws=draws, seed=seed, workers=workers, dask=dask,
                                     keep_daily=out is not None, progress=progress)
        else:
            result = run_nowcast(posterior, until=until, draws=draws, seed=seed, workers=workers, dask=dask,
                                 keep_daily=out is not None)
    except PosteriorError as exc:
        fail(exc.problems, title=f"{len(exc.problems)} problem(s)")
    table = nowcast_table(result)
    if format == "csv":
        typer.echo(table.to_csv(index=False), nl=False)
    elif format == "json":
        typer.echo(json.dumps({"until": result["until"], "draws": draws, "seed": result["seed"],
                               "scenario_hash": result["scenario"].hash,
                               "rows": json.loads(table.to_json(orient="records"))}, indent=1))
    else:
        rich = Table(title=f"Nowcast at {result['until']} ({draws} posterior draws, seed {result['seed']})",
                     caption="* fitted figure; ✗ observed value outside the 90 % interval")
        rich.add_column("quantity", no_wrap=True)
        for col in ("median", "50 %", "90 %", "observed"):
            rich.add_column(col, no_wrap=True)
        section = None
        for _, r in table.iterrows():
            hidden = r["group"] == "hidden"
            if section != hidden:
                section = hidden
                rich.add_row("[bold]hidden[/]" if hidden else "[bold]observable[/]")
            label = r["quantity"] + ("" if hidden or not r["group"].endswith("(fitted)") else " *")
            observed = "" if hidden else _fmt(r["observed"]) + ("" if r["covered90"] else " [red]✗[/]")
            rich.add_row(f"  {label}", _fmt(r["q50"]), f"{_fmt(r['q25'])}–{_fmt(r['q75'])}",
                         f"{_fmt(r['q05'])}–{_fmt(r['q95'])}", observed)
        console.print(rich)
    if out is not None:
        write_results(result, out)
        errors.print(f"results written to {out}; `awol report {out}` shows them", highlight=False)
