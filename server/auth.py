"""The access token check, as one statement inside the request's own transaction.

``caller(conn, token_hash)`` reads the member and its team's state in one
joined SELECT (on PostgreSQL, for a write, with the team's row locked
``FOR UPDATE``), so a pull or a push is one transaction in all. The token
itself never reaches the database or a log: only its SHA-256.

Unknown tokens are counted per client address (``Limiters.invalid_token``):
past the limit the address gets 429 before any database work.
``last_seen`` is written at most every ``LAST_SEEN_RESOLUTION_S`` (the
write rides on the request's own write transaction, or on a small one of
its own for a read, a few times an hour per member).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from fastapi import Request
from sqlalchemy import Connection, bindparam, select, update

from server import models as m
from server.errors import ApiError
from server.ratelimit import RateLimiter
from sync.limits import LAST_SEEN_RESOLUTION_S

members = m.Member.__table__
teams = m.Team.__table__
LAST_SEEN_RESOLUTION = timedelta(seconds=LAST_SEEN_RESOLUTION_S)
MAX_TOKEN_CHARS = 100


@dataclass(frozen=True)
class Caller:
    member_id: str
    team_id: str
    coordinator: bool
    last_seen: Optional[datetime]
    head: int
    key_version: int
    rotation_needed: bool
    roster: int
    stored_bytes: int  # the ciphertext in the team's log
    recent_pushes: str  # server.push_ids


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def bearer(request: Request) -> bytes:
    """The SHA-256 of the request's bearer token (401 if there is none)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS:
        raise ApiError(401, "unauthorized", "missing or malformed access token")
    return token_hash(token)


_CALLER = select(
    members.c.id, members.c.team_id, members.c.coordinator, members.c.removed_at, members.c.last_seen,
    members.c.recent_pushes, teams.c.head_seq, teams.c.key_version, teams.c.rotation_needed, teams.c.roster,
    teams.c.stored_bytes,
).select_from(members.join(teams, teams.c.id == members.c.team_id)).where(members.c.token_hash == bindparam("hash"))
_CALLER_LOCKING = _CALLER.with_for_update(of=teams)


def caller(conn: Connection, hashed: bytes, lock_team: bool = False) -> Caller:
    """The member with this token hash and its team's state; 401/403 otherwise."""
    row = conn.execute(_CALLER_LOCKING if lock_team else _CALLER, {"hash": hashed}).first()
    if row is None:
        raise ApiError(401, "unauthorized", "unknown access token")
    if row.removed_at is not None:
        raise ApiError(403, "removed", "this device is no longer a member of the team")
    return Caller(row.id, row.team_id, row.coordinator, row.last_seen, row.head_seq, row.key_version,
                  row.rotation_needed, row.roster, row.stored_bytes, row.recent_pushes)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: they are UTC (only UTC is stored)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def seen_stale(who: Caller, now: datetime) -> bool:
    return who.last_seen is None or now - as_utc(who.last_seen) >= LAST_SEEN_RESOLUTION


def mark_seen(conn: Connection, who: Caller, now: datetime) -> None:
    """In a write transaction: note the member (and its team) as active, if not noted lately."""
    if seen_stale(who, now):
        conn.execute(update(members).where(members.c.id == who.member_id).values(last_seen=now))
        conn.execute(update(teams).where(teams.c.id == who.team_id).values(last_active=now))


def check_coordinator(who: Caller) -> None:
    if not who.coordinator:
        raise ApiError(403, "not_coordinator", "only the team's coordinator can do this")


def limit(limiter: RateLimiter, key: str) -> None:
    wait = limiter.check(key)
    if wait:
        raise ApiError(429, "rate_limited", "too many requests, try again later", retry_after=wait)


def client_address(request: Request) -> str:
    """The caller's address as uvicorn gives it (``X-Forwarded-For`` only from the proxies the operator named)."""
    return request.client.host if request.client else "unknown"
