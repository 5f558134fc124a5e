"""The two small interfaces the journal needs from its platform.

Everything above this line (format, journal, import/merge) is pure Python
without threads, so a browser build (Pyodide: WebCrypto + IndexedDB, no
threads) only has to provide these two protocols.  The native ones live in
``storage.native``.

All byte strings are ``bytes``; keys are raw 32-byte AES keys.  AES-GCM uses a
12-byte nonce and appends the 16-byte tag to the ciphertext, exactly like
WebCrypto's ``encrypt``/``decrypt``.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import AsyncIterator, Optional, Protocol, runtime_checkable

# The journal's blobs, by the same names on disk (storage.native) and in IndexedDB (storage.web).
JOURNAL_FILE = "journal.enc"
ATTEMPTS_FILE = "unlock-attempts.json"
LOCK_FILE = "journal.lock"  # the OS-level write lock (native); the lock's name on the web


class DecryptionFailed(Exception):
    """AES-GCM authentication failed (wrong key, or tampered data/nonce/AAD).

    Internal: the journal turns it into ``WrongPassphraseError`` or
    ``DamagedFileError`` depending on what was being decrypted.
    """


@runtime_checkable
class CryptoBackend(Protocol):
    async def pbkdf2_sha256(
        self, passphrase: bytes, salt: bytes, iterations: int, length: int = 32
    ) -> bytes:
        """PBKDF2-HMAC-SHA256 (WebCrypto ``deriveBits``)."""
        ...

    async def aes_gcm_encrypt(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        """AES-256-GCM; returns ciphertext || 16-byte tag."""
        ...

    async def aes_gcm_decrypt(self, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """Inverse of ``aes_gcm_encrypt``; raises ``DecryptionFailed``."""
        ...

    def random_bytes(self, n: int) -> bytes:
        """Cryptographically secure random bytes (``crypto.getRandomValues``)."""
        ...


@runtime_checkable
class BlobStore(Protocol):
    """One named blob (the journal file, or the small attempts side file)."""

    async def read(self) -> Optional[bytes]:
        """The committed blob, or ``None`` if there is none."""
        ...

    async def write(self, data: bytes) -> None:
        """Replace the blob atomically: afterwards a reader sees either the old
        or the new bytes, never a mix, also after a crash.

        Raises ``StorageFullError`` (nothing changed) or ``StorageIOError``.
        """
        ...

    async def delete(self) -> None:
        """Remove the blob (no error if it does not exist)."""
        ...

    async def move_aside(self, suffix: str) -> Optional[str]:
        """Keep the blob under another name (``<name>.<suffix>``) instead of
        deleting it; returns that name, or ``None`` if there was no blob."""
        ...


@runtime_checkable
class WriteLock(Protocol):
    """One writer at a time across windows, tabs and processes of one device.

    The journal holds it around every read-compare-write of its file and
    around counting an unlock attempt.  ``hold`` waits its turn (raising
    ``JournalBusyError`` when another holder keeps it too long) and is
    released when the block ends, also on an error or a cancellation.
    """

    def hold(self) -> AbstractAsyncContextManager[None]: ...


class NoWriteLock:
    """For a journal only one store object ever opens (tests, an in-memory
    store): the store's own ``asyncio.Lock`` is all the exclusion needed."""

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        yield


__all__ = ["BlobStore", "CryptoBackend", "DecryptionFailed", "NoWriteLock", "WriteLock"]
