"""The team: its members, leaving, key rotation (coordinator only), deleting it, the wrapped keys.

**Only the coordinator rotates** (``PROTOCOL.md``, "Removal, leaving and
rotation"): a rotation from any other member is refused (403
``not_coordinator``); after a member leaves, pushes are refused (409
``rotation_needed``) until the coordinator's device has rotated; and the
coordinator can remove any member with one rotation that leaves that
member out, whatever that member does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import Connection, delete, insert, select, update

from server import models as m
from server.auth import Caller, caller, check_coordinator, limit, mark_seen
from server.context import Context, context
from server.errors import AUTHENTICATED, ApiError, responses
from server.hub import TeamEvent
from server.membership import check_wrap
from server.notify import announce, send
from server.routes_changes import iso
from server.schemas import Keys, Rotate, Rotated, TeamInfo
from sync import limits
from sync.crypto import b64d, b64e

router = APIRouter(prefix="/api/v1")
teams, members = m.Team.__table__, m.Member.__table__
wrapped_keys, invites = m.WrappedKey.__table__, m.Invite.__table__
changes = m.Change.__table__


def active_members(conn: Connection, team_id: str) -> list:
    return conn.execute(select(members).where(members.c.team_id == team_id, members.c.removed_at.is_(None))
                        .order_by(members.c.coordinator.desc(), members.c.joined_at, members.c.id)).all()


def _team(conn: Connection, hashed: bytes, ctx: Context) -> tuple[dict, Caller]:
    who = caller(conn, hashed)
    limit(ctx.limiters.authenticated, who.member_id)
    return {
        "team_id": who.team_id,
        "key_version": who.key_version,
        "head": who.head,
        "rotation_needed": who.rotation_needed,
        "members": [
            {"member_id": x.id, "display_name": x.display_name, "role": x.role, "device_label": x.device_label,
             "coordinator": x.coordinator, "public_key": b64e(x.public_key), "key_mac": b64e(x.key_mac),
             "joined_at": iso(x.joined_at), "last_seen": iso(x.last_seen)}
            for x in active_members(conn, who.team_id)
        ],
    }, who


@router.get("/team", response_model=TeamInfo, responses=responses(*AUTHENTICATED))
async def team_info(request: Request) -> dict:
    ctx = context(request)
    answer, who = await ctx.reading(request, _team, ctx)
    await ctx.note_seen(who)
    return answer


def _leave(conn: Connection, hashed: bytes, ctx: Context, now: datetime) -> Optional[TeamEvent]:
    who = caller(conn, hashed, lock_team=True)
    limit(ctx.limiters.authenticated, who.member_id)
    others = [x for x in active_members(conn, who.team_id) if x.id != who.member_id]
    if who.coordinator and others:
        raise ApiError(409, "coordinator_cannot_leave", "the coordinator leaves last: remove the others first")
    conn.execute(update(members).where(members.c.id == who.member_id).values(removed_at=now))
    conn.execute(update(teams).where(teams.c.id == who.team_id).values(
        rotation_needed=bool(others), roster=teams.c.roster + 1, last_active=now))
    return announce(conn, who.team_id)


@router.post("/team/leave", status_code=204, response_class=Response, responses=responses(*AUTHENTICATED, 409))
async def leave_team(request: Request) -> Response:
    ctx = context(request)
    ctx.publish(await ctx.writing(request, _leave, ctx, ctx.clock()))
    return Response(status_code=204)


def _rotate(conn: Connection, hashed: bytes, ctx: Context, body: Rotate, wraps: dict, macs: dict,
            commit: bytes, now: datetime) -> tuple[dict, Optional[TeamEvent]]:
    who = caller(conn, hashed, lock_team=True)
    limit(ctx.limiters.authenticated, who.member_id)
    check_coordinator(who)
    if body.key_version != who.key_version + 1:
        raise ApiError(409, "stale_key_version", "the team key has changed; sync first")
    active = {x.id for x in active_members(conn, who.team_id)}
    removing = body.remove_member_id
    if removing is not None:
        if removing == who.member_id:
            raise ApiError(409, "cannot_remove_self", "leave the team instead")
        if removing not in active:
            raise ApiError(404, "member_unknown", "no such member in this team")
        active.discard(removing)
        conn.execute(update(members).where(members.c.id == removing).values(removed_at=now))
    if set(wraps) != active or set(macs) != active:
        raise ApiError(409, "members_changed", "the team's members have changed; try again")
    conn.execute(update(teams).where(teams.c.id == who.team_id).values(
        key_version=body.key_version, rotation_needed=False, last_active=now,
        roster=teams.c.roster + (1 if removing else 0)))
    for member_id in sorted(active):
        conn.execute(update(members).where(members.c.id == member_id).values(key_mac=macs[member_id]))
    conn.execute(insert(wrapped_keys), [
        {"team_id": who.team_id, "version": body.key_version, "member_id": member_id, "wrapped": wraps[member_id],
         "commit": commit} for member_id in sorted(active)])
    # Open invites carry the old keys only: they lapse with the rotation.
    conn.execute(update(invites).where(invites.c.team_id == who.team_id, invites.c.redeemed_at.is_(None),
                                       invites.c.cancelled_at.is_(None)).values(cancelled_at=now))
    mark_seen(conn, who, now)
    return {"key_version": body.key_version}, announce(conn, who.team_id)


@router.post("/team/rotate", response_model=Rotated, responses=responses(*AUTHENTICATED, 404, 409))
async def rotate(body: Rotate, request: Request) -> dict:
    wraps = {mid: b64d(w) for mid, w in body.wraps.items()}
    for member_id, wrapped in wraps.items():
        check_wrap(wrapped, f"wraps.{member_id}")
    macs = {mid: b64d(x) for mid, x in body.key_macs.items()}
    ctx = context(request)
    answer, event = await ctx.writing(request, _rotate, ctx, body, wraps, macs, b64d(body.commit), ctx.clock())
    ctx.publish(event)
    return answer


def _delete_team(conn: Connection, hashed: bytes, ctx: Context) -> TeamEvent:
    who = caller(conn, hashed, lock_team=True)
    check_coordinator(who)
    event = TeamEvent(who.team_id, who.head, who.key_version, who.rotation_needed, who.roster + 1, deleted=True)
    delete_team_rows(conn, who.team_id)
    if conn.dialect.name == "postgresql":
        send(conn, event)
    return event


def delete_team_rows(conn: Connection, team_id: str) -> None:
    """Everything of the team, gone (children before the team, for the foreign keys)."""
    for table in (wrapped_keys, invites, changes, members):
        conn.execute(delete(table).where(table.c.team_id == team_id))
    conn.execute(delete(teams).where(teams.c.id == team_id))


@router.delete("/team", status_code=204, response_class=Response, responses=responses(*AUTHENTICATED))
async def delete_team(request: Request) -> Response:
    """Coordinator: delete the team and everything the server holds of it."""
    ctx = context(request)
    ctx.publish(await ctx.writing(request, _delete_team, ctx))
    return Response(status_code=204)


def _keys(conn: Connection, hashed: bytes, ctx: Context, after: int) -> tuple[dict, Caller]:
    who = caller(conn, hashed)
    limit(ctx.limiters.authenticated, who.member_id)
    rows = conn.execute(select(wrapped_keys.c.version, wrapped_keys.c.wrapped, wrapped_keys.c.commit).where(
        wrapped_keys.c.team_id == who.team_id, wrapped_keys.c.member_id == who.member_id,
        wrapped_keys.c.version > after).order_by(wrapped_keys.c.version)).all()
    return {"keys": [{"version": k.version, "wrapped": b64e(k.wrapped),
                      "commit": None if k.commit is None else b64e(k.commit)} for k in rows]}, who


@router.get("/keys", response_model=Keys, responses=responses(*AUTHENTICATED))
async def keys(request: Request, after: Annotated[int, Query(ge=0, le=limits.MAX_KEY_VERSIONS)] = 0) -> dict:
    ctx = context(request)
    answer, who = await ctx.reading(request, _keys, ctx, after)
    await ctx.note_seen(who)
    return answer
