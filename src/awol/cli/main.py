"""`awol` entry point: collects the commands of every layer on one Typer app."""

from __future__ import annotations

from awol.cli import run  # noqa: F401  (registers run, validate, scenarios)
from awol.cli.common import app

for _optional in ("awol.cli.expect", "awol.cli.experiments", "awol.cli.evidence", "awol.cli.views"):
    try:
        __import__(_optional)
    except ModuleNotFoundError as exc:  # a layer not built yet
        if exc.name != _optional:
            raise

__all__ = ["app"]
