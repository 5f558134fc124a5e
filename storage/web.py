"""Browser backends (Pyodide): WebCrypto for crypto, IndexedDB for blobs.

The static web build runs the app's Python in Pyodide inside a Web Worker.
There the ``cryptography`` package is not available, and files written to
Pyodide's file system live in memory only.  This module implements the two
protocols of ``storage.backends`` on the browser's own APIs, reached through
Pyodide's ``js`` module:

* ``WebCrypto`` — PBKDF2-HMAC-SHA256 and AES-256-GCM from ``crypto.subtle``,
  random bytes from ``crypto.getRandomValues``.  The bytes are identical to
  the native backend's (same file format, see ``storage/FORMAT.md``).
* ``IndexedDBBlobStore`` — one record per blob in an IndexedDB object store.
  A Web Worker has IndexedDB (it has no ``localStorage``), the data survives
  reloads and restarts, and a single ``put`` in one transaction is atomic:
  a reader sees the old or the new bytes, never a mix.  Only encrypted
  journal files and the non-secret attempts counter are ever stored.
* ``WebLock`` — the Web Locks API (``navigator.locks``): one writer at a time
  across every tab and worker of the origin (each tab of the installed app
  runs its own Python worker with its own journal object).

Nothing here imports ``cryptography`` or ``platformdirs``; importing this
module outside Pyodide fails with ``ImportError`` (no ``js`` module).
``storage.paths.open_store()`` picks these backends when
``sys.platform == "emscripten"``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Optional

import js  # Pyodide's bridge to the JavaScript global scope (worker or window)
from pyodide.ffi import JsException, create_proxy, to_js

from storage.backends import ATTEMPTS_FILE, JOURNAL_FILE, LOCK_FILE, DecryptionFailed
from storage.errors import JournalBusyError, StorageFullError, StorageIOError

log = logging.getLogger(__name__)

DATABASE = "stappenplan-online-incidenten"
OBJECT_STORE = "blobs"
DB_VERSION = 1

_GETRANDOM_MAX = 65536  # crypto.getRandomValues refuses more bytes per call


# -- conversions -----------------------------------------------------------------


def _obj(**fields: Any) -> Any:
    """A plain JS object (WebCrypto rejects the ``Map`` a bare ``to_js(dict)`` makes)."""
    return to_js(fields, dict_converter=js.Object.fromEntries)


def _u8(data: bytes) -> Any:
    """A fresh ``Uint8Array`` holding a copy of ``data``."""
    array = js.Uint8Array.new(len(data))
    array.assign(data)
    return array


def _bytes(buffer: Any) -> bytes:
    """``bytes`` from a JS ``ArrayBuffer`` or typed array."""
    return js.Uint8Array.new(buffer).to_bytes()


def _error_name(exc: BaseException) -> str:
    """The DOMException name inside a ``JsException`` ("" if there is none).

    Where the engine does not count a DOMException as an ``Error`` (Chromium,
    for a synchronous throw), Pyodide wraps it in an ``Error`` whose message
    quotes the thrown value's ``toString()`` between triple quotes, which
    starts with the name.
    """
    names = [getattr(getattr(exc, "js_error", None), "name", None), getattr(exc, "name", None)]
    for name in names:
        if name is not None and str(name) not in ("", "Error"):
            return str(name)
    quoted = re.search(r'"""(\w+): ', str(exc))
    if quoted:
        return quoted.group(1)
    return next((str(n) for n in names if n is not None), "")


# -- WebCrypto --------------------------------------------------------------------


