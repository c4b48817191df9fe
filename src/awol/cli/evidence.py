"""`awol calibrate` and `awol nowcast`: fit parameters to the public figures, then ask what they imply.

Bad data, unknown parameters or parameters without a declared range exit 2 with one
line per problem; a calibration database (`--db`) makes an interrupted run resumable.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from awol.cli.common import app, check_dask, console, errors, fail, scenario_or_exit
from awol.progress import rich_progress

FORMATS = ("table", "json", "csv")


def _observed_or_exit(paths):
    from awol.evidence.observed import ObservedDataError, bundled_path, load_observed

    files = list(paths) if paths else [bundled_path()]
    try:
        return load_observed(files), files
    except ObservedDataError as exc:
        fail(exc.problems, title=f"observed data: {len(exc.problems)} problem(s)")


def _check_work(least: int = 1, **options: int | None) -> None:
    """Every count of work an evidence command takes has an upper limit (scenario/limits.py);
    `--draws` may be `least` (0: calibrate skips the predictive check). None: the declared default."""
    from awol.scenario import limits

    most = {"population": limits.MAX_DRAWS, "draws": limits.MAX_DRAWS, "generations": limits.MAX_GENERATIONS,
            "simulations": limits.MAX_DRAWS, "datasets": limits.MAX_DRAWS, "workers": limits.MAX_WORKERS}
    lowest = {"population": 2, "simulations": 20, "datasets": 10, "draws": least}
    problems = [f"--{name}: {value:,}; must be from {lowest.get(name, 1)} to {most[name]:,}"
                for name, value in options.items()
                if value is not None and not lowest.get(name, 1) <= value <= most[name]]
    if problems:
        fail(problems)


def _check_nowcast_days(posterior: Path, until: str | None, draws: int, workers: int) -> None:
    """`--until` as a date within the scenario's longest run, and memory for the draws, before any draw runs."""
    import datetime as dt

    from awol.engines.footprint import MemoryNeedError, check_memory
    from awol.evidence.nowcast import PosteriorError, posterior_scenario, read_posterior
    from awol.scenario import limits

    end = None
    if until is not None:
        try:
            end = dt.date.fromisoformat(until)
        except ValueError:
            fail(f"--until: {until!r} is not a date; write YYYY-MM-DD")
    try:
        scenario, _ = posterior_scenario(read_posterior(posterior), posterior)
    except PosteriorError:
        return  # the nowcast itself names what is wrong with the posterior
    days = None
    if end is not None:
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


def _command_line(ctx: typer.Context) -> list[str]:
    """The command as the user would type it again: `awol <command>`, its argument and every option given."""
    out = ["awol", str(ctx.info_name)]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if value is None or value == param.default or value == []:
            continue
        if param.param_type_name == "argument":
            out.append(str(value))
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            out += [param.opts[0], str(item)]
    return out


def _fmt(x) -> str:
    x = float(x)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


METHODS = ("abc", "npe")


