"""What every command shares: the Typer app, clear errors with exit status 2."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from awol.scenario.load import ScenarioError, load_scenario
from awol.scenario.schema import Scenario

app = typer.Typer(
    name="awol",
    help="Simulate and analyse a coerced military manpower system: retention past term, desertion, pursuit, capture, coerced recruitment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

USAGE_ERROR = 2


def fail(lines: list[str] | str, *, title: str | None = None) -> NoReturn:
    """Print one line per problem to stderr and exit with status 2."""
    if isinstance(lines, str):
        lines = [lines]
    lines = [_one_line(str(line)) for line in lines]
    if title:
        errors.print(f"[bold red]error:[/] {escape(_one_line(title))}", highlight=False, soft_wrap=True)
        for line in lines:
            errors.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
    else:
        for line in lines:
            errors.print(f"error: {line}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(USAGE_ERROR)


def _one_line(text: str) -> str:
    """A problem stays one line: control characters and line separators from a user's input
    (a region named "\\x1e") are shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def scenario_or_exit(path: str | Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail([str(p) for p in exc.problems], title=_one_line(f"{exc.source}: {len(exc.problems)} problem(s)"))


def check_dask(dask: str | None) -> None:
    """`--dask` as `local:N` (N from 1 to the worker limit) or a scheduler address, before anything starts."""
    from awol.scenario.limits import MAX_WORKERS

    if dask is None:
        return
    if dask.startswith("local:"):
        n = dask.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            fail(f"--dask: {dask!r}; write local:N with N at least 1, or a scheduler address tcp://HOST:PORT")
        if int(n) > MAX_WORKERS:
            fail(f"--dask: {int(n):,}; at most {MAX_WORKERS} worker processes on this machine")
    elif "://" not in dask:
        fail(f"--dask: {dask!r}; write local:N or a scheduler address tcp://HOST:PORT")
