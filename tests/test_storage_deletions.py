"""A shared incident a member deletes can be restored by any member for 30 days,
then it is purged to a tombstone; the deletion says who and when.  And the
journal's schema 3 (who wrote each value, the deletion log, the ``deleted``
records): older journals open and are rewritten as schema 3.

Real journals (in memory), the sync engine and the team server in process.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, T0, MemoryBlob, memory_store, rich_incident  # noqa: E402

from storage import container as fmt  # noqa: E402
from storage import incidents as inc  # noqa: E402
from storage.errors import IncidentNotFoundError, NewerFormatError  # noqa: E402
from storage.merge import content_of, stamp_edit  # noqa: E402
from storage.native import NativeCrypto  # noqa: E402
from storage.sealed import decode_body  # noqa: E402
from sync.client import TeamClient  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.journal import TeamJournal  # noqa: E402
from tests.sync_helpers.fixtures import run, sqlite_server  # noqa: E402,F401 - fixtures
from tests.test_storage_sharing import Switchable  # noqa: E402

DAY = timedelta(days=1)


class Clock:
    """The devices' clock (each journal store asks it for "now")."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


class Device:
    def __init__(self, blob: MemoryBlob, client: TeamClient, switch: Switchable, clock: Clock) -> None:
        self.blob, self.client, self.switch, self.clock = blob, client, switch, clock

    async def open(self) -> "Device":
        self.journal = await memory_store(self.blob, now=self.clock).unlock(PASS)
        self.engine = SyncEngine(TeamJournal(self.journal), self.client)
        return self

    async def sync(self):
        return await self.engine.sync()


async def _team(server, clock: Clock, n: int = 2) -> list[Device]:
    devices, first = [], None
    for k in range(n):
        raw = server.client()
        switch = Switchable(raw.transport)
        client = TeamClient(switch, raw.crypto, invite_iterations=raw.invite_iterations)
        blob = MemoryBlob()
        journal = await memory_store(blob, now=clock).create(PASS)
        if k == 0:
            state = await client.create_team("Actieteam", "Anna", "coördinator", "telefoon")
            first = (client, state)
        else:
            invite = await first[0].create_invite(first[1])
            state = await client.redeem_invite(invite.code, f"Lid {k}", "mentor", "Chromebook")
        await TeamJournal(journal).save_team_state(state)
        devices.append(await Device(blob, client, switch, clock).open())
    return devices


async def _shared(device: Device, title: str = "Bangalijst") -> inc.Incident:
    item = await device.journal.save(rich_incident(title, when=device.clock.now - timedelta(hours=1)))
    await device.journal.share(item.id, "Anna")
    return item


# -- one journal -------------------------------------------------------------------------------------------


def test_a_shared_incident_deleted_here_says_who_and_when_and_comes_back_whole():
    clock = Clock()

    async def scenario():
        journal = await memory_store(now=clock).create(PASS)
        item = await journal.save(rich_incident("Bangalijst", when=clock.now - timedelta(hours=1)))
        await journal.share(item.id, "Anna")
        before = content_of(inc.incident_to_dict(journal.get(item.id)))
        await journal.delete(item.id, by="Anna", restorable=True)
        listed = journal.deleted_incidents()
        gone = ([i.id for i in journal.incidents()], journal.is_deleted(item.id))
        clock.now += 29 * DAY
        restored = await journal.restore(item.id, by="Bob")
        return journal, item, before, listed, gone, restored

    journal, item, before, listed, gone, restored = run(scenario())
    assert gone == ([], True)
    [deleted] = listed
    assert deleted.id == item.id and deleted.deleted.by == "Anna" and deleted.deleted.at == clock.now - 29 * DAY
    assert deleted.restorable_until() == deleted.deleted.at + timedelta(days=30)
    assert [i.id for i in journal.incidents()] == [item.id] and not journal.is_deleted(item.id)
    assert restored.deleted is None and [(d.by, d.restored) for d in restored.deletions] == [("Anna", False), ("Bob", True)]
    after = content_of(inc.incident_to_dict(restored))
    for key in ("title", "notes", "ticks", "pupils", "contacts", "follow_ups", "status_history", "evaluation"):
        assert after[key] == before[key], key  # nothing of it was lost
    assert journal.deleted_incidents() == []


