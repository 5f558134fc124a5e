"""What the user is told when the journal cannot do what they asked.

Storage errors carry codes only; they become plain words here, so every
screen says the same thing about the same problem: what went wrong, what
happened to the data, and what the user can do.
"""

from __future__ import annotations

from typing import Any, Callable

from storage import errors
from storage.limits import MAX_SHARED_RECORD
from words.i18n import _, ngettext


def seconds_text(seconds: float) -> str:
    n = max(1, round(seconds))
    return ngettext("{n} second", "{n} seconds", n).format(n=n)


def error_message(exc: Exception) -> str:
    """What went wrong, what happened to the data, and what the user can do."""
    for kind, message in _messages():
        if isinstance(exc, kind):
            return message(exc)
    raise exc


def _wrong_passphrase(exc: errors.WrongPassphraseError) -> str:
    if exc.retry_after:
        return _("Wrong passphrase. You can try again in {time}.").format(time=seconds_text(exc.retry_after))
    return _("Wrong passphrase. Try again.")


def _messages() -> list[tuple[type[errors.StorageError], Callable[[Any], str]]]:
    """Each storage error's message in the active language, a subclass before its base class."""
    return [
        (errors.WrongBackupPassphraseError, lambda exc: _("Wrong passphrase for this backup. Nothing was changed.")),
        (errors.WrongPassphraseError, _wrong_passphrase),
        (errors.TooManyAttemptsError, lambda exc: _("Too many attempts. Try again in {time}. Your journal is safe.")
         .format(time=seconds_text(exc.retry_after))),
        (errors.InvalidBackupError, lambda exc: _("This backup is damaged or incomplete. Nothing was changed.")),
        (errors.DamagedFileError, lambda exc: _(
            "The journal on this device is damaged or was changed outside the app, so it cannot be "
            "opened. The file is kept as it is; nothing is overwritten. Restore a backup to continue.")),
        (errors.NewerFormatError, lambda exc: _(
            "This file was made by a newer version of the app. Update the app; nothing was changed.")),
        (errors.NotABackupError, lambda exc: _("This is not a backup of the step plan journal. Nothing was changed.")),
        (errors.StorageFullError, lambda exc: _(
            "The device is full, so the change could not be saved. Nothing was lost: free up space and try again.")),
        (errors.JournalBusyError, lambda exc: _(
            "The journal is busy in another window or app, so the change could not be saved. Nothing was lost: "
            "try again in a moment.")),
        (errors.StorageIOError, lambda exc: _("The change could not be saved. Nothing was lost: try again.")),
        (errors.JournalTooLargeError, lambda exc: _(
            "The journal would become too large to open again, so this change was not saved. Nothing was lost: "
            "delete incidents that are past their retention period, or make a backup and start a new journal.")),
        (errors.TooLargeToShareError, lambda exc: _(
            "This incident is shared with the team and would become too large to send to it ({size} MB at most), "
            "so this change was not saved. Nothing was lost: shorten the text, or write it in a new incident.")
         .format(size=MAX_SHARED_RECORD // 1_000_000)),
        (errors.StaleRevisionError, lambda exc: _(
            "This incident was changed in the meantime. The latest version is shown; check your change and try "
            "again.")),
        (errors.JournalRekeyedError, lambda exc: _(
            "The passphrase was changed in another window, so this window was locked. Unlock it with the new "
            "passphrase; its last change was not saved.")),
        (errors.JournalReplacedError, lambda exc: _(
            "The journal was removed or replaced in another window, so this window was locked. Its last change "
            "was not saved.")),
        (errors.JournalLockedError, lambda exc: _("The journal is locked. Unlock it to continue.")),
        (errors.ValidationError, lambda exc: _("This input cannot be saved ({field}). Check it and try again.")
         .format(field=exc.field)),
        (errors.StorageError, lambda exc: _("The journal could not be read or written. Nothing was changed.")),
    ]
