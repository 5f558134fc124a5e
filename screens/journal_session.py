"""The journal as the UI sees it: absent, locked or open, and locking itself.

It locks after the idle minutes set in the journal (default 5) and whenever
the app is hidden.  Storage errors become plain Dutch messages here, so every
screen says the same thing about the same problem.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

import storage
from storage import errors
from screens.i18n import _, ngettext


class JournalSession:
    def __init__(self, on_lock: Callable[[], None], store: Optional[storage.JournalStore] = None) -> None:
        self._store = store or storage.open_store()
        self._on_lock = on_lock
        self.journal: Optional[storage.Journal] = None
        self._exists: Optional[bool] = None
        self._last_activity = time.monotonic()

    # --- state ------------------------------------------------------------------

    async def exists(self) -> bool:
        if self._exists is None:
            self._exists = await self._store.exists()
        return self._exists

    @property
    def known_to_exist(self) -> bool:
        """Whether a journal file exists, as last checked (``exists()`` is called at start)."""
        return bool(self._exists)

    @property
    def is_open(self) -> bool:
        return self.journal is not None and not self.journal.locked

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
        return moved

    async def wipe(self) -> None:
        if self.journal is not None:
            await self.journal.wipe()
        self.journal = None
        self._exists = False

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

    def lock(self, *, quietly: bool = False) -> None:
        """Forget the key; ``quietly``: without redrawing (the session is gone)."""
        if self.journal is not None:
            self.journal.lock()
            self.journal = None
            if not quietly:
                self._on_lock()

    def lock_if_idle(self) -> None:
        if self.is_open:
            idle_minutes = (time.monotonic() - self._last_activity) / 60
            if idle_minutes >= self.journal.settings.auto_lock_minutes:
                self.lock()


def _with_author(settings: storage.incidents.Settings, author: str) -> storage.incidents.Settings:
    from dataclasses import replace

    return replace(settings, author=author.strip())


def seconds_text(seconds: float) -> str:
    n = max(1, round(seconds))
    return ngettext("{n} second", "{n} seconds", n).format(n=n)


def error_message(exc: Exception) -> str:
    """What went wrong, what happened to the data, and what the user can do."""
    if isinstance(exc, errors.WrongBackupPassphraseError):
        return _("Wrong passphrase for this backup. Nothing was changed.")
    if isinstance(exc, errors.WrongPassphraseError):
        wait = exc.retry_after
        if wait:
            return _("Wrong passphrase. You can try again in {time}.").format(time=seconds_text(wait))
        return _("Wrong passphrase. Try again.")
    if isinstance(exc, errors.TooManyAttemptsError):
        return _("Too many attempts. Try again in {time}. Your journal is safe.").format(
            time=seconds_text(exc.retry_after)
        )
    if isinstance(exc, errors.InvalidBackupError):
        return _("This backup is damaged or incomplete. Nothing was changed.")
    if isinstance(exc, errors.DamagedFileError):
        return _(
            "The journal on this device is damaged or was changed outside the app, so it cannot be "
            "opened. The file is kept as it is; nothing is overwritten. Restore a backup to continue."
        )
    if isinstance(exc, errors.NewerFormatError):
        return _("This file was made by a newer version of the app. Update the app; nothing was changed.")
    if isinstance(exc, errors.NotABackupError):
        return _("This is not a backup of the step plan journal. Nothing was changed.")
    if isinstance(exc, errors.StorageFullError):
        return _("The device is full, so the change could not be saved. Nothing was lost: "
                 "free up space and try again.")
    if isinstance(exc, errors.StorageIOError):
        return _("The change could not be saved. Nothing was lost: try again.")
    if isinstance(exc, errors.StaleRevisionError):
        return _("This incident was changed in the meantime. The latest version is shown; "
                 "check your change and try again.")
    if isinstance(exc, errors.JournalReplacedError):
        return _("The journal was removed or replaced in another window, so this window was locked. "
                 "Its last change was not saved.")
    if isinstance(exc, errors.JournalLockedError):
        return _("The journal is locked. Unlock it to continue.")
    if isinstance(exc, errors.ValidationError):
        return _("This input cannot be saved ({field}). Check it and try again.").format(field=exc.field)
    if isinstance(exc, errors.StorageError):
        return _("The journal could not be read or written. Nothing was changed.")
    raise exc
