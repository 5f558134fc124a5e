"""The team server's API in process (SQLite and PostgreSQL): the protocol's
rules and every kind of bad request — a clear 4xx, nothing stored, nothing lost."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import func, select

from server import models as m
from server.ratelimit import Limiters, RateLimiter
from sync import crypto as c
from sync.client import OutgoingRecord
from sync.errors import AccessRevokedError, IntegrityError, KeyRejectedError, RefusedError
from sync.limits import MAX_RECORD_CIPHERTEXT, MAX_RECORDS_PER_PUSH, MAX_REQUEST_BYTES
from sync.vouching import unvouched
from tests.sync_helpers.fixtures import run, server, sqlite_server  # noqa: F401 - fixtures
from tests.sync_helpers.servers import InProcess


async def team_of_two(server):
    a, b = server.client(), server.client()
    sa = await a.create_team("Actieteam", "Directie", "coordinator", "laptop")
    invite = await a.create_invite(sa)
    sb = await b.redeem_invite(invite.code, "Mentor 2b", "mentor", "telefoon")
    return a, sa, b, sb


async def push_one(client, state, record_id="r1", text=b'{"t":1}', push_id=None):
    sealed = await client.seal(state, OutgoingRecord(record_id, "incident", text, "1"))
    return await client.push(state, [sealed], push_id or c.new_id(client.crypto))


def count(server, model) -> int:
    with server.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


async def raw(server, method, path, token=None, **kwargs) -> httpx.Response:
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with server.http() as http:
        return await http.request(method, path, headers=headers, **kwargs)


# -- the happy path and its rules ------------------------------------------------------------------------


def test_push_pull_round_trip_with_sequence_numbers(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        assert await push_one(a, sa, "r1") == [1]
        assert await push_one(b, sb, "r2") == [2]
        page = await b.pull(sb, 0)
        assert [x.seq for x in page.changes] == [1, 2] and page.head == 2 and not page.more
        assert [await b.open(sb, x) for x in page.changes] == [b'{"t":1}', b'{"t":1}']
        assert [x.author_id for x in page.changes] == [sa.member_id, sb.member_id]
        assert (await b.pull(sb, 2)).changes == []
        small = await a.pull(sa, 0, limit=1)
        assert [x.seq for x in small.changes] == [1] and small.more

    run(scenario())


def test_members_listing(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        info = await b.team(sb)
        assert [(x.display_name, x.role, x.device_label, x.coordinator) for x in info.members] == [
            ("Directie", "coordinator", "laptop", True), ("Mentor 2b", "mentor", "telefoon", False)]
        assert all(x.last_seen is not None for x in info.members)
        assert info.key_version == 1 and not info.rotation_needed

    run(scenario())


def test_replayed_push_appends_nothing(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        push_id = c.new_id(a.crypto)
        assert await push_one(a, sa, push_id=push_id) == [1]
        assert await push_one(a, sa, push_id=push_id) == [1]  # the same push again: the same answer
        assert (await a.pull(sa, 0)).head == 1
        two = [await a.seal(sa, OutgoingRecord(r, "incident", b'{"t":2}', "2")) for r in ("r1", "r2")]
        with pytest.raises(RefusedError) as refused:  # the same id for a different push
            await a.push(sa, two, push_id)
        assert refused.value.reason == "push_id_conflict"
        # Push ids are the member's own: another member's push with the same id is neither refused
        # (nobody can block a colleague's push by sending its id first) nor taken for the first one's.
        assert await push_one(b, sb, push_id=push_id) == [2]

    run(scenario())
    assert count(server, m.Change) == 2


def test_a_retry_of_any_of_the_members_newest_16_pushes_appends_nothing(server):
    async def scenario():
        a, sa, _b, _sb = await team_of_two(server)
        ids = [c.new_id(a.crypto) for _ in range(17)]
        for n, push_id in enumerate(ids, start=1):
            assert await push_one(a, sa, push_id=push_id) == [n]
        for n, push_id in list(enumerate(ids, start=1))[1:]:
            assert await push_one(a, sa, push_id=push_id) == [n]  # remembered: the same answer
        assert await push_one(a, sa, push_id=ids[0]) == [18]  # the 17th newest is forgotten

    run(scenario())


def test_invite_is_single_use_and_expires_and_can_be_cancelled(server):
    async def scenario():
        a = server.client()
        sa = await a.create_team("T", "Directie", "coordinator", "laptop")
        used = await a.create_invite(sa)
        await server.client().redeem_invite(used.code, "Een", "mentor", "telefoon")
        with pytest.raises(RefusedError) as again:
            await server.client().redeem_invite(used.code, "Twee", "mentor", "telefoon")
        assert again.value.reason == "invite_used" and again.value.status == 410

        cancelled = await a.create_invite(sa)
        assert [i.invite_id for i in await a.pending_invites(sa)] == [cancelled.invite_id]
        await a.cancel_invite(sa, cancelled.invite_id)
        assert await a.pending_invites(sa) == []
        with pytest.raises(RefusedError) as gone:
            await server.client().redeem_invite(cancelled.code, "Drie", "mentor", "telefoon")
        assert gone.value.reason == "invite_cancelled"

        expiring = await a.create_invite(sa)
        assert expiring.expires_at == server.clock.now.replace(microsecond=0) + __import__("datetime").timedelta(hours=24)
        server.clock.advance(hours=24, seconds=1)
        with pytest.raises(RefusedError) as late:
            await server.client().redeem_invite(expiring.code, "Vier", "mentor", "telefoon")
        assert late.value.reason == "invite_expired"

        with pytest.raises(RefusedError) as unknown:
            await server.client().redeem_invite("0000-0000-0000-0000", "Vijf", "mentor", "telefoon")
        assert unknown.value.reason == "invite_unknown" and unknown.value.status == 404

    run(scenario())
    assert count(server, m.Member) == 2  # the coordinator and the one who used the first invite


def test_concurrent_redemptions_of_one_invite_admit_one(server):
    async def scenario():
        a = server.client()
        sa = await a.create_team("T", "Directie", "coordinator", "laptop")
        invite = await a.create_invite(sa)
        results = await asyncio.gather(
            *(server.client().redeem_invite(invite.code, f"Lid {i}", "mentor", "telefoon") for i in range(6)),
            return_exceptions=True)
        joined = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, RefusedError)]
        assert len(joined) == 1 and len(refused) == 5
        assert {r.reason for r in refused} == {"invite_used"}

    run(scenario())


def test_only_the_coordinator_invites_removes_and_lists_invites(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        for call in (b.create_invite(sb), b.pending_invites(sb), b.remove_member(sb, sa.member_id)):
            with pytest.raises(RefusedError) as refused:
                await call
            assert refused.value.reason == "not_coordinator" and refused.value.status == 403
        with pytest.raises(RefusedError) as leave:
            await a.leave(sa)
        assert leave.value.reason == "coordinator_cannot_leave"

    run(scenario())


def test_removed_member_is_refused_and_cannot_read_what_follows(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        await push_one(a, sa, "before")
        sa = await a.remove_member(sa, sb.member_id)
        assert sa.key_version == 2
        await push_one(a, sa, "after", b'{"geheim":"na verwijdering"}')
        for call in (b.pull(sb, 0), push_one(b, sb), b.team(sb), b.refresh_keys(sb)):
            with pytest.raises(AccessRevokedError) as revoked:
                await call
            assert revoked.value.removed
        # Even with the ciphertext (say, from a leaked backup of the server), version 2 is not theirs.
        page = await a.pull(sa, 0)
        after = [x for x in page.changes if x.sealed.record_id == "after"][0]
        assert after.sealed.key_version == 2
        with pytest.raises(IntegrityError):
            await b.open(sb, after)
        assert await b.open(sb, [x for x in page.changes if x.sealed.record_id == "before"][0]) == b'{"t":1}'

    run(scenario())


def test_rotation_reaches_remaining_members_and_cancels_open_invites(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        invite = await a.create_invite(sa)
        c3 = server.client()
        s3 = await c3.redeem_invite((await a.create_invite(sa)).code, "Zorg", "zorgcoordinator", "chromebook")
        sa = await a.remove_member(sa, sb.member_id)
        s3 = await c3.refresh_keys(s3)
        assert s3.keys == sa.keys
        with pytest.raises(RefusedError) as lapsed:
            await server.client().redeem_invite(invite.code, "Laat", "mentor", "telefoon")
        assert lapsed.value.reason == "invite_cancelled"
        # An old-version push is refused until the writer has the new key.
        with pytest.raises(RefusedError) as stale:
            await c3.push(s3, [await c3.seal(replace(s3, keys={1: s3.keys[1]}), OutgoingRecord("r", "incident", b"{}", "1"))],
                          c.new_id(c3.crypto))
        assert stale.value.reason == "stale_key_version"

    run(scenario())


def test_after_a_leave_pushes_wait_for_the_coordinators_rotation(server):
    """Only the coordinator rotates: another member's rotation is refused (403), and
    pushes stay refused (409 rotation_needed) until the coordinator's device rotated."""

    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        c3 = server.client()
        s3 = await c3.redeem_invite((await a.create_invite(sa)).code, "Zorg", "zorg", "chromebook")
        await b.leave(sb)
        with pytest.raises(AccessRevokedError):
            await b.pull(sb, 0)
        with pytest.raises(RefusedError) as blocked:
            await push_one(c3, s3)
        assert blocked.value.reason == "rotation_needed"
        with pytest.raises(RefusedError) as not_theirs:
            await c3.rotate(s3)
        assert not_theirs.value.reason == "not_coordinator" and not_theirs.value.status == 403
        with pytest.raises(RefusedError) as still:
            await push_one(c3, s3)
        assert still.value.reason == "rotation_needed"
        sa = await a.rotate(sa)
        assert sa.key_version == 2
        s3 = await c3.refresh_keys(s3)
        assert sa.keys == s3.keys
        assert await push_one(c3, s3) == [1]

    run(scenario())


