"""The JSON API under ``/api/v1`` (``PROTOCOL.md`` describes every call).

Requests are validated strictly (unknown fields, wrong types, bad base64,
sizes out of range: 400) and every refusal is ``{"error": code, "message":
text}`` with a 4xx status and no internals. Handlers are plain functions
run in FastAPI's thread pool; each opens one database transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated, Callable, Optional

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints
from sqlalchemy import Engine, func, select, update
from starlette.exceptions import HTTPException as StarletteHTTPException

from server import models as m
from server.db import transaction
from server.ratelimit import RateLimiter
from sync import limits
from sync.crypto import MAC_LEN, NONCE_LEN, POINT_LEN, TAG_LEN, WRAPPED_KEY_LEN, b64d, b64e

PROTOCOL_VERSION = 1
LAST_SEEN_RESOLUTION = timedelta(minutes=1)  # last_seen is written at most once a minute per member

Id = Annotated[str, StringConstraints(strict=True, pattern=limits.ID_PATTERN)]
RecordId = Annotated[str, StringConstraints(strict=True, pattern=limits.RECORD_ID_PATTERN)]
Kind = Annotated[str, StringConstraints(strict=True, pattern=limits.KIND_PATTERN)]
B64 = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9_-]*$", max_length=2 * limits.MAX_RECORD_CIPHERTEXT)]
Seq = Annotated[StrictInt, Field(ge=0, le=2**62)]
KeyVersion = Annotated[StrictInt, Field(ge=1, le=limits.MAX_KEY_VERSIONS)]


def _name(max_chars: int):
    return Annotated[str, StringConstraints(strict=True, min_length=1, max_length=max_chars, strip_whitespace=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NewMember(Strict):
    member_id: Id
    display_name: _name(limits.MAX_DISPLAY_NAME_CHARS)
    role: _name(limits.MAX_ROLE_CHARS)
    device_label: _name(limits.MAX_DEVICE_LABEL_CHARS)
    public_key: B64
    key_mac: B64


class CreateTeam(Strict):
    team_id: Id
    member: NewMember
    wrapped_key: B64


class CreateInvite(Strict):
    invite_id: Id
    key_version: KeyVersion
    bundle: B64


class Redeem(Strict):
    key_version: KeyVersion
    member: NewMember


class Rotate(Strict):
    key_version: KeyVersion
    commit: B64
    remove_member_id: Optional[Id] = None
    wraps: dict[Id, B64] = Field(max_length=limits.MAX_MEMBERS_PER_TEAM)
    key_macs: dict[Id, B64] = Field(max_length=limits.MAX_MEMBERS_PER_TEAM)


class NewRecord(Strict):
    record_id: RecordId
    kind: Kind
    key_version: KeyVersion
    nonce: B64
    ciphertext: B64


class PushBody(Strict):
    push_id: Id
    base_seq: Seq
    records: list[NewRecord] = Field(min_length=1, max_length=limits.MAX_RECORDS_PER_PUSH)


# --- errors ---------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: Optional[float] = None) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def error_response(status: int, code: str, message: str, retry_after: Optional[float] = None) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, int(retry_after + 0.999)))
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


def install_error_handlers(app) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.retry_after)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        # Where, not what: the offending value is never echoed back.
        where = ".".join(str(p) for p in (exc.errors()[0].get("loc", ()) if exc.errors() else ()))
        return error_response(400, "bad_request", f"invalid request ({where or 'body'})")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "server_error")
        return error_response(exc.status_code, code, code.replace("_", " "))

    @app.exception_handler(Exception)
    async def _crash(_request: Request, _exc: Exception):
        return error_response(500, "server_error", "internal error")


def _decode(value: str, what: str, length: Optional[int] = None, max_len: Optional[int] = None,
            min_len: int = 0) -> bytes:
    try:
        data = b64d(value)
    except ValueError:
        raise ApiError(400, "bad_request", f"invalid request ({what}: not base64url)") from None
    if (length is not None and len(data) != length) or (max_len is not None and len(data) > max_len) \
            or len(data) < min_len:
        raise ApiError(400, "bad_request", f"invalid request ({what}: wrong length)")
    return data


# --- context ------------------------------------------------------------------------------------


@dataclass
class Limiters:
    invite: RateLimiter
    team_create: RateLimiter
    push: RateLimiter
    authenticated: RateLimiter

    @classmethod
    def from_limits(cls) -> "Limiters":
        return cls(RateLimiter(*limits.RATE_INVITE_LOOKUP), RateLimiter(*limits.RATE_TEAM_CREATE),
                   RateLimiter(*limits.RATE_PUSH), RateLimiter(*limits.RATE_AUTHENTICATED))


@dataclass
class Context:
    engine: Engine
    limiters: Limiters
    clock: Callable[[], datetime]


def _context(request: Request) -> Context:
    return request.app.state.context


def _limit(limiter: RateLimiter, key: str) -> None:
    wait = limiter.check(key)
    if wait:
        raise ApiError(429, "rate_limited", "too many requests, try again later", retry_after=wait)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def _as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: they are UTC (only UTC is stored)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _iso(value: Optional[datetime]) -> Optional[str]:
    if value is None:
        return None
    return _as_utc(value).astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Caller:
    member_id: str
    team_id: str
    coordinator: bool


def authenticated(request: Request, ctx: Context = Depends(_context)) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 100:
        raise ApiError(401, "unauthorized", "missing or malformed access token")
    with transaction(ctx.engine) as session:
        member = session.scalar(select(m.Member).where(m.Member.token_hash == token_hash(token)))
    if member is None:
        raise ApiError(401, "unauthorized", "unknown access token")
    if member.removed_at is not None:
        raise ApiError(403, "removed", "this device is no longer a member of the team")
    _limit(ctx.limiters.authenticated, member.id)
    now = ctx.clock()
    if member.last_seen is None or now - _as_utc(member.last_seen) >= LAST_SEEN_RESOLUTION:
        with transaction(ctx.engine, write=True) as session:
            session.execute(update(m.Member).where(m.Member.id == member.id).values(last_seen=now))
    return Caller(member.id, member.team_id, member.coordinator)


def _coordinator(caller: Caller) -> None:
    if not caller.coordinator:
        raise ApiError(403, "not_coordinator", "only the team's coordinator can do this")


def _locked_team(session, team_id: str) -> m.Team:
    """The team's row, locked until the transaction ends (PostgreSQL: FOR UPDATE;
    SQLite: the transaction already holds the database's write lock)."""
    team = session.scalar(select(m.Team).where(m.Team.id == team_id).with_for_update())
    if team is None:  # pragma: no cover - a member's team is never deleted
        raise ApiError(404, "not_found", "team not found")
    return team


