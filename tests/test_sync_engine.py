"""The sync engine with the test-double journal: convergence, offline edits,
what the UI is told, and that nothing local waits on or is lost to the network."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.client import TeamClient
from sync.engine import SyncedJournal, SyncEngine, SyncState
from sync.errors import OfflineError, ServerUnreachableError
from sync.testing import MemoryJournal
from tests.sync_helpers.fixtures import run, server, sqlite_server  # noqa: F401 - fixtures


class Switchable:
    """A transport that can be cut: offline, or the server down."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.base_url = inner.base_url
        self.failure = None
        self.calls = 0

    async def request(self, method, path, **kwargs):
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        return await self.inner.request(method, path, **kwargs)

    async def aclose(self):
        await self.inner.aclose()


async def team(server, n: int):
    """n devices in one team, each with its journal, engine and switchable transport."""
    devices = []
    first = server.client()
    state = await first.create_team("Actieteam", "Lid 0", "coordinator", "apparaat 0")
    clients, states = [first], [state]
    for i in range(1, n):
        other = server.client()
        invite = await first.create_invite(state)
        clients.append(other)
        states.append(await other.redeem_invite(invite.code, f"Lid {i}", "lid", f"apparaat {i}"))
    for i, (client, state) in enumerate(zip(clients, states)):
        switch = Switchable(client.transport)
        client = TeamClient(switch, client.crypto, invite_iterations=client.invite_iterations)
        journal = MemoryJournal(f"d{i}")
        await journal.save_team_state(state)
        devices.append((journal, SyncEngine(journal, client), switch))
    return devices


def test_two_devices_edit_offline_and_converge(server):
    async def scenario():
        (ja, ea, sa), (jb, eb, sb) = await team(server, 2)
        ja.put("inc-1", {"updated": "2025-03-14T09:00:00Z", "title": "Nepaccount"})
        await ea.sync()
        await eb.sync()
        assert jb.visible()["inc-1"]["title"] == "Nepaccount"

        sa.failure = OfflineError("test")
        sb.failure = ServerUnreachableError("test")
        ja.put("inc-1", {"updated": "2025-03-14T10:00:00Z", "title": "Nepaccount (a)"})
        ja.put("inc-2", {"updated": "2025-03-14T10:01:00Z", "title": "Bangalijst"})
        jb.put("inc-1", {"updated": "2025-03-14T10:05:00Z", "title": "Nepaccount (b)"})
        jb.delete("inc-2-never-shared", "2025-03-14T10:06:00Z")
        status_a, status_b = await ea.sync(), await eb.sync()
        assert (status_a.state, status_a.pending) == (SyncState.OFFLINE, 2)
        assert (status_b.state, status_b.pending) == (SyncState.UNREACHABLE, 2)
        assert status_a.last_success is not None  # still says when it last worked
        assert ja.visible()["inc-1"]["title"] == "Nepaccount (a)"  # saved locally all the same

        sa.failure = sb.failure = None
        for engine in (ea, eb, ea):
            status = await engine.sync()
            assert status.state is SyncState.SYNCED and status.pending == 0
        assert ja.records == jb.records
        assert ja.visible()["inc-1"]["title"] == "Nepaccount (b)"  # the later edit, on both
        assert "inc-2" in jb.visible()

    run(scenario())


def test_deletions_travel_as_tombstones(sqlite_server):
    async def scenario():
        (ja, ea, _), (jb, eb, _) = await team(sqlite_server, 2)
        ja.put("inc-1", {"updated": "2025-03-14T09:00:00Z", "title": "Weg"})
        await ea.sync()
        await eb.sync()
        jb.delete("inc-1", "2025-03-14T09:30:00Z")
        await eb.sync()
        await ea.sync()
        assert "inc-1" not in ja.visible() and ja.records["inc-1"][0] == "tombstone"

    run(scenario())


def test_a_failed_push_keeps_the_outbox_and_an_edit_during_the_push_stays_queued(sqlite_server):
    async def scenario():
        (ja, ea, sa), (jb, eb, _) = await team(sqlite_server, 2)
        ja.put("inc-1", {"updated": "1", "title": "een"})
        original = ea.client.push
        calls = []

        async def push_then_edit(state, sealed, push_id):
            calls.append(push_id)
            if len(calls) == 1:
                raise ServerUnreachableError("dropped")
            ja.put("inc-1", {"updated": "2", "title": "twee"})  # the user edits while the push is under way
            return await original(state, sealed, push_id)

        ea.client.push = push_then_edit
        assert (await ea.sync()).state is SyncState.UNREACHABLE
        assert [r.record_id for r in await ja.outbox()] == ["inc-1"]
        status = await ea.sync()
        assert status.state is SyncState.SYNCED and status.pending == 1  # "twee" was not in that push
        ea.client.push = original
        assert (await ea.sync()).pending == 0
        await eb.sync()
        assert jb.visible()["inc-1"]["title"] == "twee"

    run(scenario())