def test_a_substituted_member_key_gets_no_new_key(server):
    """The server (here: a direct database edit) swaps a member's public key for its own.
    The coordinator's next rotation goes on (one bad key never blocks a removal), but
    nothing vouches for that key, so the new team key is wrapped to nobody there: the
    holder of the swapped-in key learns nothing, and every device names the member."""

    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        rogue = await c.new_device_key(a.crypto)
        with server.engine.begin() as conn:
            conn.execute(m.Member.__table__.update().where(m.Member.id == sb.member_id).values(public_key=rogue.public))
        third = server.client()
        s3 = await third.redeem_invite((await a.create_invite(sa)).code, "Zorg", "zorg", "chromebook")
        sa = await a.remove_member(sa, s3.member_id)
        assert sa.key_version == 2
        for holder in (rogue, sb.device_key):  # the server's key, and b's own
            with pytest.raises(KeyRejectedError):
                await b.refresh_keys(replace(sb, device_key=holder))
        assert [x.member_id for x in unvouched(sa.keys, sa.team_id, await a.team(sa))] == [sb.member_id]

    run(scenario())


def test_a_key_injected_by_the_server_is_refused(server):
    """A wrapped key the server made itself (no rotation commit under the old key) is not taken in."""

    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        sa = await a.remove_member(sa, (await server.client().redeem_invite(
            (await a.create_invite(sa)).code, "X", "x", "x")).member_id)
        own_key = c.new_team_key(a.crypto)
        info = await a.team(sa)
        member_b = [x for x in info.members if x.member_id == sb.member_id][0]
        forged = await c.wrap_team_key(a.crypto, own_key, sa.team_id, sb.member_id, 2, member_b.public_key)
        with server.engine.begin() as conn:
            conn.execute(m.WrappedKey.__table__.update().where(
                m.WrappedKey.member_id == sb.member_id, m.WrappedKey.version == 2).values(wrapped=forged))
        with pytest.raises(IntegrityError):
            await b.refresh_keys(sb)

    run(scenario())