def test_after_30_days_a_deleted_shared_incident_is_purged_to_a_tombstone_and_cannot_be_restored():
    clock = Clock()

    async def scenario():
        journal = await memory_store(now=clock).create(PASS)
        item = await journal.save(rich_incident("Weg", when=clock.now - timedelta(hours=1)))
        await journal.share(item.id, "Anna")
        await journal.delete(item.id, by="Anna", restorable=True)
        deleted_at = journal.deleted_incident(item.id).deleted.at
        early = await journal.purge_deleted(clock.now + 30 * DAY - timedelta(seconds=1))
        clock.now += 30 * DAY
        listed = journal.deleted_incidents()
        with pytest.raises(IncidentNotFoundError):
            await journal.restore(item.id, by="Bob")
        purged = await journal.purge_deleted()
        return journal, item, deleted_at, early, listed, purged

    journal, item, deleted_at, early, listed, purged = run(scenario())
    assert early == [] and listed == [] and purged == [item.id]
    assert journal.deleted_incident(item.id) is None and journal.is_deleted(item.id)
    [(rid, kind, plaintext, _revision)] = journal.outbox()
    assert (rid, kind) == (item.id, "tombstone")  # the purge goes to the team too
    assert json.loads(plaintext) == {"id": item.id, "deleted_at": inc.time_to_str(deleted_at)}
    assert "Weg" not in plaintext.decode()


def test_a_journal_that_leaves_its_team_purges_every_deleted_incident_at_once():
    clock = Clock()

    async def scenario():
        journal = await memory_store(now=clock).create(PASS)
        item = await journal.save(rich_incident("Net verwijderd", when=clock.now - timedelta(hours=1)))
        await journal.share(item.id, "Anna")
        await journal.delete(item.id, by="Anna", restorable=True)
        return journal, item, await journal.purge_deleted(everything=True)

    journal, item, purged = run(scenario())
    assert purged == [item.id] and journal.deleted_incident(item.id) is None and journal.is_deleted(item.id)


def test_a_personal_incident_is_deleted_for_good_and_asking_for_restorable_changes_nothing():
    async def scenario():
        journal = await memory_store().create(PASS)
        item = await journal.save(rich_incident("Persoonlijk"))
        await journal.delete(item.id, by="Anna", restorable=True)  # not shared: nobody to restore it for
        return journal, item

    journal, item = run(scenario())
    assert journal.deleted_incidents() == [] and journal.deleted_incident(item.id) is None
    assert journal.is_deleted(item.id) and journal.outbox() == []


def test_a_deleted_incident_cannot_be_edited_and_an_old_backup_does_not_bring_it_back():
    clock = Clock()

    async def scenario():
        journal = await memory_store(now=clock).create(PASS)
        item = await journal.save(rich_incident("Back-up", when=clock.now - timedelta(hours=1)))
        await journal.share(item.id, "Anna")
        backup = await journal.export_backup("back-up wachtwoord")
        shown = journal.get(item.id)
        await journal.delete(item.id, by="Anna", restorable=True)
        with pytest.raises(IncidentNotFoundError):
            await journal.save(inc.add_note(shown, "Na het verwijderen"))
        report = await journal.import_backup(backup, "back-up wachtwoord")
        return journal, item, report

    journal, item, report = run(scenario())
    assert report.skipped_deleted == [item.id] and journal.incidents() == []
    assert journal.deleted_incident(item.id) is not None  # still restorable


def test_the_changes_waiting_are_counted_per_change_not_per_incident():
    async def scenario():
        journal = await memory_store().create(PASS)
        item = await journal.save(rich_incident("Telt"))
        await journal.share(item.id, "Anna")  # 1
        for text in ("een", "twee"):
            await journal.save(inc.add_note(journal.get(item.id), text))  # 2, 3
        counted = journal.pending_changes()
        [(rid, _kind, _plaintext, revision)] = journal.outbox()
        await journal.save(inc.add_note(journal.get(item.id), "tijdens het sturen"))  # 4, while 1-3 are sent
        await journal.clear_outbox([(rid, revision)])
        return journal, counted

    journal, counted = run(scenario())
    assert counted == 3 and len(journal.outbox()) == 1
    assert journal.pending_changes() == 1  # what was sent no longer waits; the one made meanwhile does


# -- the team ---------------------------------------------------------------------------------------------


