"""``GET /events``: a Server-Sent Events stream of the caller's team state.

On connect the stream sends the team's state at once, then again whenever it
changes, and a comment line after ``STREAM_KEEPALIVE_S`` of quiet (so
proxies and the client can tell a live stream from a dead one):

    event: team
    data: {"head": 42, "key_version": 2, "rotation_needed": false, "roster": 5}

``roster`` grows with every join, leave and removal. A device that sees a
head beyond its cursor (or any other change) syncs at once. Streams live on
the event loop (no thread each), wait on the process's hub, and end after
``STREAM_MAX_AGE_S``, when the team is deleted, or when the member is no
longer in it; the device reconnects. ``X-Accel-Buffering: no`` asks nginx
not to buffer the stream.
"""

from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection

from server.auth import Caller, bearer, caller, limit
from server.context import Context, context
from server.errors import AUTHENTICATED, ApiError, responses
from server.hub import Subscription, TeamEvent
from sync.limits import STREAM_KEEPALIVE_S, STREAM_MAX_AGE_S

router = APIRouter(prefix="/api/v1")
KEEPALIVE = b": keepalive\n\n"
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
BUSY_RETRY_S = 60.0


def sse(event: TeamEvent) -> bytes:
    return b"event: team\ndata: " + json.dumps(event.data(), separators=(",", ":")).encode() + b"\n\n"


def _member(conn: Connection, hashed: bytes, ctx: Context, count: bool) -> Caller:
    who = caller(conn, hashed)
    if count:
        limit(ctx.limiters.authenticated, who.member_id)
    return who


async def _still_member(ctx: Context, hashed: bytes) -> bool:
    try:
        await ctx.db.read(_member, hashed, ctx, False)
    except ApiError:
        return False
    return True


async def _stream(ctx: Context, hashed: bytes, sub: Subscription) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    try:
        # Subscribed first, read second: no change can fall between the two.
        who = await ctx.db.read(_member, hashed, ctx, False)
        last = TeamEvent(who.team_id, who.head, who.key_version, who.rotation_needed, who.roster)
        yield sse(last)
        deadline = loop.time() + STREAM_MAX_AGE_S
        while (left := deadline - loop.time()) > 0:
            event = await sub.next(min(STREAM_KEEPALIVE_S, left))
            if event is None:
                yield KEEPALIVE
                continue
            if event.deleted or (event.roster != last.roster and not await _still_member(ctx, hashed)):
                return
            if event.data() != last.data():
                last = event
                yield sse(event)
    except ApiError:  # removed or deleted before the first read
        return
    finally:
        sub.close()


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "the team's state now and after every change (event: team)"},
                       **responses(*AUTHENTICATED, 503)})
async def events(request: Request) -> StreamingResponse:
    ctx = context(request)
    who = await ctx.reading(request, _member, ctx, True)
    hashed = bearer(request)
    sub = ctx.hub.subscribe(who.team_id, who.member_id)
    if sub is None:
        raise ApiError(503, "busy", "too many open streams here; poll instead", retry_after=BUSY_RETRY_S)
    return StreamingResponse(_stream(ctx, hashed, sub), media_type="text/event-stream", headers=STREAM_HEADERS)
