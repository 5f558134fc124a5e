"""The encrypted journal as a user meets it: create, unlock, edit, lock, wipe."""

from __future__ import annotations

import ast
import dataclasses
import errno
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import (  # noqa: E402
    PASS,
    T0,
    FakeClock,
    MemoryBlob,
    attempts_path,
    fast_store,
    journal_path,
    rich_incident,
    run,
    snapshot,
)

import storage  # noqa: E402
from storage import container as fmt  # noqa: E402
from storage import incidents as inc  # noqa: E402
from storage import native  # noqa: E402
from storage.errors import (  # noqa: E402
    DamagedFileError,
    IncidentNotFoundError,
    JournalExistsError,
    JournalLockedError,
    JournalNotFoundError,
    StaleRevisionError,
    StorageError,
    StorageFullError,
    TooManyAttemptsError,
    ValidationError,
    WrongPassphraseError,
)
from storage.paths import data_dir, open_store  # noqa: E402

# -- round trips -----------------------------------------------------------------


def test_round_trip_at_the_real_iteration_count(tmp_path):
    """Default settings (600,000 PBKDF2 iterations): what is saved comes back."""

    async def scenario():
        store = open_store(tmp_path)
        assert store.iterations == 600_000
        journal = await store.create(PASS)
        saved = await journal.save(rich_incident())
        reopened = await open_store(tmp_path).unlock(PASS)
        return saved, reopened

    saved, reopened = run(scenario())
    assert reopened.iterations == 600_000
    assert reopened.get(saved.id) == saved
    assert fmt.parse_header(journal_path(tmp_path).read_bytes()).slot.iterations == 600_000


def test_round_trip_keeps_every_part_of_an_incident(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident())
        settings = await journal.save_settings(inc.Settings(auto_lock_minutes=10, retention_months=6))
        item = await journal.save_policy_item(inc.PolicyItem("preventie-mediawijsheid", "in orde", "lessen in klas 1", "ib"))
        return saved, settings, item, await fast_store(tmp_path).unlock(PASS)

    saved, settings, item, reopened = run(scenario())
    got = reopened.get(saved.id)
    assert got == saved
    assert got.revision == 1
    assert got.status == "lopend"
    assert set(got.ticked) == {"melder"}  # "veiligstellen" was ticked, then unticked
    assert [e.ticked for e in got.tick_history("veiligstellen")] == [True, False]
    note = got.note(saved.notes[0].id)
    assert note.edited and len(note.versions) == 2 and "aangevuld" in note.text
    parents = [c for c in got.contacts if c.kind == "ouders"][0]
    assert parents.not_informed and parents.not_informed_reason == "eerst gesprek met leerling"
    assert got.evaluation["wat-ging-goed"] == "snelle melding"
    assert reopened.settings == settings and reopened.settings.auto_lock_minutes == 10
    assert reopened.policy()["preventie-mediawijsheid"] == item


def test_new_journal_has_default_settings(tmp_path):
    journal = run(fast_store(tmp_path).create(PASS))
    assert journal.settings.auto_lock_minutes == 5
    assert journal.settings.retention_months == 12
    assert journal.incidents() == []


def test_unlock_without_a_journal_says_so(tmp_path):
    with pytest.raises(JournalNotFoundError):
        run(fast_store(tmp_path).unlock(PASS))
    assert not run(fast_store(tmp_path).exists())


def test_create_never_overwrites_an_existing_journal(tmp_path):
    run(fast_store(tmp_path).create(PASS))
    before = snapshot(tmp_path)
    with pytest.raises(JournalExistsError):
        run(fast_store(tmp_path).create("another passphrase"))
    assert snapshot(tmp_path) == before


def test_empty_passphrase_is_refused(tmp_path):
    with pytest.raises(ValidationError):
        run(fast_store(tmp_path).create(""))
    assert not journal_path(tmp_path).exists()


def test_passphrase_is_unicode_normalised(tmp_path):
    """"één" typed as composed or decomposed characters opens the same journal."""
    composed = "geh\u00e9\u00e9n wachtwoord"
    decomposed = "gehe\u0301e\u0301n wachtwoord"
    run(fast_store(tmp_path).create(composed))
    assert run(fast_store(tmp_path).unlock(decomposed)).incidents() == []