class WebCrypto:
    """``CryptoBackend`` on ``crypto.subtle`` (WebCrypto).

    AES-GCM in WebCrypto already uses the format's layout: a 12-byte IV and
    the 16-byte tag appended to the ciphertext.  Keys are imported per call
    as non-extractable ``CryptoKey`` objects and not kept, so ``Journal.lock()``
    really forgets the key.
    """

    def __init__(self, crypto: Any = None) -> None:
        self._crypto = crypto if crypto is not None else js.crypto
        self._subtle = self._crypto.subtle

    async def pbkdf2_sha256(
        self, passphrase: bytes, salt: bytes, iterations: int, length: int = 32
    ) -> bytes:
        base = await self._subtle.importKey(
            "raw", _u8(passphrase), "PBKDF2", False, to_js(["deriveBits"])
        )
        params = _obj(name="PBKDF2", hash="SHA-256", salt=_u8(salt), iterations=iterations)
        return _bytes(await self._subtle.deriveBits(params, base, length * 8))

    async def _aes_key(self, key: bytes, usage: str) -> Any:
        return await self._subtle.importKey("raw", _u8(key), "AES-GCM", False, to_js([usage]))

    async def aes_gcm_encrypt(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        params = _obj(name="AES-GCM", iv=_u8(nonce), additionalData=_u8(aad), tagLength=128)
        crypto_key = await self._aes_key(key, "encrypt")
        return _bytes(await self._subtle.encrypt(params, crypto_key, _u8(plaintext)))

    async def aes_gcm_decrypt(self, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        params = _obj(name="AES-GCM", iv=_u8(nonce), additionalData=_u8(aad), tagLength=128)
        crypto_key = await self._aes_key(key, "decrypt")
        try:
            return _bytes(await self._subtle.decrypt(params, crypto_key, _u8(data)))
        except JsException as exc:
            # WebCrypto reports a failed tag check (and a too-short input) as
            # "OperationError"; anything else is a programming error.
            if _error_name(exc) == "OperationError":
                raise DecryptionFailed() from None
            raise

    def random_bytes(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            chunk = js.Uint8Array.new(min(_GETRANDOM_MAX, n - len(out)))
            self._crypto.getRandomValues(chunk)
            out += chunk.to_bytes()
        return bytes(out)


# -- IndexedDB ------------------------------------------------------------------------


def _map_error(exc: BaseException, what: str) -> Exception:
    name = _error_name(exc) or type(exc).__name__
    if name == "QuotaExceededError":
        return StorageFullError(what)
    return StorageIOError(f"{what}: {name}")


class _Callbacks:
    """JS callbacks made from Python functions, destroyed together afterwards."""

    def __init__(self) -> None:
        self._proxies: list[Any] = []

    def __call__(self, fn: Callable[[Any], None]) -> Any:
        proxy = create_proxy(fn)
        self._proxies.append(proxy)
        return proxy

    def destroy(self) -> None:
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()


class _Database:
    """One lazily opened IndexedDB connection per database name."""

    _open: dict[str, "_Database"] = {}

    def __init__(self, name: str) -> None:
        self.name = name
        self._db: Any = None
        self._opening: Optional[asyncio.Future] = None
        self._callbacks = _Callbacks()

    @classmethod
    def named(cls, name: str) -> "_Database":
        if name not in cls._open:
            cls._open[name] = cls(name)
        return cls._open[name]

    async def connection(self) -> Any:
        if self._db is not None:
            return self._db
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._connect())
        try:
            return await asyncio.shield(self._opening)
        finally:
            if self._opening is not None and self._opening.done():
                self._opening = None

    async def _connect(self) -> Any:
        factory = getattr(js, "indexedDB", None)
        if factory is None:
            raise StorageIOError("open: this browser offers no IndexedDB (private mode?)")
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()
        callbacks = _Callbacks()
        try:
            request = factory.open(self.name, DB_VERSION)
        except JsException as exc:  # e.g. SecurityError in some private modes
            raise _map_error(exc, "open") from None

        def upgrade(_event: Any) -> None:
            db = request.result
            if not db.objectStoreNames.contains(OBJECT_STORE):
                db.createObjectStore(OBJECT_STORE)

        def success(_event: Any) -> None:
            if not done.done():
                done.set_result(request.result)

        def error(_event: Any) -> None:
            if not done.done():
                name = str(getattr(request.error, "name", "Error"))
                done.set_exception(StorageIOError(f"open: {name}"))

        request.onupgradeneeded = callbacks(upgrade)
        request.onsuccess = callbacks(success)
        request.onerror = callbacks(error)
        # "blocked": another tab holds an older version open; it closes its
        # connection on "versionchange" (below), after which "success" follows.
        try:
            db = await done
        finally:
            request.onupgradeneeded = None
            request.onsuccess = None
            request.onerror = None
            callbacks.destroy()

        def version_change(_event: Any) -> None:
            # A newer app version in another tab upgrades the database: let it.
            db.close()
            self._forget()

        def closed(_event: Any) -> None:  # the browser closed it (storage cleared)
            self._forget()

        self._callbacks.destroy()
        db.onversionchange = self._callbacks(version_change)
        db.onclose = self._callbacks(closed)
        self._db = db
        return db

    def _forget(self) -> None:
        self._db = None

    async def transaction(
        self, mode: str, body: Callable[[Any, dict, _Callbacks], None], what: str
    ) -> dict:
        """Run ``body(store, result, callbacks)`` in one transaction; wait for the commit.

        ``body`` must issue its requests synchronously, or from the callbacks
        of its requests (wrapped with ``callbacks``): an IndexedDB transaction
        commits as soon as no request is pending, so it cannot span an
        ``await``.  Returns ``result`` (a dict ``body`` fills in) once the
        transaction has completed, i.e. is durably committed.
        """
        db = await self.connection()
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()
        result: dict = {}
        callbacks = _Callbacks()
        try:
            options = _obj(durability="strict") if mode == "readwrite" else _obj()
            tx = db.transaction(OBJECT_STORE, mode, options)
        except JsException as exc:
            # InvalidStateError: the connection was closed underneath us.
            self._forget()
            raise _map_error(exc, what) from None

        def complete(_event: Any) -> None:
            if not done.done():
                done.set_result(result)

        def failed(_event: Any) -> None:
            if not done.done():
                name = str(getattr(tx.error, "name", "") or "AbortError")
                exc = StorageFullError(what) if name == "QuotaExceededError" else StorageIOError(f"{what}: {name}")
                done.set_exception(exc)

        tx.oncomplete = callbacks(complete)
        tx.onerror = callbacks(failed)
        tx.onabort = callbacks(failed)
        try:
            try:
                body(tx.objectStore(OBJECT_STORE), result, callbacks)
            except JsException as exc:
                try:
                    tx.abort()
                except JsException:
                    pass
                raise _map_error(exc, what) from None
            return await done
        finally:
            tx.oncomplete = None
            tx.onerror = None
            tx.onabort = None
            callbacks.destroy()


class IndexedDBBlobStore:
    """``BlobStore`` for one key of the IndexedDB object store ``blobs``.

    ``write`` is a single ``put`` in a ``readwrite`` transaction with
    ``durability: "strict"``: it returns once the browser has committed it,
    and a crash or a closed tab leaves either the old or the new value.
    ``move_aside`` copies the value to ``<stem>.<suffix>`` and deletes the
    original in one transaction.
    """

    def __init__(self, key: str, database: str = DATABASE) -> None:
        self.key = key
        self.database = database
        self._db = _Database.named(database)

    def __repr__(self) -> str:
        return f"IndexedDBBlobStore({self.key!r}, database={self.database!r})"

    async def read(self) -> Optional[bytes]:
        def body(store: Any, result: dict, callbacks: _Callbacks) -> None:
            request = store.get(self.key)

            def got(_event: Any) -> None:
                value = request.result
                result["data"] = None if value is None else _bytes(value)

            request.onsuccess = callbacks(got)

        result = await self._db.transaction("readonly", body, "read")
        return result.get("data")

    async def write(self, data: bytes) -> None:
        value = _u8(bytes(data))

        def body(store: Any, result: dict, callbacks: _Callbacks) -> None:
            store.put(value, self.key)

        await self._db.transaction("readwrite", body, "write")

    async def delete(self) -> None:
        def body(store: Any, result: dict, callbacks: _Callbacks) -> None:
            store.delete(self.key)

        await self._db.transaction("readwrite", body, "delete")

    async def move_aside(self, suffix: str) -> Optional[str]:
        stem = self.key.rsplit(".", 1)[0] if "." in self.key else self.key
        base = f"{stem}.{suffix}"

        def body(store: Any, result: dict, callbacks: _Callbacks) -> None:
            keys_request = store.getAllKeys()

            def got_keys(_event: Any) -> None:
                keys = {str(k) for k in keys_request.result.to_py()}
                if self.key not in keys:
                    result["name"] = None
                    return
                target, n = base, 1
                while target in keys:
                    n += 1
                    target = f"{base}-{n}"
                value_request = store.get(self.key)

                def got_value(_event: Any) -> None:
                    # Still inside the same transaction: copy and delete commit together.
                    store.put(value_request.result, target)
                    store.delete(self.key)
                    result["name"] = target

                value_request.onsuccess = callbacks(got_value)

            keys_request.onsuccess = callbacks(got_keys)

        result = await self._db.transaction("readwrite", body, "move aside")
        return result.get("name")


#: How long a writer waits for another tab before giving up (as natively).
LOCK_WAIT_SECONDS = 20.0


class WebLock:
    """``WriteLock`` on ``navigator.locks`` (exclusive mode), named after the
    IndexedDB database so every tab and worker of the origin shares it.

    The browser releases a lock whose tab or worker is gone.  A request
    still waiting when the wait runs out, or when the task is cancelled, is
    aborted, so it can never be granted later to nobody."""

    def __init__(self, name: str, wait: float = LOCK_WAIT_SECONDS) -> None:
        self.name = name
        self.wait = wait

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        locks = getattr(getattr(js, "navigator", None), "locks", None)
        if locks is None:
            raise StorageIOError("lock: this browser offers no Web Locks (the app needs https)")
        loop = asyncio.get_running_loop()
        granted: asyncio.Future = loop.create_future()
        state: dict[str, Any] = {"resolve": None, "abandoned": False}
        callbacks = _Callbacks()
        controller = js.AbortController.new()

        def keep(resolve: Any, _reject: Any) -> None:
            state["resolve"] = resolve

        def on_grant(_lock: Any) -> Any:
            if state["abandoned"]:
                return js.Promise.resolve(None)  # nobody waits any more: let go at once
            held = js.Promise.new(callbacks(keep))
            if not granted.done():
                granted.set_result(None)
            return held

        try:
            request = locks.request(self.name, _obj(mode="exclusive", signal=controller.signal), callbacks(on_grant))
        except JsException as exc:
            callbacks.destroy()
            raise _map_error(exc, "lock") from None
        settled = asyncio.ensure_future(_settle(request))
        try:
            await asyncio.wait_for(asyncio.shield(granted), self.wait)
        except BaseException as exc:
            state["abandoned"] = True
            controller.abort()
            if state["resolve"] is not None:  # granted just as the wait ended
                state["resolve"](None)
            await asyncio.shield(settled)
            callbacks.destroy()
            if isinstance(exc, asyncio.TimeoutError):
                raise JournalBusyError() from None
            raise
        try:
            yield
        finally:
            state["resolve"](None)
            await asyncio.shield(settled)
            callbacks.destroy()


async def _settle(promise: Any) -> None:
    """Wait for a JS promise, ignoring its rejection (an aborted lock request)."""
    try:
        await promise
    except JsException:
        pass


async def list_keys(database: str = DATABASE) -> list[str]:
    """Every key in the store (for diagnostics and tests; values stay encrypted)."""

    def body(store: Any, result: dict, callbacks: _Callbacks) -> None:
        request = store.getAllKeys()

        def got(_event: Any) -> None:
            result["keys"] = [str(k) for k in request.result.to_py()]

        request.onsuccess = callbacks(got)

    result = await _Database.named(database).transaction("readonly", body, "list")
    return sorted(result.get("keys", []))


def open_web_store(database: Optional[str] = None, **options: Any):
    """The browser ``JournalStore``: WebCrypto + IndexedDB (database ``database``).

    ``options`` go to ``JournalStore``; CPU work runs inline (Pyodide has no
    threads), which is the journal's default.
    """
    from storage.journal import JournalStore

    name = database or DATABASE
    options.setdefault("lock", WebLock(f"{name}/{LOCK_FILE}"))
    return JournalStore(
        IndexedDBBlobStore(JOURNAL_FILE, name),
        WebCrypto(),
        IndexedDBBlobStore(ATTEMPTS_FILE, name),
        **options,
    )


__all__ = ["DATABASE", "IndexedDBBlobStore", "WebCrypto", "WebLock", "list_keys", "open_web_store"]
