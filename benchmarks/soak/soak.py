"""Soak: many clients use `awol serve` for minutes; no job is lost or wrong, no 5xx, memory stays flat.

Starts `awol serve` on a free port of 127.0.0.1 (loopback only) with a fresh store, then
runs CLIENTS threads for MINUTES. Each client loops: submit a small job (a bundled
scenario, random levers within their declared ranges, 1-2 runs, 10-40 days, scale
0.001-0.003), poll it to the end, fetch its fan-chart data and check it (as many runs
and dates as asked, quantiles ordered); one request in ten is malformed on purpose and
must be a 4xx. Every tenth job is submitted twice and its two results must be equal
(jobs are deterministic). At the end every job ever accepted must be listed and done.
The server's resident memory is sampled every 5 s (psutil); its growth per job is measured
from the first sample after WARMUP_SECONDS, once the first jobs have loaded compiled code,
pandas and plotly.

Baseline (issue 16, before hardening, 2-core machine): 16 clients for 5 minutes ran 1,592
jobs, none lost or wrong, no 5xx, server memory 284 → 310 MB (about 16 KB a job).

Usage: python benchmarks/soak/soak.py [--clients 16] [--minutes 5]; writes benchmarks/soak/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parent
BASELINE = {"clients": 16, "minutes": 5, "jobs": 1592, "lost": 0, "wrong": 0, "server_errors": 0,
            "rss_start_mb": 284, "rss_end_mb": 310}
WARMUP_SECONDS = 60
MALFORMED = [
    {"scenario": "baseline", "scale": "NaN"}, {"scenario": "baseline", "runs": 0}, {"scenario": "nope"},
    {"scenario": "baseline", "levers": {"policy.no_such": 1}}, {"scenario": "baseline", "days": 10**9},
    {"scenario": "baseline", "levers": {"policy.amnesty[0].value": 2.0}}, {"scenario": "baseline", "extra": 1},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"accepted": 0, "done": 0, "failed": 0, "wrong": 0, "server_errors": 0, "malformed_sent": 0,
                       "malformed_refused": 0, "repeats_equal": 0, "repeats_differ": 0, "requests": 0,
                       "client_errors_unexpected": 0, "transport_errors": 0}
        self.ids: set[str] = set()
        self.latencies: list[float] = []
        self.problems: list[str] = []

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def note(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(text)


def client(base: str, levers: dict[str, list], stop: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=120) as http:
        def call(method: str, url: str, **kw) -> httpx.Response | None:
            started = time.monotonic()
            try:
                r = http.request(method, url, **kw)
            except httpx.HTTPError as exc:
                tally.add("transport_errors")
                tally.note(f"{method} {url}: {type(exc).__name__}")
                return None
            with tally.lock:
                tally.latencies.append(time.monotonic() - started)
                tally.counts["requests"] += 1
            if r.status_code >= 500:
                tally.add("server_errors")
                tally.note(f"{method} {url}: {r.status_code} {r.text[:200]}")
            return r

        def finished(job_id: str) -> dict | None:
            while time.monotonic() < stop + 600:
                r = call("GET", f"/api/jobs/{job_id}")
                if r is None or r.status_code != 200:
                    return None
                job = r.json()
                if job["status"] in ("done", "failed"):
                    return job
                time.sleep(0.2)
            return None

        while time.monotonic() < stop:
            if rng.random() < 0.1:
                tally.add("malformed_sent")
                r = call("POST", "/api/jobs", json=rng.choice(MALFORMED))
                if r is not None and 400 <= r.status_code < 500:
                    tally.add("malformed_refused")
                continue
            name = rng.choice(list(levers))
            chosen = {}
            for lever in rng.sample(levers[name], k=min(2, len(levers[name]))):
                if isinstance(lever["value"], bool):
                    chosen[lever["path"]] = rng.random() < 0.5
                elif lever["range"]:
                    lo, hi = lever["range"]
                    chosen[lever["path"]] = round(rng.uniform(lo, hi), 4) if isinstance(lever["value"], float) \
                        else rng.randint(int(lo), int(hi))
            request = {"scenario": name, "levers": chosen, "runs": rng.randint(1, 2), "days": rng.randint(10, 40),
                       "scale": rng.choice([0.001, 0.002, 0.003]), "seed": rng.randint(0, 10**6)}
            repeats = 2 if rng.random() < 0.1 else 1
            series = []
            for _ in range(repeats):
                r = call("POST", "/api/jobs", json=request)
                if r is None:
                    continue
                if r.status_code != 202:
                    tally.add("client_errors_unexpected")
                    tally.note(f"refused {request}: {r.status_code} {r.text[:200]}")
                    continue
                job_id = r.json()["id"]
                with tally.lock:
                    tally.ids.add(job_id)
                tally.add("accepted")
                job = finished(job_id)
                if job is None or job["status"] != "done":
                    tally.add("failed")
                    tally.note(f"job {job_id} {job and job.get('error')}")
                    continue
                tally.add("done")
                res = call("GET", f"/api/jobs/{job_id}/results")
                if res is None or res.status_code != 200:
                    tally.add("wrong")
                    continue
                data = res.json()
                on_duty = data["series"]["on_duty"]
                ok = (data["runs"] == request["runs"] and len(data["dates"]) == request["days"]
                      and all(a <= b <= c
                              for a, b, c in zip(on_duty["q05"], on_duty["q50"], on_duty["q95"], strict=True)))
                if not ok:
                    tally.add("wrong")
                    tally.note(f"job {job_id}: wrong shape or order")
                series.append(data["series"])
            if len(series) == 2:
                tally.add("repeats_equal" if series[0] == series[1] else "repeats_differ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--minutes", type=float, default=5.0)
    args = parser.parse_args()
    store = Path(tempfile.mkdtemp(prefix="awol-soak-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "awol.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--store", str(store)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                scenarios = httpx.get(f"{base}/api/scenarios", timeout=5).json()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        levers = {s["name"]: httpx.get(f"{base}/api/scenarios/{s['name']}", timeout=30).json()["levers"]
                  for s in scenarios}
        proc = psutil.Process(server.pid)
        rss = [(0.0, proc.memory_info().rss, 0)]
        tally = Tally()
        started = time.monotonic()
        stop = started + 60 * args.minutes
        threads = [threading.Thread(target=client, args=(base, levers, stop, tally, k), daemon=True)
                   for k in range(args.clients)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(5)
            rss.append((time.monotonic() - started, proc.memory_info().rss, tally.counts["done"]))
        listed = {j["id"]: j["status"] for j in httpx.get(f"{base}/api/jobs", timeout=120).json()}
        lost = sorted(i for i in tally.ids if listed.get(i) != "done")
        wall = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(store, ignore_errors=True)
    lat = sorted(tally.latencies)
    warm = next((s for s in rss if s[0] >= WARMUP_SECONDS), rss[-1])
    result = {
        "clients": args.clients, "minutes": args.minutes, "wall_seconds": round(wall, 1), "jobs": tally.counts["done"],
        **tally.counts, "lost": len(lost), "lost_ids": lost[:20],
        "latency_ms": {q: round(1000 * lat[int(p * (len(lat) - 1))], 1) for q, p in
                       (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))} if lat else {},
        "rss_start_mb": round(rss[0][1] / 2**20, 1), "rss_end_mb": round(rss[-1][1] / 2**20, 1),
        "rss_max_mb": round(max(r for _, r, _ in rss) / 2**20, 1),
        # growth per job once warm (compiled code, pandas and plotly loaded by the first jobs)
        "rss_warm_mb": round(warm[1] / 2**20, 1), "jobs_warm": warm[2],
        "rss_per_job_kb_after_warmup": round((rss[-1][1] - warm[1]) / 1024 / max(1, rss[-1][2] - warm[2]), 2),
        "rss_samples": [(round(t), round(r / 2**20, 1), n) for t, r, n in rss],
        "problems": tally.problems, "baseline": BASELINE, "cpus": os.cpu_count(),
    }
    (HERE / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("rss_samples", "problems", "lost_ids")}, indent=1))
    if result["lost"] or result["server_errors"] or tally.counts["wrong"] or tally.counts["repeats_differ"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
