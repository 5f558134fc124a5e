"""A second writer in its own OS process (tests/test_storage_races.py).

Each function opens the journal through its own store, as a second app
process or a second tab's worker would, and reports what it did; they are
started with ``multiprocessing``'s spawn context, so nothing is shared with
the test process but the files.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from storage_testkit import PASS, fast_store, rich_incident

from storage import incidents as inc
from storage.errors import JournalRekeyedError, StorageError


def save_many(directory: str, prefix: str, count: int, passphrase: str = PASS) -> list[str]:
    """Save ``count`` new incidents one by one; returns the ids of the saves
    that returned (a save that raised is not counted)."""

    async def run() -> list[str]:
        journal = await fast_store(Path(directory)).unlock(passphrase)
        saved = []
        for n in range(count):
            incident = dataclasses.replace(rich_incident(f"{prefix}-{n}"), id=inc.new_id(), title=f"{prefix}-{n}")
            try:
                saved.append((await journal.save(incident)).id)
            except JournalRekeyedError:
                break  # the passphrase changed elsewhere: this window is locked now
            except StorageError:
                continue
        return saved

    return asyncio.run(run())


def add_notes(directory: str, incident_id: str, prefix: str, count: int) -> list[str]:
    """Add ``count`` notes to one incident, each on the version this process
    last saw (another process adds notes to the same incident meanwhile)."""

    async def run() -> list[str]:
        journal = await fast_store(Path(directory)).unlock(PASS)
        current = journal.get(incident_id)
        texts = []
        for n in range(count):
            text = f"{prefix}-{n}"
            current = await journal.save(inc.add_note(current, text, by=prefix))
            texts.append(text)
        return texts

    return asyncio.run(run())


def change_passphrase(directory: str, old: str, new: str) -> bool:
    async def run() -> bool:
        journal = await fast_store(Path(directory)).unlock(old)
        await asyncio.sleep(0.05)
        await journal.change_passphrase(old, new)
        return True

    return asyncio.run(run())
