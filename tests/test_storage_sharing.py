"""The journal shared with a team: real journals, the sync engine and the team
server (in process; SQLite and PostgreSQL).

Only incidents shared with the team leave the device; offline edits are kept
and sent later; two members editing the same incident converge, a value
both changed keeps both versions; deletions travel; a removed member keeps
what it had and reads nothing written afterwards; the server stores no word
of any incident.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest
import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, MemoryBlob, memory_store, rich_incident  # noqa: E402

from storage import incidents as inc  # noqa: E402
from storage.errors import IncidentNotFoundError  # noqa: E402
from storage.merge import content_of  # noqa: E402
from sync.client import TeamClient  # noqa: E402
from sync.engine import SyncEngine, SyncState  # noqa: E402
from sync.errors import OfflineError  # noqa: E402
from sync.journal import TeamJournal  # noqa: E402
from tests.sync_helpers.fixtures import run, server, sqlite_server  # noqa: E402,F401 - fixtures

MARKER = "Zeldzaamwoordvoordeserver"


class Switchable:
    """A transport the test can cut (a phone going offline)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.base_url = inner.base_url
        self.offline = False

    async def request(self, method, path, **kwargs):
        if self.offline:
            raise OfflineError("no network")
        return await self.inner.request(method, path, **kwargs)

    async def aclose(self):
        await self.inner.aclose()


class Member:
    """A staff member's device: its own encrypted journal and sync engine."""

    def __init__(self, blob: MemoryBlob, client: TeamClient, switch: Switchable, name: str) -> None:
        self.blob, self.client, self.switch, self.name = blob, client, switch, name

    async def open(self):
        self.journal = await memory_store(self.blob).unlock(PASS)
        self.team = TeamJournal(self.journal)
        self.engine = SyncEngine(self.team, self.client)
        return self

    async def sync(self):
        status = await self.engine.sync()
        return status


async def _team(server, n: int = 2) -> list[Member]:
    members = []
    coordinator_state = None
    first_client = None
    for k in range(n):
        raw = server.client()
        switch = Switchable(raw.transport)
        client = TeamClient(switch, raw.crypto, invite_iterations=raw.invite_iterations)
        blob = MemoryBlob()
        journal = await memory_store(blob).create(PASS)
        if k == 0:
            state = await client.create_team("Actieteam", "Mevr. Jansen", "coördinator", "telefoon")
            coordinator_state, first_client = state, client
        else:
            invite = await first_client.create_invite(coordinator_state)
            state = await client.redeem_invite(invite.code, f"Lid {k}", "mentor", "Chromebook")
        await TeamJournal(journal).save_team_state(state)
        members.append(await Member(blob, client, switch, f"lid-{k}").open())
    return members


def _content(journal, iid):
    return content_of(inc.incident_to_dict(journal.get(iid)))


def test_only_shared_incidents_reach_the_team_and_offline_edits_are_sent_later(server):
    async def scenario():
        a, b = await _team(server)
        shared = await a.journal.save(rich_incident(MARKER + " gedeeld"))
        private = await a.journal.save(rich_incident(MARKER + " persoonlijk"))
        await a.journal.share(shared.id, "Mevr. Jansen")
        await a.sync()
        status_b = await b.sync()
        got = b.journal.get(shared.id)
        # B edits offline: saved at once, waiting to be sent
        b.switch.offline = True
        await b.journal.save(inc.add_note(got, "Ouders gebeld (offline)", by="lid 1"))
        offline = await b.sync()
        # B's app is closed and opened again before the network is back
        await b.open()
        b.switch.offline = False
        back = await b.sync()
        await a.sync()
        return a, b, shared, private, status_b, offline, back

    a, b, shared, private, status_b, offline, back = run(scenario())
    assert status_b.state is SyncState.SYNCED
    assert b.journal.is_shared(shared.id) and not b.journal.is_shared(private.id)
    with pytest.raises(IncidentNotFoundError):
        b.journal.get(private.id)  # a personal incident never leaves its device
    assert offline.state is SyncState.OFFLINE and offline.pending == 1
    assert back.state is SyncState.SYNCED and back.pending == 0
    assert "Ouders gebeld (offline)" in [n.text for n in a.journal.get(shared.id).notes]
    assert _content(a.journal, shared.id) == _content(b.journal, shared.id)
    # the server holds no word of either incident
    with server.engine.connect() as db:
        for table in sqlalchemy.inspect(server.engine).get_table_names():
            for row in db.execute(sqlalchemy.text(f"SELECT * FROM {table}")):
                assert MARKER.encode() not in repr(row).encode()