# -- wrong passphrase and the growing delay -------------------------------------


def test_wrong_passphrase_is_clear_and_changes_nothing(tmp_path):
    run(fast_store(tmp_path).create(PASS))
    before = journal_path(tmp_path).read_bytes()
    with pytest.raises(WrongPassphraseError) as info:
        run(fast_store(tmp_path).unlock("not it"))
    assert info.value.code == "wrong_passphrase"
    assert info.value.retry_after == 0
    assert journal_path(tmp_path).read_bytes() == before


def test_delay_grows_after_repeated_failures_and_survives_a_restart(tmp_path):
    clock = FakeClock()
    run(fast_store(tmp_path, clock=clock).create(PASS))
    journal_before = journal_path(tmp_path).read_bytes()
    waits = [0.0]
    for _ in range(8):
        clock.advance(waits[-1])  # wait exactly as long as asked
        store = fast_store(tmp_path, clock=clock)  # a fresh store each time: "restart"
        with pytest.raises(WrongPassphraseError) as info:
            run(store.unlock("wrong"))
        waits.append(info.value.retry_after)
    waits = waits[1:]
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16]
    # the ninth attempt before the wait is over is refused without trying
    with pytest.raises(TooManyAttemptsError) as info:
        run(fast_store(tmp_path, clock=clock).unlock(PASS))
    assert info.value.retry_after == 16
    assert run(fast_store(tmp_path, clock=clock).retry_after()) == 16
    clock.advance(10)
    assert run(fast_store(tmp_path, clock=clock).retry_after()) == 6
    clock.advance(6)
    with pytest.raises(WrongPassphraseError) as info:
        run(fast_store(tmp_path, clock=clock).unlock("wrong"))
    assert info.value.retry_after == 30
    clock.advance(30)
    with pytest.raises(WrongPassphraseError) as info:
        run(fast_store(tmp_path, clock=clock).unlock("wrong"))
    assert info.value.retry_after == 30  # capped
    # the journal itself was never touched, and the right passphrase still works
    assert journal_path(tmp_path).read_bytes() == journal_before
    clock.advance(30)
    run(fast_store(tmp_path, clock=clock).unlock(PASS))
    assert not attempts_path(tmp_path).exists()  # success resets the counter
    with pytest.raises(WrongPassphraseError) as info:
        run(fast_store(tmp_path, clock=clock).unlock("wrong"))
    assert info.value.retry_after == 0


def test_nobody_waits_before_the_first_wrong_passphrase(tmp_path):
    run(fast_store(tmp_path).create(PASS))
    assert run(fast_store(tmp_path).retry_after()) == 0.0
    with pytest.raises(WrongPassphraseError):
        run(fast_store(tmp_path).unlock("fout"))
    assert run(fast_store(tmp_path).retry_after()) == 0.0  # three free attempts


def test_attempts_file_holds_no_secret(tmp_path):
    run(fast_store(tmp_path).create(PASS))
    with pytest.raises(WrongPassphraseError):
        run(fast_store(tmp_path).unlock("typo in passphrase"))
    raw = attempts_path(tmp_path).read_bytes()
    assert b"typo" not in raw and PASS.encode() not in raw
    assert set(__import__("json").loads(raw)) == {"failures", "not_before"}


def test_a_damaged_attempts_file_does_not_lock_anyone_out(tmp_path):
    run(fast_store(tmp_path).create(PASS))
    attempts_path(tmp_path).write_bytes(b"\x00garbage")
    assert run(fast_store(tmp_path).unlock(PASS)).incidents() == []


# -- editing -----------------------------------------------------------------------


def test_save_bumps_revision_and_updated(tmp_path):
    times = iter([T0 + timedelta(seconds=s) for s in range(100)])
    store = fast_store(tmp_path, now=lambda: next(times))

    async def scenario():
        journal = await store.create(PASS)
        first = await journal.save(inc.new_incident("Bangalijst", "bangalijst", now=T0))
        second = await journal.save(dataclasses.replace(first, title="Bangalijst in groepsapp"))
        return first, second

    first, second = run(scenario())
    assert (first.revision, second.revision) == (1, 2)
    assert second.updated > first.updated
    assert second.created == first.created
    assert second.field_updated["title"] == second.updated


