"""Where the journal lives, and the native ``JournalStore`` factory."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from storage.backends import ATTEMPTS_FILE, JOURNAL_FILE, LOCK_FILE

if TYPE_CHECKING:  # pragma: no cover
    from storage.journal import JournalStore

APP_NAME = "stappenplan-online-incidenten"
APP_AUTHOR = "School en Veiligheid"
ENV_VAR = "FLET_APP_STORAGE_DATA"


def data_dir() -> Path:
    """``$FLET_APP_STORAGE_DATA`` if set (Flet sets it on mobile/desktop
    builds), else the platform's user data directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    import platformdirs  # imported lazily: not needed (or present) in the browser

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


async def _to_thread(fn: Any) -> Any:
    return await asyncio.to_thread(fn)


async def journal_exists() -> bool:
    """Whether the default store (``open_store()``) holds a journal, asked without
    loading the journal's code: the first screen only needs to know this."""
    if sys.platform == "emscripten":
        from storage.web import DATABASE, IndexedDBBlobStore

        blob: Any = IndexedDBBlobStore(JOURNAL_FILE, DATABASE)
    else:
        from storage.native import FileBlobStore

        blob = FileBlobStore(data_dir() / JOURNAL_FILE)
    return (await blob.read()) is not None


def open_store(directory: Optional[os.PathLike[str] | str] = None, **options: Any) -> "JournalStore":
    """The native ``JournalStore`` for ``directory`` (default: ``data_dir()``).

    ``options`` go to ``JournalStore`` (tests pass ``iterations`` and
    ``insecure_min_iterations``).

    In the browser (Pyodide, ``sys.platform == "emscripten"``) the journal
    lives in IndexedDB and is encrypted with WebCrypto (``storage.web``);
    there ``directory``, if given, names the IndexedDB database instead.
    """
    if sys.platform == "emscripten":
        from storage.web import open_web_store

        return open_web_store(str(directory) if directory is not None else None, **options)

    if directory is None and not options:
        return _shared_store(data_dir())
    return _native_store(Path(directory) if directory is not None else data_dir(), **options)


@functools.cache
def _shared_store(base: Path) -> "JournalStore":
    """One store per data directory for the app's sessions: the browser tabs
    of one server share its ``asyncio`` lock (and each other process is kept
    out by the file lock)."""
    return _native_store(base)


def _native_store(base: Path, **options: Any) -> "JournalStore":
    from storage.journal import JournalStore
    from storage.native import FileBlobStore, FileWriteLock, NativeCrypto

    options.setdefault("run_blocking", _to_thread)
    journal, attempts = FileBlobStore(base / JOURNAL_FILE), FileBlobStore(base / ATTEMPTS_FILE)
    options.setdefault("lock", FileWriteLock(base / LOCK_FILE, [journal, attempts]))
    return JournalStore(journal, NativeCrypto(), attempts, **options)
