"""Second writers for real: threads and OS processes on one journal.

Every save that returned must be in the file afterwards, whoever wrote at
the same moment; a passphrase change must stay in force; a window that only
reads must not break another's writes; and the unlock delay must count
attempts made at the same moment.  (Two tabs of the installed web app are
tested in headless Chromium in tests/test_web_build.py.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import multiprocessing
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parent / "storage_helpers"
sys.path.insert(0, str(HELPERS))

import race_worker  # noqa: E402
from storage_testkit import PASS, FakeClock, attempts_path, fast_store, journal_path, rich_incident, run  # noqa: E402

from storage import container as fmt  # noqa: E402
from storage import incidents as inc  # noqa: E402
from storage.backends import DecryptionFailed  # noqa: E402
from storage.errors import (  # noqa: E402
    DamagedFileError,
    TooManyAttemptsError,
    WrongPassphraseError,
)
from storage.native import NativeCrypto  # noqa: E402
from storage.throttle import FREE_ATTEMPTS, MAX_DELAY  # noqa: E402


def _in_threads(*jobs):
    """Run each job (a no-argument function) in its own thread, all at once."""
    start = threading.Barrier(len(jobs))

    def go(job):
        start.wait()
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return [f.result() for f in [pool.submit(go, job) for job in jobs]]


def _in_processes(*calls):
    """Run each (function, args) in its own spawned OS process, all at once."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(len(calls), initializer=_worker_path) as pool:
        pending = [pool.apply_async(fn, args) for fn, args in calls]
        return [p.get(timeout=600) for p in pending]


def _worker_path() -> None:
    sys.path.insert(0, str(HELPERS))
    sys.path.insert(0, str(HELPERS.parent.parent))


def _stored_ids(directory: Path, passphrase: str = PASS) -> set[str]:
    return {i.id for i in run(fast_store(directory).unlock(passphrase)).incidents()}


def test_two_store_objects_in_two_threads_keep_every_save(tmp_path):
    """Two windows, each with its own store object (as two tabs of the
    installed web app have), saving 200 times each at the same moment."""
    run(fast_store(tmp_path).create(PASS))
    saved = _in_threads(
        lambda: race_worker.save_many(str(tmp_path), "links", 200),
        lambda: race_worker.save_many(str(tmp_path), "rechts", 200),
    )
    returned = set(saved[0]) | set(saved[1])
    assert len(returned) == 400
    assert _stored_ids(tmp_path) == returned


def test_two_processes_keep_every_save(tmp_path):
    """Two app processes on one data folder, 300 saves each."""
    run(fast_store(tmp_path).create(PASS))
    saved = _in_processes(
        (race_worker.save_many, (str(tmp_path), "proces-a", 300)),
        (race_worker.save_many, (str(tmp_path), "proces-b", 300)),
    )
    returned = set(saved[0]) | set(saved[1])
    assert len(returned) == 600
    assert _stored_ids(tmp_path) == returned


def test_two_processes_adding_notes_to_one_incident_keep_every_note(tmp_path):
    """Each process edits the version it last saw: the other's notes are
    merged in, never dropped, never refused."""

    async def setup():
        journal = await fast_store(tmp_path).create(PASS)
        return (await journal.save(inc.new_incident("Gedeeld incident", "bedreiging"))).id

    incident_id = run(setup())
    texts = _in_processes(
        (race_worker.add_notes, (str(tmp_path), incident_id, "a", 60)),
        (race_worker.add_notes, (str(tmp_path), incident_id, "b", 60)),
    )
    stored = run(fast_store(tmp_path).unlock(PASS)).get(incident_id)
    assert sorted(n.text for n in stored.notes) == sorted(texts[0] + texts[1])
    assert stored.conflicts == ()


def test_a_passphrase_change_racing_saves_leaves_the_new_passphrase_in_force(tmp_path):
    new = "een nieuwe lange wachtzin"
    for attempt in range(5):
        directory = tmp_path / f"run-{attempt}"
        run(fast_store(directory).create(PASS))
        saved, changed = _in_processes(
            (race_worker.save_many, (str(directory), "tijdens", 80)),
            (race_worker.change_passphrase, (str(directory), PASS, new)),
        )
        assert changed
        with pytest.raises(WrongPassphraseError):
            run(fast_store(directory).unlock(PASS))
        assert set(saved) <= _stored_ids(directory, new)  # every save that returned


def test_a_window_that_keeps_reading_does_not_break_the_other_windows_saves(tmp_path):
    """Reading (as the unlock screen does) used to delete the writer's temp file."""
    run(fast_store(tmp_path).create(PASS))
    stop = threading.Event()

    def reader():
        store = fast_store(tmp_path)
        reads = 0
        while not stop.is_set():
            assert run(store.exists())
            reads += 1
        return reads

    def writer():
        try:
            return race_worker.save_many(str(tmp_path), "schrijver", 300)
        finally:
            stop.set()

    reads, saved = _in_threads(reader, writer)
    assert reads > 0 and len(saved) == 300
    assert _stored_ids(tmp_path) == set(saved)
    assert not list(tmp_path.glob(".journal.enc.tmp-*"))


def test_a_stray_temp_file_of_a_crashed_writer_is_removed_by_the_next_app_that_writes(tmp_path):
    run(fast_store(tmp_path).create(PASS))
    stray = tmp_path / ".journal.enc.tmp-0123456789ab"
    stray.write_bytes(b"half a write")  # a writer crashed here
    journal = run(fast_store(tmp_path).unlock(PASS))  # the app started again
    run(journal.save(rich_incident()))
    assert not stray.exists()


