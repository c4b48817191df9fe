"""What the server accepts of a request before any route sees it: a bounded body, received in time.

uvicorn reads a body as slowly and for as long as the client sends it, and FastAPI
parses whatever arrives: a 20 MB levers body took seconds to refuse (and was echoed
back in the error), and a client that announces a body and never sends it held its
connection for minutes. This ASGI middleware answers such requests itself, at once,
with a short response that closes the connection:

* 413 when the announced length (`Content-Length`) or the bytes received exceed
  `max_bytes` (the largest honest request, a job with every lever set, is under 10 kB);
* 408 when the body does not arrive within `timeout` seconds of the previous part.

Once it has answered, the route's own (later) response is dropped, and the route sees
the client gone, as if it had disconnected.
"""

from __future__ import annotations

import asyncio
import json

MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT = 5.0


class BodyLimits:
    """ASGI middleware bounding each HTTP request body in size and in time (module docstring)."""

    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES, timeout: float = BODY_TIMEOUT):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = dict(scope.get("headers") or ()).get(b"content-length")
        if announced is not None:
            try:
                length = int(announced)
            except ValueError:
                length = -1
            if length < 0:
                await _answer(send, 400, "Content-Length must be a whole number of bytes")
                return
            if length > self.max_bytes:
                await _answer(send, 413, f"request body of {length:,} bytes; at most {self.max_bytes:,}")
                return
        state = {"answered": False, "received": 0, "complete": False}

        async def bounded_receive():
            if state["answered"]:
                return {"type": "http.disconnect"}
            if state["complete"]:  # the body is in: later waits (for a disconnect) are not bounded
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                state["answered"] = True
                await _answer(send, 408, f"the request body did not arrive within {self.timeout:g} s")
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_bytes:
                    state["answered"] = True
                    await _answer(send, 413, f"request body larger than {self.max_bytes:,} bytes")
                    return {"type": "http.disconnect"}
                state["complete"] = not message.get("more_body", False)
            return message

        async def guarded_send(message):
            if not state["answered"]:
                await send(message)

        await self.app(scope, bounded_receive, guarded_send)


async def _answer(send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