@app.command()
def calibrate(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    params: Annotated[list[str] | None, typer.Option("--params", help="Dotted path of a parameter to fit (repeat); "
                                                                      "its prior is the range declared in the "
                                                                      "scenario file. Without it: every driver of "
                                                                      "data/inference/priors.yaml.")] = None,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Observed-data CSV (repeat; default: the bundled "
                                                                   "court-case tally).")] = None,
    method: Annotated[str, typer.Option(help="abc (ABC-SMC, pyabc) or npe (neural posterior estimation, sbi; needs "
                                             "the `inference` extra and the declared priors).")] = "abc",
    population: Annotated[int | None, typer.Option(help="ABC: particles per generation (default: "
                                                        "data/inference/method.yaml).")] = None,
    generations: Annotated[int | None, typer.Option(help="ABC: most generations, counting those already in --db "
                                                         "(default: method.yaml); the declared stopping rule may end "
                                                         "earlier.")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes (ABC: 1 is reproducible from --seed; NPE: any "
                                              "number gives the same posterior).")] = 1,
    dask: Annotated[str | None, typer.Option(help="Run on dask.distributed: a scheduler address (tcp://HOST:8786) or "
                                                  "local:N.")] = None,
    db: Annotated[Path | None, typer.Option(help="ABC: pyabc database (SQLite); the same command resumes it (default: "
                                                 "<out>.db).")] = None,
    bank: Annotated[Path | None, typer.Option(help="NPE: directory of the simulation bank; the same command resumes "
                                                   "it (default: <out>.bank).")] = None,
    simulations: Annotated[int | None, typer.Option(help="NPE: training simulations (default: method.yaml).")] = None,
    published_by: Annotated[str | None, typer.Option(help="Fit only the figures published by this date, YYYY-MM-DD (a "
                                                          "time split); the rest are predicted.")] = None,
    out: Annotated[Path | None, typer.Option(help="Posterior JSON (default: <scenario stem>.posterior.json next to "
                                                  "the scenario file; in the current directory for a bundled "
                                                  "scenario).")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    draws: Annotated[int | None, typer.Option(help="Posterior-predictive simulations for the fit check (default: 60 "
                                                   "for ABC, method.yaml's for NPE).")] = None,
    max_minutes: Annotated[float | None, typer.Option(help="ABC: stop sampling after this many minutes (a wall-clock "
                                                           "limit, recorded; not for a shipped posterior).")] = None,
) -> None:
    """Fit scenario parameters to observed court-case figures; write the posterior as JSON.

    ABC-SMC (pyabc) by default; `--method npe` for neural posterior estimation over the
    declared priors (the shipped posterior: `make posterior`).
    """
    import datetime as dt

    from awol.evidence.calibrate import calibrate as run_calibration
    from awol.evidence.calibrate import write_posterior
    from awol.evidence.measure import MeasurementError
    from awol.evidence.priors import CalibrationError, declared_priors, priors_for
    from awol.scenario.load import BUNDLED_DIR, resolve_path

    check_dask(dask)
    if workers < 1:
        fail(f"--workers: {workers}; must be at least 1")
    if method not in METHODS:
        fail(f"--method: {method!r}; choose one of {', '.join(METHODS)}")
    if method == "npe" and params:
        fail("--params: neural posterior estimation fits the declared priors (data/inference/priors.yaml); "
             "drop --params or use --method abc")
    _check_work(0, population=population, generations=generations, simulations=simulations, draws=draws,
                workers=workers)
    cut = None
    if published_by is not None:
        try:
            cut = dt.date.fromisoformat(published_by)
        except ValueError:
            fail(f"--published-by: {published_by!r} is not a date; write YYYY-MM-DD")
    sc = scenario_or_exit(scenario)
    observed, files = _observed_or_exit(data)
    try:
        priors_for(sc, params) if params else declared_priors(scenario=sc)
    except CalibrationError as exc:
        fail(exc.problems, title=f"--params: {len(exc.problems)} problem(s)")
    scenario_file = resolve_path(scenario)
    bundled = scenario_file.resolve().parent == BUNDLED_DIR.resolve()
    if out is None:  # next to the scenario; for a bundled one, here (the shipped posterior stays untouched)
        out = (Path.cwd() if bundled else scenario_file.parent) / f"{scenario_file.stem}.posterior.json"
    shown_file = scenario_file.name if bundled else str(scenario_file)
    log = lambda m: errors.print(m, highlight=False)  # noqa: E731
    try:
        if method == "npe":
            from awol.evidence.infer import npe_posterior

            bank = bank or out.with_suffix(".bank")
            with rich_progress("simulation bank", transient=True) as progress:
                doc = npe_posterior(sc, observed, bank_dir=bank, workers=workers, dask=dask, seed=seed,
                                    published_by=cut, simulations=simulations, predictive_draws=draws,
                                    scenario_file=shown_file, data_files=files, log=log, progress=progress,
                                    command=_command_line(ctx))
            where = f"bank {bank}"
        else:
            db = db or out.with_suffix(".db")
            _show_pyabc_progress()
            doc = run_calibration(sc, observed, params, population=population, generations=generations,
                                  workers=workers, dask=dask, db=db, seed=seed,
                                  predictive_draws=60 if draws is None else draws, max_minutes=max_minutes,
                                  published_by=cut, scenario_file=shown_file, data_files=files,
                                  show_progress=sys.stdout.isatty(), log=log, command=_command_line(ctx))
            where = f"database {db}"
    except (CalibrationError, MeasurementError) as exc:
        fail(exc.problems, title=f"{len(exc.problems)} problem(s)")
    write_posterior(doc, out)
    show_posterior(doc)
    console.print(f"posterior written to {out} ({where})", highlight=False)


