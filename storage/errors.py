"""Errors raised by the storage layer.

Every error carries a stable ``code`` and an English ``default_message`` for
logs and developers; the UI words each error itself, in the user's language
(``screens.errors.error_message``).  Messages never contain journal
content.

Hierarchy::

    StorageError
    ├── JournalNotFoundError        no journal exists yet (offer "create")
    ├── JournalExistsError          create() refused: a journal already exists
    ├── JournalLockedError          the journal object was locked or wiped
    │   └── JournalReplacedError    another window removed or replaced the file
    │       └── JournalRekeyedError another window changed the passphrase
    ├── WrongPassphraseError        passphrase incorrect (retry_after seconds)
    │   └── WrongBackupPassphraseError   import: the backup's passphrase is wrong
    ├── TooManyAttemptsError        wait retry_after seconds before trying again
    ├── DamagedFileError            file fails to authenticate / truncated / bad header
    │   └── InvalidBackupError      backup decrypts but its content fails validation
    ├── NewerFormatError            written by a newer app version
    ├── NotABackupError             import: the file is not one of our backups
    ├── StorageFullError            disk/quota full; nothing was changed
    ├── StorageIOError              any other I/O failure; nothing was changed
    │   └── JournalBusyError        another window held the journal too long
    ├── JournalTooLargeError        the change would make the journal unreadable
    ├── TooLargeToShareError        a shared incident would grow past what a team can carry
    ├── ValidationError             an incident/setting does not pass the schema
    │   └── MergeError              an incoming record contradicts the stored one
    ├── IncidentNotFoundError       no incident with that id (or it was deleted)
    └── StaleRevisionError          the incident changed since it was read
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error the storage layer raises on purpose."""

    code = "storage_error"
    default_message = "The journal could not be read or written."

    def __init__(self, detail: str = "") -> None:
        # ``detail`` is a developer-facing English hint (never journal content).
        self.detail = detail
        super().__init__(self.default_message + (f" ({detail})" if detail else ""))


class JournalNotFoundError(StorageError):
    code = "not_found"
    default_message = "There is no journal yet."


class JournalExistsError(StorageError):
    code = "exists"
    default_message = "A journal already exists; it was not overwritten."


class JournalLockedError(StorageError):
    code = "locked"
    default_message = "The journal is locked. Unlock it first."


class JournalReplacedError(JournalLockedError):
    """Another window or tab deleted the journal or put a different one in its
    place (wipe, start over, restore).  This journal object locked itself and
    the change it was about to make was not written."""

    code = "replaced"
    default_message = "The journal was removed or replaced elsewhere; this window was locked."


class JournalRekeyedError(JournalReplacedError):
    """Another window changed the passphrase (the journal has a new data key):
    this window locked itself; unlock with the new passphrase."""

    code = "rekeyed"
    default_message = "The passphrase was changed in another window; unlock again."


class WrongPassphraseError(StorageError):
    """The passphrase does not open the file.  Nothing was written.

    ``retry_after`` is the number of seconds the user has to wait before the
    next attempt is accepted (0 for the first few failures).
    """

    code = "wrong_passphrase"
    default_message = "The passphrase is incorrect."

    def __init__(self, detail: str = "", *, retry_after: float = 0.0) -> None:
        super().__init__(detail)
        self.retry_after = float(retry_after)


class WrongBackupPassphraseError(WrongPassphraseError):
    code = "wrong_backup_passphrase"
    default_message = "The passphrase of this backup is incorrect."


class TooManyAttemptsError(StorageError):
    """Unlocking is paused after repeated wrong passphrases; no attempt was made."""

    code = "too_many_attempts"
    default_message = "Too many wrong attempts; wait before trying again."

    def __init__(self, detail: str = "", *, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = float(retry_after)


class DamagedFileError(StorageError):
    """The file is damaged, truncated, tampered with, or not ours.

    The file is always left in place.  ``reason`` is a short machine-readable
    hint (``truncated``, ``magic``, ``header_checksum``, ``header``,
    ``kdf_params``, ``body``, ``content``).
    """

    code = "damaged"
    default_message = "The file is damaged and cannot be opened."

    def __init__(self, detail: str = "", *, reason: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class InvalidBackupError(DamagedFileError):
    code = "invalid_backup"
    default_message = "The backup's content is not valid; nothing was imported."


class NewerFormatError(StorageError):
    code = "newer_format"
    default_message = "The file was made by a newer version of the app."

    def __init__(self, detail: str = "", *, found: int = 0, supported: int = 0) -> None:
        super().__init__(detail or f"found version {found}, supported {supported}")
        self.found = found
        self.supported = supported


class NotABackupError(StorageError):
    code = "not_a_backup"
    default_message = "This file is not a backup of this app."


class StorageFullError(StorageError):
    code = "storage_full"
    default_message = "The storage is full; the change was not saved."


class StorageIOError(StorageError):
    code = "io_error"
    default_message = "The journal could not be written; the change was not saved."


class JournalBusyError(StorageIOError):
    """Another window or process kept the journal's lock longer than the wait."""

    code = "busy"
    default_message = "The journal is busy in another window; the change was not saved."


class JournalTooLargeError(StorageError):
    """The journal would grow beyond what the app can open again."""

    code = "too_large"
    default_message = "The journal would become too large to open again; the change was not saved."

    def __init__(self, detail: str = "", *, size: int = 0) -> None:
        super().__init__(detail or f"{size} bytes")
        self.size = size


class TooLargeToShareError(StorageError):
    """A shared incident would grow past ``MAX_SHARED_RECORD``: the team could not receive it."""

    code = "too_large_to_share"
    default_message = "The shared incident would become too large to send to the team; the change was not saved."

    def __init__(self, detail: str = "", *, size: int = 0) -> None:
        super().__init__(detail or f"{size} bytes")
        self.size = size


class ValidationError(StorageError):
    """A value does not pass the schema; ``field`` is a dotted path."""

    code = "invalid"
    default_message = "A value is not valid."

    def __init__(self, field: str, detail: str = "") -> None:
        super().__init__(f"{field}: {detail}" if detail else field)
        self.field = field
        self.reason = detail


class MergeError(ValidationError):
    """Two versions of one record disagree on an append-only entry (a tick,
    a status change, a note version): the incoming record is refused."""

    code = "merge"
    default_message = "An incoming record contradicts the journal's history."


class IncidentNotFoundError(StorageError):
    code = "incident_not_found"
    default_message = "The incident does not exist (any more)."


class StaleRevisionError(StorageError):
    """``save`` was given an incident based on an older revision than stored."""

    code = "stale"
    default_message = "The incident was changed in the meantime; reload it and try again."

    def __init__(self, detail: str = "", *, stored: int = 0, given: int = 0) -> None:
        super().__init__(detail or f"stored revision {stored}, given {given}")
        self.stored = stored
        self.given = given


__all__ = [
    "DamagedFileError",
    "IncidentNotFoundError",
    "InvalidBackupError",
    "JournalBusyError",
    "JournalExistsError",
    "JournalLockedError",
    "JournalNotFoundError",
    "JournalRekeyedError",
    "JournalReplacedError",
    "JournalTooLargeError",
    "MergeError",
    "NewerFormatError",
    "NotABackupError",
    "StaleRevisionError",
    "StorageError",
    "StorageFullError",
    "StorageIOError",
    "TooLargeToShareError",
    "TooManyAttemptsError",
    "ValidationError",
    "WrongBackupPassphraseError",
    "WrongPassphraseError",
]
