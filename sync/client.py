"""The team protocol client: one method per operation of ``PROTOCOL.md``.

``TeamClient`` talks to one server through a ``Transport`` and encrypts and
decrypts through a ``SyncCrypto``; it keeps no state of its own. Operations
that change what a device must remember return a new ``TeamState`` — the
caller persists it (the sync engine through ``SyncedJournal``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence
from urllib.parse import parse_qs, urlsplit

from sync import crypto as c
from sync import messages as msg
from sync.backends import InvalidPublicKey, SyncCrypto, Transport
from sync.errors import BadResponseError, IntegrityError, InvalidInviteCode, KeyRejectedError, RefusedError
from sync.limits import MAX_KEY_VERSIONS, MAX_PULL_PAGE, MAX_RECORDS_PER_PUSH
from sync.links import JOIN_ROUTE, invite_link
from sync.state import TeamState, find_version_gap
from sync.vouching import vouched

API = "/api/v1"
QR_SCHEME = "stappenplan-team"  # the first form of the QR payload, still read
ROTATION_ATTEMPTS = 3  # a member joining or leaving during a rotation makes the server ask again


@dataclass(frozen=True)
class CreatedInvite:
    code: str  # to type: XXXX-XXXX-XXXX-XXXX
    qr_payload: str  # the invite link: https://school.example/#/logboek/team/deelnemen?code=...
    invite_id: str  # to cancel it
    expires_at: datetime


@dataclass(frozen=True)
class OutgoingRecord:
    """A shared record changed locally since its last push (from ``SyncedJournal.outbox``).

    ``revision`` is the journal's own marker of this version of the record
    (a counter, a hash): ``mark_pushed`` clears the outbox entry only if the
    record has not changed again in the meantime.
    """

    record_id: str
    kind: str
    plaintext: bytes
    revision: str


def push_body(push_id: str, base_seq: int, sealed: Sequence[c.SealedRecord]) -> dict:
    """The JSON body of ``POST /changes`` (``sync.batches`` sizes pushes by it)."""
    return {
        "push_id": push_id,
        "base_seq": base_seq,
        "records": [
            {"record_id": s.record_id, "kind": s.kind, "key_version": s.key_version,
             "nonce": c.b64e(s.nonce), "ciphertext": c.b64e(s.ciphertext)}
            for s in sealed
        ],
    }


def parse_invite_payload(payload: str) -> tuple[str, str]:
    """``(server_url, code)`` from a scanned or pasted invite; ``InvalidInviteCode`` otherwise.

    Reads the invite link (``invite_link``) and the first form of the QR
    payload, ``stappenplan-team:join?server=<url>&code=<code>``.  The server
    address comes back without a trailing slash (``""`` when the first form
    had none: the app's own origin).
    """
    try:
        parts = urlsplit(payload.strip())
    except (AttributeError, ValueError):  # not text, or not a URL (an unclosed "[")
        raise InvalidInviteCode("not an invite") from None
    if parts.scheme in ("http", "https"):
        route, _, query = parts.fragment.partition("?")
        if not parts.hostname or "@" in parts.netloc or route.rstrip("/") != JOIN_ROUTE:
            raise InvalidInviteCode("not an invite link")
        server = f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
    elif parts.scheme == QR_SCHEME and parts.path == "join":
        query = parts.query
        server = parse_qs(query).get("server", [""])[0].rstrip("/")
        if server and urlsplit(server).scheme not in ("http", "https"):
            raise InvalidInviteCode("not an invite QR code")
    else:
        raise InvalidInviteCode("not an invite")
    code = parse_qs(query).get("code", [""])[0]
    c.parse_invite_code(code)
    return server, code


def _member_body(member_id: str, device: c.DeviceKey, mac: bytes, display_name: str, role: str,
                 device_label: str) -> dict:
    return {
        "member_id": member_id,
        "display_name": display_name,
        "role": role,
        "device_label": device_label,
        "public_key": c.b64e(device.public),
        "key_mac": c.b64e(mac),
    }


def _bundle_keys(bundle: dict, team_id: str) -> dict[int, bytes]:
    """The key ring inside an invite bundle: versions 1..n, 32 bytes each."""
    try:
        if bundle.get("format") != 1 or bundle.get("team_id") != team_id:
            raise ValueError
        keys = {int(v): c.b64d(k) for v, k in bundle["keys"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        raise IntegrityError("invite bundle malformed") from None
    if not keys or len(keys) > MAX_KEY_VERSIONS or find_version_gap(keys) is not None:
        raise IntegrityError("invite bundle malformed")
    if any(len(k) != c.KEY_LEN for k in keys.values()):
        raise IntegrityError("invite bundle malformed")
    return keys


class TeamClient:
    def __init__(self, transport: Transport, crypto: SyncCrypto, *,
                 invite_iterations: int = c.INVITE_ITERATIONS) -> None:
        self.transport = transport
        self.crypto = crypto
        # Only tests lower this (both sides must agree); the protocol fixes 600,000.
        self.invite_iterations = invite_iterations

    async def _call(self, method: str, path: str, state: Optional[TeamState] = None, **kwargs):
        return await self.transport.request(method, API + path, token=state.token if state else None, **kwargs)

    # -- creating and joining --------------------------------------------------------------

    async def create_team(self, team_name: str, display_name: str, role: str, device_label: str,
                          server_url: str = "", signup_code: str = "") -> TeamState:
        """A new team with this device as its coordinator (key version 1).

        ``signup_code``: the server's sign-up code, when its operator set one
        (refused with 403 ``signup_code_required`` otherwise)."""
        device = await c.new_device_key(self.crypto)
        team_id, member_id = c.new_id(self.crypto), c.new_id(self.crypto)
        key = c.new_team_key(self.crypto)
        wrapped = await c.wrap_team_key(self.crypto, key, team_id, member_id, 1, device.public)
        mac = c.member_key_mac(key, team_id, member_id, device.public)
        body = {
            "team_id": team_id,
            "member": _member_body(member_id, device, mac, display_name, role, device_label),
            "wrapped_key": c.b64e(wrapped),
        }
        if signup_code:
            body["signup_code"] = signup_code
        answer = await self._call("POST", "/teams", body=body)
        return TeamState(server_url, team_id, team_name, member_id, msg.parse_token(answer), True, device, {1: key})

    async def create_invite(self, state: TeamState) -> CreatedInvite:
        """A single-use code, valid 24 hours, that hands every key version to one new member."""
        secret = self.crypto.random_bytes(c.INVITE_SECRET_BYTES)
        keys = await c.derive_invite_keys(self.crypto, secret, self.invite_iterations)
        bundle = {
            "format": 1,
            "team_id": state.team_id,
            "team_name": state.team_name,
            "keys": {str(v): c.b64e(k) for v, k in sorted(state.keys.items())},
        }
        sealed = await c.seal_invite_bundle(self.crypto, keys, bundle)
        answer = msg.obj(await self._call("POST", "/invites", state, body={
            "invite_id": keys.invite_id, "key_version": state.key_version, "bundle": c.b64e(sealed),
        }))
        code = c.format_invite_code(secret)
        return CreatedInvite(code, invite_link(state.server_url or self.transport.base_url, code), keys.invite_id,
                             msg.instant(answer, "expires_at"))

    async def pending_invites(self, state: TeamState) -> list[msg.PendingInvite]:
        return msg.parse_pending_invites(await self._call("GET", "/invites", state))

    async def cancel_invite(self, state: TeamState, invite_id: str) -> None:
        await self._call("DELETE", f"/invites/{invite_id}", state)

    async def redeem_invite(self, code: str, display_name: str, role: str, device_label: str,
                            server_url: str = "") -> TeamState:
        """Join the team of ``code``: ``InvalidInviteCode`` offline, ``RefusedError``
        (``invite_unknown``, ``invite_expired``, ``invite_used``, ``invite_cancelled``)
        from the server, ``IntegrityError`` if the bundle does not authenticate."""
        secret = c.parse_invite_code(code)
        invite = await c.derive_invite_keys(self.crypto, secret, self.invite_iterations)
        offer = msg.parse_invite_offer(await self._call("GET", f"/invites/{invite.invite_id}"))
        bundle = await c.open_invite_bundle(self.crypto, invite, offer.bundle)
        keys = _bundle_keys(bundle, offer.team_id)
        team_name = bundle.get("team_name") if isinstance(bundle.get("team_name"), str) else ""
        device = await c.new_device_key(self.crypto)
        member_id = c.new_id(self.crypto)
        version = max(keys)
        mac = c.member_key_mac(keys[version], offer.team_id, member_id, device.public)
        answer = await self._call("POST", f"/invites/{invite.invite_id}/redeem", body={
            "key_version": version,
            "member": _member_body(member_id, device, mac, display_name, role, device_label),
        })
        return TeamState(server_url, offer.team_id, team_name, member_id, msg.parse_token(answer), False, device, keys)

    # -- the team ---------------------------------------------------------------------------

    async def team(self, state: TeamState) -> msg.TeamInfo:
        """Members (as each chose to be named), their devices, last seen; the key version."""
        info = msg.parse_team(await self._call("GET", "/team", state))
        if info.team_id != state.team_id:
            raise BadResponseError("another team")
        return info

    async def leave(self, state: TeamState) -> None:
        """Leave the team. The remaining members' next sync rotates the key."""
        await self._call("POST", "/team/leave", state)

    async def remove_member(self, state: TeamState, member_id: str) -> TeamState:
        """Coordinator: remove a member and rotate the team key for the others."""
        return await self.rotate(state, remove=member_id)

    async def rotate(self, state: TeamState, remove: Optional[str] = None) -> TeamState:
        """Coordinator: a new team key version for every remaining member; ``remove``
        leaves that member out (and removes them).

        The new key is wrapped only to members whose public key the team
        vouches for (``sync.vouching``); any other member gets a wrap of a
        random key to a throwaway point and a random MAC, so it receives
        nothing and stays unvouched -- one member's bad key never stops a
        rotation, nor the removal of anyone. This device's own entry uses its
        own public key, whatever the server lists.
        """
        for attempt in range(ROTATION_ATTEMPTS):
            info = await self.team(state)
            if info.key_version > state.key_version:
                state = await self.refresh_keys(state)
            if info.key_version != state.key_version:
                raise BadResponseError("key version")
            current = state.team_key
            version = state.key_version + 1
            new_key = c.new_team_key(self.crypto)
            wraps, macs = {}, {}
            for member in info.members:
                if member.member_id != remove:
                    wrapped, mac = await self._wrap_for(state, member, version, new_key)
                    wraps[member.member_id], macs[member.member_id] = c.b64e(wrapped), c.b64e(mac)
            try:
                await self._call("POST", "/team/rotate", state, body={
                    "key_version": version,
                    "commit": c.b64e(c.rotation_commit(current, state.team_id, version, new_key)),
                    "remove_member_id": remove,
                    "wraps": wraps,
                    "key_macs": macs,
                })
            except RefusedError as exc:
                if exc.reason in ("members_changed", "stale_key_version") and attempt + 1 < ROTATION_ATTEMPTS:
                    continue
                raise
            return state.with_key(version, new_key)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _wrap_for(self, state: TeamState, member: msg.Member, version: int, new_key: bytes) -> tuple[bytes, bytes]:
        """``(wrapped key, key MAC)`` of ``new_key`` for ``member``. A member whose
        public key the team does not vouch for under the current key gets a wrap
        of a random key to a throwaway point and a random MAC: nothing."""
        own = member.member_id == state.member_id
        public = state.device_key.public if own else member.public_key
        if own or vouched(state.team_key, state.team_id, member):
            try:
                wrapped = await c.wrap_team_key(self.crypto, new_key, state.team_id, member.member_id, version, public)
                return wrapped, c.member_key_mac(new_key, state.team_id, member.member_id, public)
            except InvalidPublicKey:  # a point the platform's ECDH refuses after all
                pass
        decoy = await c.new_device_key(self.crypto)
        wrapped = await c.wrap_team_key(self.crypto, c.new_team_key(self.crypto), state.team_id, member.member_id,
                                        version, decoy.public)
        return wrapped, self.crypto.random_bytes(c.MAC_LEN)

    async def refresh_keys(self, state: TeamState) -> TeamState:
        """Take in key versions newer than ours, each checked against the one before.

        A version whose wrap or commitment does not check out raises
        ``KeyRejectedError``, which carries the state with every version
        before it (the last good key stays usable).
        """
        answer = await self._call("GET", "/keys", state, query={"after": state.key_version})
        for item in msg.parse_keys(answer):
            expected = state.key_version + 1
            if item.version != expected or item.commit is None:
                raise BadResponseError("key versions out of order")
            try:
                key = await c.unwrap_team_key(self.crypto, item.wrapped, state.team_id, state.member_id,
                                              item.version, state.device_key)
                c.verify_rotation(state.team_key, state.team_id, item.version, key, item.commit)
            except IntegrityError:
                raise KeyRejectedError(item.version, state) from None
            state = state.with_key(item.version, key)
        return state

    # -- changes ----------------------------------------------------------------------------

    async def seal(self, state: TeamState, record: OutgoingRecord) -> c.SealedRecord:
        return await c.seal_record(self.crypto, state.team_key, state.team_id, record.record_id, record.kind,
                                   state.key_version, record.plaintext)

    async def push(self, state: TeamState, sealed: Sequence[c.SealedRecord], push_id: str) -> list[int]:
        """Append records to the team's log; returns their sequence numbers.

        Sending the same ``push_id`` again returns the same numbers and
        appends nothing (a retry after a lost answer).
        """
        if not 1 <= len(sealed) <= MAX_RECORDS_PER_PUSH:
            raise ValueError("1 to MAX_RECORDS_PER_PUSH records per push")
        answer = await self._call("POST", "/changes", state, body=push_body(push_id, state.cursor, sealed))
        return msg.parse_push(answer, len(sealed))

    async def pull(self, state: TeamState, after: int, limit: int = MAX_PULL_PAGE) -> msg.Page:
        answer = await self._call("GET", "/changes", state, query={"after": after, "limit": limit})
        return msg.parse_page(answer, after)

    async def open(self, state: TeamState, change: msg.RemoteSealed) -> bytes:
        return await c.open_record(self.crypto, state.keys, state.team_id, change.sealed)


def default_client(server_url: str = "") -> TeamClient:
    """The platform's client: WebCrypto + ``fetch`` in the browser, else ``cryptography`` + ``httpx``."""
    if sys.platform == "emscripten":
        from sync.web import FetchTransport, WebSyncCrypto

        return TeamClient(FetchTransport(server_url), WebSyncCrypto())
    from sync.native import HttpxTransport, NativeSyncCrypto

    return TeamClient(HttpxTransport(server_url), NativeSyncCrypto())


__all__ = ["JOIN_ROUTE", "CreatedInvite", "OutgoingRecord", "TeamClient", "default_client", "invite_link",
           "parse_invite_payload"]
