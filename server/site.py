"""Everything around the API: the web app at ``/``, headers, request bounds, access log.

* The static web app (``build/web`` from ``tools/build_web.py``) is served
  at ``/`` on the same origin as the API, so its CSP ``connect-src 'self'``
  allows the sync calls. ``index.html`` and ``sw.js`` are sent with
  ``Cache-Control: no-cache`` (a new version is noticed at once), ``.wasm``
  and ``.mjs`` with the types browsers require; the service worker sits at
  the root, so its scope covers the whole app (and not ``/api/``'s answers,
  which are ``no-store``).
* Request bodies are bounded in size and time, and a large push's token is
  checked before its body is read (``RequestGuard``).
* The access log has method, route, status and duration — never a client
  address, a query string or a path with an id in it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Awaitable, Callable, Optional

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.limits import MAX_REQUEST_BYTES, MAX_SMALL_REQUEST_BYTES

PUSH_PATH = "/api/v1/changes"

access_log = logging.getLogger("stappenplan.server.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # The page's own CSP is in its <meta> tag; framing can only be forbidden by a header.
    (b"content-security-policy", b"frame-ancestors 'none'"),
]
NO_CACHE = {"index.html", "sw.js", ""}
CONTENT_TYPES = {".wasm": b"application/wasm", ".mjs": b"text/javascript; charset=utf-8"}


def _refusal(status: int, code: str, message: str) -> tuple[dict, bytes]:
    body = json.dumps({"error": code, "message": message}).encode()
    return {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"connection", b"close")]}, body


def body_limit(scope: Scope) -> int:
    """A push may be large; every other request is small."""
    if scope["method"] == "POST" and scope["path"] == PUSH_PATH:
        return MAX_REQUEST_BYTES
    return MAX_SMALL_REQUEST_BYTES


class RequestGuard:
    """Bounds on a request's body, before any of it reaches a handler.

    * 413 for a body over its limit (``body_limit``), by Content-Length or by
      counting; at most the limit is ever held;
    * 408 when the body has not arrived ``body_timeout_s`` after the head;
    * a push whose body is large (or of unknown length) has its access token
      checked first (``authorize``): a stranger's 8 MiB is refused unread.

    The body is read here and handed to the app afterwards.
    """

    def __init__(self, app: ASGIApp, body_timeout_s: float,
                 authorize: Callable[[Scope], Awaitable[Optional[tuple[int, str, str]]]]) -> None:
        self.app, self.body_timeout_s, self.authorize = app, body_timeout_s, authorize

    async def _refuse(self, send: Send, status: int, code: str, message: str) -> None:
        start, body = _refusal(status, code, message)
        await send(start)
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, 413, "too_large", "request too large")
            return
        if limit > MAX_SMALL_REQUEST_BYTES and (declared is None or int(declared) > MAX_SMALL_REQUEST_BYTES):
            refusal = await self.authorize(scope)
            if refusal is not None:
                await self._refuse(send, *refusal)
                return
        chunks, size = [], 0
        try:
            async with asyncio.timeout(self.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":  # the client went away
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        await self._refuse(send, 413, "too_large", "request too large")
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await self._refuse(send, 408, "timeout", "the request's body did not arrive in time")
            return
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