def test_saving_unchanged_content_writes_nothing(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident())
        before = journal_path(tmp_path).read_bytes()
        again = await journal.save(saved)
        return saved, again, before

    saved, again, before = run(scenario())
    assert again is saved
    assert journal_path(tmp_path).read_bytes() == before


def test_saving_an_outdated_copy_keeps_both_values_as_a_conflict(tmp_path):
    """A screen that still shows revision 1 saves over revision 2: both titles are
    kept (the later one shown), never one silently dropped."""

    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        v1 = await journal.save(inc.new_incident("Challenge", "challenge"))
        await journal.save(dataclasses.replace(v1, title="Challenge (TikTok)"))
        merged = await journal.save(dataclasses.replace(v1, title="Challenge (Snapchat)", report_channel="mail"))
        return merged, await fast_store(tmp_path).unlock(PASS)

    merged, reopened = run(scenario())
    stored = reopened.get(merged.id)
    assert stored == merged
    assert stored.title == "Challenge (Snapchat)" and stored.report_channel == "mail"
    assert stored.conflicts == ("title",)
    assert [a.value for a in stored.alternatives["title"]] == ["Challenge (TikTok)"]
    # settling the conflict keeps one value and clears it on every device
    settled = run(reopened.save(inc.settle(stored, "title", stored.alternatives["title"][0])))
    assert settled.title == "Challenge (TikTok)" and settled.conflicts == ()


def test_an_outdated_copy_this_window_never_saw_is_refused(tmp_path):
    async def scenario():
        a = await fast_store(tmp_path).create(PASS)
        v1 = await a.save(inc.new_incident("Challenge", "challenge"))
        await a.save(dataclasses.replace(v1, title="Challenge (TikTok)"))
        b = await fast_store(tmp_path).unlock(PASS)  # b only ever saw revision 2
        with pytest.raises(StaleRevisionError):
            await b.save(dataclasses.replace(v1, title="overwrites the newer title"))
        return b.get(v1.id)

    assert run(scenario()).title == "Challenge (TikTok)"


def test_note_history_cannot_be_rewritten(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident())
        note = saved.notes[0]
        forged = dataclasses.replace(note, versions=(dataclasses.replace(note.versions[0], text="rewritten"),) + note.versions[1:])
        with pytest.raises(ValidationError) as refused:
            await journal.save(dataclasses.replace(saved, notes=(forged,) + saved.notes[1:]))
        assert refused.value.field == "incident.notes.versions"
        with pytest.raises(ValidationError) as refused:
            await journal.save(dataclasses.replace(saved, notes=saved.notes[1:]))
        assert refused.value.field == "incident.notes"
        with pytest.raises(ValidationError) as refused:
            await journal.save(dataclasses.replace(saved, ticks=saved.ticks[1:]))
        assert refused.value.field == "incident.ticks"
        with pytest.raises(ValidationError) as refused:
            await journal.save(dataclasses.replace(saved, status_history=()))
        assert refused.value.field == "incident.status_history"
        # the supported way: a new version, a deletion that keeps the history
        edited = await journal.save(inc.edit_note(saved, note.id, "third version", by="ib"))
        deleted = await journal.save(inc.delete_note(edited, note.id, by="ib"))
        return deleted, note

    deleted, note = run(scenario())
    kept = deleted.note(note.id)
    assert len(kept.versions) == 4 and kept.deleted
    assert note.id not in {n.id for n in deleted.timeline}
    assert [v.text for v in kept.versions][:3] == [v.text for v in note.versions] + ["third version"]


def test_dropping_a_pupil_keeps_it_as_removed(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident())
        return saved, await journal.save(dataclasses.replace(saved, pupils=saved.pupils[1:]))

    saved, after = run(scenario())
    assert [p.id for p in after.active_pupils] == [p.id for p in saved.pupils[1:]]
    assert {p.id for p in after.pupils} == {p.id for p in saved.pupils}


