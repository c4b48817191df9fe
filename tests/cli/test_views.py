"""`awol report` and `awol serve`: the report written, bad results and options refused with exit 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from awol.cli.main import app
from tests.command import invoke
from tests.report.conftest import write_runs


@pytest.fixture(scope="module")
def ensembles(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    return {"baseline": write_runs(root / "baseline", "baseline", [1, 2])}


def test_cli_writes_report_and_rejects_non_results(ensembles, tmp_path):
    out = tmp_path / "r.html"
    ok = CliRunner().invoke(app, ["report", str(ensembles["baseline"]), "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.stat().st_size > 1_000_000  # plotly inlined
    bad = CliRunner().invoke(app, ["report", str(tmp_path / "nothing")])
    assert bad.exit_code == 2
    assert "holds no run" in bad.output


def test_report_names_every_path_that_holds_no_results(ensembles, tmp_path):
    out = tmp_path / "r.html"
    result = invoke("report", ensembles["baseline"], tmp_path / "nothing", tmp_path / "neither", "-o", out)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2 and "nothing: holds no run" in lines[0] and "neither: holds no run" in lines[1]
    assert not out.exists()  # nothing written when any input is bad


@pytest.fixture
def no_server(monkeypatch, tmp_path):
    """A serve command that got past its checks fails here at once instead of serving forever."""
    import uvicorn

    def refuse(*args, **kwargs):
        raise AssertionError("the server was started")

    monkeypatch.setattr(uvicorn, "run", refuse)
    monkeypatch.chdir(tmp_path)


def test_serve_refuses_a_limit_that_is_not_a_number(no_server):
    result = invoke("serve", "--max-work", "nan")
    assert result.exit_code == 2 and "--max-work: nan" in result.stderr


@pytest.mark.parametrize("args, fragment", [(["--port", "0"], "--port: 0 must be between 1 and 65535"),
                                            (["--port", "70000"], "--port: 70000"),
                                            (["--max-work", "-1"], "--max-work: -1.0"),
                                            (["--max-work", "inf"], "--max-work: inf")])
def test_serve_refuses_ports_and_limits_it_cannot_use(no_server, args, fragment):
    result = invoke("serve", *args)
    assert result.exit_code == 2 and fragment in result.stderr, result.stderr
