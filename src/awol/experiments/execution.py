"""Execution: run many simulations on any `concurrent.futures.Executor`, one file per run.

Each run is a `RunTask` (scenario tree, seed, days, engine, target file). Workers
compute it with the top-level, picklable `run_task`, write to a temporary name and
`os.replace` it into place, so a killed experiment leaves only whole files, and
re-running it computes only what is missing. Seeds come from (base seed, replicate)
alone, so run k has the same bytes whichever worker computes it.

A run keeps its whole daily table (Parquet), or, when only its summaries are wanted
(a paired comparison under posterior draws), just those: one JSON row computed from
the few columns they read (`engines.simulate_many`), with no table built or written.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from awol.progress import Progress

RUNS = "runs"
SUMMARY_SUFFIX = ".summary.json"


def run_file(out: Path, run: int, *, summaries_only: bool = False) -> Path:
    """Where run `run` of an experiment in `out` is kept: its daily table, or only its summaries."""
    return Path(out) / RUNS / f"run-{run:05d}{SUMMARY_SUFFIX if summaries_only else '.parquet'}"


@dataclass(frozen=True)
class RunTask:
    """One run to compute: everything a worker needs, nothing it must look up."""

    run: int
    replicate: int
    point: int
    seed: int
    days: int | None
    engine: str
    tree: dict = field(repr=False, hash=False, compare=False)
    path: str = ""


def run_task(task: RunTask) -> str:
    """Compute one run and write it atomically; return the file path.

    Top-level so that spawned processes and dask workers can unpickle it. A daily table
    (`task.path` a `.parquet` file) holds the run's keys (run, point, replicate, seed),
    then the daily columns, written from NumPy columns, so a worker need not import
    pandas; a summary file (`run_file(..., summaries_only=True)`) holds the keys and the
    run's summaries (`analysis.SUMMARIES`).
    """
    from awol.scenario.load import scenario_from_tree

    scenario = scenario_from_tree(task.tree, source=f"run {task.run}")
    keys = {"run": task.run, "point": task.point, "replicate": task.replicate, "seed": task.seed}
    target = Path(task.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        if target.name.endswith(SUMMARY_SUFFIX):
            Path(tmp).write_text(json.dumps({**keys, **_summaries(scenario, task)}), encoding="utf-8")
        else:
            _write_daily(scenario, task, keys, Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(target)


def _write_daily(scenario, task: RunTask, keys: dict, path: Path) -> None:
    from awol.engines import simulate_columns
    from awol.store.runs import write_parquet

    daily = simulate_columns(scenario, seed=task.seed, days=task.days, engine=task.engine)
    rows = len(daily["day"])
    types = {"run": np.int32, "point": np.int32, "replicate": np.int32, "seed": np.int64}
    daily = {**{name: np.full(rows, types[name](value)) for name, value in keys.items()}, **daily}
    write_parquet(daily, path)


def _summaries(scenario, task: RunTask) -> dict[str, float]:
    """The run's summaries from the columns they read, and nothing else of its table."""
    from awol.engines import simulate_many
    from awol.experiments.analysis import SUMMARIES, summarize

    columns = list(dict.fromkeys(column for column, _ in SUMMARIES.values()))
    runs = simulate_many([scenario], [task.seed], columns=columns, days=task.days, engine=task.engine)
    return summarize({name: values[0] for name, values in runs.items()})


def read_summaries(files: list[str]) -> list[dict]:
    """The rows of runs kept as summaries (`run_file(..., summaries_only=True)`), in the order given."""
    return [json.loads(Path(f).read_text(encoding="utf-8")) for f in files]


PR_SET_PDEATHSIG = 1  # prctl(2), Linux: the signal a process receives when its parent dies


def die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process that started it ends.

    A pool's workers otherwise outlive a main process killed with SIGKILL (which runs
    no clean-up): they wait on their task queue, the resource tracker waits on them,
    and a worker in the middle of a task goes on writing run files. On Linux the kernel
    sends SIGKILL to the worker the moment its parent dies (prctl PR_SET_PDEATHSIG);
    elsewhere a daemon thread looks for the parent twice a second. A parent that died
    while this worker was starting (before the signal was armed) is caught by comparing
    `os.getppid()` with the pid the parent gave.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), name="awol-parent-watch", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def process_pool(workers: int | None = None) -> Executor:
    """A local process pool sized to the machine: loky's `ProcessPoolExecutor`.

    loky starts each worker as a fresh interpreter (fork + exec, like 'spawn': forking a
    parent that already runs Numba threads can deadlock) and, unlike the standard
    library's 'spawn' and 'forkserver', does not run the caller's `__main__` module in
    it, so a plain script that calls `awol.compare(..., workers=2)` at top level, with
    no `if __name__ == "__main__":` guard, works (the workers only need `run_task`,
    which they import from awol). One Numba thread per worker; results do not depend
    on it. Workers end with the process that started them (`die_with_parent`).
    """
    from loky import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, initializer=die_with_parent,
                               initargs=(os.getpid(),), env={"NUMBA_NUM_THREADS": "1"})


@contextmanager
def dask_executor(address: str) -> Iterator[Executor]:
    """An executor on dask.distributed: `local:N` starts a LocalCluster of N workers, else a scheduler address."""
    from dask.distributed import Client, LocalCluster

    if address.startswith("local:"):
        workers = int(address.split(":", 1)[1])
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            env={"NUMBA_NUM_THREADS": "1"},
        )
        client = Client(cluster)
    else:
        cluster, client = None, Client(address)
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class InProcess(Executor):
    """Runs each task when it is submitted, in this process: one worker needs no pool.

    No process is spawned, so a plain script needs no `if __name__ == "__main__"`
    guard, a notebook shows no pickling surprises, and the web server's job thread
    shares its loaded compiled code.
    """

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the caller sees it from future.result(), as from a pool
            future.set_exception(exc)
        return future


@contextmanager
def executor_for(workers: int | None = None, dask: str | None = None) -> Iterator[Executor]:
    """The executor the CLI, the API and the web use: dask if asked; this process for one
    worker; else a local process pool (one worker per core by default)."""
    if dask:
        with dask_executor(dask) as ex:
            yield ex
    elif workers == 1:
        with InProcess() as ex:
            yield ex
    else:
        with process_pool(workers) as ex:
            yield ex


def execute(tasks: list[RunTask], executor: Executor | None = None, progress: Progress | None = None) -> list[str]:
    """Compute every task whose file is missing; return all tasks' files (in task order).

    A run killed while writing leaves only its temporary (`run_task` renames into place),
    which is removed here before the run is computed again.
    """
    missing = [t for t in tasks if not Path(t.path).exists()]
    for t in missing:
        target = Path(t.path)
        for stale in target.parent.glob(f".{target.name}.*.tmp"):
            stale.unlink(missing_ok=True)
    done = len(tasks) - len(missing)
    if progress:
        progress(done, len(tasks))
    if missing:
        if executor is None:
            with process_pool() as ex:
                _drain(ex, missing, done, len(tasks), progress)
        else:
            _drain(executor, missing, done, len(tasks), progress)
    return [t.path for t in tasks]


def _drain(executor: Executor, tasks: list[RunTask], done: int, total: int, progress: Progress | None) -> None:
    futures = [executor.submit(run_task, t) for t in tasks]
    for future in as_completed(futures):
        future.result()
        done += 1
        if progress:
            progress(done, total)
