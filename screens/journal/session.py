"""The journal as the UI sees it: absent, locked or open, and locking itself.

It locks after the idle minutes set in the journal (default 5) and whenever
the app is hidden.  The letters being written (``drafts``) survive locking
and unlocking; wiping the journal or starting over forgets them.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Optional

import storage
from screens.journal.letter_drafts import LetterDrafts
from storage import errors


class JournalSession:
    def __init__(self, on_lock: Callable[[], None], store: Optional[storage.JournalStore] = None) -> None:
        self._opened_store = store  # the default store is opened when first needed: the first screen does not wait
        self._on_lock = on_lock
        self.journal: Optional[storage.Journal] = None
        self._exists: Optional[bool] = None
        self._last_activity = time.monotonic()
        self.drafts = LetterDrafts()

    # --- state ------------------------------------------------------------------

    @property
    def _store(self) -> storage.JournalStore:
        if self._opened_store is None:
            self._opened_store = storage.open_store()
        return self._opened_store

    async def exists(self) -> bool:
        if self._exists is None:
            store = self._opened_store
            self._exists = await (store.exists() if store is not None else storage.journal_exists())
        return self._exists

    @property
    def known_to_exist(self) -> bool:
        """Whether a journal file exists, as last checked (``exists()`` is called at start)."""
        return bool(self._exists)

    @property
    def is_open(self) -> bool:
        return self.journal is not None and not self.journal.locked

    @property
    def current(self) -> storage.Journal:
        """The open journal; a locked one raises ``JournalLockedError`` (which
        ``App.storage_action`` turns into the unlock screen)."""
        if not self.is_open:
            raise errors.JournalLockedError("the journal is not open")
        return self.journal

    @property
    def author(self) -> str:
        return self.journal.settings.author if self.is_open else ""

    async def create(self, passphrase: str, author: str) -> storage.Journal:
        journal = await self._store.create(passphrase)
        self._exists = True
        if author:
            await journal.save_settings(_with_author(journal.settings, author))
        self._opened(journal)
        return journal

    async def unlock(self, passphrase: str) -> storage.Journal:
        journal = await self._store.unlock(passphrase)
        self._opened(journal)
        return journal

    async def retry_after(self) -> float:
        return await self._store.retry_after()

    async def start_over(self) -> Optional[str]:
        """Keep the unreadable journal under another name and allow a new one."""
        moved = await self._store.move_aside()
        self._exists = False
        self.drafts.clear()
        return moved

    async def wipe(self) -> None:
        if self.journal is not None:
            await self.journal.wipe()
        self.journal = None
        self._exists = False
        self.drafts.clear()

    async def locked_itself(self) -> None:
        """The journal locked itself (another window removed or replaced the
        file): look again whether there is a journal, then show the unlock or
        the set-up screen."""
        self._exists = None
        await self.exists()
        self.lock()

    def _opened(self, journal: storage.Journal) -> None:
        self.journal = journal
        self.touch()

    # --- locking ----------------------------------------------------------------

    def touch(self) -> None:
        """The user did something: the idle clock starts again."""
        self._last_activity = time.monotonic()

    @property
    def idle_seconds(self) -> float:
        """Seconds since the user last did something (typed, tapped, saved)."""
        return time.monotonic() - self._last_activity

    def lock(self, *, quietly: bool = False) -> None:
        """Forget the key; ``quietly``: without redrawing (the session is gone)."""
        if self.journal is not None:
            self.journal.lock()
            self.journal = None
            if not quietly:
                self._on_lock()

    def lock_if_idle(self) -> None:
        if self.is_open:
            idle_minutes = self.idle_seconds / 60
            if idle_minutes >= self.journal.settings.auto_lock_minutes:
                self.lock()


def _with_author(settings: storage.incidents.Settings, author: str) -> storage.incidents.Settings:
    return replace(settings, author=author.strip())
