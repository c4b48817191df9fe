"""A command whose optional extra is not installed names the extra instead of failing with a traceback."""

import sys

import pytest

from awol.cli.main import main


def test_a_missing_extra_is_named_with_the_install_command(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # importing it now raises ModuleNotFoundError
    monkeypatch.setattr(sys, "argv", ["awol", "serve", "--port", "8999"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "needs uvicorn" in err and "pip install 'awol[web]'" in err
    assert "Traceback" not in err


def test_a_missing_module_that_is_no_extra_is_not_hidden(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["awol", "scenarios"])
    monkeypatch.setattr("awol.cli.main.app", _raises_missing("not_an_awol_dependency"))
    with pytest.raises(ModuleNotFoundError):
        main()


def _raises_missing(name):
    def app(**_):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    return app
