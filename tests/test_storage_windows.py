"""One journal open in two windows (browser tabs on one server, two tabs of
the installed web app): a save in one never drops what the other saved."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, fast_store, journal_path, rich_incident, run  # noqa: E402

from storage import incidents as inc  # noqa: E402
from storage.errors import (  # noqa: E402
    JournalLockedError,
    JournalRekeyedError,
    JournalReplacedError,
    WrongPassphraseError,
)
from storage.paths import open_store  # noqa: E402


async def _two_windows(tmp_path):
    """Two windows, each with its own store object, as two browser tabs have."""
    await fast_store(tmp_path).create(PASS)
    return await fast_store(tmp_path).unlock(PASS), await fast_store(tmp_path).unlock(PASS)


def _incident(title: str) -> inc.Incident:
    return dataclasses.replace(rich_incident(), id=inc.new_id(), title=title)


def test_saves_in_two_windows_keep_both_incidents(tmp_path):
    async def scenario():
        a, b = await _two_windows(tmp_path)
        first = await a.save(_incident("Bangalijst klas 2b"))
        second = await b.save(_incident("Nepaccount op Instagram"))
        return first, second, b, await fast_store(tmp_path).unlock(PASS)

    first, second, b, reopened = run(scenario())
    assert {i.title for i in reopened.incidents()} == {first.title, second.title}
    assert {i.title for i in b.incidents()} == {first.title, second.title}  # b sees a's incident now


def test_an_edit_of_an_incident_changed_in_the_other_window_is_merged(tmp_path):
    """Window b still shows the version before a's note: its own note is merged
    in; nothing is refused and nothing is lost."""

    async def scenario():
        a, b = await _two_windows(tmp_path)
        saved = await a.save(_incident("Dreigende berichten"))
        await b.save(_incident("iets anders"))  # b catches up and now holds revision 1
        in_b = b.get(saved.id)
        await a.save(inc.add_note(a.get(saved.id), "Ouders gebeld", by="mentor"))
        merged = await b.save(inc.add_note(in_b, "Politie gebeld", by="zorg"))
        return merged, await fast_store(tmp_path).unlock(PASS)

    merged, reopened = run(scenario())
    notes = [n.versions[-1].text for n in reopened.get(merged.id).notes]
    assert "Ouders gebeld" in notes and "Politie gebeld" in notes
    assert reopened.get(merged.id) == merged and merged.conflicts == ()


def test_deleting_in_one_window_is_not_undone_by_a_save_in_the_other(tmp_path):
    async def scenario():
        a = await fast_store(tmp_path).create(PASS)
        doomed = await a.save(_incident("Wordt verwijderd"))
        b = await fast_store(tmp_path).unlock(PASS)  # b shows the incident too
        await a.delete(doomed.id)
        await b.save(_incident("Blijft"))
        await b.save_settings(dataclasses.replace(b.settings, author="mentor"))
        return b, await fast_store(tmp_path).unlock(PASS)

    b, reopened = run(scenario())
    assert [i.title for i in reopened.incidents()] == ["Blijft"]
    assert [i.title for i in b.incidents()] == ["Blijft"]
    assert reopened.settings.author == "mentor"


def test_a_passphrase_changed_in_one_window_stays_in_force(tmp_path):
    """The other window can no longer read the file: it locks itself and asks
    for the new passphrase instead of writing with the old key."""
    new_pass = "nieuwe lange wachtwoordzin"

    async def scenario():
        a, b = await _two_windows(tmp_path)
        await a.change_passphrase(PASS, new_pass)
        with pytest.raises(JournalRekeyedError):
            await b.save(_incident("Met de oude sleutel"))
        assert b.locked
        with pytest.raises(WrongPassphraseError):
            await fast_store(tmp_path).unlock(PASS)
        b = await fast_store(tmp_path).unlock(new_pass)
        saved = await b.save(_incident("Na de wijziging"))
        return saved, await fast_store(tmp_path).unlock(new_pass)

    saved, reopened = run(scenario())
    assert [i.title for i in reopened.incidents()] == ["Na de wijziging"]


def test_a_backup_from_one_window_holds_what_the_other_saved(tmp_path):
    async def scenario():
        a, b = await _two_windows(tmp_path)
        saved = await a.save(_incident("Alleen in venster a bewaard"))
        backup = await b.export_backup("back-up wachtwoordzin")
        (tmp_path / "elsewhere").mkdir()
        other = await fast_store(tmp_path / "elsewhere").create(PASS)
        await other.import_backup(backup, "back-up wachtwoordzin")
        return saved, other

    saved, other = run(scenario())
    assert other.get(saved.id).title == saved.title


def test_a_journal_wiped_in_one_window_is_not_brought_back_by_the_other(tmp_path):
    async def scenario():
        a, b = await _two_windows(tmp_path)
        await a.wipe()
        with pytest.raises(JournalReplacedError):
            await b.save(_incident("Na het wissen"))
        return b

    b = run(scenario())
    assert not journal_path(tmp_path).exists()
    assert b.locked
    with pytest.raises(JournalLockedError):
        b.incidents()


def test_a_new_journal_made_in_one_window_is_left_alone_by_the_other(tmp_path):
    async def scenario():
        a, b = await _two_windows(tmp_path)
        await a.save(_incident("Oud logboek"))
        await a.wipe()
        fresh = await fast_store(tmp_path).create("een ander logboek")
        await fresh.save(_incident("Nieuw logboek"))
        before = journal_path(tmp_path).read_bytes()
        with pytest.raises(JournalReplacedError):
            await b.save(_incident("Uit het oude venster"))
        return before

    before = run(scenario())
    assert journal_path(tmp_path).read_bytes() == before


def test_sessions_of_one_server_share_the_store_and_write_in_turn(tmp_path, monkeypatch):
    """Browser tabs on one server are sessions in one process: they share the
    store, so saves made at the same moment are written one after the other."""
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    assert open_store() is open_store()
    store = open_store()
    # the shared store uses the real PBKDF2 count: create once, then open twice
    titles = [f"Incident {n}" for n in range(6)]

    async def scenario():
        await store.create(PASS)
        a, b = await asyncio.gather(store.unlock(PASS), store.unlock(PASS))
        await asyncio.gather(*(w.save(_incident(t)) for w, t in zip([a, b] * 3, titles)))
        return await store.unlock(PASS)

    reopened = run(scenario())
    assert sorted(i.title for i in reopened.incidents()) == titles