def test_removed_device_is_told_and_keeps_its_data(sqlite_server):
    async def scenario():
        (ja, ea, _), (jb, eb, sb) = await team(sqlite_server, 2)
        ja.put("inc-1", {"updated": "1", "title": "gedeeld"})
        await ea.sync()
        await eb.sync()
        state_a = await ja.team_state()
        await ja.save_team_state(await ea.client.remove_member(state_a, (await jb.team_state()).member_id))
        ja.put("inc-2", {"updated": "2", "title": "na verwijdering"})
        await ea.sync()
        jb.put("inc-3", {"updated": "3", "title": "lokaal"})
        status = await eb.sync()
        assert status.state is SyncState.REMOVED and status.pending == 1
        assert (await jb.team_state()).removed
        assert sorted(jb.visible()) == ["inc-1", "inc-3"]  # what it had stays; nothing new arrives
        calls = sb.calls
        assert (await eb.sync()).state is SyncState.REMOVED and sb.calls == calls  # no more requests

    run(scenario())


def test_new_member_reads_history_from_before_a_rotation(sqlite_server):
    async def scenario():
        (ja, ea, _), (jb, eb, _), (jc, ec, _) = await team(sqlite_server, 3)
        ja.put("old", {"updated": "1", "title": "v1"})
        await ea.sync()
        state = await ja.team_state()
        await ja.save_team_state(await ea.client.remove_member(state, (await jc.team_state()).member_id))
        ja.put("new", {"updated": "2", "title": "v2"})
        await ea.sync()
        invite = await ea.client.create_invite(await ja.team_state())
        joiner = sqlite_server.client()
        jd = MemoryJournal("d")
        await jd.save_team_state(await joiner.redeem_invite(invite.code, "Nieuw", "lid", "tablet"))
        assert (await SyncEngine(jd, joiner).sync()).rejected == 0
        assert sorted(jd.visible()) == ["new", "old"]
        assert (await eb.sync()).state is SyncState.SYNCED and sorted(jb.visible()) == ["new", "old"]

    run(scenario())


def test_after_a_leave_members_wait_for_the_coordinators_new_key_then_push(server):
    """PROTOCOL.md: only the coordinator rotates. A member who syncs first after
    someone left keeps its edit waiting (never refused for good); once the
    coordinator's device has synced, the member's next sync sends it under the new key."""

    async def scenario():
        (ja, ea, _), (jb, eb, sb), (jc, ec, _) = await team(server, 3)
        await ec.client.leave(await jc.team_state())
        jb.put("x", {"updated": "1", "title": "na vertrek"})
        status = await eb.sync()
        assert (status.state, status.pending) == (SyncState.WAITING, 1)
        assert (await jb.team_state()).key_version == 1  # b did not try to rotate (the server would refuse it)
        assert (await eb.sync()).state is SyncState.WAITING  # and asking again changes nothing
        assert (await ea.sync()).state is SyncState.SYNCED  # the coordinator renews the key
        assert (await ja.team_state()).key_version == 2
        status = await eb.sync()
        assert (status.state, status.pending) == (SyncState.SYNCED, 0)
        assert (await jb.team_state()).key_version == 2
        await ea.sync()
        assert ja.visible()["x"]["title"] == "na vertrek"
        page = await ea.client.pull(await ja.team_state(), 0)
        assert [c.sealed.key_version for c in page.changes if c.sealed.record_id == "x"] == [2]  # the leaver cannot read it
        assert (await ec.sync()).state is SyncState.REMOVED

    run(scenario())


