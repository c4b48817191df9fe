"""Web jobs on disk: one directory per job (`job.json` + its run directories), run by one worker thread.

The store is the truth: the worker writes the job's status and progress to
`job.json` as it goes, so a restarted server finds every job. A job found
'queued' or 'running' at start-up belonged to a process that died: it is
marked failed with that reason, never dropped silently.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import queue
import re
import threading
import time
import traceback
import uuid
from pathlib import Path

INTERRUPTED = "interrupted: the server stopped while this job was {status}; launch it again"
JOB_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")  # `JobStore.submit`: UTC date and time, 6 random hex digits


def now() -> str:
    # Microseconds: jobs submitted within one second must still list in submission order.
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class JobStore:
    """Jobs under `root/jobs/<id>/`; a single worker thread runs them in order (a queue, not a pool)."""

    def __init__(self, root: str | Path, *, start_worker: bool = True):
        self.root = Path(root)
        (self.root / "jobs").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, object] | None] = queue.Queue()
        self._recover()
        self._worker = None
        if start_worker:
            self._worker = threading.Thread(target=self._work, name="awol-web-worker", daemon=True)
            self._worker.start()

    # -- records -------------------------------------------------------------
    def dir(self, job_id: str) -> Path:
        return self.root / "jobs" / job_id

    def read(self, job_id: str) -> dict | None:
        path = self.dir(job_id) / "job.json"
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def _write(self, record: dict) -> None:
        path = self.dir(record["id"]) / "job.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1))
        os.replace(tmp, path)  # atomic: a reader never sees half a record

    def _update(self, job_id: str, **fields) -> dict:
        with self._lock:
            record = self.read(job_id)
            record.update(fields)
            self._write(record)
            return record

    def all(self) -> list[dict]:
        records = [self.read(p.name) for p in (self.root / "jobs").iterdir() if (p / "job.json").exists()]
        return sorted(records, key=lambda r: r["created"], reverse=True)

    def _recover(self) -> None:
        for record in self.all():
            if record["status"] in ("queued", "running"):
                self._update(record["id"], status="failed", finished=now(),
                             error=INTERRUPTED.format(status=record["status"]))

    # -- submitting and running ---------------------------------------------
    def submit(self, scenario, request: dict, tree: dict, reference: tuple | None = None) -> dict:
        """Queue a job: `request` as posted (recorded), `scenario` validated, `tree` its resolved tree;
        `reference` (scenario, tree) makes it a paired comparison against that scenario."""
        job_id = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        kind = "compare" if reference is not None else "ensemble"
        runs = request["runs"] * (2 if reference is not None else 1)
        record = {"id": job_id, "kind": kind, "status": "queued", "created": now(), "started": None, "finished": None,
                  "request": request, "scenario": scenario.name, "scenario_hash": scenario.hash,
                  "label": request.get("label") or scenario.name,
                  "done": 0, "total": runs, "error": None}
        with self._lock:
            self._write(record)
        self._queue.put((job_id, (scenario, tree, reference)))
        return record

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job_id, (scenario, tree, reference) = item
            try:
                self._run(job_id, scenario, tree, reference)
            except Exception as exc:  # a failed job is recorded with its reason, the worker lives on
                self._update(job_id, status="failed", finished=now(),
                             error=f"{type(exc).__name__}: {exc}", trace=traceback.format_exc(limit=5))

    def _run(self, job_id: str, scenario, tree: dict, reference) -> None:
        """Run the job in this process with `awol.experiments`: an ensemble (the same seeds, files and
        layout as `awol ensemble`) or a paired comparison (as `awol compare`, reference first)."""
        from awol.experiments.api import compare, ensemble

        record = self._update(job_id, status="running", started=now())
        request = record["request"]
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - last[0] > 0.3 or done == total:  # keep disk writes rare
                last[0] = time.monotonic()
                self._update(job_id, done=done)

        seeded = self._seeded(scenario, tree, request["seed"])
        if reference is None:
            ensemble(seeded, request["runs"], days=request["days"], engine=request["engine"],
                     out=self.result_dir(job_id), workers=1, progress=progress)
        else:
            parameters = None
            if request.get("posterior"):
                from awol.evidence.posteriors import posterior_draws

                parameters = posterior_draws(request["posterior"], request["runs"])
            ref = self._seeded(*reference, request["seed"])
            compare([ref, seeded], runs=request["runs"], parameters=parameters, days=request["days"],
                    engine=request["engine"], out=self.result_dir(job_id), workers=1, progress=progress)
        self._update(job_id, status="done", done=record["total"], finished=now())

    @staticmethod
    def _seeded(scenario, tree: dict, seed: int):
        """The scenario with the job's base seed (run k's seed comes from (seed, k))."""
        from awol.scenario.load import scenario_from_tree

        tree = copy.deepcopy(tree)
        tree["simulation"]["seed"] = seed
        return scenario_from_tree(tree, source=scenario.name)

    def result_dir(self, job_id: str) -> Path:
        """Where a job's ensemble is written (`awol.experiments` layout)."""
        return self.dir(job_id) / "result"

    def stop(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=60)
