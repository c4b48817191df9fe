"""`awol report` (one self-contained HTML file) and `awol serve` (the web dashboard)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from awol.cli.common import app, console, fail
from awol.scenario.limits import WEB_JOB_WORK


@app.command()
def report(
    results: Annotated[list[Path], typer.Argument(help="Run or ensemble directories; several are compared.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The HTML file to write.")] = Path("report.html"),
) -> None:
    """Write one self-contained HTML report (opens offline): charts, stock and flow, provenance, ODD."""
    from awol.report import write_report
    from awol.report.results import ResultsError, load_results

    loaded, problems = [], []
    for path in results:
        try:
            loaded.extend(load_results(path))
        except ResultsError as exc:
            problems.append(f"RESULTS: {exc}")
    if problems:
        fail(problems)
    written = write_report(loaded, out)
    console.print(f"Wrote [bold]{written}[/] ({written.stat().st_size / 1e6:.1f} MB, self-contained).")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    store: Annotated[Path, typer.Option(help="Directory holding the web jobs and their "
                                             "results.")] = Path("results/web"),
    max_work: Annotated[float, typer.Option(help="Largest job allowed, in soldier-days × runs (default: a full-scale "
                                                 "comparison of 50 + 50 baseline runs).")] = WEB_JOB_WORK,
) -> None:
    """Serve the web dashboard: pick a scenario, change levers, run, watch, compare."""
    if not 0 < port < 65536:
        fail(f"--port: {port} must be between 1 and 65535")
    if not (max_work > 0 and max_work < float("inf")):
        fail(f"--max-work: {max_work}; must be a positive finite number of soldier-days × runs")
    import uvicorn

    from awol.web.app import create_app

    uvicorn.run(create_app(store, max_work=max_work), host=host, port=port)
