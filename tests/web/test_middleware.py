"""Request bodies are bounded in size and in time, on a real server (sockets to 127.0.0.1 only)."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import httpx
import pytest

from awol.web.app import create_app
from awol.web.middleware import BODY_TIMEOUT, MAX_BODY_BYTES
from tests.web.server import served


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    with served(create_app(tmp_path_factory.mktemp("web"), start_worker=False)) as url:
        yield url


def raw_request(base: str, head: bytes, body: bytes = b"", wait: float = 30.0) -> tuple[bytes, float]:
    """Send `head` and `body` on a new connection; return what the server sent until it closed, and when."""
    parts = urlparse(base)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as s:
        s.sendall(head + body)
        received = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
    return received, time.monotonic() - started


def test_a_body_announced_and_never_sent_is_dropped_within_seconds(base):
    head = (b"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n")
    received, took = raw_request(base, head, b'{"scenario": ')
    assert took < BODY_TIMEOUT + 3, took          # not held open (it was held 120 s and more)
    assert received.startswith(b"HTTP/1.1 408"), received[:200]


def test_an_oversized_body_is_refused_at_once_with_a_short_answer(base):
    body = b'{"scenario": "baseline", "levers": {' + b",".join(b'"p%d": 1' % i for i in range(2_000_000)) + b"}}"
    assert len(body) > 20_000_000
    started = time.monotonic()
    response = httpx.post(f"{base}/api/jobs", content=body, headers={"content-type": "application/json"}, timeout=60)
    took = time.monotonic() - started
    assert response.status_code == 413
    assert len(response.content) < 200 and "at most" in response.json()["detail"]
    assert took < 2.0, took                       # it took 6.6 s, with a 104 MB answer


def test_an_oversized_body_without_a_length_is_refused_as_it_arrives(base):
    def chunks():
        for _ in range(100):
            yield b"x" * 65536

    response = httpx.post(f"{base}/api/jobs", content=chunks(), headers={"content-type": "application/json"},
                          timeout=60)
    assert response.status_code == 413


def test_a_request_within_the_limits_still_works(base):
    response = httpx.post(f"{base}/api/jobs", json={"scenario": "no-such"}, timeout=60)
    assert response.status_code == 422
    assert len(b'{"scenario": "baseline"}') < MAX_BODY_BYTES
    assert httpx.get(f"{base}/api/scenarios", timeout=60).status_code == 200
