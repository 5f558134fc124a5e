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

from importlib import import_module
from typing import TYPE_CHECKING

# The package's names are imported when first used (PEP 562), so that importing
# ``storage.errors`` -- which the first screen's error texts need -- does not load
# the journal, its codec and its merge, which wait until the journal is opened.
_EXPORTS = {
    "incidents": "storage.incidents",
    "Journal": "storage.journal",
    "JournalStore": "storage.journal",
    "Conflict": "storage.merge",
    "ImportReport": "storage.merge",
    "data_dir": "storage.paths",
    "journal_exists": "storage.paths",
    "open_store": "storage.paths",
    **{name: "storage.errors" for name in (
        "DamagedFileError", "IncidentNotFoundError", "InvalidBackupError", "JournalExistsError", "JournalLockedError",
        "JournalNotFoundError", "JournalReplacedError", "NewerFormatError", "NotABackupError", "StaleRevisionError",
        "StorageError", "StorageFullError", "StorageIOError", "TooManyAttemptsError", "ValidationError",
        "WrongBackupPassphraseError", "WrongPassphraseError")},
}

if TYPE_CHECKING:  # pragma: no cover
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
    from storage.paths import data_dir, journal_exists, open_store


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    module = import_module(_EXPORTS[name])
    value = module if module.__name__ == f"storage.{name}" else getattr(module, name)
    globals()[name] = value
    return value


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
    "journal_exists",
    "open_store",
]
