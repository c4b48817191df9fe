"""`awol run`, `awol validate`, `awol scenarios`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from awol.cli.common import app, console, fail, scenario_or_exit
from awol.engines import DEFAULT_ENGINE, ENGINES, simulate_columns
from awol.engines.footprint import MemoryNeedError, check_memory
from awol.problems import ProblemsError
from awol.progress import rich_progress
from awol.scenario import limits
from awol.scenario.load import bundled_scenarios
from awol.store.runs import RunExistsError, default_out, holds_run, make_manifest, write_run


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
    days: Annotated[int | None, typer.Option(help="Days to simulate (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: results/<scenario>-seed<seed>).")] = None,
    engine: Annotated[str, typer.Option(help=f"Simulation engine: {', '.join(ENGINES)}.")] = DEFAULT_ENGINE,
    overwrite: Annotated[bool, typer.Option(help="Replace a run already in --out.")] = False,
) -> None:
    """Simulate one scenario; write daily outputs (Parquet) and a manifest; print a summary."""
    sc = scenario_or_exit(scenario)
    problems = []
    if days is not None and not 1 <= days <= limits.MAX_DAYS:
        problems.append(f"--days: {days}; must be from 1 to {limits.MAX_DAYS:,}")
    if seed is not None and not 0 <= seed < 2**63:
        problems.append(f"--seed: {seed} must be in [0, 2^63)")
    if engine not in ENGINES:
        problems.append(f"--engine: {engine!r} is not an engine; choose one of {', '.join(ENGINES)}")
    seed = sc.simulation.seed if seed is None else seed
    days = sc.simulation.days if days is None else days
    out = out or default_out(f"{sc.name}-seed{seed}")
    if holds_run(out) and not overwrite:
        problems.append(f"--out: {out} already holds a run; choose another directory or pass --overwrite")
    if problems:
        fail(problems)
    try:
        check_memory([(sc, days)], engine)
    except MemoryNeedError as exc:
        fail(exc.problems)

    started = time.perf_counter()
    try:
        with rich_progress(f"{sc.name} ({engine})") as progress:
            daily = simulate_columns(sc, seed=seed, days=days, engine=engine, progress=progress)
    except ProblemsError as exc:  # what an engine refuses: a key space too large, hazards not independent, ...
        fail(exc.problems)
    wall = time.perf_counter() - started
    manifest = make_manifest(sc, seed=seed, days=days, engine=engine, wall_seconds=wall)
    try:
        write_run(out, daily, manifest, sc.raw, overwrite=overwrite)
    except RunExistsError as exc:
        fail(str(exc))
    console.print(summary_table(daily, title=f"{sc.name}: {days} days, seed {seed}, {wall:.1f} s"))
    console.print(f"Wrote [bold]{out}[/] (daily.parquet, manifest.json, scenario.yaml).")
    console.print(f"Make a report with: awol report {out}")


def summary_table(daily, title: str) -> Table:
    """Final-day stocks and cumulative flows, the headline of a run (its daily columns)."""
    last = {name: values[-1] for name, values in daily.items()}
    rows = [
        ("On duty (end)", last["on_duty"]),
        ("  of whom retained past term", last["retained_past_term"]),
        ("On leave (end)", last["on_leave"]),
        ("Absent without leave (end)", last["deserters_at_large"]),
        ("Absences begun (total)", daily["new_desertions"].sum()),
        ("  from the line", daily["absences_line"].sum()),
        ("  not back from leave", daily["absences_leave"].sum()),
        ("  not back after treatment", daily["absences_treatment"].sum()),
        ("Refusals to deploy", daily["refusals"].sum()),
        ("Caught by search", daily["captures_search"].sum()),
        ("Caught by police at home", daily["captures_police"].sum()),
        ("Caught at a checkpoint", daily["captures_checkpoint"].sum()),
        ("Came back of their own will", daily["voluntary_returns"].sum()),
        ("Returned to the front", daily["returned_to_front"].sum()),
        ("Imprisoned (end)", last["imprisoned"]),
        ("Escaped (end)", last["escaped"]),
        ("Deaths (total)", daily["deaths"].sum()),
        ("  of soldiers who once deserted", daily["deaths_returned"].sum()),
        ("Recruits (total)", daily["recruits"].sum()),
        ("Court cases opened (hidden)", daily["cases_opened"].sum()),
        ("Court cases filed (public)", daily["cases_filed"].sum()),
        ("Court cases decided (public)", daily["cases_decided"].sum()),
        ("Search units (end)", round(float(last["search_units"]))),
        ("Checkpoints (end)", round(float(last["checkpoints"]))),
    ]
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, f"{int(value):,}")
    return table


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")],
) -> None:
    """Check a scenario file and report every problem at once (exit 2 if any)."""
    sc = scenario_or_exit(scenario)
    ranged = sum(1 for a in sc.annotations.values() if a.range is not None)
    console.print(
        f"[green]ok[/] {sc.name}: {sc.simulation.days} days from {sc.simulation.start}, "
        f"{ranged} parameters with ranges, hash {sc.hash[:12]}"
    )


@app.command()
def scenarios() -> None:
    """List the bundled scenarios."""
    table = Table(title="Bundled scenarios")
    table.add_column("name")
    table.add_column("description")
    for name, description in bundled_scenarios():
        table.add_row(name, description)
    console.print(table)
