"""A hostile member (or a server that swaps keys) cannot break the team.

Real server in process, SQLite and PostgreSQL; the devices are the real
client and sync engine. The attacker is a member with the client of its
choice: it may join with a junk key MAC or an invalid public key, and try to
rotate the team key with garbage wraps or a wrong commitment. A server that
no longer checks what it stores (or whose database was changed) is played by
writing to its database. In every case the honest members keep syncing, are
told which member sent an invalid key, and the coordinator removes that member.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import pytest
from sqlalchemy import update

from screens.ui.sync_status import status_text
from server import models as m
from sync import crypto as c
from sync.engine import SyncEngine, SyncState
from sync.testing import MemoryJournal
from tests.sync_helpers.fixtures import run, server  # noqa: F401 - fixtures
from tests.sync_helpers.hostile import hostile_join
from tests.test_sync_engine import team
from words import i18n

#: A point that is not on P-256 (the curve's generator with y changed by one).
OFF_CURVE = bytes.fromhex(
    "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f6")


async def join_as_attacker(server, coordinator, name: str, *, public_key=None, key_mac=None):
    """An invite from the coordinator, redeemed by a hostile member's own client
    (``hostile_join``); returns its device (journal, engine), and the HTTP status."""
    client_a, journal_a = coordinator
    invite = await client_a.create_invite(await journal_a.team_state())
    async with server.http() as http:
        status, state = await hostile_join(http, invite.code, name, iterations=client_a.invite_iterations,
                                           public_key=public_key, key_mac=key_mac)
    if state is None:
        return None, status
    journal = MemoryJournal(name)
    await journal.save_team_state(state)
    return (journal, SyncEngine(journal, server.client())), status


def names(status) -> list[str]:
    return sorted(f.name for f in status.faults)


def dutch_words(status) -> str:
    i18n.set_language("nl")
    return status_text(status, status.last_success or datetime.now(timezone.utc))


async def member_id(journal) -> str:
    return (await journal.team_state()).member_id


async def give_invalid_point(server, journal, coordinator_journal) -> str:
    """The member's key in the server's database becomes a point off the curve, with
    the MAC its own client would have made for it: as if it had joined with it on a
    server that did not check points (or the database was changed)."""
    bad, team_state = await member_id(journal), await coordinator_journal.team_state()
    mac = c.member_key_mac(team_state.team_key, team_state.team_id, bad, OFF_CURVE)
    members = m.Member.__table__
    with server.engine.begin() as conn:
        conn.execute(update(members).where(members.c.id == bad).values(public_key=OFF_CURVE, key_mac=mac))
    return bad


async def remove(engine, journal, member) -> None:
    await journal.save_team_state(await engine.client.remove_member(await journal.team_state(), member))


def test_a_member_who_joined_with_a_junk_mac_is_named_left_out_of_new_keys_and_removed(server):
    async def scenario():
        (ja, ea, _), (jb, eb, _), (jc, ec, _) = await team(server, 3)
        (jx, ex), status = await join_as_attacker(server, (ea.client, ja), "Indringer", key_mac=secrets.token_bytes(32))
        assert status == 201  # the server cannot check a MAC: it holds no team key
        ja.put("voor", {"updated": "1", "title": "voor het vertrek"})
        await ea.sync()
        await ec.client.leave(await jc.team_state())  # an honest member leaves: the key must be renewed

        status_a = await ea.sync()  # the coordinator renews the key, without the member it cannot vouch for
        assert status_a.state is SyncState.SYNCED and (await ja.team_state()).key_version == 2
        assert names(status_a) == ["Indringer"]
        assert "Lid Indringer stuurde een ongeldige sleutel" in dutch_words(status_a)
        jb.put("na", {"updated": "2", "title": "na het vertrek"})
        status_b = await eb.sync()
        assert (status_b.state, status_b.pending, names(status_b)) == (SyncState.SYNCED, 0, ["Indringer"])
        assert (await jb.team_state()).key_version == 2

        status_x = await ex.sync()  # the intruder did not get the new key
        assert 2 not in (await jx.team_state()).keys and "na" not in jx.visible()
        assert status_x.state is SyncState.INTEGRITY

        await remove(ea, ja, await member_id(jx))  # without the intruder's cooperation
        ja.put("daarna", {"updated": "3", "title": "na de verwijdering"})
        status_a = await ea.sync()
        assert (status_a.state, names(status_a)) == (SyncState.SYNCED, [])
        status_b = await eb.sync()
        assert (status_b.state, names(status_b)) == (SyncState.SYNCED, [])
        assert sorted(jb.visible()) == ["daarna", "na", "voor"] and sorted(ja.visible()) == ["daarna", "na", "voor"]
        assert (await ex.sync()).state is SyncState.REMOVED

    run(scenario())


def test_an_invalid_point_is_refused_at_joining_and_one_that_got_in_does_not_break_the_team(server):
    async def scenario():
        (ja, ea, _), (jb, eb, _), (jc, ec, _) = await team(server, 3)
        device, status = await join_as_attacker(server, (ea.client, ja), "Kapot", public_key=OFF_CURVE)
        assert device is None and status == 400  # the server checks the point
        # A server that did not check (or whose database was changed) lists one anyway.
        bad = await give_invalid_point(server, jc, ja)
        status_b = await eb.sync()
        assert (status_b.state, names(status_b)) == (SyncState.SYNCED, ["Lid 2"])  # every member checks the list
        await remove(ea, ja, bad)  # the coordinator can remove it: nothing is wrapped to that point
        ja.put("na", {"updated": "1", "title": "na de verwijdering"})
        assert (await ea.sync()).state is SyncState.SYNCED
        status_b = await eb.sync()
        assert (status_b.state, names(status_b)) == (SyncState.SYNCED, []) and "na" in jb.visible()

    run(scenario())


def test_an_invalid_point_among_the_members_does_not_stop_the_coordinators_rotation(server):
    """The leave happens while a member's key is off the curve: the coordinator's
    rotation used to raise InvalidPublicKey out of every sync."""

    async def scenario():
        (ja, ea, _), (jb, eb, _), (jc, ec, _), (jd, ed, _) = await team(server, 4)
        await give_invalid_point(server, jd, ja)
        await ec.client.leave(await jc.team_state())
        status_a = await ea.sync()
        assert (status_a.state, names(status_a)) == (SyncState.SYNCED, ["Lid 3"])
        jb.put("x", {"updated": "1", "title": "gaat door"})
        assert (await eb.sync()).state is SyncState.SYNCED
        await ea.sync()
        assert "x" in ja.visible()

    run(scenario())


def test_a_member_cannot_rotate_the_key_with_garbage_or_a_wrong_commitment(server):
    async def scenario():
        (ja, ea, _), (jb, eb, _), (jc, ec, _), (jx, ex, _) = await team(server, 4)
        await ec.client.leave(await jc.team_state())
        state_x = await jx.team_state()
        info = await ex.client.team(state_x)
        garbage = {mb.member_id: c.b64e(b"\x01" + secrets.token_bytes(125)) for mb in info.members}
        junk_macs = {mb.member_id: c.b64e(secrets.token_bytes(32)) for mb in info.members}
        new_key = secrets.token_bytes(32)
        valid_wraps = {mb.member_id: c.b64e(await c.wrap_team_key(ex.client.crypto, new_key, state_x.team_id,
                                                                  mb.member_id, 2, mb.public_key))
                       for mb in info.members}
        async with server.http() as http:
            headers = {"Authorization": f"Bearer {state_x.token}"}
            answers = [await http.post("/api/v1/team/rotate", headers=headers, json={
                "key_version": 2, "commit": c.b64e(secrets.token_bytes(32)), "wraps": wraps, "key_macs": junk_macs})
                for wraps in (garbage, valid_wraps)]
        assert [a.status_code for a in answers] == [400, 403]  # not a wrap to a P-256 point; not the coordinator
        assert answers[1].json()["error"] == "not_coordinator"
        assert (await ea.sync()).state is SyncState.SYNCED  # the coordinator rotates
        jb.put("x", {"updated": "1", "title": "gewoon verder"})
        assert (await eb.sync()).state is SyncState.SYNCED
        await remove(ea, ja, state_x.member_id)
        assert (await ea.sync()).state is SyncState.SYNCED and "x" in ja.visible()
        assert (await ex.sync()).state is SyncState.REMOVED

    run(scenario())


@pytest.mark.parametrize("damage", ["garbage_wrap", "wrap_to_an_invalid_point", "wrong_commitment"])
def test_a_key_version_that_does_not_check_out_is_refused_and_the_last_good_key_kept(server, damage):
    """The server hands one member a bad new key (it can: it stores the wraps).
    That member takes in nothing under it, names the coordinator (only the
    coordinator rotates), keeps everything under the last good key, and no
    error ends its sync."""

    async def scenario():
        (ja, ea, _), (jb, eb, _), (jc, ec, _) = await team(server, 3)
        ja.put("oud", {"updated": "1", "title": "onder sleutel 1"})
        await ea.sync()
        await remove(ea, ja, await member_id(jc))
        ja.put("nieuw", {"updated": "2", "title": "onder sleutel 2"})
        await ea.sync()
        b = await member_id(jb)
        keys = m.WrappedKey.__table__
        where = (keys.c.member_id == b) & (keys.c.version == 2)
        with server.engine.begin() as conn:
            if damage == "garbage_wrap":
                conn.execute(update(keys).where(where).values(wrapped=b"\x01" + secrets.token_bytes(125)))
            elif damage == "wrap_to_an_invalid_point":
                conn.execute(update(keys).where(where).values(wrapped=b"\x01" + OFF_CURVE + secrets.token_bytes(60)))
            else:
                conn.execute(update(keys).where(where).values(commit=secrets.token_bytes(32)))
        jb.put("eigen", {"updated": "3", "title": "wacht"})
        for _ in range(2):
            status = await eb.sync()
            assert status.state is SyncState.INTEGRITY and names(status) == ["Lid 0"]
            assert "Lid Lid 0 stuurde een ongeldige sleutel" in dutch_words(status)
            assert (await jb.team_state()).keys.keys() == {1}
            assert "oud" in jb.visible() and "nieuw" not in jb.visible()
            assert status.pending == 1 and "eigen" in jb.visible()  # kept, waiting

    run(scenario())
