"""The dashboard in Debian's Chromium with the network off: a reader answers Q1-Q5 from the page alone.

Open the page; read the nowcast with its interval (Q1) and the policy panels (Q2-Q5);
run the honour-contracts comparison; read the difference with its interval. Every
request may go to 127.0.0.1 only: any other is aborted and fails the test.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from urllib.parse import urlparse

import numpy as np
import pandas as pd
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
    app = create_app(tmp_path / "web")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    srv.should_exit = True
    thread.join(timeout=60)


def offline_page(browser, viewport=None):
    """A page whose every request off this machine is aborted and recorded; console errors recorded."""
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 1400})
    outside, errors = [], []

    def route(r):
        if urlparse(r.request.url).hostname in LOCAL or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, outside, errors


def number(text: str) -> float:
    """A number as the page prints it ('1,234', '−56', '+7.5')."""
    return float(text.replace(",", "").replace("−", "-").replace("+", "").replace("±", "").strip())


def interval(text: str) -> tuple[float, float]:
    low, high = text.split(" to ")
    return number(low), number(high)


def shown(value: float) -> float:
    """The page's rounding of a number (whole numbers from 100 up, 3 significant digits below)."""
    return float(round(value)) if abs(value) >= 100 else float(f"{value:.3g}")


@needs_chromium
def test_a_reader_answers_q1_to_q5_from_the_dashboard_offline(server):
    url, app = server
    from awol.web.answers import shipped

    answers = shipped()
    assert answers is not None, "no answers file shipped: run `make answers`"
    with chromium() as browser:
        page, outside, errors = offline_page(browser)
        page.goto(url)
        # Q1: the nowcast, dated, at full scale, with its intervals (how fast: benchmarks/web/answers.py)
        page.wait_for_selector("#nowcast tbody tr[data-quantity]", timeout=30_000)
        meta = page.inner_text("#answers-meta")
        assert "full scale" in meta and re.search(r"On \d+ \w+ \d{4}", meta)
        row = page.locator('#nowcast tr[data-quantity="retained past term"]')
        median = number(row.locator(".median").inner_text())
        low, high = interval(row.locator(".i90").inner_text())
        expected = {r["quantity"]: r for r in answers["nowcast"]["rows"]}["retained past term"]
        assert median == shown(expected["q50"]) and (low, high) == (shown(expected["q05"]), shown(expected["q95"]))
        assert low <= median <= high and median > 10_000  # full scale: hundreds of thousands, not a hundredth
        assert row.locator(".driver").count() >= 1  # what drives it (Q6)

        # Q2-Q5: one panel per policy, paired differences with intervals
        for q in answers["questions"]:
            panel = page.locator(f'.question[data-scenario="{q["scenario"]}"]')
            assert q["question"] in panel.locator("h3").inner_text()
            assert panel.locator("tbody tr").count() == len(q["rows"])  # six shown, the rest under "more answers"
        q2 = page.locator('.question[data-scenario="honour-contracts"] tr[data-summary="final_retained_past_term"]')
        q2_low, q2_high = interval(q2.locator(".i90").inner_text())
        assert q2_low <= number(q2.locator(".median").inner_text()) <= q2_high < 0  # far fewer held past term
        page.wait_for_selector("#driver-chart .main-svg")  # Q6 chart drawn
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "answers.png"), full_page=False)

        # A value outside its declared range is flagged; a value the schema refuses names its field
        page.wait_for_selector("#levers input[data-path]")
        page.locator("#levers details").nth(3).locator("summary").click()
        volunteers = page.locator('input[data-path="recruitment.volunteer_per_day[0].value"]')
        volunteers.fill("2000")
        flag = volunteers.locator("xpath=..").locator(".flag")
        assert "outside the declared range 150–600" in flag.inner_text() and "iStories" in flag.inner_text()
        volunteers.fill("420")
        release = page.locator('input[data-path="policy.release_at_term[0].value"]')
        release.fill("1.7")
        page.click("#launch")
        page.wait_for_selector("#errors p")
        assert "policy.release_at_term[0].value" in page.inner_text("#errors")
        release.fill("0.03")

        # Run the honour-contracts comparison (small and short, for the test's budget) and read the difference
        page.select_option("#scenario", "honour-contracts")
        page.wait_for_function("document.querySelector('#description').textContent.includes('honoured')")
        page.select_option("#compare-with", "baseline")
        page.check("#posterior")
        page.fill("#days", "30")
        page.fill("#runs", "3")
        page.fill("#scale", "0.005")
        label = '<img src=x onerror="window.pwned=1">honoured'
        page.fill("#label", label)
        page.wait_for_function("document.querySelector('#estimate').textContent.includes('scaled back')")
        assert "6 run(s) × 30 days" in page.inner_text("#estimate")
        page.click("#launch")
        page.wait_for_selector(".job[data-status=done]", timeout=180_000)
        page.wait_for_selector("#differences tr[data-summary]")
        page.wait_for_function("document.querySelectorAll('#charts .js-plotly-plot .main-svg').length >= 8")

        row = page.locator('#differences tr[data-summary="final_retained_past_term"]')
        difference = number(row.locator(".median").inner_text())
        d_low, d_high = interval(row.locator(".i90").inner_text())
        assert d_low <= difference <= d_high < 0
        assert "scaled back ×200" in page.inner_text("#scale-note")

        # the page's totals are the runs' own totals, scaled back to the full force
        job_id = page.locator(".job[data-status=done]").first.get_attribute("data-id")
        folder = app.state.jobs.result_dir(job_id) / "honour-contracts"
        totals = [pd.read_parquet(f)["new_desertions"].sum() / 0.005 for f in sorted(folder.glob("runs/*.parquet"))]
        cells = page.locator('#comparison tr[data-summary="total_new_desertions"] td.median')
        assert number(cells.nth(1).inner_text()) == shown(float(np.median(totals)))

        # user text is text: the label shows literally and runs no script
        assert page.locator(".job strong").first.inner_text() == label
        assert page.evaluate("window.pwned") is None and page.locator("#jobs img").count() == 0
        page.screenshot(path=str(ARTIFACTS / "answers-compare.png"), full_page=True)

    assert outside == [], f"requests left the machine: {outside}"
    # the one refused request above is logged by the browser; nothing else may fail
    assert [e for e in errors if "422 (Unprocessable Entity)" not in e] == []


@needs_chromium
def test_api_docs_render_with_the_network_off(server):
    url, _ = server
    with chromium() as browser:
        for path, ready in (("/docs", ".swagger-ui .opblock"),):
            page, outside, errors = offline_page(browser)
            page.goto(url + path)
            page.wait_for_selector(ready, timeout=30_000)
            assert "/api/answers" in page.content()
            assert outside == [], f"{path} asked for {outside}"
            assert errors == [], errors
            if path == "/docs":
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "docs.png"))