def _active_members(session, team_id: str) -> list[m.Member]:
    return list(session.scalars(
        select(m.Member).where(m.Member.team_id == team_id, m.Member.removed_at.is_(None)).order_by(m.Member.coordinator.desc(), m.Member.joined_at, m.Member.id)
    ))


def _new_member(session, body: NewMember, team_id: str, coordinator: bool, now: datetime) -> str:
    if session.get(m.Member, body.member_id) is not None:
        raise ApiError(409, "member_exists", "this member id is taken")
    token = secrets.token_urlsafe(limits.TOKEN_BYTES)
    session.add(m.Member(
        id=body.member_id, team_id=team_id, token_hash=token_hash(token),
        public_key=_decode(body.public_key, "public_key", POINT_LEN),
        key_mac=_decode(body.key_mac, "key_mac", MAC_LEN),
        display_name=body.display_name, role=body.role, device_label=body.device_label,
        coordinator=coordinator, joined_at=now, last_seen=now, removed_at=None,
    ))
    return token


def _invite_status(invite: m.Invite, team: m.Team, now: datetime) -> Optional[tuple[str, str]]:
    if invite.cancelled_at is not None or invite.key_version != team.key_version:
        return "invite_cancelled", "this invite was cancelled; ask for a new one"
    if invite.redeemed_at is not None:
        return "invite_used", "this invite has been used already; ask for a new one"
    if _as_utc(invite.expires_at) <= now:
        return "invite_expired", "this invite has expired; ask for a new one"
    return None


# --- routes -------------------------------------------------------------------------------------

router = APIRouter(prefix="/api/v1")


