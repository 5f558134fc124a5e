"""What every route shares: the database, the limits, the clock, the hub of open streams.

``Context.authenticated(request, work, ...)`` is the one way a route runs
as a member: the bearer token is hashed here, ``work(conn, caller_hash,
...)`` runs in one transaction (it starts with ``auth.caller``), and an
unknown token counts against the caller's address — past
``RATE_INVALID_TOKEN`` the address is refused before any database work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Optional, TypeVar

from fastapi import Request
from sqlalchemy import Connection, func, select

from server import models as m
from server.auth import Caller, bearer, client_address, mark_seen, seen_stale
from server.config import Settings
from server.db import Database
from server.errors import ApiError
from server.hub import Hub, TeamEvent
from server.ratelimit import Limiters
from sync.limits import MAX_STREAMS_PER_MEMBER

T = TypeVar("T")
USAGE_MAX_AGE_S = 30.0  # the server's total storage is summed again after this


@dataclass
class ServerUsage:
    """The bytes every team's log holds, summed now and then (the server quota is approximate by that)."""

    total: int = 0
    summed_at: float = -1e18

    def refresh_if_stale(self, conn: Connection) -> None:
        if time.monotonic() - self.summed_at > USAGE_MAX_AGE_S:
            self.total = conn.scalar(select(func.coalesce(func.sum(m.Team.__table__.c.stored_bytes), 0))) or 0
            self.summed_at = time.monotonic()


@dataclass
class Context:
    settings: Settings
    db: Database
    limiters: Limiters
    clock: Callable[[], datetime]
    hub: Hub = field(init=False)
    usage: ServerUsage = field(default_factory=ServerUsage)

    def __post_init__(self) -> None:
        self.hub = Hub(self.settings.max_streams, MAX_STREAMS_PER_MEMBER)

    def token(self, request: Request) -> bytes:
        """The hashed bearer token, unless this address sent too many bad ones."""
        wait = self.limiters.invalid_token.exhausted(client_address(request))
        if wait:
            raise ApiError(429, "rate_limited", "too many requests with a wrong token, try again later",
                           retry_after=wait)
        try:
            return bearer(request)
        except ApiError:
            self.limiters.invalid_token.check(client_address(request))
            raise

    async def _as_member(self, request: Request, write: bool, work: Callable[..., T], *args) -> T:
        hashed = self.token(request)
        try:
            return await (self.db.write if write else self.db.read)(work, hashed, *args)
        except ApiError as exc:
            if exc.status == 401:
                self.limiters.invalid_token.check(client_address(request))
            raise

    async def reading(self, request: Request, work: Callable[..., T], *args) -> T:
        return await self._as_member(request, False, work, *args)

    async def writing(self, request: Request, work: Callable[..., T], *args) -> T:
        return await self._as_member(request, True, work, *args)

    async def note_seen(self, who: Caller) -> None:
        """After a read: write ``last_seen`` if it is old (a few times an hour per member)."""
        now = self.clock()
        if seen_stale(who, now):
            await self.db.write(mark_seen, who, now)

    def publish(self, event: Optional[TeamEvent]) -> None:
        """After a commit: wake this process's streams of the team (others hear NOTIFY)."""
        if event is not None:
            self.hub.publish(event)


def context(request: Request) -> Context:
    return request.app.state.context
