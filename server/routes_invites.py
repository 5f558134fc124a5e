"""Creating a team and joining one: ``POST /teams`` and the invites.

Creating a team needs the server's sign-up code when its operator set one
(``STAPPENPLAN_SIGNUP_CODE``; off by default, for a school's own server).
Every new member's public key must be a point on P-256 and the creator's
wrapped key a well-formed wrap (``server.membership``).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Optional

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection, func, insert, select, update

from server import models as m
from server.auth import Caller, as_utc, caller, check_coordinator, client_address, limit, mark_seen, token_hash
from server.context import Context, context
from server.errors import AUTHENTICATED, ApiError, responses
from server.hub import TeamEvent
from server.membership import check_public_key, check_wrap
from server.notify import announce
from server.routes_changes import iso
from server.routes_team import active_members
from server.schemas import (
    CreateInvite,
    CreateTeam,
    Id,
    InviteCreated,
    InviteOffer,
    Invites,
    NewMember,
    Redeem,
    Token,
)
from sync import limits
from sync.crypto import b64d, b64e

router = APIRouter(prefix="/api/v1")
teams, members = m.Team.__table__, m.Member.__table__
wrapped_keys, invites = m.WrappedKey.__table__, m.Invite.__table__


def _member_row(body: NewMember, team_id: str, coordinator: bool, now: datetime) -> tuple[dict, str]:
    """The new member's row (its public key checked) and its access token (returned once, stored hashed)."""
    public_key = b64d(body.public_key)
    check_public_key(public_key, "member.public_key")
    token = secrets.token_urlsafe(limits.TOKEN_BYTES)
    return {"id": body.member_id, "team_id": team_id, "token_hash": token_hash(token), "public_key": public_key,
            "key_mac": b64d(body.key_mac), "display_name": body.display_name, "role": body.role,
            "device_label": body.device_label, "coordinator": coordinator, "joined_at": now, "last_seen": now,
            "removed_at": None}, token


def _member_taken(conn: Connection, member_id: str) -> None:
    if conn.scalar(select(members.c.id).where(members.c.id == member_id)) is not None:
        raise ApiError(409, "member_exists", "this member id is taken")


def _create_team(conn: Connection, body: CreateTeam, row: dict, wrapped: bytes, now: datetime) -> None:
    if conn.scalar(select(teams.c.id).where(teams.c.id == body.team_id)) is not None:
        raise ApiError(409, "team_exists", "this team id is taken")
    _member_taken(conn, row["id"])
    conn.execute(insert(teams).values(id=body.team_id, created_at=now, key_version=1, head_seq=0,
                                      rotation_needed=False, roster=1, stored_bytes=0, last_active=now))
    conn.execute(insert(members).values(**row))
    conn.execute(insert(wrapped_keys).values(team_id=body.team_id, version=1, member_id=row["id"], wrapped=wrapped,
                                             commit=None))


@router.post("/teams", status_code=201, response_model=Token, responses=responses(403, 409))
async def create_team(body: CreateTeam, request: Request) -> dict:
    ctx = context(request)
    limit(ctx.limiters.team_create, client_address(request))
    code = ctx.settings.signup_code
    if code and not hmac.compare_digest((body.signup_code or "").encode(), code.encode()):
        raise ApiError(403, "signup_code_required", "this server asks for its sign-up code to create a team")
    wrapped = b64d(body.wrapped_key)
    check_wrap(wrapped, "wrapped_key")
    now = ctx.clock()
    row, token = _member_row(body.member, body.team_id, True, now)
    await ctx.db.write(_create_team, body, row, wrapped, now)
    return {"token": token, "key_version": 1}


def _create_invite(conn: Connection, hashed: bytes, ctx: Context, body: CreateInvite, bundle: bytes,
                   now: datetime) -> datetime:
    who = caller(conn, hashed, lock_team=True)
    limit(ctx.limiters.authenticated, who.member_id)
    check_coordinator(who)
    if body.key_version != who.key_version:
        raise ApiError(409, "stale_key_version", "the team key has changed; sync first")
    pending = conn.scalar(select(func.count()).select_from(invites).where(
        invites.c.team_id == who.team_id, invites.c.redeemed_at.is_(None), invites.c.cancelled_at.is_(None),
        invites.c.expires_at > now))
    if pending >= limits.MAX_PENDING_INVITES:
        raise ApiError(409, "too_many_invites", "too many open invites; cancel one first")
    if conn.scalar(select(invites.c.id).where(invites.c.id == body.invite_id)) is not None:
        raise ApiError(409, "invite_exists", "this invite id is taken")
    expires = now + timedelta(seconds=limits.INVITE_TTL_S)
    conn.execute(insert(invites).values(id=body.invite_id, team_id=who.team_id, created_by=who.member_id,
                                        key_version=who.key_version, bundle=bundle, created_at=now,
                                        expires_at=expires))
    mark_seen(conn, who, now)
    return expires


@router.post("/invites", status_code=201, response_model=InviteCreated, responses=responses(*AUTHENTICATED, 409))
async def create_invite(body: CreateInvite, request: Request) -> dict:
    ctx = context(request)
    expires = await ctx.writing(request, _create_invite, ctx, body, b64d(body.bundle), ctx.clock())
    return {"invite_id": body.invite_id, "expires_at": iso(expires)}


