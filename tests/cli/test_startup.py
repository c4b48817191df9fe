"""`awol run` does what it needs and no more: pandas (about 0.3 s to import) stays out of it."""

from __future__ import annotations

import subprocess
import sys

import yaml

from tests.scenarios import small_tree

PROBE = """
import sys
from awol.cli.main import main
sys.argv = ["awol", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print(sorted(m for m in ("pandas", "SALib", "duckdb", "dask", "plotly", "fastapi") if m in sys.modules))
"""


def test_run_and_validate_import_neither_pandas_nor_the_extras(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(small_tree(scale=0.01, days=10), sort_keys=False))
    for engine in ("cohorts", "agents"):
        done = subprocess.run([sys.executable, "-c", PROBE, "run", str(scenario), "--engine", engine,
                               "--out", str(tmp_path / engine)], capture_output=True, text=True, check=True)
        assert done.stdout.splitlines()[-1] == "[]", done.stdout + done.stderr
        assert (tmp_path / engine / "daily.parquet").exists()
    done = subprocess.run([sys.executable, "-c", PROBE, "validate", str(scenario)], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout


def test_every_command_is_still_registered():
    from tests.command import invoke

    result = invoke("--help")
    for command in ("scenarios", "validate", "run", "expect", "ensemble", "sweep", "sensitivity", "compare",
                    "calibrate", "nowcast", "report", "serve"):
        assert command in result.output
