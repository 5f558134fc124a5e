"""Everything around the API: the web app at ``/``, headers, size limit, access log.

* The static web app (``build/web`` from ``tools/build_web.py``) is served
  at ``/`` on the same origin as the API, so its CSP ``connect-src 'self'``
  allows the sync calls. ``index.html`` and ``sw.js`` are sent with
  ``Cache-Control: no-cache`` (a new version is noticed at once), ``.wasm``
  and ``.mjs`` with the types browsers require; the service worker sits at
  the root, so its scope covers the whole app (and not ``/api/``'s answers,
  which are ``no-store``).
* Request bodies larger than ``MAX_REQUEST_BYTES`` are refused with 413
  before they are read into memory.
* The access log has method, route, status and duration — never a client
  address, a query string or a path with an id in it.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.limits import MAX_REQUEST_BYTES

access_log = logging.getLogger("stappenplan.server.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # The page's own CSP is in its <meta> tag; framing can only be forbidden by a header.
    (b"content-security-policy", b"frame-ancestors 'none'"),
]
NO_CACHE = {"index.html", "sw.js", ""}
CONTENT_TYPES = {".wasm": b"application/wasm", ".mjs": b"text/javascript; charset=utf-8"}


def _too_large() -> tuple[dict, bytes]:
    body = json.dumps({"error": "too_large", "message": "request too large"}).encode()
    return {"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"connection", b"close")]}, body


class BodyLimit:
    """413 for bodies over ``limit`` bytes, by Content-Length or by counting.

    The body is read here (at most ``limit`` bytes are ever held) and handed
    to the app afterwards, so an oversized body never reaches a handler.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app, self.limit = app, limit

    async def _refuse(self, send: Send) -> None:
        start, body = _too_large()
        await send(start)
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SiteHeaders:
    """Security headers everywhere; cache rules and content types for the web app; no-store for the API."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        name = path.rsplit("/", 1)[-1]
        suffix = Path(name).suffix

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-type"
                           or suffix not in CONTENT_TYPES or path.startswith("/api/")]
                headers += SECURITY_HEADERS
                if path.startswith("/api/"):
                    if not any(k.lower() == b"cache-control" for k, _ in headers):
                        headers.append((b"cache-control", b"no-store"))
                else:
                    if suffix in CONTENT_TYPES:
                        headers.append((b"content-type", CONTENT_TYPES[suffix]))
                    if name in NO_CACHE and not any(k.lower() == b"cache-control" for k, _ in headers):
                        headers.append((b"cache-control", b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLog:
    """One line per request: method, route template, status, milliseconds. No address, no ids."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            where = getattr(route, "path", None) or ("/api/…" if scope["path"].startswith("/api/") else "(static)")
            access_log.info("%s %s %d %.0fms", scope["method"], where, status, (time.perf_counter() - start) * 1000)


def static_site(web_dir: Path) -> StaticFiles:
    return StaticFiles(directory=web_dir, html=True, check_dir=True)