def test_a_server_restored_from_an_older_backup_is_read_again(tmp_path):
    """The log ends before this device's cursor: the device pulls from the start,
    so a change numbered after the restore is not skipped."""
    import shutil

    from tests.sync_helpers.servers import InProcess

    db = tmp_path / "team.sqlite3"
    server = InProcess(f"sqlite:///{db}")

    async def scenario():
        (ja, ea, _), (jb, eb, _) = await team(server, 2)
        ja.put("r1", {"updated": "1", "title": "voor de back-up"})
        await ea.sync()
        await eb.sync()
        server.engine.dispose()
        shutil.copy(db, tmp_path / "backup.sqlite3")
        ja.put("r2", {"updated": "2", "title": "na de back-up"})
        ja.put("r3", {"updated": "3", "title": "na de back-up"})
        await ea.sync()
        await eb.sync()
        assert (await jb.team_state()).cursor == 3
        server.engine.dispose()
        shutil.copy(tmp_path / "backup.sqlite3", db)  # the school restores last night's backup
        for suffix in ("-wal", "-shm"):
            (tmp_path / f"team.sqlite3{suffix}").unlink(missing_ok=True)
        ja.put("r4", {"updated": "4", "title": "na het terugzetten"})
        await ea.sync()
        assert (await eb.sync()).state is SyncState.SYNCED
        assert jb.visible()["r4"]["title"] == "na het terugzetten"

    try:
        run(scenario())
    finally:
        server.close()


def test_a_withheld_key_stops_the_pull_instead_of_skipping_records(sqlite_server):
    async def scenario():
        (ja, ea, _), (jb, eb, _), (jc, ec, _) = await team(sqlite_server, 3)
        state = await ja.team_state()
        await ja.save_team_state(await ea.client.remove_member(state, (await jc.team_state()).member_id))
        ja.put("new", {"updated": "1", "title": "onder sleutel 2"})
        await ea.sync()
        original = eb.client.refresh_keys

        async def withheld(state):
            return state  # the server "forgets" b's wrapped key

        eb.client.refresh_keys = withheld
        status = await eb.sync()
        assert status.state is SyncState.UNREACHABLE and status.rejected == 0
        assert (await jb.team_state()).cursor == 0 and "new" not in jb.visible()
        eb.client.refresh_keys = original
        assert (await eb.sync()).state is SyncState.SYNCED and "new" in jb.visible()

    run(scenario())


def test_not_in_a_team(sqlite_server):
    journal = MemoryJournal("x")
    engine = SyncEngine(journal, sqlite_server.client())
    assert isinstance(journal, SyncedJournal)
    assert run(engine.sync()).state is SyncState.NOT_IN_TEAM


def test_large_outbox_goes_in_chunks_and_pulls_in_pages(sqlite_server):
    async def scenario():
        (ja, ea, _), (jb, eb, _) = await team(sqlite_server, 2)
        for i in range(250):
            ja.put(f"r{i:03}", {"updated": "1", "n": i})
        assert (await ea.sync()).pending == 0
        original = eb.client.pull
        pages = []

        async def small_pages(state, after, limit=500):
            pages.append(after)
            return await original(state, after, 60)

        eb.client.pull = small_pages
        await eb.sync()
        assert len(jb.visible()) == 250 and len(pages) == 5

    run(scenario())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_interleaving_of_edits_and_syncs_converges(sqlite_server, data):
    """Three devices, random edits, random syncs, random outages: after everyone
    syncs twice with the network back, all journals are equal and every edit
    that was acknowledged is there."""

    async def scenario():
        devices = await team(sqlite_server, 3)
        clock = 0
        for _ in range(data.draw(st.integers(5, 25))):
            i = data.draw(st.integers(0, 2))
            journal, engine, switch = devices[i]
            action = data.draw(st.sampled_from(["edit", "edit", "delete", "sync", "cut", "restore"]))
            clock += 1
            if action == "edit":
                journal.put(f"r{data.draw(st.integers(0, 4))}", {"updated": f"{clock:05}", "v": clock})
            elif action == "delete":
                journal.delete(f"r{data.draw(st.integers(0, 4))}", f"{clock:05}")
            elif action == "sync":
                await engine.sync()
            elif action == "cut":
                switch.failure = data.draw(st.sampled_from([OfflineError("x"), ServerUnreachableError("x")]))
            else:
                switch.failure = None
        for _, _, switch in devices:
            switch.failure = None
        for _ in range(2):
            for _, engine, _ in devices:
                assert (await engine.sync()).state is SyncState.SYNCED
        first = devices[0][0].records
        assert all(journal.records == first for journal, _, _ in devices)
        assert [len(await journal.outbox()) for journal, _, _ in devices] == [0, 0, 0]

    asyncio.run(scenario())