@router.get("/health")
def health() -> dict:
    return {"status": "ok", "protocol": PROTOCOL_VERSION}


@router.post("/teams", status_code=201)
def create_team(body: CreateTeam, request: Request, ctx: Context = Depends(_context)) -> dict:
    _limit(ctx.limiters.team_create, _address(request))
    wrapped = _decode(body.wrapped_key, "wrapped_key", WRAPPED_KEY_LEN)
    now = ctx.clock()
    with transaction(ctx.engine, write=True) as session:
        if session.get(m.Team, body.team_id) is not None:
            raise ApiError(409, "team_exists", "this team id is taken")
        session.add(m.Team(id=body.team_id, created_at=now, key_version=1, head_seq=0, rotation_needed=False))
        session.flush()
        token = _new_member(session, body.member, body.team_id, True, now)
        session.flush()
        session.add(m.WrappedKey(team_id=body.team_id, version=1, member_id=body.member.member_id, wrapped=wrapped,
                                 commit=None))
    return {"token": token, "key_version": 1}


@router.post("/invites", status_code=201)
def create_invite(body: CreateInvite, caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> dict:
    _coordinator(caller)
    bundle = _decode(body.bundle, "bundle", max_len=limits.MAX_INVITE_BUNDLE, min_len=NONCE_LEN + TAG_LEN)
    now = ctx.clock()
    expires = now + timedelta(seconds=limits.INVITE_TTL_S)
    with transaction(ctx.engine, write=True) as session:
        team = _locked_team(session, caller.team_id)
        if body.key_version != team.key_version:
            raise ApiError(409, "stale_key_version", "the team key has changed; sync first")
        pending = session.scalar(select(func.count()).select_from(m.Invite).where(
            m.Invite.team_id == team.id, m.Invite.redeemed_at.is_(None), m.Invite.cancelled_at.is_(None),
            m.Invite.expires_at > now))
        if pending >= limits.MAX_PENDING_INVITES:
            raise ApiError(409, "too_many_invites", "too many open invites; cancel one first")
        if session.get(m.Invite, body.invite_id) is not None:
            raise ApiError(409, "invite_exists", "this invite id is taken")
        session.add(m.Invite(id=body.invite_id, team_id=team.id, created_by=caller.member_id,
                             key_version=team.key_version, bundle=bundle, created_at=now, expires_at=expires))
    return {"invite_id": body.invite_id, "expires_at": _iso(expires)}


@router.get("/invites")
def list_invites(caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> dict:
    _coordinator(caller)
    now = ctx.clock()
    with transaction(ctx.engine) as session:
        team = session.get(m.Team, caller.team_id)
        invites = session.scalars(select(m.Invite).where(m.Invite.team_id == caller.team_id).order_by(m.Invite.created_at))
        return {"invites": [
            {"invite_id": i.id, "created_by": i.created_by, "created_at": _iso(i.created_at),
             "expires_at": _iso(i.expires_at)}
            for i in invites if _invite_status(i, team, now) is None
        ]}


@router.delete("/invites/{invite_id}", status_code=204)
def cancel_invite(invite_id: Id, caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> Response:
    _coordinator(caller)
    with transaction(ctx.engine, write=True) as session:
        invite = session.get(m.Invite, invite_id)
        if invite is None or invite.team_id != caller.team_id:
            raise ApiError(404, "invite_unknown", "no such invite")
        if invite.redeemed_at is not None:
            raise ApiError(410, "invite_used", "this invite has been used already")
        if invite.cancelled_at is None:
            invite.cancelled_at = ctx.clock()
    return Response(status_code=204)


@router.get("/invites/{invite_id}")
def invite_offer(invite_id: Id, request: Request, ctx: Context = Depends(_context)) -> dict:
    _limit(ctx.limiters.invite, _address(request))
    with transaction(ctx.engine) as session:
        invite = session.get(m.Invite, invite_id)
        if invite is None:
            raise ApiError(404, "invite_unknown", "no invite with this code: check it, or ask for a new one")
        problem = _invite_status(invite, session.get(m.Team, invite.team_id), ctx.clock())
        if problem:
            raise ApiError(410, *problem)
        return {"team_id": invite.team_id, "bundle": b64e(invite.bundle), "expires_at": _iso(invite.expires_at)}


@router.post("/invites/{invite_id}/redeem", status_code=201)
def redeem_invite(invite_id: Id, body: Redeem, request: Request, ctx: Context = Depends(_context)) -> dict:
    _limit(ctx.limiters.invite, _address(request))
    now = ctx.clock()
    with transaction(ctx.engine, write=True) as session:
        invite = session.get(m.Invite, invite_id)
        if invite is None:
            raise ApiError(404, "invite_unknown", "no invite with this code: check it, or ask for a new one")
        team = _locked_team(session, invite.team_id)
        session.refresh(invite)  # read again under the team's lock: single use across processes
        problem = _invite_status(invite, team, now)
        if problem:
            raise ApiError(410, *problem)
        if body.key_version != team.key_version:
            raise ApiError(410, "invite_cancelled", "this invite was cancelled; ask for a new one")
        if len(_active_members(session, team.id)) >= limits.MAX_MEMBERS_PER_TEAM:
            raise ApiError(409, "team_full", "the team has the most members it can have")
        token = _new_member(session, body.member, team.id, False, now)
        invite.redeemed_at = now
    return {"token": token, "key_version": body.key_version}


@router.get("/team")
def team_info(caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> dict:
    with transaction(ctx.engine) as session:
        team = session.get(m.Team, caller.team_id)
        return {
            "team_id": team.id,
            "key_version": team.key_version,
            "head": team.head_seq,
            "rotation_needed": team.rotation_needed,
            "members": [
                {"member_id": x.id, "display_name": x.display_name, "role": x.role, "device_label": x.device_label,
                 "coordinator": x.coordinator, "public_key": b64e(x.public_key), "key_mac": b64e(x.key_mac),
                 "joined_at": _iso(x.joined_at), "last_seen": _iso(x.last_seen)}
                for x in _active_members(session, team.id)
            ],
        }


@router.post("/team/leave", status_code=204)
def leave_team(caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> Response:
    with transaction(ctx.engine, write=True) as session:
        team = _locked_team(session, caller.team_id)
        others = [x for x in _active_members(session, team.id) if x.id != caller.member_id]
        if caller.coordinator and others:
            raise ApiError(409, "coordinator_cannot_leave", "the coordinator leaves last: remove the others first")
        session.get(m.Member, caller.member_id).removed_at = ctx.clock()
        team.rotation_needed = bool(others)
    return Response(status_code=204)


@router.post("/team/rotate")
def rotate(body: Rotate, caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> dict:
    commit = _decode(body.commit, "commit", MAC_LEN)
    wraps = {mid: _decode(w, "wraps", WRAPPED_KEY_LEN) for mid, w in body.wraps.items()}
    macs = {mid: _decode(x, "key_macs", MAC_LEN) for mid, x in body.key_macs.items()}
    now = ctx.clock()
    with transaction(ctx.engine, write=True) as session:
        team = _locked_team(session, caller.team_id)
        if body.remove_member_id is not None or not team.rotation_needed:
            _coordinator(caller)
        if body.key_version != team.key_version + 1:
            raise ApiError(409, "stale_key_version", "the team key has changed; sync first")
        active = {x.id: x for x in _active_members(session, team.id)}
        if body.remove_member_id is not None:
            if body.remove_member_id == caller.member_id:
                raise ApiError(409, "cannot_remove_self", "leave the team instead")
            if body.remove_member_id not in active:
                raise ApiError(404, "member_unknown", "no such member in this team")
            active.pop(body.remove_member_id).removed_at = now
        if set(wraps) != set(active) or set(macs) != set(active):
            raise ApiError(409, "members_changed", "the team's members have changed; try again")
        team.key_version = body.key_version
        team.rotation_needed = False
        for member_id, member in active.items():
            member.key_mac = macs[member_id]
            session.add(m.WrappedKey(team_id=team.id, version=team.key_version, member_id=member_id,
                                     wrapped=wraps[member_id], commit=commit))
        # Open invites carry the old keys only: they lapse with the rotation.
        session.execute(update(m.Invite).where(
            m.Invite.team_id == team.id, m.Invite.redeemed_at.is_(None), m.Invite.cancelled_at.is_(None)
        ).values(cancelled_at=now))
        return {"key_version": team.key_version}


@router.get("/keys")
def keys(after: Annotated[int, Field(ge=0, le=limits.MAX_KEY_VERSIONS)] = 0,
         caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> dict:
    with transaction(ctx.engine) as session:
        rows = session.scalars(select(m.WrappedKey).where(
            m.WrappedKey.team_id == caller.team_id, m.WrappedKey.member_id == caller.member_id,
            m.WrappedKey.version > after).order_by(m.WrappedKey.version))
        return {"keys": [{"version": k.version, "wrapped": b64e(k.wrapped),
                          "commit": None if k.commit is None else b64e(k.commit)} for k in rows]}


@router.post("/changes", status_code=201)
def push(body: PushBody, caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> dict:
    _limit(ctx.limiters.push, caller.member_id)
    records = [(r, _decode(r.nonce, "nonce", NONCE_LEN),
                _decode(r.ciphertext, "ciphertext", max_len=limits.MAX_RECORD_CIPHERTEXT, min_len=TAG_LEN))
               for r in body.records]
    now = ctx.clock()
    with transaction(ctx.engine, write=True) as session:
        team = _locked_team(session, caller.team_id)
        earlier = session.scalar(select(m.Push).where(m.Push.team_id == team.id, m.Push.push_id == body.push_id))
        if earlier is not None:
            if earlier.member_id != caller.member_id or earlier.count != len(records):
                raise ApiError(409, "push_id_conflict", "this push id was used for another push")
            return {"seqs": list(range(earlier.first_seq, earlier.first_seq + earlier.count)), "head": team.head_seq,
                    "replayed": True}
        if team.rotation_needed:
            raise ApiError(409, "rotation_needed", "a member left: the team key must change first")
        if any(r.key_version != team.key_version for r, _, _ in records):
            raise ApiError(409, "stale_key_version", "the team key has changed; sync first")
        if body.base_seq > team.head_seq:
            raise ApiError(400, "bad_request", "invalid request (base_seq is ahead of the team's log)")
        first = team.head_seq + 1
        for offset, (record, nonce, ciphertext) in enumerate(records):
            session.add(m.Change(team_id=team.id, seq=first + offset, record_id=record.record_id, kind=record.kind,
                                 key_version=record.key_version, nonce=nonce, ciphertext=ciphertext,
                                 author_id=caller.member_id, base_seq=body.base_seq, push_id=body.push_id,
                                 received_at=now))
        team.head_seq = first + len(records) - 1
        session.add(m.Push(team_id=team.id, push_id=body.push_id, member_id=caller.member_id, first_seq=first,
                           count=len(records)))
        return {"seqs": list(range(first, team.head_seq + 1)), "head": team.head_seq, "replayed": False}


@router.get("/changes")
def pull(after: Annotated[int, Field(ge=0, le=2**62)] = 0,
         limit: Annotated[int, Field(ge=1, le=limits.MAX_PULL_PAGE)] = limits.MAX_PULL_PAGE,
         caller: Caller = Depends(authenticated), ctx: Context = Depends(_context)) -> dict:
    with transaction(ctx.engine) as session:
        team = session.get(m.Team, caller.team_id)
        rows = session.scalars(select(m.Change).where(m.Change.team_id == team.id, m.Change.seq > after)
                               .order_by(m.Change.seq).limit(limit + 1)).all()
        changes, size = [], 0
        for row in rows[:limit]:
            if changes and size + len(row.ciphertext) > limits.MAX_PULL_PAGE_BYTES:
                break
            size += len(row.ciphertext)
            changes.append(row)
        head = max(team.head_seq, changes[-1].seq if changes else 0)
        return {
            "changes": [
                {"seq": x.seq, "record_id": x.record_id, "kind": x.kind, "key_version": x.key_version,
                 "nonce": b64e(x.nonce), "ciphertext": b64e(x.ciphertext), "author_id": x.author_id,
                 "received_at": _iso(x.received_at)}
                for x in changes
            ],
            "head": head,
            "more": len(changes) < len(rows),
            "key_version": team.key_version,
            "rotation_needed": team.rotation_needed,
        }
