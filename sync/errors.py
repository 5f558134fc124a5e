"""The errors of team sharing, few and typed, so the UI can word each one.

Every failure of a sync or a team operation is one of these:

* ``OfflineError`` — this device has no network (the browser says so, or the
  address cannot even be resolved);
* ``ServerUnreachableError`` — the network is there but the server is not
  (refused, timed out, 5xx, a proxy's error page, an answer we cannot read);
* ``AccessRevokedError`` — the server no longer accepts this device (removed
  from the team, left it, or an unknown token);
* ``RefusedError`` — the server understood and said no, with a ``reason``
  code (``invite_expired``, ``rate_limited``, ``not_coordinator``, ...);
* ``IntegrityError`` — something that should be authenticated was not: a
  record, a key or an invite that fails decryption or its MAC. Never applied.

All carry a short machine ``code``; none carries plaintext.
"""

from __future__ import annotations

from typing import Any, Optional


class SyncError(Exception):
    code = "sync_error"


class OfflineError(SyncError):
    code = "offline"


class ServerUnreachableError(SyncError):
    code = "unreachable"


class BadResponseError(ServerUnreachableError):
    """The server (or something in between) answered what the protocol does not allow."""

    code = "bad_response"


class AccessRevokedError(SyncError):
    """401/403: ``removed`` tells "you were removed / left" from "unknown token"."""

    code = "revoked"

    def __init__(self, reason: str = "unauthorized") -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def removed(self) -> bool:
        return self.reason == "removed"


class RefusedError(SyncError):
    """``field``: for a malformed request (``bad_request``), the request field the
    server named (``member.display_name``), when it named one."""

    code = "refused"

    def __init__(self, reason: str, status: int, retry_after: Optional[float] = None,
                 field: Optional[str] = None) -> None:
        super().__init__(f"{status} {reason}")
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.field = field


class IntegrityError(SyncError):
    """Authentication failed (AES-GCM tag or HMAC): tampered, or not for this team."""

    code = "integrity"


class KeyRejectedError(IntegrityError):
    """A new team key version did not check out (its wrap, or its commitment to
    the version before). ``state`` is the device's team state with every
    version before it, which did: the last good key stays usable."""

    code = "key_rejected"

    def __init__(self, version: int, state: Any) -> None:
        super().__init__(f"key version {version} does not check out")
        self.version = version
        self.state = state


class InvalidInviteCode(SyncError):
    """The typed or scanned code is not a well-formed invite code (checked offline)."""

    code = "invalid_code"


__all__ = [
    "AccessRevokedError", "BadResponseError", "IntegrityError", "InvalidInviteCode", "KeyRejectedError", "OfflineError",
    "RefusedError", "ServerUnreachableError", "SyncError",
]
