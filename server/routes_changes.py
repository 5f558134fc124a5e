"""The hot path: ``POST /changes`` (push) and ``GET /changes`` (pull).

Each is one transaction with the token check in it (SQLAlchemy Core, no ORM
objects; ``server.db`` says where it runs), and JSON written here rather
than by FastAPI's encoder. An empty pull reads one joined row and nothing
else.

A pull never holds more than ``MAX_PULL_PAGE_BYTES`` of ciphertext: when
everything the team's log holds fits in one page (its ``stored_bytes``, read
with the token check), it reads the rows after the cursor at once; otherwise
it reads their sizes first (one small row each) and then only the rows that
fit. A push is four statements after the token check: its records numbered
under the team's lock, the rows they replace compacted
(``server.compaction``), the team's head and storage moved (and its quota
checked), and the push id remembered in the member's row
(``server.push_ids``). Then every open stream of the team hears the new head.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Annotated, Optional

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import Connection, bindparam, insert, select, update

from server import models as m
from server import push_ids
from server.auth import Caller, caller, limit
from server.compaction import compact_records
from server.context import Context, context
from server.errors import AUTHENTICATED, ApiError, responses
from server.hub import TeamEvent
from server.notify import send as notify
from server.schemas import Page, PushBody, Pushed
from sync import limits
from sync.crypto import b64d

router = APIRouter(prefix="/api/v1")
changes = m.Change.__table__
members = m.Member.__table__
teams = m.Team.__table__


def iso(value: Optional[datetime]) -> Optional[str]:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def json_response(payload: dict, status: int = 200) -> Response:
    return Response(json.dumps(payload, separators=(",", ":")).encode(), status_code=status,
                    media_type="application/json")


def _decode(value: str, what: str) -> bytes:
    try:
        return b64d(value)
    except ValueError:
        raise ApiError(400, "bad_request", f"invalid request ({what}: not base64url)") from None


# --- pull ------------------------------------------------------------------------------------------------


# Statements built once: each execution then only looks up its compiled form.
_AFTER = (changes.c.team_id == bindparam("team"), changes.c.seq > bindparam("after"))
_SIZES = select(changes.c.seq, changes.c.size).where(*_AFTER).order_by(changes.c.seq).limit(bindparam("n"))
_ROWS = select(changes.c.seq, changes.c.record_id, changes.c.kind, changes.c.key_version, changes.c.nonce,
               changes.c.ciphertext, changes.c.author_id, changes.c.received_at).where(
    *_AFTER, changes.c.seq <= bindparam("last")).order_by(changes.c.seq)
_INSERT_CHANGES = insert(changes)
_PUSHED = update(members).where(members.c.id == bindparam("member")).values(
    recent_pushes=bindparam("recent"), last_seen=bindparam("now"))
_MOVE_HEAD = update(teams).where(teams.c.id == bindparam("team")).values(
    head_seq=bindparam("head"), stored_bytes=teams.c.stored_bytes + bindparam("added"),
    last_active=bindparam("now")).returning(teams.c.stored_bytes)


def page_cut(sizes: list[tuple[int, int]], limit_: int, max_bytes: int) -> int:
    """How many of the rows (``(seq, size)`` in order) go in one page: at most
    ``limit_`` and ``max_bytes`` of ciphertext, but always at least one."""
    total = taken = 0
    for _seq, size in sizes[:limit_]:
        if taken and total + size > max_bytes:
            break
        total += size
        taken += 1
    return taken


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _change(r) -> bytes:
    """One change as JSON. Every text field matched a strict pattern when it was pushed
    (ids, kinds, base64url), so nothing in it needs escaping."""
    return (b'{"seq":%d,"record_id":"%s","kind":"%s","key_version":%d,"nonce":"%s","ciphertext":"%s",'
            b'"author_id":"%s","received_at":"%s"}') % (
        r.seq, r.record_id.encode(), r.kind.encode(), r.key_version, _b64(r.nonce), _b64(r.ciphertext),
        r.author_id.encode(), iso(r.received_at).encode())


def _pull(conn: Connection, hashed: bytes, ctx: Context, after: int, limit_: int) -> tuple[bytes, Caller]:
    who = caller(conn, hashed)
    limit(ctx.limiters.authenticated, who.member_id)
    parts, more, head = [], False, who.head
    if after < who.head and who.head - after <= limit_ and who.stored_bytes <= limits.MAX_PULL_PAGE_BYTES:
        # All of the team's log fits in one page: no need to read the sizes first.
        parts = [_change(r) for r in conn.execute(_ROWS, {"team": who.team_id, "after": after, "last": who.head})]
    elif after < who.head:
        sizes = conn.execute(_SIZES, {"team": who.team_id, "after": after, "n": limit_ + 1}).all()
        taken = page_cut(sizes, limit_, limits.MAX_PULL_PAGE_BYTES)
        if taken:
            last = sizes[taken - 1][0]
            # One row at a time: the page is held once, as the JSON it becomes.
            parts = [_change(r) for r in conn.execute(_ROWS, {"team": who.team_id, "after": after, "last": last})]
            head = max(head, last)
        more = taken < len(sizes) and bool(parts)
    return (b'{"changes":[%s],"head":%d,"more":%s,"key_version":%d,"rotation_needed":%s}' % (
        b",".join(parts), head, b"true" if more else b"false", who.key_version,
        b"true" if who.rotation_needed else b"false")), who


@router.get("/changes", response_model=None, responses={200: {"model": Page}, **responses(*AUTHENTICATED)})
async def pull(request: Request,
               after: Annotated[int, Query(ge=0, le=2**62, description="the last sequence number taken in")] = 0,
               limit: Annotated[int, Query(ge=1, le=limits.MAX_PULL_PAGE)] = limits.MAX_PULL_PAGE) -> Response:
    ctx = context(request)
    body, who = await ctx.reading(request, _pull, ctx, after, limit)
    await ctx.note_seen(who)
    return Response(body, media_type="application/json")


# --- push ------------------------------------------------------------------------------------------------


def _push(conn: Connection, hashed: bytes, ctx: Context, body: PushBody, sealed: list[tuple[bytes, bytes]],
          now: datetime) -> tuple[dict, Optional[TeamEvent]]:
    who = caller(conn, hashed, lock_team=True)
    limit(ctx.limiters.push, who.member_id)
    earlier = push_ids.find(who.recent_pushes, body.push_id)
    if earlier is not None:
        if earlier.count != len(sealed):
            raise ApiError(409, "push_id_conflict", "this push id was used for another push")
        return {"seqs": list(range(earlier.first_seq, earlier.first_seq + earlier.count)), "head": who.head,
                "replayed": True}, None
    if who.rotation_needed:
        raise ApiError(409, "rotation_needed", "a member left: the coordinator must change the team key first")
    if any(r.key_version != who.key_version for r in body.records):
        raise ApiError(409, "stale_key_version", "the team key has changed; sync first")
    if body.base_seq > who.head:
        raise ApiError(400, "bad_request", "invalid request (base_seq is ahead of the team's log)")
    first = who.head + 1
    conn.execute(_INSERT_CHANGES, [
        {"team_id": who.team_id, "seq": first + i, "record_id": r.record_id, "kind": r.kind,
         "key_version": r.key_version, "nonce": nonce, "ciphertext": ciphertext, "author_id": who.member_id,
         "base_seq": body.base_seq, "push_id": body.push_id, "received_at": now, "size": len(ciphertext)}
        for i, (r, (nonce, ciphertext)) in enumerate(zip(body.records, sealed))
    ])
    head = first + len(sealed) - 1
    added = sum(len(c) for _, c in sealed) - compact_records(conn, who.team_id, (r.record_id for r in body.records))
    ctx.usage.refresh_if_stale(conn)  # (before this push's bytes are counted in its team's row)
    stored = conn.scalar(_MOVE_HEAD, {"team": who.team_id, "head": head, "added": added, "now": now})
    if added > 0 and stored > ctx.settings.team_quota_bytes:
        raise ApiError(409, "team_storage_full", "the team's storage on this server is full")
    if added > 0 and ctx.usage.total + added > ctx.settings.server_quota_bytes:
        raise ApiError(409, "server_storage_full", "this server's storage is full")
    ctx.usage.total += added
    conn.execute(_PUSHED, {"member": who.member_id, "now": now,
                           "recent": push_ids.remember(who.recent_pushes, body.push_id, first, len(sealed))})
    event = TeamEvent(who.team_id, head, who.key_version, who.rotation_needed, who.roster)
    if ctx.db.postgres:
        notify(conn, event)
    return {"seqs": list(range(first, head + 1)), "head": head, "replayed": False}, event


@router.post("/changes", status_code=201, response_model=None,
             responses={201: {"model": Pushed}, **responses(*AUTHENTICATED, 409)})
async def push(body: PushBody, request: Request) -> Response:
    # The schema bounds the lengths in characters; b64d refuses non-canonical encodings.
    sealed = [(_decode(r.nonce, "nonce"), _decode(r.ciphertext, "ciphertext")) for r in body.records]
    ctx = context(request)
    answer, event = await ctx.writing(request, _push, ctx, body, sealed, ctx.clock())
    ctx.publish(event)
    return json_response(answer, 201)
