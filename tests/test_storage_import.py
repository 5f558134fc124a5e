"""Backups: export, import, merge, and refusing everything that is not a good backup."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, T0, fast_store, journal_path, rich_incident, run, snapshot  # noqa: E402

from storage import container as fmt  # noqa: E402
from storage import incidents as inc  # noqa: E402
from storage.errors import (  # noqa: E402
    DamagedFileError,
    InvalidBackupError,
    NewerFormatError,
    NotABackupError,
    StorageError,
    WrongBackupPassphraseError,
)
from storage.native import NativeCrypto  # noqa: E402

BACKUP_PASS = "back-up wachtwoord"


def _clock(start=T0):
    state = {"t": start}

    def now():
        state["t"] += timedelta(seconds=1)
        return state["t"]

    return now


async def _two_journals(tmp_path):
    clock = _clock(inc.utcnow())  # the edits below are stamped with the real time
    a = await fast_store(tmp_path / "a", now=clock).create(PASS)
    b = await fast_store(tmp_path / "b", now=clock).create(PASS)
    return a, b


# -- export / import round trips -------------------------------------------------------


def test_full_backup_restores_everything_on_another_device(tmp_path):
    async def scenario():
        a, b = await _two_journals(tmp_path)
        saved = await a.save_many([rich_incident("Een"), rich_incident("Twee")])
        await a.save_policy_item(inc.PolicyItem("thema-1", "in orde", owner="ib"))
        backup = await a.export_backup(BACKUP_PASS)
        report = await b.import_backup(backup, BACKUP_PASS)
        return saved, report, b

    saved, report, b = run(scenario())
    assert sorted(report.added) == sorted(i.id for i in saved)
    assert report.updated == [] and report.unchanged == []
    assert report.policy_added == ["thema-1"]
    for incident in saved:
        assert b.get(incident.id) == incident
    assert b.policy()["thema-1"].status == "in orde"


def test_backup_of_chosen_incidents_only(tmp_path):
    async def scenario():
        a, b = await _two_journals(tmp_path)
        one, two, three = await a.save_many([rich_incident("Een"), rich_incident("Twee"), rich_incident("Drie")])
        await a.save_policy_item(inc.PolicyItem("thema-1"))
        backup = await a.export_backup(BACKUP_PASS, [one.id, three.id])
        report = await b.import_backup(backup, BACKUP_PASS)
        return (one, two, three), report, b

    (one, two, three), report, b = run(scenario())
    assert sorted(report.added) == sorted([one.id, three.id])
    assert {i.id for i in b.incidents()} == {one.id, three.id}
    assert b.policy() == {}


def test_importing_the_same_backup_twice_changes_nothing_the_second_time(tmp_path):
    async def scenario():
        a, b = await _two_journals(tmp_path)
        await a.save_many([rich_incident("Een"), rich_incident("Twee")])
        await b.save(rich_incident("Eigen"))
        backup = await a.export_backup(BACKUP_PASS)
        first = await b.import_backup(backup, BACKUP_PASS)
        on_disk = snapshot(tmp_path / "b")
        listed = b.incidents()
        second = await b.import_backup(backup, BACKUP_PASS)
        return first, second, on_disk, listed, b

    first, second, on_disk, listed, b = run(scenario())
    assert len(first.added) == 2
    assert second.added == [] and second.updated == [] and not second.changed
    assert sorted(second.unchanged) == sorted(first.added)
    assert snapshot(tmp_path / "b") == on_disk  # not even rewritten
    assert b.incidents() == listed


def test_merge_keeps_both_sides_work_and_the_newer_values(tmp_path):
    """Two devices edit the same incident; importing merges instead of overwriting."""

    async def scenario():
        a, b = await _two_journals(tmp_path)
        base = await a.save(rich_incident("Gedeeld"))
        await b.import_backup(await a.export_backup(BACKUP_PASS), BACKUP_PASS)
        on_b = b.get(base.id)
        # device A (earlier): new title, a note, a tick
        a1 = await a.save(inc.add_note(dataclasses.replace(base, title="Titel van A"), "notitie A", by="a"))
        a1 = await a.save(inc.set_ticked(a1, "ouders", by="a"))
        # device B (later): new channel, an edit of the first note, a contact
        b1 = inc.edit_note(on_b, on_b.notes[0].id, "bewerkt op B", by="b")
        b1 = await b.save(dataclasses.replace(b1, report_channel="telefoon"))
        b1 = await b.save(inc.put_contact(b1, inc.Contact(inc.new_id(), "zorg", T0, "GGD", "overleg")))
        # and later again on A: the title once more (newer than anything on B)
        a2 = await a.save(dataclasses.replace(a1, title="Titel van A, later"))
        report = await b.import_backup(await a.export_backup(BACKUP_PASS), BACKUP_PASS)
        return base, a2, b1, report, b.get(base.id)

    base, a2, b1, report, merged = run(scenario())
    assert report.updated == [base.id]
    assert merged.title == "Titel van A, later"  # A changed it last
    assert merged.report_channel == "telefoon"  # only B changed it
    note_texts = {v.text for n in merged.notes for v in n.versions}
    assert {"notitie A", "bewerkt op B"} <= note_texts
    assert all(v.text in note_texts for n in base.notes for v in n.versions)  # no version lost
    assert "ouders" in merged.ticked
    assert any(c.with_whom == "GGD" for c in merged.contacts)
    assert merged.revision > b1.revision
    # each value changed on one side only: nothing for the user to settle
    assert report.conflicts == [] and merged.conflicts == ()


def test_the_same_value_changed_on_both_devices_keeps_both(tmp_path):
    """A real conflict: both titles are kept, the later one shown, and the
    report names it; settling it on one device settles it on the other."""

    async def scenario():
        a, b = await _two_journals(tmp_path)
        base = await a.save(rich_incident("Gedeeld"))
        await b.import_backup(await a.export_backup(BACKUP_PASS), BACKUP_PASS)
        await a.save(dataclasses.replace(base, title="Titel van A"))
        on_b = await b.save(dataclasses.replace(b.get(base.id), title="Titel van B"))  # later
        report = await a.import_backup(await b.export_backup(BACKUP_PASS), BACKUP_PASS)
        on_a = a.get(base.id)
        settled = await a.save(inc.settle(on_a, "title", on_a.alternatives["title"][0]))
        back = await b.import_backup(await a.export_backup(BACKUP_PASS), BACKUP_PASS)
        return on_b, report, on_a, settled, back, b.get(base.id)

    on_b, report, on_a, settled, back, b_after = run(scenario())
    assert [(c.field, c.winner) for c in report.conflicts] == [("title", "backup")]
    assert on_a.title == "Titel van B" and on_a.conflicts == ("title",)
    assert [x.value for x in on_a.alternatives["title"]] == ["Titel van A"]
    assert settled.title == "Titel van A" and settled.conflicts == ()
    assert back.conflicts == [] and b_after.title == "Titel van A" and b_after.conflicts == ()


def test_an_older_backup_never_overwrites_newer_local_data(tmp_path):
    async def scenario():
        a, b = await _two_journals(tmp_path)
        base = await a.save(rich_incident("Oud"))
        old_backup = await a.export_backup(BACKUP_PASS)
        newer = await a.save(inc.add_note(dataclasses.replace(base, title="Nieuwe titel", type="bedreiging"), "later"))
        report = await a.import_backup(old_backup, BACKUP_PASS)
        return newer, report, a.get(base.id)

    newer, report, current = run(scenario())
    assert current == newer
    assert report.unchanged == [newer.id]
    assert all(c.winner == "local" for c in report.conflicts)


def test_a_locally_deleted_incident_is_not_brought_back_by_an_older_backup(tmp_path):
    async def scenario():
        a, _ = await _two_journals(tmp_path)
        gone = await a.save(rich_incident("Verwijderd"))
        backup = await a.export_backup(BACKUP_PASS)
        await a.delete(gone.id)
        report = await a.import_backup(backup, BACKUP_PASS)
        return gone, report, a

    gone, report, a = run(scenario())
    assert report.skipped_deleted == [gone.id]
    assert a.incidents() == []


# -- refusing bad input, leaving the journal as it was ---------------------------------------


@pytest.fixture()
def journal_and_backup(tmp_path):
    async def scenario():
        a, b = await _two_journals(tmp_path)
        await a.save_many([rich_incident("Een"), rich_incident("Twee")])
        await b.save(rich_incident("Eigen"))
        return b, await a.export_backup(BACKUP_PASS)

    b, backup = run(scenario())
    return b, backup, tmp_path / "b"


def _refused(journal, directory, data, error, passphrase=BACKUP_PASS):
    before = snapshot(directory)
    listed = journal.incidents()
    with pytest.raises(error) as info:
        run(journal.import_backup(data, passphrase))
    assert snapshot(directory) == before
    assert journal.incidents() == listed
    return info.value


def test_a_file_that_is_not_a_backup_is_refused(journal_and_backup):
    journal, _, directory = journal_and_backup
    for data in (b"", b"PK\x03\x04 a zip file", b"%PDF-1.7\n" + bytes(300), "tekst".encode()):
        err = _refused(journal, directory, data, NotABackupError)
        assert err.code == "not_a_backup"
    # a journal file is not a backup either
    _refused(journal, directory, journal_path(directory).read_bytes(), NotABackupError, PASS)


def test_wrong_backup_passphrase(journal_and_backup):
    journal, backup, directory = journal_and_backup
    err = _refused(journal, directory, backup, WrongBackupPassphraseError, "verkeerd")
    assert err.code == "wrong_backup_passphrase"
    assert not (directory / "unlock-attempts.json").exists()  # no unlock delay for imports


def test_truncated_and_tampered_backups_are_refused(journal_and_backup):
    journal, backup, directory = journal_and_backup
    for n in (10, 100, 127, 128, 143, 144, len(backup) // 2, len(backup) - 1):
        _refused(journal, directory, backup[:n], DamagedFileError)
    tampered = bytearray(backup)
    tampered[len(backup) // 2] ^= 0x10
    _refused(journal, directory, bytes(tampered), DamagedFileError)


async def _forge_backup(body: bytes, encoding: int = fmt.ENCODING_RAW) -> bytes:
    """A correctly encrypted backup with arbitrary content (as a buggy or hostile app would write)."""
    crypto = NativeCrypto()
    key = crypto.random_bytes(32)
    slot = await fmt.make_key_slot(crypto, fmt.normalize_passphrase(BACKUP_PASS), key, kind=fmt.KIND_BACKUP, iterations=1000)
    return await fmt.seal(crypto, kind=fmt.KIND_BACKUP, slot=slot, data_key=key, body=body, encoding=encoding)


META = b'{"schema":1,"t":"meta"}\n'


def _incident_line(**changes) -> bytes:
    doc = inc.incident_to_dict(rich_incident())
    doc.update(changes)
    return fmt.dump_record({"t": "incident", "doc": doc})


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json\n",
        META,  # fine: an empty backup (checked separately below)
        b'{"schema":1,"t":"meta"}',  # no final newline
        b'[1,2]\n',
        META + b'{"t":"incident"}\n',
        META + b'{"t":"virus","doc":{}}\n',
        META + _incident_line(title=float("nan")),
        META + b'{"t":"incident","doc":{"revision":NaN}}\n',
        META + b"[" * 100_000 + b"\n",
        META + (_line := _incident_line()) + _line,  # the same id twice
        META + b'{"t":"tombstone","doc":{"id":"6f1c5ad2-8d8e-4f67-9a0b-3c2d1e0f4a5b","deleted_at":"2025-03-14T09:00:00.000000Z"}}\n',
        b'{"schema":1,"t":"meta","extra":1}\n',
        "\udcff".encode("utf-8", "surrogatepass") + b"\n",
    ],
)
def test_invalid_backup_content_is_refused_and_changes_nothing(journal_and_backup, body):
    journal, _, directory = journal_and_backup
    data = run(_forge_backup(body))
    if body == META:
        report = run(journal.import_backup(data, BACKUP_PASS))
        assert not report.changed
        return
    err = _refused(journal, directory, data, (InvalidBackupError, DamagedFileError))
    assert err.code in ("invalid_backup", "damaged")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"type": "onbekend"}, "incident.type"),
        ({"unknown_field": 1}, "incident"),
        ({"revision": -1}, "incident.revision"),
        ({"revision": 2**53}, "incident.revision"),
        ({"reported_at": "2025-13-45T99:00:00Z"}, "incident.reported_at"),
        ({"reported_at": "2025-03-14T09:00:00"}, "incident.reported_at"),  # no zone
        ({"reported_at": "9999-12-31T23:59:59Z"}, "incident.reported_at"),  # would overflow a screen
        ({"updated": "2099-01-01T00:00:00Z"}, "incident.updated"),  # a clock far ahead
        ({"created": "1999-12-31T23:59:59Z"}, "incident.created"),
        ({"title": "Sanne \ud800"}, "incident.title"),  # a lone surrogate
        ({"notes": [{"id": "x", "created_at": "2025-03-14T09:00:00Z", "versions": []}]}, "incident.notes.versions"),
        ({"ticks": [{"id": f"t{k}", "action": "melder", "at": "2025-03-14T09:00:00Z"} for k in range(10_001)]}, "incident.ticks"),
    ],
)
def test_a_record_that_breaks_a_rule_is_skipped_and_reported(journal_and_backup, changes, field):
    """The rest of the backup imports; the journal keeps everything it had."""
    journal, _, directory = journal_and_backup
    bad = inc.incident_to_dict(rich_incident("Kapot"))
    bad.update(changes)
    good = rich_incident("Goed")
    bad_line = json.dumps({"t": "incident", "doc": bad}).encode() + b"\n"  # \\ud800 escaped, as JSON allows
    body = META + bad_line + fmt.dump_record(
        {"t": "incident", "doc": inc.incident_to_dict(good)}
    )
    before = {i.id: i for i in journal.incidents()}
    report = run(journal.import_backup(run(_forge_backup(body)), BACKUP_PASS))
    assert [rid for rid, _ in report.skipped_invalid] == [bad["id"]]
    assert report.skipped_invalid[0][1].startswith(field)
    assert report.added == [good.id]
    after = {i.id: i for i in journal.incidents()}
    assert set(after) == set(before) | {good.id}
    assert all(after[k] == v for k, v in before.items())
    reopened = run(fast_store(directory).unlock(PASS))
    assert {i.id for i in reopened.incidents()} == set(after)


def test_backup_from_a_newer_app_is_refused_politely(journal_and_backup):
    journal, _, directory = journal_and_backup
    newer = inc.SCHEMA_VERSION + 1
    data = run(_forge_backup(b'{"schema":%d,"t":"meta"}\n' % newer))
    _refused(journal, directory, data, NewerFormatError)


def test_zip_bomb_backup_is_refused(journal_and_backup, monkeypatch):
    """A small file that inflates beyond the cap is refused (cap lowered to keep the test fast)."""
    journal, _, directory = journal_and_backup
    import zlib

    monkeypatch.setattr(fmt, "MAX_BODY_PLAINTEXT", 1 << 20)
    bomb = zlib.compress(META + b" " * (2 << 20), 9)
    assert len(bomb) < 10_000
    data = run(_forge_backup(bomb, fmt.ENCODING_ZLIB))
    _refused(journal, directory, data, DamagedFileError)


# -- property tests: nothing but our own errors, and nothing changed ----------------------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hyp")

    async def scenario():
        a = await fast_store(directory / "a").create(PASS)
        await a.save_many([rich_incident("Een"), rich_incident("Twee")])
        b = await fast_store(directory / "b").create(PASS)
        await b.save(rich_incident("Eigen"))
        return b, await a.export_backup(BACKUP_PASS)

    journal, backup = run(scenario())
    return journal, backup, directory / "b", snapshot(directory / "b")


def _import_expecting_only_our_errors(journal, data, passphrase=BACKUP_PASS):
    try:
        report = asyncio.run(journal.import_backup(data, passphrase))
    except StorageError:
        return None
    return report


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=600), st.binary(max_size=400).map(lambda b: fmt.MAGIC + b)))
def test_random_bytes_never_raise_anything_else(shared, data):
    journal, _, directory, before = shared
    assert _import_expecting_only_our_errors(journal, data) is None
    assert snapshot(directory) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(["flip", "cut", "insert", "delete"]), st.integers(0, 10**6), st.integers(1, 255)),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_backups_never_raise_anything_else_or_change_the_journal(shared, edits):
    journal, backup, directory, before = shared
    data = bytearray(backup)
    for op, pos, value in edits:
        if not data:
            break
        pos %= len(data)
        if op == "flip":
            data[pos] ^= value
        elif op == "cut":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = bytes([value])
        else:
            del data[pos]
    if bytes(data) == backup:
        return
    report = _import_expecting_only_our_errors(journal, bytes(data))
    assert report is None  # any change to an authenticated file must be refused
    assert snapshot(directory) == before


# -- property: export -> import gives the same journal; twice is once ------------------------

api_ops = st.lists(
    st.one_of(
        st.tuples(st.just("new"), st.sampled_from(inc.INCIDENT_TYPES), st.text(max_size=12)),
        st.tuples(st.just("note"), st.integers(0, 9), st.text(max_size=40)),
        st.tuples(st.just("edit_note"), st.integers(0, 9), st.text(max_size=40)),
        st.tuples(st.just("tick"), st.integers(0, 9), st.sampled_from(["melder", "ouders"]), st.booleans()),
        st.tuples(st.just("status"), st.integers(0, 9), st.sampled_from(inc.STATUSES)),
        st.tuples(st.just("pupil"), st.integers(0, 9), st.sampled_from(inc.PUPIL_ROLES), st.text(max_size=8)),
        st.tuples(st.just("drop_pupils"), st.integers(0, 9)),
        st.tuples(st.just("contact"), st.integers(0, 9), st.text(max_size=20)),
        st.tuples(st.just("follow_up"), st.integers(0, 9), st.integers(-30, 30)),
        st.tuples(st.just("answer"), st.integers(0, 9), st.sampled_from(["wat-ging-goed", "wat-kan-beter"]), st.text(max_size=20)),
        st.tuples(st.just("delete"), st.integers(0, 9)),
        st.tuples(st.just("policy"), st.sampled_from(["beleid-a", "beleid-b"]), st.text(max_size=20)),
    ),
    max_size=18,
)


async def _replay(journal, ops) -> None:
    now = inc.utcnow()
    for op in ops:
        listed = journal.incidents()
        if op[0] == "new":
            await journal.save(inc.new_incident(op[2], op[1]))
            continue
        if op[0] == "policy":
            await journal.save_policy_item(inc.PolicyItem(op[1], status="gestart", notes=op[2]))
            continue
        if not listed:
            continue
        i = listed[op[1] % len(listed)]
        kind = op[0]
        if kind == "delete":
            await journal.delete(i.id)
            continue
        if kind == "note":
            i = inc.add_note(i, op[2])
        elif kind == "edit_note" and i.notes:
            i = inc.edit_note(i, i.notes[0].id, op[2])
        elif kind == "tick":
            i = inc.set_ticked(i, op[2], op[3])
        elif kind == "status":
            i = inc.set_status(i, op[2])
        elif kind == "pupil":
            i = inc.put_pupil(i, inc.Pupil(inc.new_id(), op[2], op[3]))
        elif kind == "drop_pupils":
            i = dataclasses.replace(i, pupils=())
        elif kind == "contact":
            i = inc.put_contact(i, inc.Contact(inc.new_id(), "zorg", now, "GGD", op[2]))
        elif kind == "follow_up":
            i = inc.put_follow_up(i, inc.FollowUp(inc.new_id(), now + timedelta(days=op[2]), "leerling"))
        elif kind == "answer":
            i = inc.set_evaluation(i, op[2], op[3])
        await journal.save(i)


def _state(journal) -> tuple:
    from storage.merge import content_of

    incidents = {i.id: content_of(inc.incident_to_dict(i)) for i in journal.incidents()}
    policy = {k: inc.policy_to_dict(v) for k, v in journal.policy().items()}
    return incidents, policy


@settings(max_examples=120, deadline=None)
@given(api_ops)
def test_export_then_import_gives_the_same_journal_and_twice_is_once(ops):
    from storage_testkit import memory_store

    async def scenario():
        source = await memory_store().create(PASS)
        await _replay(source, ops)
        backup = await source.export_backup(BACKUP_PASS)
        target_store = memory_store()
        target = await target_store.create(PASS)
        await target.import_backup(backup, BACKUP_PASS)
        once = (_state(target), target_store._blob.data)
        again = await target.import_backup(backup, BACKUP_PASS)
        twice = (_state(target), target_store._blob.data)
        return _state(source), once, again, twice

    source, once, again, twice = run(scenario())
    assert once[0] == source  # the same incidents, content for content, and the same policy
    assert twice == once  # importing it again: not a byte changes
    assert not again.changed and again.conflicts == [] and again.skipped_invalid == []
