"""The server holds against strangers and a hostile member (in process, SQLite and
PostgreSQL): names without control or invisible characters, keys that are points
on P-256, storage quotas, a sign-up code, deleting a team, idle teams expiring,
unknown tokens rate-limited, a large push's token checked before its body."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from server import models as m
from server.housekeeping import expire_idle_teams
from server.ratelimit import Limiters, RateLimiter
from sync import crypto as c
from sync.client import OutgoingRecord
from sync.errors import AccessRevokedError, RefusedError
from tests.sync_helpers.fixtures import run, server, sqlite_server  # noqa: F401 - fixtures
from tests.sync_helpers.servers import InProcess
from tests.test_server_api import count, push_one, raw, team_of_two

NAME_FIELDS = ("display_name", "role", "device_label")
BAD_NAMES = {
    "NUL": "Mentor\x00 2b", "control": "Mentor\x07", "newline": "Mentor\n2b", "bidi override": "Mentor \u202egnirts",
    "bidi isolate": "\u2066Directie\u2069", "zero-width space": "Men\u200btor", "zero-width joiner": "Men\u200dtor",
    "byte order mark": "\ufeffMentor", "line separator": "Mentor\u20282b", "only spaces": "   ",
}


async def _member_body(client, **override) -> dict:
    device = await c.new_device_key(client.crypto)
    body = {"member_id": c.new_id(client.crypto), "display_name": "Mentor 2b", "role": "mentor",
            "device_label": "telefoon", "public_key": c.b64e(device.public), "key_mac": c.b64e(bytes(32))}
    return {**body, **override}


async def _team_body(client, member: dict) -> dict:
    device = c.DeviceKey.from_jwk((await c.new_device_key(client.crypto)).to_jwk())
    wrapped = await c.wrap_team_key(client.crypto, c.new_team_key(client.crypto), "ab" * 16, member["member_id"], 1,
                                    device.public)
    return {"team_id": c.new_id(client.crypto), "member": member, "wrapped_key": c.b64e(wrapped)}


@pytest.mark.parametrize("field", NAME_FIELDS)
def test_names_with_control_or_invisible_characters_are_refused_naming_the_field(server, field, caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario():
        a, sa, _b, _sb = await team_of_two(server)
        invite = await a.create_invite(sa)
        keys = await c.derive_invite_keys(a.crypto, c.parse_invite_code(invite.code), a.invite_iterations)
        answers = []
        for bad in BAD_NAMES.values():
            answers.append(await raw(server, "POST", "/api/v1/teams",
                                     json=await _team_body(a, await _member_body(a, **{field: bad}))))
            answers.append(await raw(server, "POST", f"/api/v1/invites/{keys.invite_id}/redeem",
                                     json={"key_version": 1, "member": await _member_body(a, **{field: bad})}))
        return answers

    for answer in run(scenario()):
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == "bad_request" and field in answer.json()["message"]
    assert count(server, m.Team) == 1 and count(server, m.Member) == 2  # nothing more stored
    assert "Traceback" not in caplog.text
    assert not [bad for bad in BAD_NAMES.values() if bad.strip() and bad in caplog.text]


def test_names_in_other_scripts_and_with_accents_are_fine(sqlite_server):
    async def scenario():
        a = sqlite_server.client()
        state = await a.create_team("T", "Zoë Çelik-Ünal", "mentor / zorg", "Chromebook van Ахмед 😀")
        assert [x.display_name for x in (await a.team(state)).members] == ["Zoë Çelik-Ünal"]

    run(scenario())


def test_public_keys_and_wraps_must_be_points_on_p256(server):
    off_curve = b"\x04" + b"\x01" * 64

    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        bad_member = await _member_body(a, public_key=c.b64e(off_curve))
        answer = await raw(server, "POST", "/api/v1/teams", json=await _team_body(a, bad_member))
        assert answer.status_code == 400 and "public_key" in answer.json()["message"]
        good = await _team_body(a, await _member_body(a))
        wrapped = c.b64d(good["wrapped_key"])
        for junk in (b"\x02" + wrapped[1:], wrapped[:1] + off_curve + wrapped[66:]):
            answer = await raw(server, "POST", "/api/v1/teams", json={**good, "wrapped_key": c.b64e(junk)})
            assert answer.status_code == 400 and "wrapped_key" in answer.json()["message"]
        invite = await a.create_invite(sa)
        keys = await c.derive_invite_keys(a.crypto, c.parse_invite_code(invite.code), a.invite_iterations)
        answer = await raw(server, "POST", f"/api/v1/invites/{keys.invite_id}/redeem",
                           json={"key_version": 1, "member": bad_member})
        assert answer.status_code == 400 and "public_key" in answer.json()["message"]
        # A rotation with a garbage wrap is refused whole: the team keeps its key.
        info = await a.team(sa)
        rotation = {"key_version": 2, "commit": c.b64e(bytes(32)), "remove_member_id": None,
                    "wraps": {x.member_id: c.b64e(b"\x01" + off_curve + bytes(60)) for x in info.members},
                    "key_macs": {x.member_id: c.b64e(bytes(32)) for x in info.members}}
        answer = await raw(server, "POST", "/api/v1/team/rotate", sa.token, json=rotation)
        assert answer.status_code == 400 and "wraps" in answer.json()["message"]
        no_commit = {k: v for k, v in rotation.items() if k != "commit"}
        answer = await raw(server, "POST", "/api/v1/team/rotate", sa.token, json=no_commit)
        assert answer.status_code == 400 and "commit" in answer.json()["message"]
        assert (await a.team(sa)).key_version == 1

    run(scenario())
    assert count(server, m.Team) == 1


def test_a_member_cannot_rotate_and_the_coordinator_removes_anyone(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        info = await b.team(sb)
        rotation = {"key_version": 2, "commit": c.b64e(bytes(32)), "remove_member_id": None,
                    "wraps": {x.member_id: c.b64e(await c.wrap_team_key(b.crypto, bytes(32), sb.team_id, x.member_id, 2,
                                                                          x.public_key)) for x in info.members},
                    "key_macs": {x.member_id: c.b64e(bytes(32)) for x in info.members}}
        answer = await raw(server, "POST", "/api/v1/team/rotate", sb.token, json=rotation)
        assert answer.status_code == 403 and answer.json()["error"] == "not_coordinator"
        sa = await a.remove_member(sa, sb.member_id)  # b does nothing to help
        assert sa.key_version == 2
        with pytest.raises(AccessRevokedError):
            await b.pull(sb, 0)

    run(scenario())


def test_a_team_over_its_quota_gets_409_and_overwriting_still_works(tmp_path):
    server = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}", team_quota_bytes=100_000)

    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        big = b"x" * 30_000
        for i in range(3):
            await push_one(a, sa, f"r{i}", big)
        with pytest.raises(RefusedError) as full:
            await push_one(a, sa, "r3", big)
        assert full.value.status == 409 and full.value.reason == "team_storage_full"
        await push_one(a, sa, "r0", big)  # a new version of a record replaces the old: no growth
        with pytest.raises(RefusedError):
            await push_one(b, sb, "r9", big)

    run(scenario())
    with server.engine.connect() as conn:
        stored = conn.scalar(select(m.Team.stored_bytes))
        assert stored == conn.scalar(select(func.sum(m.Change.size))) and stored <= 100_000
    server.close()


def test_the_server_quota_is_shared_by_all_teams(tmp_path):
    server = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}", server_quota_bytes=70_000)

    async def scenario():
        a, sa, _, _ = await team_of_two(server)
        await push_one(a, sa, "r0", b"x" * 30_000)
        other = server.client()
        so = await other.create_team("Ander team", "Directie", "coordinator", "laptop")
        await push_one(other, so, "q0", b"x" * 30_000)
        server.context.usage.summed_at = -1e18  # as after the next sum
        with pytest.raises(RefusedError) as full:
            await push_one(other, so, "q1", b"x" * 30_000)
        assert full.value.reason == "server_storage_full"

    run(scenario())
    server.close()


def test_a_sign_up_code_is_asked_when_the_operator_set_one(tmp_path):
    server = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}", signup_code="Bestuur-2026")

    async def scenario():
        a = server.client()
        member = await _member_body(a)
        for code in (None, "fout"):
            body = await _team_body(a, member)
            answer = await raw(server, "POST", "/api/v1/teams", json={**body, "signup_code": code} if code else body)
            assert answer.status_code == 403 and answer.json()["error"] == "signup_code_required"
        answer = await raw(server, "POST", "/api/v1/teams", json={**await _team_body(a, member),
                                                                   "signup_code": "Bestuur-2026"})
        assert answer.status_code == 201

    run(scenario())
    server.close()


def test_the_coordinator_deletes_the_team_and_nothing_of_it_stays(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        await push_one(a, sa)
        await a.create_invite(sa)
        answer = await raw(server, "DELETE", "/api/v1/team", sb.token)
        assert answer.status_code == 403 and answer.json()["error"] == "not_coordinator"
        assert (await raw(server, "DELETE", "/api/v1/team", sa.token)).status_code == 204
        for state, client in ((sa, a), (sb, b)):
            with pytest.raises(AccessRevokedError):
                await client.pull(state, 0)

    run(scenario())
    for model in (m.Team, m.Member, m.WrappedKey, m.Invite, m.Change):
        assert count(server, model) == 0, model


def test_idle_teams_expire_and_active_ones_stay(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        quiet = server.client()
        sq = await quiet.create_team("Stil team", "Directie", "coordinator", "laptop")
        await push_one(quiet, sq)
        server.clock.advance(days=server.context.settings.team_idle_days - 1)
        await push_one(a, sa)  # this team is in use
        server.clock.advance(days=2)
        assert await expire_idle_teams(server.context) == 1
        with pytest.raises(AccessRevokedError):
            await quiet.pull(sq, 0)
        assert (await a.pull(sa, 0)).head == 1

    run(scenario())
    assert count(server, m.Team) == 1


def test_unknown_tokens_are_rate_limited_per_address(tmp_path):
    limiters = Limiters.from_limits()
    limiters.invalid_token = RateLimiter(3, 60)
    server = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}", limiters=limiters)

    async def scenario():
        a = server.client()
        state = await a.create_team("T", "D", "c", "l")
        statuses = [(await raw(server, "GET", "/api/v1/changes", "y" * 43)).status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        answer = await raw(server, "GET", "/api/v1/changes", state.token)  # from the same address
        assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0

    run(scenario())
    server.close()


def test_a_large_push_with_an_unknown_token_is_refused_before_its_body_is_read(sqlite_server):
    read = []

    async def scenario():
        async def body():
            for _ in range(20):
                read.append(1)
                yield b" " * 65536

        answer = await raw(sqlite_server, "POST", "/api/v1/changes", "z" * 43, content=body(),
                           headers={"Content-Type": "application/json"})
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"

    run(scenario())
    assert len(read) <= 1  # httpx hands over at most the first chunk before the answer


def test_a_push_of_a_removed_member_is_refused_whatever_its_size(sqlite_server):
    async def scenario():
        a, sa, b, sb = await team_of_two(sqlite_server)
        sa = await a.remove_member(sa, sb.member_id)
        record = {"record_id": "r", "kind": "incident", "key_version": 1, "nonce": c.b64e(bytes(12)),
                  "ciphertext": c.b64e(bytes(400_000))}
        answer = await raw(sqlite_server, "POST", "/api/v1/changes", sb.token,
                           json={"push_id": "b" * 32, "base_seq": 0, "records": [record]})
        assert answer.status_code == 403 and answer.json()["error"] == "removed"

    run(scenario())


def test_compaction_keeps_each_members_newest_version_and_what_a_tombstone_needs(server):
    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        for i in range(5):
            await push_one(a, sa, "inc", b'{"n":%d}' % i)
        await push_one(b, sb, "inc", b'{"van":"b"}')  # b had not seen a's versions: both stay
        await push_one(a, sa, "other")
        sealed = await b.seal(sb, OutgoingRecord("other", "tombstone", b"{}", "1"))
        await b.push(sb, [sealed], c.new_id(b.crypto))
        page = await a.pull(sa, 0)
        return [(x.sealed.record_id, x.sealed.kind, x.author_id == sa.member_id) for x in page.changes], page.head

    kept, head = run(scenario())
    assert head == 8
    assert kept == [("inc", "incident", True), ("inc", "incident", False), ("other", "tombstone", False)]


def test_a_crash_answers_500_and_logs_no_request_data(sqlite_server, monkeypatch, caplog):
    """Whatever fails inside (here: the database, with a token hash and a name in its message),
    the answer is a bare 500 and the log names the exception's type and the route only."""
    from sqlalchemy.exc import OperationalError

    from server import routes_team

    def broken(conn, hashed, ctx):
        raise OperationalError("SELECT ... WHERE token_hash = ?", (hashed, "Mevr. Geheim"), Exception("disk I/O"))

    monkeypatch.setattr(routes_team, "_team", broken)
    caplog.set_level(logging.DEBUG)

    async def scenario():
        a = sqlite_server.client()
        state = await a.create_team("T", "Mevr. Geheim", "c", "l")
        return await raw(sqlite_server, "GET", "/api/v1/team", state.token)

    answer = run(scenario())
    assert answer.status_code == 500 and answer.json() == {"error": "server_error", "message": "internal error"}
    assert "OperationalError in GET /api/v1/team" in caplog.text
    assert "Geheim" not in caplog.text.replace("POST /api/v1/teams", "") and "token_hash" not in caplog.text


@pytest.mark.postgres
def test_a_dropped_postgresql_connection_is_tried_once_more(tmp_path):
    """No pre-ping: a pooled connection that PostgreSQL dropped fails its first statement,
    and the request runs again on a fresh connection."""
    import psycopg

    from tests.sync_helpers.servers import postgres_database

    with postgres_database() as url:
        server = InProcess(url)

        async def scenario():
            a = server.client()
            state = await a.create_team("T", "D", "c", "l")
            await push_one(a, state)
            with psycopg.connect(url, autocommit=True) as admin:  # e.g. PostgreSQL restarted
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            assert (await a.pull(state, 0)).head == 1
            assert await push_one(a, state, "r2") == [2]

        try:
            run(scenario())
        finally:
            server.close()
