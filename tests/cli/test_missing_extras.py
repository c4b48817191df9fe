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


def test_an_extra_imported_inside_the_experiments_api_is_named_too(monkeypatch, capsys):
    """The experiments layer imports pandas and SALib only when a command runs (so that
    `awol run` loads neither); a missing SALib is still named with its extra."""
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")] + ["SALib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(sys, "argv", ["awol", "sensitivity", "baseline", "--samples", "2"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "needs SALib" in err and "pip install 'awol[experiments]'" in err
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
