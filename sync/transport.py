"""What an HTTP answer means, shared by both transports (pure Python).

The native (``httpx``) and browser (``fetch``) transports only move bytes;
``interpret`` turns a status and a body into the decoded JSON of a success
or one of the typed errors of ``sync.errors``, identically on both.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Optional
from urllib.parse import urlencode

from sync.errors import AccessRevokedError, BadResponseError, RefusedError, ServerUnreachableError
from sync.limits import MAX_RESPONSE_BYTES

_REASON = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Where a refusal's message names the request field: "invalid request (body.member.role)".
_FIELD = re.compile(r"\(([A-Za-z_][A-Za-z0-9_.]{0,99})[):]")
# Gateways and proxies answer these while the server itself is down or restarting.
_UNAVAILABLE = {502, 503, 504}
# A 503 that our server itself answers (JSON, with this code): it is busy, not down.
_BUSY = "busy"


def build_path(path: str, query: Optional[Mapping[str, Any]] = None) -> str:
    if not path.startswith("/api/"):
        raise ValueError("API paths start with /api/")
    if query:
        return f"{path}?{urlencode({k: v for k, v in query.items() if v is not None})}"
    return path


def encode_body(body: Optional[Mapping[str, Any]]) -> Optional[bytes]:
    if body is None:
        return None
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or not (0 <= seconds <= 24 * 3600):
        return None
    return seconds


def _error(body: bytes) -> tuple[Optional[str], Optional[str]]:
    """The protocol error's code and the request field its message names (either may be None)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(payload, dict):
        return None, None
    reason, message = payload.get("error"), payload.get("message")
    if not isinstance(reason, str) or not _REASON.match(reason):
        return None, None
    found = _FIELD.search(message) if isinstance(message, str) else None
    field = found.group(1).removeprefix("body.") if found else None
    return reason, field


def interpret(status: int, body: bytes, retry_after: Optional[str] = None) -> Any:
    """The decoded JSON of a 2xx answer, else the matching ``SyncError``."""
    if len(body) > MAX_RESPONSE_BYTES:
        raise BadResponseError("answer too large")
    if 200 <= status < 300:
        try:
            return json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            raise BadResponseError("answer is not JSON") from None
    reason, field = _error(body) if 400 <= status < 600 else (None, None)
    if status == 503 and reason == _BUSY:
        raise RefusedError(reason, status, _retry_after(retry_after))  # our server, too busy for now: not down
    if status in _UNAVAILABLE or status >= 500:
        raise ServerUnreachableError(f"server error {status}")
    if status == 413:  # our server's too_large, or a proxy's own limit on request bodies
        raise RefusedError("too_large", status)
    if 400 <= status < 500:
        if reason is None:
            # Not our server's JSON error (a proxy's page, a wrong address):
            # nothing the user can act on except "the server is not reachable".
            raise ServerUnreachableError(f"{status} without a protocol error")
        if status == 401:
            raise AccessRevokedError(reason)
        if status == 403 and reason == "removed":
            raise AccessRevokedError("removed")
        raise RefusedError(reason, status, _retry_after(retry_after), field if reason == "bad_request" else None)
    raise BadResponseError(f"unexpected status {status}")


__all__ = ["build_path", "encode_body", "interpret"]