def test_a_member_deletes_a_shared_incident_and_another_restores_it_for_everyone(sqlite_server):
    clock = Clock()

    async def scenario():
        a, b, c = await _team(sqlite_server, clock, 3)
        item = await _shared(a)
        for d in (a, b, c):
            await d.sync()
        c.switch.offline = True  # c edits while a deletes: the edit is not lost
        await c.journal.save(inc.add_note(c.journal.get(item.id), "Offline geschreven"))
        await a.journal.delete(item.id, by="Anna", restorable=True)
        await a.sync(), await b.sync()
        seen_by_b = b.journal.deleted_incidents()
        c.switch.offline = False
        await c.sync()
        seen_by_c = c.journal.deleted_incidents()
        clock.now += 2 * DAY
        await b.journal.restore(item.id, by="Bob")
        for d in (b, c, a):
            await d.sync()
        return a, b, c, item, seen_by_b, seen_by_c

    a, b, c, item, seen_by_b, seen_by_c = run(scenario())
    for seen in (seen_by_b, seen_by_c):
        [deleted] = seen
        assert deleted.id == item.id and deleted.deleted.by == "Anna"
    for d in (a, b, c):
        restored = d.journal.get(item.id)  # back on every device
        assert restored.deleted is None and d.journal.deleted_incidents() == []
        assert "Offline geschreven" in [n.text for n in restored.notes]
        assert content_of(inc.incident_to_dict(restored)) == content_of(inc.incident_to_dict(a.journal.get(item.id)))


def test_a_purge_travels_as_a_tombstone_and_a_member_who_was_away_sees_it_gone(sqlite_server):
    clock = Clock()

    async def scenario():
        a, b = await _team(sqlite_server, clock)
        item = await _shared(a)
        await a.sync(), await b.sync()
        await a.journal.delete(item.id, by="Anna", restorable=True)
        await a.sync()
        clock.now += 31 * DAY
        await a.journal.purge_deleted()
        await a.sync()
        await b.sync()  # b was away the whole month
        return a, b, item

    a, b, item = run(scenario())
    for d in (a, b):
        assert d.journal.deleted_incidents() == [] and d.journal.deleted_incident(item.id) is None
        assert d.journal.is_deleted(item.id) and d.journal.incidents() == []
        assert d.journal.outbox() == []


def test_a_new_member_receives_a_deleted_incident_as_deleted_and_can_restore_it(sqlite_server):
    clock = Clock()

    async def scenario():
        a, b = await _team(sqlite_server, clock)
        item = await _shared(a)
        await a.sync()
        await a.journal.delete(item.id, by="Anna", restorable=True)
        await a.sync()
        await b.sync()
        restored = await b.journal.restore(item.id, by="Bob")
        await b.sync(), await a.sync()
        return a, b, item, restored

    a, b, item, restored = run(scenario())
    assert restored.deleted is None and b.journal.is_shared(item.id)
    assert a.journal.get(item.id).deleted is None


# -- schema 3 and older journals -----------------------------------------------------------------------------


async def _journal_file(schema: int, records: list[dict]) -> bytes:
    """A journal as an app of ``schema`` wrote it (encoding 0, 1,000 iterations)."""
    crypto = NativeCrypto()
    key = crypto.random_bytes(32)
    slot = await fmt.make_key_slot(crypto, fmt.normalize_passphrase(PASS), key, kind=fmt.KIND_JOURNAL, iterations=1000)
    body = fmt.dump_record({"t": "meta", "schema": schema}) + b"".join(fmt.dump_record(r) for r in records)
    return await fmt.seal(crypto, kind=fmt.KIND_JOURNAL, slot=slot, data_key=key, body=body, encoding=fmt.ENCODING_RAW)


async def _schema_of(blob: bytes) -> int:
    crypto = NativeCrypto()
    header = fmt.parse_header(blob, min_iterations=1000)
    key = await fmt.open_key_slot(crypto, header, fmt.normalize_passphrase(PASS))
    return decode_body(await fmt.open_body(crypto, header, blob, key), inc.SCHEMA_VERSION).schema


def _schema2_incident() -> dict:
    """An incident as schema 2 stored it: register stamps, no writers, no deletion log."""
    doc = stamp_edit(None, inc.validate_incident(rich_incident("Uit schema 2")), T0)
    assert "field_by" not in doc and "deletions" not in doc
    return doc


