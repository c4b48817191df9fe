"""Process pools: workers end with the process that started them, and plain scripts need no main guard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


def ensemble(scenario: Path, out: Path, runs: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "awol.cli", "ensemble", str(scenario), "--runs", str(runs),
                             "--workers", "2", "--engine", "agents", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_for(condition, timeout: float = 240, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.add(pid)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.parametrize("moment", ["start-up", "mid-run"])
def test_killing_the_main_process_ends_its_workers_and_their_writing(tmp_path, small_file, moment):
    """kill -9 of the ensemble's main process (only it: no clean-up code of its own runs) while its
    workers start, or while they compute: every worker and the resource tracker end within seconds,
    and no run file is written after that."""
    out = tmp_path / "e"
    proc = ensemble(small_file, out, runs=40)
    main = psutil.Process(proc.pid)
    runs = out / "runs"
    started: set[int] = set()
    try:
        if moment == "start-up":
            assert wait_for(lambda: len(main.children(recursive=True)) >= 2), "no worker started"
        else:
            assert wait_for(lambda: len(list(runs.glob("run-*.parquet"))) >= 1), "no run finished"
        started = {p.pid for p in main.children(recursive=True)}
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert started, "the kill must land while workers exist for this test to mean anything"
        assert wait_for(lambda: not alive(started), timeout=10, step=0.1), \
            [psutil.Process(p).cmdline() for p in alive(started)]
        files = sorted(p.name for p in runs.glob("*")) if runs.exists() else []
        time.sleep(2)
        assert (sorted(p.name for p in runs.glob("*")) if runs.exists() else []) == files
        assert len([f for f in files if f.startswith("run-")]) < 40
    finally:
        for pid in alive({proc.pid} | started):  # whatever the outcome, leave no process behind
            os.kill(pid, signal.SIGKILL)


SCRIPT = """
import awol
from tests.scenarios import small_scenario

a = small_scenario(days=20)
b = small_scenario("honour-contracts", days=20)
awol.compare([a, b], runs=4, workers={workers}, engine="agents", out={out!r}, progress=False)
print("done")
"""


def test_a_plain_script_with_no_main_guard_runs_two_workers(tmp_path):
    """`python script.py` calling `awol.compare(..., workers=2)` at top level works, and its runs have the
    bytes of the same comparison in one process."""
    outs = {}
    for workers in (2, 1):
        script = tmp_path / f"plain{workers}.py"
        outs[workers] = tmp_path / f"out{workers}"
        script.write_text(textwrap.dedent(SCRIPT.format(workers=workers, out=str(outs[workers]))))
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.count("done") == 1  # the script ran once: no worker ran it again
    files = sorted(p.relative_to(outs[1]) for p in outs[1].rglob("run-*.parquet"))
    assert len(files) == 8
    for f in files:
        assert (outs[2] / f).read_bytes() == (outs[1] / f).read_bytes(), f
