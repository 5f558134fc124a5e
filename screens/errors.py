"""What the user is told when the journal cannot do what they asked.

Storage errors carry codes only; they become plain words here, so every
screen says the same thing about the same problem: what went wrong, what
happened to the data, and what the user can do.
"""

from __future__ import annotations

from storage import errors
from screens.i18n import _, ngettext


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
