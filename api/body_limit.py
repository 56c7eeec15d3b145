"""Refuse request bodies over the configured size before the application reads them."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM, TYPE_BASE


async def read_body(receive: Receive, max_bytes: int | None = None) -> tuple[bytes, Receive] | None:
    """The whole body, and a ``receive`` that delivers it again (then whatever came after it); None as
    soon as it grows past ``max_bytes``."""
    chunks: list[bytes] = []
    after: list[Message] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left mid-body: the app sees that too
            after.append(message)
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed: list[Message] = [{"type": "http.request", "body": body, "more_body": bool(after)}, *after]

    async def replay() -> Message:
        return replayed.pop(0) if replayed else await receive()

    return body, replay


class BodyLimit:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path).

    A declared ``content-length`` over the limit is refused at once; a body without one (chunked) is
    read up to the limit first and handed on only if it fits.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", ())).get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > self.max_bytes:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in {"GET", "HEAD", "DELETE", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        read = await read_body(receive, self.max_bytes)
        if read is None:
            await self._refuse(send)
            return
        await self.app(scope, read[1], send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "type": TYPE_BASE + "payload_too_large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"request bodies are limited to {self.max_bytes} bytes",
            }
        ).encode()
        headers = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
