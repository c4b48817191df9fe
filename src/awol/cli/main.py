"""`awol` entry point: collects the commands of every layer on one Typer app."""

from __future__ import annotations

from awol.cli import run  # noqa: F401  (registers run, validate, scenarios)
from awol.cli.common import app, fail

for _optional in ("awol.cli.expect", "awol.cli.experiments", "awol.cli.evidence", "awol.cli.views"):
    try:
        __import__(_optional)
    except ModuleNotFoundError as exc:  # a layer not built yet
        if exc.name != _optional:
            raise

# Packages of the optional extras (pyproject.toml), which commands import only when run.
EXTRAS = {
    "SALib": "experiments", "duckdb": "experiments", "dask": "experiments", "distributed": "experiments",
    "pyabc": "evidence",
    "plotly": "web", "fastapi": "web", "uvicorn": "web", "multipart": "web",
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


__all__ = ["app", "main"]