def test_two_members_editing_offline_converge_and_keep_both_versions_of_a_value(sqlite_server):
    async def scenario():
        a, b = await _team(sqlite_server)
        item = await a.journal.save(rich_incident("Dreigende berichten"))
        await a.journal.share(item.id, "Mevr. Jansen")
        await a.sync()
        await b.sync()
        a.switch.offline = b.switch.offline = True
        await a.journal.save(inc.add_note(dataclasses.replace(a.journal.get(item.id), title="Titel van A"), "notitie A"))
        await b.journal.save(
            inc.set_ticked(dataclasses.replace(b.journal.get(item.id), title="Titel van B", report_channel="mail"), "ouders")
        )
        await a.sync(), await b.sync()
        a.switch.offline = b.switch.offline = False
        for member in (a, b, a):
            await member.sync()
        return a, b, item.id

    a, b, iid = run(scenario())
    assert _content(a.journal, iid) == _content(b.journal, iid)  # the same incident on both devices
    merged = a.journal.get(iid)
    assert merged.conflicts == ("title",)
    assert {merged.title, merged.alternatives["title"][0].value} == {"Titel van A", "Titel van B"}
    assert merged.report_channel == "mail" and "ouders" in merged.ticked
    assert "notitie A" in [n.text for n in merged.notes]


def test_a_deletion_travels_and_wins(sqlite_server):
    async def scenario():
        a, b = await _team(sqlite_server)
        item = await a.journal.save(rich_incident("Wordt verwijderd"))
        await a.journal.share(item.id, "Mevr. Jansen")
        await a.sync(), await b.sync()
        b.switch.offline = True
        await b.journal.save(inc.add_note(b.journal.get(item.id), "Nog een notitie"))
        await a.journal.delete(item.id)
        await a.sync()
        b.switch.offline = False
        await b.sync()
        await a.sync()
        return a, b, item.id

    a, b, iid = run(scenario())
    assert b.journal.incidents() == [] and b.journal.is_deleted(iid)
    assert a.journal.incidents() == []
    assert b.journal.outbox() == []


def test_a_removed_member_keeps_what_it_had_and_reads_nothing_written_afterwards(sqlite_server):
    async def scenario():
        a, b, c = await _team(sqlite_server, 3)
        item = await a.journal.save(rich_incident("Gedeeld met drie"))
        await a.journal.share(item.id, "Mevr. Jansen")
        for m in (a, b, c):
            await m.sync()
        state = await a.team.team_state()
        members = (await a.client.team(state)).members
        removed_id = next(m.member_id for m in members if m.display_name == "Lid 2")
        await a.team.save_team_state(await a.client.remove_member(state, removed_id))
        await a.journal.save(inc.add_note(a.journal.get(item.id), MARKER + " na het verwijderen"))
        await a.sync(), await b.sync()
        removed = await c.sync()
        return b, c, item.id, removed

    b, c, iid, removed = run(scenario())
    assert removed.state is SyncState.REMOVED
    kept = c.journal.get(iid)  # what it had stays on its device
    assert MARKER + " na het verwijderen" not in [n.text for n in kept.notes]
    assert MARKER + " na het verwijderen" in [n.text for n in b.journal.get(iid).notes]


def test_a_record_from_the_team_that_breaks_a_rule_is_left_out(sqlite_server):
    """A member whose clock is set to 2099 (or a buggy app) cannot break the others' journals."""

    async def scenario():
        a, b = await _team(sqlite_server)
        item = await a.journal.save(rich_incident("Goed"))
        await a.journal.share(item.id, "Mevr. Jansen")
        await a.sync()
        future = {**content_of(inc.incident_to_dict(item)), "id": inc.new_id(), "updated": "2099-01-01T00:00:00.000000Z"}
        refused = (await b.journal.apply_shared(
            [("incident", future["id"], json.dumps(future).encode()), ("incident", "x", b"[[[")],
            lambda rid: "team",
        )).refused
        await b.sync()
        return b, item.id, refused

    b, iid, refused = run(scenario())
    assert refused == 2
    assert [i.id for i in b.journal.incidents()] == [iid]