# -- hostile requests ---------------------------------------------------------------------------------------


def test_wrong_and_malformed_tokens(sqlite_server):
    async def scenario():
        for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                        {"Authorization": "Bearer " + "x" * 43}, {"Authorization": "Bearer " + "x" * 500}):
            answer = await raw(sqlite_server, "GET", "/api/v1/changes", headers=headers)
            assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"

    run(scenario())


@pytest.mark.parametrize("body", [
    b"", b"{", b"null", b"[]", b'"x"', b"\xff\xfe", b'{"team_id": 1}',
    b'{"team_id":"5a6b1f0c2d3e4f5061728394a5b6c7d8","member":{},"wrapped_key":""}',
    json.dumps({"team_id": "A" * 32, "member": {}, "wrapped_key": ""}).encode(),
])
def test_malformed_json_gets_a_clear_400_and_stores_nothing(sqlite_server, body):
    async def scenario():
        answer = await raw(sqlite_server, "POST", "/api/v1/teams", content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, answer.text
        payload = answer.json()
        assert payload["error"] == "bad_request" and "Traceback" not in answer.text and "sqlalchemy" not in answer.text

    run(scenario())
    assert count(sqlite_server, m.Team) == 0


def test_validation_errors_do_not_echo_the_input(sqlite_server):
    async def scenario():
        body = {"team_id": "5a6b1f0c2d3e4f5061728394a5b6c7d8", "wrapped_key": "GEHEIMEWAARDE",
                "member": {"member_id": "zz", "display_name": "x", "role": "x", "device_label": "x",
                           "public_key": "GEHEIMEWAARDE", "key_mac": "x"}}
        answer = await raw(sqlite_server, "POST", "/api/v1/teams", json=body)
        assert answer.status_code == 400 and "GEHEIMEWAARDE" not in answer.text

    run(scenario())


def test_oversized_bodies_are_refused_before_reading(sqlite_server):
    async def scenario():
        a, sa, b, sb = await team_of_two(sqlite_server)
        big = b"{" + b" " * (MAX_REQUEST_BYTES + 1) + b"}"
        answer = await raw(sqlite_server, "POST", "/api/v1/changes", sa.token, content=big,
                           headers={"Content-Type": "application/json"})
        assert answer.status_code == 413 and answer.json()["error"] == "too_large"

        async def chunks():  # no Content-Length: counted while it arrives
            for _ in range(MAX_REQUEST_BYTES // 65536 + 2):
                yield b" " * 65536

        answer = await raw(sqlite_server, "POST", "/api/v1/changes", sa.token, content=chunks(),
                           headers={"Content-Type": "application/json"})
        assert answer.status_code == 413
        # Too many records, or one too large: refused by the protocol's limits.
        record = {"record_id": "r", "kind": "incident", "key_version": 1, "nonce": c.b64e(bytes(12)),
                  "ciphertext": c.b64e(bytes(32))}
        answer = await raw(sqlite_server, "POST", "/api/v1/changes", sa.token, json={
            "push_id": "a" * 32, "base_seq": 0, "records": [record] * (MAX_RECORDS_PER_PUSH + 1)})
        assert answer.status_code == 400
        answer = await raw(sqlite_server, "POST", "/api/v1/changes", sa.token, json={
            "push_id": "a" * 32, "base_seq": 0, "records": [{**record, "ciphertext": c.b64e(bytes(MAX_RECORD_CIPHERTEXT + 1))}]})
        assert answer.status_code == 400

    run(scenario())
    assert count(sqlite_server, m.Change) == 0


@pytest.mark.parametrize("change", [
    {"nonce": "AAAA"}, {"nonce": "not base64!"}, {"ciphertext": ""}, {"ciphertext": c.b64e(bytes(15))},
    {"kind": "Incident"}, {"kind": ""}, {"record_id": "a/b"}, {"record_id": "x" * 101}, {"key_version": 0},
    {"key_version": "1"}, {"key_version": True}, {"extra": 1},
])
def test_malformed_records_are_refused_whole(sqlite_server, change):
    async def scenario():
        a, sa, b, sb = await team_of_two(sqlite_server)
        good = {"record_id": "r", "kind": "incident", "key_version": 1, "nonce": c.b64e(bytes(12)),
                "ciphertext": c.b64e(bytes(32))}
        answer = await raw(sqlite_server, "POST", "/api/v1/changes", sa.token, json={
            "push_id": "a" * 32, "base_seq": 0, "records": [good, {**good, **change}]})
        assert answer.status_code == 400 and answer.json()["error"] == "bad_request"

    run(scenario())
    assert count(sqlite_server, m.Change) == 0


def test_base_seq_ahead_of_the_log_is_refused(sqlite_server):
    async def scenario():
        a, sa, b, sb = await team_of_two(sqlite_server)
        with pytest.raises(RefusedError) as refused:
            await push_one(a, replace(sa, cursor=5))
        assert refused.value.status == 400

    run(scenario())


def test_unknown_routes_and_methods_answer_json(sqlite_server):
    async def scenario():
        for method, path, status in (("GET", "/api/v2/changes", 404), ("PUT", "/api/v1/changes", 405),
                                     ("GET", "/api/v1/invites/xyz", 400)):
            answer = await raw(sqlite_server, method, path)
            assert answer.status_code == status and "error" in answer.json(), (method, path, answer.text)
            assert answer.headers["cache-control"] == "no-store"

    run(scenario())


def test_rate_limits_answer_429_with_retry_after(tmp_path):
    limiters = Limiters(RateLimiter(3, 60), RateLimiter(100, 60), RateLimiter(2, 60), RateLimiter(1000, 60),
                        RateLimiter(1000, 60))
    server = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}", limiters=limiters)

    async def scenario():
        a = server.client()
        sa = await a.create_team("T", "D", "c", "l")
        for _ in range(2):
            await push_one(a, sa)
        with pytest.raises(RefusedError) as pushes:
            await push_one(a, sa)
        assert pushes.value.reason == "rate_limited" and 0 < pushes.value.retry_after <= 60
        for _ in range(3):
            with pytest.raises(RefusedError):
                await server.client().redeem_invite("0000-0000-0000-0001", "x", "x", "x")
        with pytest.raises(RefusedError) as guesses:
            await server.client().redeem_invite("0000-0000-0000-0002", "x", "x", "x")
        assert guesses.value.reason == "rate_limited"

    run(scenario())
    server.close()


def test_tampered_ciphertext_is_detected_by_the_client_and_loses_nothing(server):
    """A record whose ciphertext was changed on the server: the engine skips and
    counts it, applies the rest, and the log still holds everything."""
    from sync.engine import SyncEngine, SyncState
    from sync.testing import MemoryJournal

    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        ja, jb = MemoryJournal("a"), MemoryJournal("b")
        await ja.save_team_state(sa)
        await jb.save_team_state(sb)
        for i in range(3):
            ja.put(f"r{i}", {"updated": f"2025-01-0{i + 1}", "n": i})
        assert (await SyncEngine(ja, a).sync()).state is SyncState.SYNCED
        with server.engine.begin() as conn:
            stored = conn.scalar(select(m.Change.ciphertext).where(m.Change.seq == 2))
            conn.execute(m.Change.__table__.update().where(m.Change.seq == 2).values(
                ciphertext=stored[:-1] + bytes([stored[-1] ^ 1])))
        status = await SyncEngine(jb, b).sync()
        assert status.state is SyncState.SYNCED and status.rejected == 1
        assert sorted(jb.visible()) == ["r0", "r2"]
        assert (await b.pull(sb, 0)).head == 3

    run(scenario())


def test_health_and_openapi_say_nothing_about_the_database(sqlite_server):
    async def scenario():
        health = await raw(sqlite_server, "GET", "/api/v1/health")
        assert health.json() == {"status": "ok", "protocol": 1}
        spec = (await raw(sqlite_server, "GET", "/api/v1/openapi.json")).json()
        assert {"/api/v1/changes", "/api/v1/teams", "/api/v1/team/rotate"} <= set(spec["paths"])

    run(scenario())
