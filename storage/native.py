"""Native (desktop/mobile) backends: ``cryptography`` for crypto, files for
blobs, an OS-level file lock for one writer at a time.

This is the only module that imports ``cryptography``.  Slow work (PBKDF2,
AES over a large body, file I/O with fsync) runs in a worker thread through
``asyncio.to_thread`` so the UI's event loop keeps running.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import secrets
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Iterable, Optional

import filelock
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from storage.backends import DecryptionFailed
from storage.errors import JournalBusyError, StorageFullError, StorageIOError

log = logging.getLogger(__name__)

# Below this size AES-GCM is faster inline than the thread hop.
_INLINE_AES_LIMIT = 64 * 1024


class NativeCrypto:
    """``CryptoBackend`` on top of OpenSSL via ``cryptography``."""

    async def pbkdf2_sha256(
        self, passphrase: bytes, salt: bytes, iterations: int, length: int = 32
    ) -> bytes:
        def derive() -> bytes:
            kdf = PBKDF2HMAC(
                algorithm=hashes.SHA256(), length=length, salt=salt, iterations=iterations
            )
            return kdf.derive(passphrase)

        return await asyncio.to_thread(derive)

    async def aes_gcm_encrypt(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        if len(plaintext) <= _INLINE_AES_LIMIT:
            return AESGCM(key).encrypt(nonce, plaintext, aad)
        return await asyncio.to_thread(AESGCM(key).encrypt, nonce, plaintext, aad)

    async def aes_gcm_decrypt(self, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        def decrypt() -> bytes:
            try:
                return AESGCM(key).decrypt(nonce, data, aad)
            except InvalidTag as exc:
                raise DecryptionFailed() from exc

        if len(data) <= _INLINE_AES_LIMIT:
            return decrypt()
        return await asyncio.to_thread(decrypt)

    def random_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte to ``fd`` (a seam for tests that simulate a full disk)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (e.g. certain FUSE mounts) refuse
        pass
    finally:
        os.close(fd)


def _map_os_error(exc: OSError, what: str) -> Exception:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return StorageFullError(what)
    return StorageIOError(f"{what}: {exc.strerror or type(exc).__name__}")


class FileBlobStore:
    """``BlobStore`` for one file; atomic replace through a temp file.

    Write protocol: a temp file ``.<name>.tmp-<random>`` in the same directory
    (mode 0600; the random part makes it this writer's own), write, flush,
    fsync, ``os.replace`` over the target, fsync the directory.  A crash
    leaves at most a stray temp file, which never replaces the committed
    file.  Stray files are removed only by ``remove_stray_temp_files``, which
    the holder of the ``FileWriteLock`` calls: then no other writer is live.
    """

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = Path(path)

    @property
    def _tmp_prefix(self) -> str:
        return f".{self.path.name}.tmp-"

    # -- sync implementations (run in a worker thread) ------------------------

    def remove_stray_temp_files(self) -> None:
        """Delete temp files a crashed writer left (call with the write lock held)."""
        try:
            entries = list(self.path.parent.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(self._tmp_prefix):
                try:
                    entry.unlink()
                except OSError:  # pragma: no cover - best effort
                    log.warning("could not remove a stale temp file in the data dir")

    def _read_sync(self) -> Optional[bytes]:
        try:
            with open(self.path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _map_os_error(exc, "read") from exc

    def _write_sync(self, data: bytes) -> None:
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise _map_os_error(exc, "mkdir") from exc
        tmp = directory / f"{self._tmp_prefix}{secrets.token_hex(6)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except OSError as exc:
            raise _map_os_error(exc, "create temp file") from exc
        try:
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError as exc:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise _map_os_error(exc, "write") from exc
        except BaseException:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
        _fsync_dir(directory)

    def _delete_sync(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise _map_os_error(exc, "delete") from exc
        _fsync_dir(self.path.parent)

    def _move_aside_sync(self, suffix: str) -> Optional[str]:
        if not self.path.exists():
            return None
        base = self.path.with_name(f"{self.path.stem}.{suffix}")
        target = base
        n = 1
        while target.exists():
            n += 1
            target = base.with_name(f"{base.name}-{n}")
        try:
            os.rename(self.path, target)
        except OSError as exc:
            raise _map_os_error(exc, "rename") from exc
        _fsync_dir(self.path.parent)
        return str(target)

    # -- async API -------------------------------------------------------------

    async def read(self) -> Optional[bytes]:
        return await asyncio.to_thread(self._read_sync)

    async def write(self, data: bytes) -> None:
        await asyncio.to_thread(self._write_sync, data)

    async def delete(self) -> None:
        await asyncio.to_thread(self._delete_sync)

    async def move_aside(self, suffix: str) -> Optional[str]:
        return await asyncio.to_thread(self._move_aside_sync, suffix)


#: How long a writer waits for another window or process before giving up.
LOCK_WAIT_SECONDS = 20.0


class FileWriteLock:
    """``WriteLock`` on an OS-level lock file (``filelock``: ``flock`` on
    POSIX, ``LockFileEx`` on Windows), so two app processes, or two store
    objects in one process, write one at a time.  The lock is released by
    the OS if the holder dies.  The first time it is held, stray temp files
    of ``blobs`` are removed (no other writer can be live then)."""

    def __init__(self, path: os.PathLike[str] | str, blobs: Iterable[FileBlobStore] = (), wait: float = LOCK_WAIT_SECONDS) -> None:
        self.path = Path(path)
        self._blobs = tuple(blobs)
        self._lock = filelock.AsyncFileLock(str(self.path), timeout=wait)
        self._ready = False  # the folder exists and stray temp files were removed

    def _prepare(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if not self._ready:
            try:
                await asyncio.to_thread(self._prepare)
            except OSError as exc:
                raise _map_os_error(exc, "mkdir") from exc
        try:
            await self._lock.acquire()
        except filelock.Timeout:
            raise JournalBusyError() from None
        except OSError as exc:
            raise _map_os_error(exc, "lock") from exc
        try:
            if not self._ready:  # once per store: what a writer that crashed left behind
                await asyncio.to_thread(lambda: [b.remove_stray_temp_files() for b in self._blobs])
                self._ready = True
            yield
        finally:
            await self._lock.release()


__all__ = ["FileBlobStore", "FileWriteLock", "NativeCrypto"]
