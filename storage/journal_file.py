"""How the journal reaches its file: catching up with what another window wrote, writing
every change through (encrypted, atomically) and upgrading an older file's key slot."""

from __future__ import annotations

import asyncio
from typing import Optional

from storage import container as fmt
from storage.errors import (
    DamagedFileError,
    JournalLockedError,
    JournalRekeyedError,
    JournalReplacedError,
    NewerFormatError,
    StorageError,
)
from storage.incidents import SCHEMA_VERSION
from storage.journal_records import INCIDENTS
from storage.sealed import decode_body


class Persistence:
    """Mixed into ``storage.journal.Journal``."""

    # -- persistence -----------------------------------------------------------

    async def _catch_up(self) -> None:
        """Take in the file as another window left it, if it changed since this
        object last read or wrote it (call with the lock held).

        Raises ``JournalLockedError`` if this object is locked, and locks it and
        raises ``JournalReplacedError`` if the file was removed or is no longer
        this journal, or ``JournalRekeyedError`` if its passphrase was changed.
        """
        self._check()
        blob = await self._store._blob.read()
        self._check()
        if blob == self._seen:
            return
        data_key = self._data_key
        store = self._store
        try:
            if blob is None:
                raise JournalReplacedError("the file was removed")
            header = fmt.parse_header(blob, min_iterations=store._min_iterations)
            if header.kind != fmt.KIND_JOURNAL:
                raise JournalReplacedError("not a journal")
            try:
                plaintext = await fmt.open_body(store._crypto, header, blob, data_key)
            except DamagedFileError:
                if header.slot != self._slot:
                    raise JournalRekeyedError() from None
                raise
            reuse = self._storage.snapshot()
            body = await store._run_blocking(lambda: decode_body(plaintext, SCHEMA_VERSION, reuse))
        except NewerFormatError:
            raise  # a newer app version wrote it: nothing is written, and the user is told why
        except JournalReplacedError:
            self.lock()
            raise
        except (StorageError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            self.lock()
            raise JournalReplacedError(getattr(exc, "detail", "") or type(exc).__name__) from None
        self._check()
        for (table, rid), (doc, obj) in list(self._cache.items()):
            if table == INCIDENTS and body.tables[INCIDENTS].get(rid) is not doc:
                self._remember_base(obj)
        self._slot = header.slot
        self._seen = blob
        cache, storage = self._cache, self._storage
        self._load(body)
        self._storage.adopt(storage)
        self._cache = {k: v for k, v in cache.items() if body.tables[k[0]].get(k[1]) is v[0]}

    def _prepare_soon(self) -> None:
        """Compress every record once, in the background, so unlock returns
        early and the first save re-encodes only what it changed."""

        async def prepare() -> None:
            storage = self._storage
            pending = storage.pending_lines()
            prepared = await self._store._run_blocking(lambda: storage.prepare(pending))
            storage.remember(prepared)

        self._prepare_task = asyncio.ensure_future(prepare())

    async def _upgrade(self, secret: bytes) -> None:
        """Rewrite a journal with a stronger KDF or the current body encoding
        (same data key); best effort: the journal is open all the same."""
        store = self._store
        try:
            slot = self._slot
            if slot.iterations < store.iterations:
                slot = await fmt.make_key_slot(
                    store._crypto, secret, self._data_key, kind=fmt.KIND_JOURNAL, iterations=store.iterations
                )
            async with store.exclusive():
                await self._catch_up()
                await self._write_all(self._data_key, slot)
        except StorageError:
            pass  # try again next time

    async def _flush(self) -> None:
        storage = self._storage
        pending = storage.pending_lines()
        if len(pending) > 1:
            storage.remember(await self._store._run_blocking(lambda: storage.prepare(pending)))
        await self._write(storage.body(), self._data_key, self._slot)
        storage.commit()

    async def _write_all(self, data_key: bytes, slot: fmt.KeySlot) -> None:
        """Write every record under ``data_key``/``slot`` (create, upgrade, new
        passphrase); afterwards they are this journal's key and slot."""
        storage = self._storage
        pending = storage.pending_lines()
        storage.remember(await self._store._run_blocking(lambda: storage.prepare(pending)))
        await self._write(storage.body(), data_key, slot)
        storage.commit()
        self._data_key, self._slot = data_key, slot

    async def _write(self, body: bytes, data_key: Optional[bytes], slot: fmt.KeySlot) -> None:
        if self._data_key is None or data_key is None:
            raise JournalLockedError()
        store = self._store
        blob = await fmt.seal(
            store._crypto, kind=fmt.KIND_JOURNAL, slot=slot, data_key=data_key, body=body, encoding=store._encoding
        )
        await store._blob.write(blob)
        self._seen = blob
