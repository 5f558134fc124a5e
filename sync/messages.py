"""The wire format of the team protocol: strict parsing of what the server sends.

Every answer goes through these functions before the client uses it; any
field that is missing, of the wrong type, out of range or not canonical
raises ``BadResponseError`` (the UI says "the server gave an answer the app
does not understand"), never ``KeyError``/``TypeError``. The server's own
request models (``server/schemas.py``) use the same patterns and limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

from sync.crypto import MAC_LEN, NONCE_LEN, POINT_LEN, TAG_LEN, WRAPPED_KEY_LEN, SealedRecord, b64d
from sync.errors import BadResponseError
from sync.limits import (
    ID_PATTERN,
    KIND_PATTERN,
    MAX_DEVICE_LABEL_CHARS,
    MAX_DISPLAY_NAME_CHARS,
    MAX_INVITE_BUNDLE,
    MAX_KEY_VERSIONS,
    MAX_PULL_PAGE,
    MAX_RECORD_CIPHERTEXT,
    MAX_RECORDS_PER_PUSH,
    MAX_ROLE_CHARS,
    RECORD_ID_PATTERN,
)

_ID = re.compile(ID_PATTERN)
_RECORD_ID = re.compile(RECORD_ID_PATTERN)
_KIND = re.compile(KIND_PATTERN)
MAX_SEQ = 2**62


def _bad(what: str) -> BadResponseError:
    return BadResponseError(f"bad field: {what}")


def obj(value: Any, what: str = "answer") -> dict:
    if not isinstance(value, dict):
        raise _bad(what)
    return value


def text(payload: dict, key: str, max_chars: int, pattern: Optional[re.Pattern] = None) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or len(value) > max_chars or (pattern is not None and not pattern.match(value)):
        raise _bad(key)
    return value


def ident(payload: dict, key: str) -> str:
    return text(payload, key, 32, _ID)


def integer(payload: dict, key: str, low: int = 0, high: int = MAX_SEQ) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(key)
    return value


def boolean(payload: dict, key: str) -> bool:
    value = payload.get(key)
    if not isinstance(value, bool):
        raise _bad(key)
    return value


def raw(payload: dict, key: str, length: Optional[int] = None, max_len: Optional[int] = None, min_len: int = 0) -> bytes:
    value = payload.get(key)
    try:
        data = b64d(value)
    except (ValueError, TypeError):
        raise _bad(key) from None
    if (length is not None and len(data) != length) or (max_len is not None and len(data) > max_len):
        raise _bad(key)
    if len(data) < min_len:
        raise _bad(key)
    return data


def instant(payload: dict, key: str, optional: bool = False) -> Optional[datetime]:
    value = payload.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise _bad(key)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(key) from None
    if parsed.tzinfo is None:
        raise _bad(key)
    return parsed.astimezone(timezone.utc)


def array(payload: dict, key: str, max_items: int) -> list:
    value = payload.get(key)
    if not isinstance(value, list) or len(value) > max_items:
        raise _bad(key)
    return value


# --- the answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    member_id: str
    display_name: str
    role: str
    device_label: str
    coordinator: bool
    public_key: bytes
    key_mac: bytes
    joined_at: datetime
    last_seen: Optional[datetime]


def parse_member(value: Any) -> Member:
    m = obj(value, "member")
    return Member(
        member_id=ident(m, "member_id"),
        display_name=text(m, "display_name", MAX_DISPLAY_NAME_CHARS),
        role=text(m, "role", MAX_ROLE_CHARS),
        device_label=text(m, "device_label", MAX_DEVICE_LABEL_CHARS),
        coordinator=boolean(m, "coordinator"),
        public_key=raw(m, "public_key", POINT_LEN),
        key_mac=raw(m, "key_mac", MAC_LEN),
        joined_at=instant(m, "joined_at"),
        last_seen=instant(m, "last_seen", optional=True),
    )


@dataclass(frozen=True)
class TeamInfo:
    team_id: str
    key_version: int
    head: int
    rotation_needed: bool
    members: list[Member]


def parse_team(value: Any) -> TeamInfo:
    t = obj(value)
    members = [parse_member(m) for m in array(t, "members", 10_000)]
    if len({m.member_id for m in members}) != len(members):
        raise _bad("members")
    return TeamInfo(
        team_id=ident(t, "team_id"),
        key_version=integer(t, "key_version", 1, MAX_KEY_VERSIONS),
        head=integer(t, "head"),
        rotation_needed=boolean(t, "rotation_needed"),
        members=members,
    )


@dataclass(frozen=True)
class WrappedKey:
    version: int
    wrapped: bytes
    commit: Optional[bytes]  # None for version 1


def parse_keys(value: Any) -> list[WrappedKey]:
    payload = obj(value)
    out = []
    for item in array(payload, "keys", MAX_KEY_VERSIONS):
        k = obj(item, "key")
        version = integer(k, "version", 1, MAX_KEY_VERSIONS)
        commit = None if k.get("commit") is None and version == 1 else raw(k, "commit", MAC_LEN)
        out.append(WrappedKey(version, raw(k, "wrapped", WRAPPED_KEY_LEN), commit))
    versions = [k.version for k in out]
    if versions != sorted(set(versions)):
        raise _bad("keys")
    return out


@dataclass(frozen=True)
class RemoteSealed:
    seq: int
    author_id: str
    received_at: datetime
    sealed: SealedRecord


@dataclass(frozen=True)
class Page:
    changes: list[RemoteSealed]
    head: int
    more: bool
    key_version: int
    rotation_needed: bool


def parse_page(value: Any, after: int) -> Page:
    p = obj(value)
    head = integer(p, "head")
    changes = []
    previous = after
    for item in array(p, "changes", MAX_PULL_PAGE):
        c = obj(item, "change")
        seq = integer(c, "seq", 1)
        if seq <= previous or seq > head:  # strictly increasing, after the cursor, not past the head
            raise _bad("seq")
        previous = seq
        sealed = SealedRecord(
            record_id=text(c, "record_id", 100, _RECORD_ID),
            kind=text(c, "kind", 32, _KIND),
            key_version=integer(c, "key_version", 1, MAX_KEY_VERSIONS),
            nonce=raw(c, "nonce", NONCE_LEN),
            ciphertext=raw(c, "ciphertext", max_len=MAX_RECORD_CIPHERTEXT, min_len=TAG_LEN),
        )
        changes.append(RemoteSealed(seq, ident(c, "author_id"), instant(c, "received_at"), sealed))
    more = boolean(p, "more")
    if more and not changes:
        raise _bad("more")
    return Page(changes, head, more, integer(p, "key_version", 1, MAX_KEY_VERSIONS), boolean(p, "rotation_needed"))


def parse_push(value: Any, sent: int) -> list[int]:
    p = obj(value)
    seqs = array(p, "seqs", MAX_RECORDS_PER_PUSH)
    if len(seqs) != sent or any(isinstance(s, bool) or not isinstance(s, int) or not 1 <= s <= MAX_SEQ for s in seqs):
        raise _bad("seqs")
    if seqs != sorted(set(seqs)):
        raise _bad("seqs")
    return seqs


@dataclass(frozen=True)
class InviteOffer:
    team_id: str
    bundle: bytes
    expires_at: datetime


def parse_invite_offer(value: Any) -> InviteOffer:
    p = obj(value)
    return InviteOffer(ident(p, "team_id"), raw(p, "bundle", max_len=MAX_INVITE_BUNDLE, min_len=NONCE_LEN + TAG_LEN),
                       instant(p, "expires_at"))


@dataclass(frozen=True)
class PendingInvite:
    invite_id: str
    created_by: str
    created_at: datetime
    expires_at: datetime


def parse_pending_invites(value: Any) -> list[PendingInvite]:
    p = obj(value)
    return [
        PendingInvite(ident(i, "invite_id"), ident(i, "created_by"), instant(i, "created_at"), instant(i, "expires_at"))
        for i in (obj(x, "invite") for x in array(p, "invites", 1000))
    ]


def parse_token(value: Any) -> str:
    p = obj(value)
    return text(p, "token", 64, re.compile(r"^[A-Za-z0-9_-]{43}$"))


__all__ = [
    "InviteOffer", "Member", "Page", "PendingInvite", "RemoteSealed", "TeamInfo", "WrappedKey", "parse_invite_offer",
    "parse_keys", "parse_member", "parse_page", "parse_pending_invites", "parse_push", "parse_team", "parse_token",
]