def invite_problem(invite, key_version: int, now: datetime) -> Optional[tuple[str, str]]:
    if invite.cancelled_at is not None or invite.key_version != key_version:
        return "invite_cancelled", "this invite was cancelled; ask for a new one"
    if invite.redeemed_at is not None:
        return "invite_used", "this invite has been used already; ask for a new one"
    if as_utc(invite.expires_at) <= now:
        return "invite_expired", "this invite has expired; ask for a new one"
    return None


def _list_invites(conn: Connection, hashed: bytes, ctx: Context, now: datetime) -> tuple[dict, Caller]:
    who = caller(conn, hashed)
    limit(ctx.limiters.authenticated, who.member_id)
    check_coordinator(who)
    rows = conn.execute(select(invites).where(invites.c.team_id == who.team_id).order_by(invites.c.created_at))
    return {"invites": [
        {"invite_id": i.id, "created_by": i.created_by, "created_at": iso(i.created_at),
         "expires_at": iso(i.expires_at)}
        for i in rows if invite_problem(i, who.key_version, now) is None
    ]}, who


@router.get("/invites", response_model=Invites, responses=responses(*AUTHENTICATED))
async def list_invites(request: Request) -> dict:
    ctx = context(request)
    answer, who = await ctx.reading(request, _list_invites, ctx, ctx.clock())
    await ctx.note_seen(who)
    return answer


def _cancel_invite(conn: Connection, hashed: bytes, ctx: Context, invite_id: str, now: datetime) -> None:
    who = caller(conn, hashed)
    limit(ctx.limiters.authenticated, who.member_id)
    check_coordinator(who)
    invite = conn.execute(select(invites).where(invites.c.id == invite_id)).first()
    if invite is None or invite.team_id != who.team_id:
        raise ApiError(404, "invite_unknown", "no such invite")
    if invite.redeemed_at is not None:
        raise ApiError(410, "invite_used", "this invite has been used already")
    if invite.cancelled_at is None:
        conn.execute(update(invites).where(invites.c.id == invite_id).values(cancelled_at=now))


@router.delete("/invites/{invite_id}", status_code=204, response_class=Response,
               responses=responses(*AUTHENTICATED, 404, 410))
async def cancel_invite(invite_id: Id, request: Request) -> Response:
    ctx = context(request)
    await ctx.writing(request, _cancel_invite, ctx, invite_id, ctx.clock())
    return Response(status_code=204)


def _invite_offer(conn: Connection, invite_id: str, now: datetime) -> dict:
    row = conn.execute(select(invites, teams.c.key_version.label("team_key_version"))
                       .join(teams, teams.c.id == invites.c.team_id).where(invites.c.id == invite_id)).first()
    if row is None:
        raise ApiError(404, "invite_unknown", "no invite with this code: check it, or ask for a new one")
    problem = invite_problem(row, row.team_key_version, now)
    if problem:
        raise ApiError(410, *problem)
    return {"team_id": row.team_id, "bundle": b64e(row.bundle), "expires_at": iso(row.expires_at)}


@router.get("/invites/{invite_id}", response_model=InviteOffer, responses=responses(404, 410))
async def invite_offer(invite_id: Id, request: Request) -> dict:
    ctx = context(request)
    limit(ctx.limiters.invite, client_address(request))
    return await ctx.db.read(_invite_offer, invite_id, ctx.clock())


def _redeem(conn: Connection, invite_id: str, body: Redeem, row: dict, now: datetime) -> TeamEvent:
    team_id = conn.scalar(select(invites.c.team_id).where(invites.c.id == invite_id))
    if team_id is None:
        raise ApiError(404, "invite_unknown", "no invite with this code: check it, or ask for a new one")
    # Under the team's lock (PostgreSQL; SQLite's write lock is held already): single use across processes.
    key_version = conn.scalar(select(teams.c.key_version).where(teams.c.id == team_id).with_for_update())
    invite = conn.execute(select(invites).where(invites.c.id == invite_id)).first()
    problem = invite_problem(invite, key_version, now)
    if problem:
        raise ApiError(410, *problem)
    if body.key_version != key_version:
        raise ApiError(410, "invite_cancelled", "this invite was cancelled; ask for a new one")
    if len(active_members(conn, team_id)) >= limits.MAX_MEMBERS_PER_TEAM:
        raise ApiError(409, "team_full", "the team has the most members it can have")
    _member_taken(conn, row["id"])
    conn.execute(insert(members).values(**{**row, "team_id": team_id}))
    conn.execute(update(invites).where(invites.c.id == invite_id).values(redeemed_at=now))
    conn.execute(update(teams).where(teams.c.id == team_id).values(roster=teams.c.roster + 1, last_active=now))
    return announce(conn, team_id)


@router.post("/invites/{invite_id}/redeem", status_code=201, response_model=Token,
             responses=responses(404, 409, 410))
async def redeem_invite(invite_id: Id, body: Redeem, request: Request) -> dict:
    ctx = context(request)
    limit(ctx.limiters.invite, client_address(request))
    now = ctx.clock()
    row, token = _member_row(body.member, "", False, now)
    ctx.publish(await ctx.db.write(_redeem, invite_id, body, row, now))
    return {"token": token, "key_version": body.key_version}
