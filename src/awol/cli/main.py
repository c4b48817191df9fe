"""`awol` entry point: collects the commands of every layer on one Typer app."""

from __future__ import annotations

import gc

from awol.cli import evidence, expect, experiments, run, views  # noqa: F401  (each registers its commands)
from awol.cli.common import app, fail

# Packages of the optional extras (pyproject.toml), which commands import only when run.
EXTRAS = {
    "SALib": "experiments", "duckdb": "experiments", "dask": "experiments", "distributed": "experiments",
    "pyabc": "evidence",
    "plotly": "web", "fastapi": "web", "fastapi_offline": "web", "uvicorn": "web", "multipart": "web",
    "markdown_it": "web", "xarray": "experiments",
}


def main() -> None:
    """Run the app; a command whose optional extra is not installed says which one to install."""
    import typer

    try:
        app(prog_name="awol")
    except ModuleNotFoundError as exc:
        top = (exc.name or "").split(".")[0]
        if top not in EXTRAS:
            raise
        extra = EXTRAS[top]
        try:
            fail(f"this command needs {top}, which comes with awol's '{extra}' extra: "
                 f"pip install 'awol[{extra}]' (or 'awol[all]')")
        except typer.Exit as done:
            raise SystemExit(done.exit_code) from None


def console() -> None:
    """The `awol` process (the installed script and `python -m awol.cli`): `main`, with the
    garbage collector told that what is loaded before and left at the end lives until exit.

    `gc.freeze()` moves every object tracked so far into a generation that no collection
    visits. Before the command those are the imported modules' objects, which live as
    long as the process, so the full collections during the command walk fewer objects
    (0.03 s less in `awol run`); after it, the interpreter's own full collections at exit
    would otherwise walk the 130,000 objects that Numba's import and cache loading leave
    (0.12 s). Of a full-baseline `awol run --engine cohorts`, 1.73 s became 1.58 s (min of
    6 on the 2-core machine). Nothing is skipped that matters: the command's files are
    closed and flushed before it returns, atexit handlers still run, and objects freed by
    reference counting are freed as before. `main()` called from Python (tests,
    notebooks) freezes nothing.
    """
    gc.freeze()
    try:
        main()
    finally:
        gc.freeze()


__all__ = ["app", "console", "main"]
