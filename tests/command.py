"""Invoke the `awol` command in-process, as a user would, and insist it never shows a traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from awol.cli.main import app

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output + (result.stderr or "")
    return result
