"""Everything around the API, in one ASGI layer (``Site``): the web app at ``/``,
headers, request bounds, crashes, access log.

* The static web app (``build/web`` from ``tools/build_web.py``) is served
  at ``/`` on the same origin as the API, so its CSP ``connect-src 'self'``
  allows the sync calls. ``index.html`` and ``sw.js`` are sent with
  ``Cache-Control: no-cache`` (a new version is noticed at once), ``.wasm``
  and ``.mjs`` with the types browsers require; the service worker sits at
  the root, so its scope covers the whole app (and not ``/api/``'s answers,
  which are ``no-store``).
* Request bodies are bounded in size and time, and a large push's token is
  checked before its body is read (``read_body``).
* A crash is a bare 500; its log line names the exception's type and the
  route, never request data (Starlette's own error middleware would log the
  whole traceback, whose database errors can quote a statement's parameters).
* The access log has method, route, status and duration — never a client
  address, a query string or a path with an id in it.

One layer, not one per job: every request and every answer passes through
it, and each extra layer is another coroutine and another ``send`` wrapper
on the hot path.
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

from server.errors import error_response
from sync.limits import MAX_REQUEST_BYTES, MAX_SMALL_REQUEST_BYTES

PUSH_PATH = "/api/v1/changes"

log = logging.getLogger("stappenplan.server")
access_log = logging.getLogger("stappenplan.server.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # The page's own CSP is in its <meta> tag; framing can only be forbidden by a header.
    (b"content-security-policy", b"frame-ancestors 'none'"),
]
NO_CACHE = {"index.html", "sw.js", ""}
CONTENT_TYPES = {".wasm": b"application/wasm", ".mjs": b"text/javascript; charset=utf-8"}
Authorize = Callable[[Scope], Awaitable[Optional[tuple[int, str, str]]]]


def _refusal(status: int, code: str, message: str) -> tuple[dict, bytes]:
    body = json.dumps({"error": code, "message": message}).encode()
    return {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"connection", b"close")]}, body


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    start, body = _refusal(status, code, message)
    await send(start)
    await send({"type": "http.response.body", "body": body})


def body_limit(scope: Scope) -> int:
    """A push may be large; every other request is small."""
    if scope["method"] == "POST" and scope["path"] == PUSH_PATH:
        return MAX_REQUEST_BYTES
    return MAX_SMALL_REQUEST_BYTES


def site_headers(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """An answer's headers as sent: security headers everywhere, no-store for the API,
    cache rules and content types for the web app."""
    if path.startswith("/api/"):
        headers = [*headers, *SECURITY_HEADERS]
        if not any(k.lower() == b"cache-control" for k, _ in headers):
            headers.append((b"cache-control", b"no-store"))
        return headers
    name = path.rsplit("/", 1)[-1]
    suffix = Path(name).suffix
    headers = [(k, v) for k, v in headers if k.lower() != b"content-type" or suffix not in CONTENT_TYPES]
    headers += SECURITY_HEADERS
    if suffix in CONTENT_TYPES:
        headers.append((b"content-type", CONTENT_TYPES[suffix]))
    if name in NO_CACHE and not any(k.lower() == b"cache-control" for k, _ in headers):
        headers.append((b"cache-control", b"no-cache"))
    return headers


async def read_body(scope: Scope, receive: Receive, send: Send, timeout_s: float,
                    authorize: Authorize) -> Optional[bytes]:
    """The request's whole body, within its bounds; ``None`` when it was refused (the
    refusal is sent) or the client went away.

    * 413 for a body over its limit (``body_limit``), by Content-Length or by
      counting; at most the limit is ever held;
    * 408 when the body has not arrived ``timeout_s`` after the head;
    * a push whose body is large (or of unknown length) has its access token
      checked first (``authorize``): a stranger's 8 MiB is refused unread.
    """
    limit = body_limit(scope)
    declared = dict(scope.get("headers") or []).get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        await _refuse(send, 413, "too_large", "request too large")
        return None
    if limit > MAX_SMALL_REQUEST_BYTES and (declared is None or int(declared) > MAX_SMALL_REQUEST_BYTES):
        refusal = await authorize(scope)
        if refusal is not None:
            await _refuse(send, *refusal)
            return None
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    return None
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await _refuse(send, 413, "too_large", "request too large")
                    return None
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError:
        await _refuse(send, 408, "timeout", "the request's body did not arrive in time")
        return None


class Site:
    """The layer around the app (see the module's doc); the body is read here and handed on whole."""

    def __init__(self, app: ASGIApp, body_timeout_s: float, authorize: Authorize) -> None:
        self.app, self.body_timeout_s, self.authorize = app, body_timeout_s, authorize

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        path: str = scope["path"]
        status = 0

        async def site_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": site_headers(path, message.get("headers", []))}
            await send(message)

        try:
            body = await read_body(scope, receive, site_send, self.body_timeout_s, self.authorize)
            if body is not None:
                await self.app(scope, _replay(body, receive), site_send)
        except Exception as exc:
            log.error("internal error: %s in %s %s", type(exc).__name__, scope.get("method"), _route(scope))
            if not status:
                await error_response(500, "server_error", "internal error")(scope, receive, site_send)
        finally:
            access_log.info("%s %s %d %.0fms", scope["method"], _route(scope), status,
                            (time.perf_counter() - start) * 1000)


def _route(scope: Scope) -> str:
    route = getattr(scope.get("route"), "path", None)
    return route or ("/api/…" if scope["path"].startswith("/api/") else "(static)")


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def static_site(web_dir: Path) -> StaticFiles:
    return StaticFiles(directory=web_dir, html=True, check_dir=True)
