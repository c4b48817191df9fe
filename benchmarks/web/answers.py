"""How long the dashboard takes to show its answers: from opening the page to the nowcast on screen.

    .venv/bin/python benchmarks/web/answers.py [--repeats 5]

Starts `awol serve`'s app on 127.0.0.1, opens it in Debian's Chromium (as the browser
tests do) `--repeats` times, each in a fresh page, and prints the time from navigation
to the first nowcast row (Q1) and to the Q6 chart, with the machine's load average. The
target (issue 15) is 2 s; the answers are computed ahead (`make answers`), so this
measures reading a file and drawing a page, not simulating.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import uvicorn

    from awol.web.app import create_app
    from tests.web.browser import chromium

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(tempfile.mkdtemp()), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    rows, charts = [], []
    with chromium() as browser:
        for _ in range(args.repeats):
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector("#nowcast tbody tr[data-quantity]")
            rows.append(time.perf_counter() - started)
            page.wait_for_selector("#driver-chart .main-svg")
            charts.append(time.perf_counter() - started)
            page.close()
    server.should_exit = True
    thread.join(timeout=30)
    load = os.getloadavg()[0]
    print(f"nowcast on screen: median {statistics.median(rows):.2f} s (min {min(rows):.2f}, max {max(rows):.2f}); "
          f"Q6 chart drawn: median {statistics.median(charts):.2f} s; {args.repeats} page loads, "
          f"load average {load:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