@pytest.mark.parametrize("schema", [1, 2])
def test_an_older_journal_opens_unchanged_and_is_rewritten_as_schema_3(schema):
    incident = _schema2_incident() if schema == 2 else {
        k: v for k, v in _schema2_incident().items() if k not in ("field_updated", "field_base")}
    gone = inc.new_id()
    records = [
        {"t": "settings", "doc": {"auto_lock_minutes": 5, "retention_months": 12, "updated": None}},
        {"t": "incident", "doc": incident},
        {"t": "tombstone", "doc": {"id": gone, "deleted_at": inc.time_to_str(T0)}},
    ]

    async def scenario():
        blob = MemoryBlob(await _journal_file(schema, records))
        journal = await memory_store(blob).unlock(PASS)
        return journal, blob, await _schema_of(blob.data)

    journal, blob, written = run(scenario())
    assert written == inc.SCHEMA_VERSION == 3  # rewritten at unlock, as the current schema
    [item] = journal.incidents()
    assert item.title == "Naaktfoto gedeeld (Uit schema 2)" and item.field_by == {} and item.deletions == ()
    assert journal.is_deleted(gone) and journal.deleted_incidents() == []
    # An incident never deleted and edited by nobody who signs is stored as schema 2 had it:
    # members whose app is older still read what such an incident sends them.
    assert "deletions" not in content_of(inc.incident_to_dict(item))
    with pytest.raises(NewerFormatError):  # and an app of schema 2 refuses the rewritten file
        decode_body(b'{"schema":3,"t":"meta"}\n', 2)


def test_every_value_says_who_wrote_it_and_an_edit_by_someone_else_names_them():
    async def scenario():
        journal = await memory_store().create(PASS)
        await journal.save_settings(dataclasses.replace(journal.settings, author="Anna"))
        item = await journal.save(rich_incident("Wie"))
        await journal.save_settings(dataclasses.replace(journal.settings, author="Bob"))
        edited = await journal.save(dataclasses.replace(journal.get(item.id), title="Nieuwe titel"))
        return item, edited

    item, edited = run(scenario())
    assert item.field_by["title"] == item.field_by["type"] == "Anna"
    pupil = item.pupils[0]
    assert item.field_by[f"pupils:{pupil.id}"] == "Anna"
    assert edited.field_by["title"] == "Bob" and edited.field_by["type"] == "Anna"


# -- any order of the team's records, the same journal ---------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_OPS = st.sampled_from(["title", "note", "delete", "restore"])


def _versions(ops: list[tuple[int, str]]) -> list[dict]:
    """Versions of one shared incident as members wrote them: each op edits an earlier version."""
    base = inc.new_incident("Basis", "bangalijst", now=T0)
    docs = [stamp_edit(None, inc.validate_incident(base), T0, "Anna")]
    for k, (parent, op) in enumerate(ops, start=1):
        at = T0 + timedelta(minutes=k)
        before = docs[parent % len(docs)]
        i = inc.incident_from_trusted(before)
        if op == "title":
            i = dataclasses.replace(i, title=f"Titel {k}")
        elif op == "note":
            i = inc.add_note(i, f"Notitie {k}", at=at)
        elif op == "delete":
            i = inc.mark_deleted(i, by=f"lid {k}", at=at)
        elif i.deleted:
            i = inc.mark_restored(i, by=f"lid {k}", at=at)
        docs.append(stamp_edit(before, inc.validate_incident(i), at, f"lid {k}") or before)
    return docs


def _state(journal, iid: str):
    if journal.is_deleted(iid) and journal.deleted_incident(iid) is None:
        return "tombstone"
    where, incident = ("deleted", journal.deleted_incident(iid)) if journal.deleted_incident(iid) else (
        "incidents", journal.get(iid))
    return where, content_of(inc.incident_to_dict(incident))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), _OPS), min_size=1, max_size=6), st.booleans(), st.randoms())
def test_the_teams_records_in_any_order_leave_every_journal_the_same(ops, with_tombstone, rng):
    """Versions with deletions and restores, and perhaps a purge's tombstone,
    taken in by two journals in different orders (and some twice): the same
    incident, in the same place (listed, deleted and restorable, or gone)."""
    docs = _versions(ops)
    iid = docs[0]["id"]
    records = [("incident", iid, json.dumps(content_of(d)).encode()) for d in docs]
    if with_tombstone:
        records.append(("tombstone", iid, json.dumps({"id": iid, "deleted_at": inc.time_to_str(T0)}).encode()))

    async def take_in(order) -> object:
        journal = await memory_store().create(PASS)
        for record in order:
            assert (await journal.apply_shared([record], lambda rid: "team")).refused == 0
        return _state(journal, iid)

    first = list(records)
    second = list(records) + [rng.choice(records)]
    rng.shuffle(second)
    a, b = run(take_in(first)), run(take_in(second))
    assert a == b
    if with_tombstone:
        assert a == "tombstone"
    else:
        merged = inc.incident_from_dict(a[1] | {"revision": 1})
        assert a[0] == ("deleted" if merged.deleted else "incidents")
