"""The dashboard in Debian's Chromium: change a lever, run an ensemble, see the fan charts, compare; nothing from outside."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlparse

import pytest
import uvicorn

from awol.web.app import create_app
from tests.web.browser import ARTIFACTS, chromium, needs_chromium

LOCAL = {"127.0.0.1", "localhost"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    config = uvicorn.Config(create_app(tmp_path / "web"), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=60)


@needs_chromium
def test_dashboard_runs_and_compares_offline(server):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        hosts, errors = set(), []
        page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        page.wait_for_selector("#levers input[data-path]")

        page.fill("#days", "40")
        page.fill("#runs", "3")
        page.fill("#scale", "0.005")
        page.fill("#label", "retained")
        page.click("#launch")
        page.wait_for_selector(".job[data-status=done]", timeout=120_000)

        # a bad lever value is refused, naming the field
        lever = page.locator('input[data-path="policy.release_at_term[0].value"]')
        lever.fill("1.7")
        page.click("#launch")
        page.wait_for_selector("#errors p")
        assert "policy.release_at_term[0].value" in page.inner_text("#errors")
        assert "invalid" in lever.get_attribute("class")

        lever.fill("0.9")
        page.fill("#label", "released")
        page.click("#launch")
        page.wait_for_function("document.querySelectorAll('.job[data-status=done]').length == 2", timeout=120_000)
        page.wait_for_function("document.querySelectorAll('#comparison th').length == 3")
        page.wait_for_function("document.querySelectorAll('#charts .js-plotly-plot .main-svg').length >= 8")

        assert page.locator("#compare-b").input_value() != ""
        header = page.inner_text("#comparison tr:first-child")
        assert "retained" in header and "released" in header
        # the ensemble draws bands: two band traces per fan plus the median, per job
        traces = page.evaluate("document.querySelector('#charts .js-plotly-plot').data.length")
        assert traces == 2 * 5

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web.png"), full_page=True)

    assert hosts <= LOCAL, f"requests left the machine: {hosts - LOCAL}"
    # the one refused request above is logged by the browser; nothing else may fail
    assert [e for e in errors if "422 (Unprocessable Entity)" not in e] == []
    assert len(errors) == 1
