"""Encrypted incident journal (storage layer; no UI code).

Typical use from the UI::

    from storage import open_store, incidents as inc

    store = open_store()                       # files in data_dir()
    journal = await store.unlock(passphrase)   # or: await store.create(passphrase)
    item = inc.new_incident("Foto gedeeld in klassenapp", "naaktfoto", by="mentor")
    item = await journal.save(item)            # revision 1
    item = await journal.save(inc.add_note(item, "Gesprek met slachtoffer", by="mentor"))

See ``storage/FORMAT.md`` for the file format and ``storage.errors`` for errors.
"""

from storage import incidents
from storage.errors import (
    DamagedFileError,
    IncidentNotFoundError,
    InvalidBackupError,
    JournalExistsError,
    JournalLockedError,
    JournalNotFoundError,
    JournalReplacedError,
    NewerFormatError,
    NotABackupError,
    StaleRevisionError,
    StorageError,
    StorageFullError,
    StorageIOError,
    TooManyAttemptsError,
    ValidationError,
    WrongBackupPassphraseError,
    WrongPassphraseError,
)
from storage.journal import Journal, JournalStore
from storage.merge import Conflict, ImportReport
from storage.paths import data_dir, open_store

__all__ = [
    "Conflict",
    "DamagedFileError",
    "ImportReport",
    "IncidentNotFoundError",
    "InvalidBackupError",
    "Journal",
    "JournalExistsError",
    "JournalLockedError",
    "JournalNotFoundError",
    "JournalReplacedError",
    "JournalStore",
    "NewerFormatError",
    "NotABackupError",
    "StaleRevisionError",
    "StorageError",
    "StorageFullError",
    "StorageIOError",
    "TooManyAttemptsError",
    "ValidationError",
    "WrongBackupPassphraseError",
    "WrongPassphraseError",
    "data_dir",
    "incidents",
    "open_store",
]