def test_invalid_incidents_are_refused_before_anything_is_written(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        before = journal_path(tmp_path).read_bytes()
        good = inc.new_incident("x", "anders", type_other="ruzie over game")
        bad = [
            dataclasses.replace(good, type="onbekend"),
            dataclasses.replace(good, reported_at=good.reported_at.replace(tzinfo=None)),
            inc.put_contact(good, inc.Contact(inc.new_id(), "ouders", T0, not_informed=True)),  # no reason
            inc.put_contact(good, inc.Contact(inc.new_id(), "politie", T0, not_informed=True, not_informed_reason="x")),
            dataclasses.replace(good, title=42),
            inc.set_status(good, "klaar"),
        ]
        for incident in bad:
            with pytest.raises(ValidationError):
                await journal.save(incident)
        return before, journal

    before, journal = run(scenario())
    assert journal.incidents() == []
    assert journal_path(tmp_path).read_bytes() == before


def test_list_puts_open_incidents_first_then_newest_report(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        old_open = inc.new_incident("oud open", "bedreiging", reported_at=T0 - timedelta(days=30))
        new_open = inc.new_incident("nieuw open", "vernedering", reported_at=T0)
        closed = inc.set_status(inc.new_incident("dicht", "bedreiging", reported_at=T0 + timedelta(days=1)), "gesloten")
        await journal.save_many([old_open, closed, new_open])
        return journal

    journal = run(scenario())
    assert [i.title for i in journal.incidents()] == ["nieuw open", "oud open", "dicht"]
    assert [i.title for i in journal.incidents(types=["bedreiging"])] == ["oud open", "dicht"]
    assert [i.title for i in journal.incidents(statuses=["gesloten"])] == ["dicht"]
    assert [i.title for i in journal.incidents(statuses=["acuut"], types=["vernedering"])] == ["nieuw open"]


def test_closed_incidents_past_retention_are_listed(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        await journal.save_settings(inc.Settings(retention_months=6))
        start = T0 - timedelta(days=300)
        long_ago = inc.set_status(inc.new_incident("lang geleden", "anders", now=start), "gesloten", at=T0 - timedelta(days=200))
        recent = inc.set_status(inc.new_incident("recent", "anders", now=start), "gesloten", at=T0 - timedelta(days=20))
        still_open = inc.new_incident("open", "anders", now=T0 - timedelta(days=400))
        await journal.save_many([long_ago, recent, still_open])
        return journal

    journal = run(scenario())
    assert [i.title for i in journal.past_retention(now=T0)] == ["lang geleden"]


def test_delete_one_incident(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        keep, gone = await journal.save_many([rich_incident("Bewaren"), rich_incident("Weggooien")])
        await journal.delete(gone.id)
        with pytest.raises(IncidentNotFoundError):
            await journal.delete(gone.id)
        return keep, gone, await fast_store(tmp_path).unlock(PASS)

    keep, gone, reopened = run(scenario())
    assert [i.id for i in reopened.incidents()] == [keep.id]
    with pytest.raises(IncidentNotFoundError):
        reopened.get(gone.id)


def test_a_deleted_incident_cannot_be_saved_back_by_a_stale_screen(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident())
        await journal.delete(saved.id)
        with pytest.raises(IncidentNotFoundError):
            await journal.save(saved)
        return journal

    assert run(scenario()).incidents() == []


def test_wipe_removes_everything_and_allows_a_fresh_start(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        await journal.save(rich_incident())
        await journal.wipe()
        with pytest.raises(JournalLockedError):
            journal.incidents()
        exists = await fast_store(tmp_path).exists()
        fresh = await fast_store(tmp_path).create("new passphrase")
        return exists, fresh

    exists, fresh = run(scenario())
    assert not exists
    assert fresh.incidents() == []


def test_lock_forgets_the_content(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        await journal.save(rich_incident())
        journal.lock()
        with pytest.raises(JournalLockedError):
            await journal.save(rich_incident())
        return journal

    journal = run(scenario())
    assert journal.locked
    with pytest.raises(JournalLockedError):
        journal.incidents()


# -- passphrase change and KDF upgrade ---------------------------------------------


def test_change_passphrase(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident())
        with pytest.raises(WrongPassphraseError):
            await journal.change_passphrase("not the current one", "nieuw wachtwoord")
        await journal.change_passphrase(PASS, "nieuw wachtwoord")
        with pytest.raises(WrongPassphraseError):
            await fast_store(tmp_path).unlock(PASS)
        reopened = await fast_store(tmp_path).unlock("nieuw wachtwoord")
        # the open journal keeps working after the change
        more = await journal.save(inc.add_note(saved, "na wijziging"))
        return saved, reopened, more

    saved, reopened, more = run(scenario())
    assert reopened.get(saved.id) == saved
    assert more.revision == 2


def test_low_iteration_count_is_raised_transparently_on_unlock(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path, iterations=1_000).create(PASS)
        saved = await journal.save(rich_incident())
        upgraded = await fast_store(tmp_path, iterations=2_000).unlock(PASS)
        return saved, upgraded, await fast_store(tmp_path, iterations=2_000).unlock(PASS)

    saved, upgraded, again = run(scenario())
    assert upgraded.iterations == 2_000
    assert fmt.parse_header(journal_path(tmp_path).read_bytes(), min_iterations=1_000).slot.iterations == 2_000
    assert again.get(saved.id) == saved


def test_default_store_refuses_test_iteration_counts_from_a_file(tmp_path):
    """A file cannot lower the accepted minimum: the low-count journal made for
    tests reads as damaged for a store with default settings."""
    run(fast_store(tmp_path).create(PASS))
    with pytest.raises(DamagedFileError) as info:
        run(open_store(tmp_path).unlock(PASS))
    assert info.value.reason == "kdf_params"


# -- damaged files ---------------------------------------------------------------


def test_damaged_journal_is_kept_and_never_overwritten(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        await journal.save(rich_incident())

    run(scenario())
    path = journal_path(tmp_path)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x40
    path.write_bytes(bytes(data))
    for _ in range(3):
        with pytest.raises(DamagedFileError) as info:
            run(fast_store(tmp_path).unlock(PASS))
        assert info.value.code == "damaged"
    with pytest.raises(JournalExistsError):
        run(fast_store(tmp_path).create(PASS))
    assert path.read_bytes() == bytes(data)
    # explicit "start over": the damaged file is moved aside, not deleted
    moved = run(fast_store(tmp_path).move_aside())
    assert Path(moved).name.startswith("journal.damaged-")
    assert Path(moved).read_bytes() == bytes(data)
    assert run(fast_store(tmp_path).create("opnieuw")).incidents() == []
    assert Path(moved).exists()


def test_leftover_temp_file_is_harmless(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        return await journal.save(rich_incident())

    saved = run(scenario())
    stray = tmp_path / ".journal.enc.tmp-deadbeef0000"
    stray.write_bytes(b"half a write \x00\x01" * 100)
    reopened = run(fast_store(tmp_path).unlock(PASS))
    assert reopened.get(saved.id) == saved
    assert not stray.exists()  # cleaned up on unlock


# -- full disk and other write failures -------------------------------------------------


@pytest.mark.parametrize("code", [errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)])
def test_full_disk_keeps_the_old_file_and_the_state_in_memory(tmp_path, monkeypatch, code):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident())
        before = snapshot(tmp_path)

        def full(fd, data):
            os.write(fd, data[: len(data) // 2])
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(native, "_write_all", full)
        with pytest.raises(StorageFullError) as info:
            await journal.save(inc.add_note(saved, "gaat niet passen"))
        assert info.value.code == "storage_full"
        with pytest.raises(StorageFullError):
            await journal.delete(saved.id)
        with pytest.raises(StorageFullError):
            await journal.save(rich_incident("Nieuw"))
        after = snapshot(tmp_path)
        in_memory = journal.incidents()
        monkeypatch.undo()
        # once there is room again, saving works and nothing was lost
        retried = await journal.save(inc.add_note(saved, "nu wel"))
        return saved, before, after, in_memory, retried

    saved, before, after, in_memory, retried = run(scenario())
    assert after == before  # same files, same bytes, no temp file left
    assert in_memory == [saved]
    assert retried.revision == saved.revision + 1
    reopened = run(fast_store(tmp_path).unlock(PASS))
    assert reopened.get(saved.id) == retried


# -- confidentiality --------------------------------------------------------------


def test_no_plaintext_in_any_file_of_the_data_dir(tmp_path):
    word = "Kwispelstaartmolen"

    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        saved = await journal.save(rich_incident(word))
        saved = await journal.save(inc.add_note(saved, f"nog een keer {word}"))
        await journal.save_policy_item(inc.PolicyItem("beleid-1", notes=word))
        backup = await journal.export_backup("back-up wachtwoord")
        (tmp_path / "export.backup").write_bytes(backup)
        with pytest.raises(WrongPassphraseError):
            await fast_store(tmp_path).unlock(word)  # even a typed word in the wrong place
        await journal.change_passphrase(PASS, "ander wachtwoord")

    run(scenario())
    needles = [word.encode(), word.encode("utf-16-le"), word.lower().encode(), PASS.encode(), b"mentor 2b", b"A.B."]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 3
    for path in files:
        raw = path.read_bytes()
        for needle in needles:
            assert needle not in raw, f"{needle!r} in {path.name}"


# -- location and module boundaries ------------------------------------------------------


def test_data_dir_follows_flet_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path / "flet"))
    assert data_dir() == tmp_path / "flet"
    monkeypatch.delenv("FLET_APP_STORAGE_DATA")
    fallback = data_dir()
    assert "stappenplan-online-incidenten" in str(fallback)


def test_only_the_native_module_uses_cryptography_and_nothing_uses_flet():
    package = Path(storage.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
        assert "flet" not in names, path.name
        if path.name != "native.py":
            assert "cryptography" not in names, path.name


def test_every_error_has_a_code_and_a_message():
    import storage.errors as errors

    classes = [getattr(errors, n) for n in errors.__all__]
    codes = set()
    for cls in classes:
        assert issubclass(cls, StorageError)
        assert cls.code not in codes, cls
        codes.add(cls.code)
        if issubclass(cls, errors.ValidationError):
            exc = cls("incident.title")
        elif cls in (errors.TooManyAttemptsError,):
            exc = cls(retry_after=3)
        else:
            exc = cls()
        assert exc.default_message and str(exc)


# -- the platform seam: a browser-like setup (no threads, no files) ---------------------


class _InlineCrypto(native.NativeCrypto):
    """Same primitives, computed on the event loop (as WebCrypto promises would be)."""

    async def pbkdf2_sha256(self, passphrase, salt, iterations, length=32):
        import hashlib

        return hashlib.pbkdf2_hmac("sha256", passphrase, salt, iterations, length)


def test_journal_runs_on_any_backend_without_threads_or_files(tmp_path, monkeypatch):
    from storage.backends import BlobStore, CryptoBackend
    from storage.journal import JournalStore, run_inline

    def no_threads(*args, **kwargs):
        raise AssertionError("a thread was used above the platform backends")

    monkeypatch.setattr(native, "_INLINE_AES_LIMIT", 1 << 30)
    monkeypatch.setattr("asyncio.to_thread", no_threads)
    blob, attempts = MemoryBlob(), MemoryBlob()
    assert isinstance(blob, BlobStore) and isinstance(_InlineCrypto(), CryptoBackend)

    def store():
        return JournalStore(blob, _InlineCrypto(), attempts, iterations=1000, insecure_min_iterations=1000, run_blocking=run_inline)

    async def scenario():
        journal = await store().create(PASS)
        saved = await journal.save(rich_incident())
        backup = await journal.export_backup("b")
        reopened = await store().unlock(PASS)
        report = await reopened.import_backup(backup, "b")
        with pytest.raises(WrongPassphraseError):
            await store().unlock("wrong")
        return saved, reopened, report

    saved, reopened, report = run(scenario())
    assert reopened.get(saved.id) == saved
    assert report.unchanged == [saved.id]
    assert list(tmp_path.iterdir()) == []