# -- the unlock delay under parallel attempts and a wrong clock ---------------------------


def test_parallel_wrong_passphrases_are_counted_before_pbkdf2_runs(tmp_path):
    run(fast_store(tmp_path).create(PASS))

    def attempt():
        try:
            run(fast_store(tmp_path).unlock("fout"))
        except WrongPassphraseError:
            return "tried"
        except TooManyAttemptsError:
            return "refused"
        return "opened"

    outcomes = _in_threads(*[attempt] * 20)
    assert outcomes.count("tried") == FREE_ATTEMPTS + 1  # the fourth starts the delay
    assert outcomes.count("refused") == 20 - FREE_ATTEMPTS - 1
    assert 0 < run(fast_store(tmp_path).retry_after()) <= MAX_DELAY


@pytest.mark.parametrize(
    "content",
    [
        {"failures": 9, "not_before": 1e300},  # absurd
        {"failures": 9, "not_before": "Infinity"},
        {"failures": 9, "not_before": "NaN"},
        {"failures": 9, "last": 1e300},  # the old format, stamped absurdly
        {"failures": 10**12, "not_before": 1_700_000_000.0 + 86400 * 90},  # a clock that was months ahead
    ],
)
def test_nobody_waits_longer_than_the_maximum_whatever_the_side_file_says(tmp_path, content):
    clock = FakeClock()
    run(fast_store(tmp_path, clock=clock).create(PASS))
    raw = json.dumps(content).replace('"Infinity"', "Infinity").replace('"NaN"', "NaN")
    attempts_path(tmp_path).write_text(raw)
    wait = run(fast_store(tmp_path, clock=clock).retry_after())
    assert 0 <= wait <= MAX_DELAY
    clock.advance(MAX_DELAY)
    assert run(fast_store(tmp_path, clock=clock).unlock(PASS)).incidents() == []


def test_a_clock_that_was_ahead_does_not_keep_the_right_passphrase_out(tmp_path):
    clock = FakeClock()
    run(fast_store(tmp_path, clock=clock).create(PASS))
    clock.advance(86400 * 60)  # the device clock runs two months ahead ...
    for _ in range(8):
        with pytest.raises((WrongPassphraseError, TooManyAttemptsError)):
            run(fast_store(tmp_path, clock=clock).unlock("fout"))
        clock.advance(20)
    clock.advance(-86400 * 60)  # ... and is set right again
    clock.advance(MAX_DELAY)
    assert run(fast_store(tmp_path, clock=clock).unlock(PASS)).incidents() == []


def test_changing_the_passphrase_is_throttled_like_unlocking(tmp_path):
    clock = FakeClock()
    journal = run(fast_store(tmp_path, clock=clock).create(PASS))
    waits = []
    for _ in range(FREE_ATTEMPTS + 1):
        with pytest.raises(WrongPassphraseError) as info:
            run(journal.change_passphrase("geraden", "nieuw wachtwoord"))
        waits.append(info.value.retry_after)
    assert waits == [0, 0, 0, 1]
    with pytest.raises(TooManyAttemptsError):
        run(journal.change_passphrase(PASS, "nieuw wachtwoord"))
    clock.advance(1)
    run(journal.change_passphrase(PASS, "nieuw wachtwoord"))
    assert run(fast_store(tmp_path, clock=clock).unlock("nieuw wachtwoord")).incidents() == []


# -- a new passphrase is a new data key --------------------------------------------------


def test_an_old_passphrase_and_an_old_copy_cannot_read_what_is_written_afterwards(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        await journal.save(rich_incident("Voor de wijziging"))
        old_copy = journal_path(tmp_path).read_bytes()
        await journal.change_passphrase(PASS, "nieuwe wachtzin")
        await journal.save(rich_incident("Na de wijziging"))
        return old_copy, journal_path(tmp_path).read_bytes()

    old_copy, new_file = run(scenario())
    crypto = NativeCrypto()
    old_header = fmt.parse_header(old_copy, min_iterations=1000)
    old_key = run(fmt.open_key_slot(crypto, old_header, fmt.normalize_passphrase(PASS)))
    assert b"Voor de wijziging" in run(fmt.open_body(crypto, old_header, old_copy, old_key))  # the old copy: as before
    new_header = fmt.parse_header(new_file, min_iterations=1000)
    with pytest.raises(DamagedFileError):
        run(fmt.open_body(crypto, new_header, new_file, old_key))  # the new file: not with the old key
    with pytest.raises(DecryptionFailed):
        run(fmt.open_key_slot(crypto, new_header, fmt.normalize_passphrase(PASS)))
    assert new_header.slot.wrapped_key != old_header.slot.wrapped_key


def test_sessions_of_one_server_and_a_second_process_write_in_turn(tmp_path):
    """The server's sessions share one store; a second process has its own:
    both kinds of second writer at once."""

    async def sessions():
        store = fast_store(tmp_path)
        a, b = await store.unlock(PASS), await store.unlock(PASS)
        ids = []
        for n in range(40):
            for window in (a, b):
                incident = dataclasses.replace(rich_incident(), id=inc.new_id(), title=f"sessie-{n}")
                ids.append((await window.save(incident)).id)
        return ids

    run(fast_store(tmp_path).create(PASS))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, initializer=_worker_path) as pool:
        other = pool.apply_async(race_worker.save_many, (str(tmp_path), "proces", 80))
        mine = asyncio.run(sessions())
        theirs = other.get(timeout=600)
    assert _stored_ids(tmp_path) == set(mine) | set(theirs)