@app.command()
def sbc(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    out: Annotated[Path, typer.Option(help="Results JSON (ranks per parameter, tests, coverage curve).")],
    data: Annotated[list[Path] | None, typer.Option("--data", help="Observed-data CSV (repeat; default: the bundled "
                                                                   "tally); sets which figures a data set "
                                                                   "has.")] = None,
    bank: Annotated[Path | None, typer.Option(help="Directory of the simulation bank (default: <out>.bank); shared "
                                                   "with `calibrate --method npe`.")] = None,
    simulations: Annotated[int | None, typer.Option(help="Training simulations (default: method.yaml).")] = None,
    datasets: Annotated[int | None, typer.Option(help="Simulated data sets (default: method.yaml, 200).")] = None,
    figures: Annotated[Path | None, typer.Option(help="Also draw rank histograms and the coverage curve as SVG into "
                                                      "this directory.")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes (the result does not depend on them).")] = 1,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
) -> None:
    """Simulation-based calibration of neural posterior estimation on the full problem (needs the `inference` extra)."""
    import json

    from awol.evidence.infer import run_sbc
    from awol.evidence.priors import CalibrationError

    _check_work(simulations=simulations, datasets=datasets, workers=workers)
    sc = scenario_or_exit(scenario)
    observed, _ = _observed_or_exit(data)
    bank = bank or out.with_suffix(".bank")
    try:
        with rich_progress("simulation bank", transient=True) as progress:
            result = run_sbc(sc, observed, bank_dir=bank, workers=workers, seed=seed, simulations=simulations,
                             datasets=datasets, log=lambda m: errors.print(m, highlight=False), progress=progress)
    except CalibrationError as exc:
        fail(exc.problems, title=f"{len(exc.problems)} problem(s)")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if figures is not None:
        from awol.evidence.figures import sbc_svgs

        for name, svg in sbc_svgs(result).items():
            figures.mkdir(parents=True, exist_ok=True)
            (figures / name).write_text(svg, encoding="utf-8")
    table = Table(title=f"SBC: {result['datasets']} data sets, {result['draws_per_dataset']} draws each "
                        f"({'passed' if result['passed'] else 'FAILED'})")
    for col in ("parameter", "chi² p", "50 % cover", "90 % cover", "mean CDF of truth", "recovery r", "width / prior"):
        table.add_column(col)
    for p in result["parameters"]:
        table.add_row(p["name"], f"{p['chi2_p']:.3f}", f"{p['coverage50']:.2f}", f"{p['coverage90']:.2f}",
                      f"{p['mean_cdf_of_truth']:.2f} ± {p['mean_cdf_se']:.2f}", f"{p['recovery_correlation']:.2f}",
                      f"{p['width_ratio']:.2f}")
    console.print(table)
    console.print(f"SBC results written to {out}", highlight=False)


def show_posterior(doc: dict) -> None:
    from awol.evidence.calibrate import method_line

    seconds = sum(doc["wall_seconds"].get(k, 0) for k in ("calibration", "bank", "training"))
    table = Table(title=f"Posterior ({method_line(doc['method'])}, {doc['simulations']['calibration']} simulations, "
                        f"{seconds:.0f} s)")
    for col in ("parameter", "prior", "median", "50 %", "90 %", "width / prior"):
        table.add_column(col, no_wrap=col == "parameter")
    for r in doc["posterior"]:
        table.add_row(r.get("name") or r["path"], f"{_fmt(r['prior'][0])}–{_fmt(r['prior'][1])}", _fmt(r["q50"]),
                      f"{_fmt(r['q25'])}–{_fmt(r['q75'])}", f"{_fmt(r['q05'])}–{_fmt(r['q95'])}",
                      f"{r['width_ratio']:.0%}" if "width_ratio" in r else "")
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
    posterior: Annotated[Path, typer.Argument(help="Posterior JSON written by `awol calibrate`, or a bundled scenario "
                                                   "name (its shipped posterior).")],
    until: Annotated[str | None, typer.Option(help="Date of the nowcast, YYYY-MM-DD (default: the scenario's "
                                                   "end).")] = None,
    draws: Annotated[int, typer.Option(help="Particles drawn by weight and simulated.")] = 100,
    format: Annotated[str, typer.Option("--format", help="table, json or csv (to stdout).")] = "table",
    seed: Annotated[int | None, typer.Option(help="Seed of the draws (default: the calibration's seed + 1).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    dask: Annotated[str | None, typer.Option(help="Run on dask.distributed: a scheduler address or local:N.")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write a results directory that `awol report` shows (runs, "
                                                  "posterior.json, nowcast.csv).")] = None,
    from_bank: Annotated[bool, typer.Option("--from-bank", help="NPE posteriors: the hidden totals at the scenario's "
                                                                "end from the simulation bank, weighted by the "
                                                                "posterior; no new simulation.")] = False,
) -> None:
    """Hidden quantities at a date implied by a posterior: medians and 50 % / 90 % intervals."""
    import json

    from awol.evidence.nowcast import PosteriorError, mc_warning, nowcast_table, write_results
    from awol.evidence.nowcast import nowcast as run_nowcast
    from awol.scenario.load import BUNDLED_DIR

    if format not in FORMATS:
        fail(f"--format: {format!r}; choose one of {', '.join(FORMATS)}")
    check_dask(dask)
    if workers < 1:
        fail(f"--workers: {workers}; must be at least 1")
    if from_bank and out is not None:
        fail("--out: a bank nowcast holds no runs to write; drop --out or --from-bank")
    if not posterior.exists() and (BUNDLED_DIR / f"{posterior}.posterior.json").exists():
        posterior = BUNDLED_DIR / f"{posterior}.posterior.json"  # `awol nowcast baseline`: the shipped posterior
    _check_work(draws=draws, workers=workers)
    _check_nowcast_days(posterior, until, draws, workers)
    try:
        if format == "table":
            with rich_progress(f"nowcast ({draws} draws)", transient=True) as progress:
                result = run_nowcast(posterior, until=until, draws=draws, seed=seed, workers=workers, dask=dask,
                                     keep_daily=out is not None, progress=progress, from_bank=from_bank)
        else:
            result = run_nowcast(posterior, until=until, draws=draws, seed=seed, workers=workers, dask=dask,
                                 keep_daily=out is not None, from_bank=from_bank)
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
        how = (f"{result['effective_runs']:,.0f} effective bank runs" if from_bank
               else f"{draws} posterior draws")
        scale = result["scenario"].simulation.scale
        size = "full scale" if scale == 1 else f"scale {scale:g}: counts for {scale:g} of the force"
        rich = Table(title=f"Nowcast at {result['until']} ({how}, {size})", title_justify="left",
                     caption="Counts of soldiers: stocks on the day, totals since the scenario starts "
                             f"({result['scenario'].simulation.start:%Y-%m-%d}). * fitted figure; "
                             "✗ observed value outside the 90 % interval; † set by the prior, not the data.",
                     caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        rich.add_column("quantity", overflow="fold", ratio=1)
        for col in ("median", "50 %", "90 %", "observed"):
            rich.add_column(col, no_wrap=True, justify="right")
        section = None
        for _, r in table.iterrows():
            hidden = r["group"] == "hidden"
            if section != hidden:
                section = hidden
                rich.add_row("[bold]hidden[/]" if hidden else "[bold]observable[/]")
            label = r["quantity"] + ("" if hidden or not r["group"].endswith("(fitted)") else " *")
            label += " †" if hidden and r.get("set_by") == "prior" else ""
            observed = "" if hidden else _fmt(r["observed"]) + ("" if r["covered90"] else " [red]✗[/]")
            rich.add_row(f" {label}", _fmt(r["q50"]), f"{_fmt(r['q25'])}–{_fmt(r['q75'])}",
                         f"{_fmt(r['q05'])}–{_fmt(r['q95'])}", observed)
        console.print(rich)
    warning = mc_warning(result)
    if warning:
        errors.print(warning, highlight=False)
    if out is not None:
        write_results(result, out)
        errors.print(f"results written to {out}; `awol report {out}` shows them", highlight=False)
