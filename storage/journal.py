"""The encrypted incident journal: open/create, edit, backup and import.

``JournalStore`` manages the file (create, unlock, the wrong-passphrase
delay, moving a damaged file aside).  A successful ``create``/``unlock``
returns a ``Journal``: the decrypted documents held in a TinyDB (in memory)
plus the data key.  Every change is written through immediately, atomically,
encrypted; if the write fails nothing changes, in memory or on disk.  Only a
``Journal`` can write, so a file that could not be opened is never
overwritten.

Several windows may have the same journal open (browser tabs on one server,
two tabs of the installed web app).  Before every write a ``Journal`` checks
whether the file changed since it last read or wrote it and, if so, takes in
the other window's version first: a save never drops another window's
changes, and an edit of an incident that was changed elsewhere meanwhile is
refused as stale (``StaleRevisionError``), like any outdated edit.

Reads are synchronous (memory only); everything that derives keys, encrypts
or touches storage is ``async``.  Platform specifics come in through a
``CryptoBackend``, two ``BlobStore``s and ``run_blocking`` (how to run CPU
work off the event loop: a thread natively, inline under Pyodide).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Iterable, Optional, TypeVar

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document, Table

from storage import container as fmt
from storage.backends import BlobStore, CryptoBackend, DecryptionFailed
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
    ValidationError,
    WrongBackupPassphraseError,
    WrongPassphraseError,
)
from storage.incidents import (
    SCALAR_FIELDS,
    SCHEMA_VERSION,
    Incident,
    PolicyItem,
    Settings,
    Tombstone,
    filter_incidents,
    incident_from_dict,
    incident_from_trusted,
    incident_to_dict,
    past_retention,
    policy_from_dict,
    policy_to_dict,
    settings_from_dict,
    settings_to_dict,
    tombstone_from_dict,
    tombstone_to_dict,
    utcnow,
    validate_incident,
    validate_policy,
    validate_settings,
)
from storage.merge import Conflict, ImportReport, merge_incident
from storage.throttle import AttemptThrottle

T = TypeVar("T")
RunBlocking = Callable[[Callable[[], T]], Awaitable[T]]


async def run_inline(fn: Callable[[], T]) -> T:
    """``run_blocking`` for platforms without threads (Pyodide)."""
    return fn()


# -- TinyDB with string document ids (the records' own ids) ---------------------


class _Table(Table):
    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self):  # pragma: no cover - ids always come from the records
        raise ValueError("document ids are assigned by the journal")


class _DB(TinyDB):
    table_class = _Table


# Record kinds ("t" in the body) -> TinyDB table, in body order.
_KINDS = ("settings", "policy", "tombstone", "incident")
_TABLES = {"settings": "settings", "policy": "policy", "tombstone": "tombstones", "incident": "incidents"}
_SETTINGS_ID = "settings"
_META = {"t": "meta", "schema": SCHEMA_VERSION}

_Key = tuple[str, str]  # (kind, id)


@dataclasses.dataclass
class _Contents:
    """Decoded body: documents by kind and id (as dicts) plus parsed objects."""

    docs: dict[str, dict[str, dict]]
    objects: dict[str, dict[str, Any]]
    lines: dict[_Key, bytes]


def _decode_body(plaintext: bytes, *, trusted: bool = False) -> _Contents:
    """Parse the records and validate them strictly (``trusted``: incidents
    of our own journal take the fast path).  Raises ``ValidationError``,
    ``NewerFormatError``, ``ValueError``, ``KeyError`` or ``TypeError`` (the
    caller maps them)."""
    lines = plaintext.split(b"\n")
    if not plaintext.endswith(b"\n") or len(lines) < 2:
        raise ValueError("no records")
    meta = json.loads(lines[0], parse_constant=_reject_constant)
    if not isinstance(meta, dict) or meta.get("t") != "meta" or set(meta) != {"t", "schema"}:
        raise ValueError("no meta record")
    schema = meta["schema"]
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise ValueError("bad schema")
    if schema > SCHEMA_VERSION:
        raise NewerFormatError(found=schema, supported=SCHEMA_VERSION)
    docs: dict[str, dict[str, dict]] = {k: {} for k in _KINDS}
    objects: dict[str, dict[str, Any]] = {k: {} for k in _KINDS}
    raw_lines: dict[_Key, bytes] = {}
    for line in lines[1:-1]:
        record = json.loads(line, parse_constant=_reject_constant)
        if not isinstance(record, dict) or set(record) != {"t", "doc"}:
            raise ValidationError("record", "not a record")
        kind = record["t"]
        doc = record["doc"]
        if kind == "incident":
            obj: Any = incident_from_trusted(doc) if trusted else incident_from_dict(doc)
        elif kind == "policy":
            obj = policy_from_dict(doc)
        elif kind == "tombstone":
            obj = tombstone_from_dict(doc)
        elif kind == "settings":
            obj = settings_from_dict(doc)
            doc = settings_to_dict(obj)  # fill defaults
        else:
            raise ValidationError("record.t", "unknown record kind")
        rid = _SETTINGS_ID if kind == "settings" else obj.id
        if rid in docs[kind]:
            raise ValidationError(f"{kind}.id", "duplicate id")
        docs[kind][rid] = doc
        objects[kind][rid] = obj
        raw_lines[(kind, rid)] = line + b"\n"
    return _Contents(docs, objects, raw_lines)


def _empty_contents() -> _Contents:
    return _Contents({k: {} for k in _KINDS}, {k: {} for k in _KINDS}, {})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _record(kind: str, doc: dict) -> dict:
    return {"t": kind, "doc": doc}


class JournalStore:
    """The journal file of one device (or browser profile).

    ``iterations`` is the PBKDF2 count for new key slots; a journal with a
    lower count is re-wrapped on unlock.  ``insecure_min_iterations`` exists
    only for tests: files with fewer than ``MIN_ITERATIONS`` are otherwise
    refused as damaged, and a file can never lower this bound itself.
    """

    def __init__(
        self,
        blob: BlobStore,
        crypto: CryptoBackend,
        attempts: BlobStore,
        *,
        iterations: int = fmt.DEFAULT_ITERATIONS,
        insecure_min_iterations: Optional[int] = None,
        compress: bool = True,
        run_blocking: RunBlocking = run_inline,
        clock: Callable[[], float] = time.time,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._min_iterations = fmt.MIN_ITERATIONS if insecure_min_iterations is None else insecure_min_iterations
        if not (self._min_iterations <= iterations <= fmt.MAX_ITERATIONS):
            raise ValueError("iterations out of range")
        self._blob = blob
        self._crypto = crypto
        self._throttle = AttemptThrottle(attempts, clock)
        self._attempts_blob = attempts
        self.iterations = iterations
        self._encoding = fmt.ENCODING_ZLIB if compress else fmt.ENCODING_RAW
        self._run_blocking = run_blocking
        self._now = now
        # One writer at a time for every Journal opened from this store (the
        # sessions of one server share the store; see ``paths.open_store``).
        self._write_lock = asyncio.Lock()

    # -- file level -----------------------------------------------------------

    async def exists(self) -> bool:
        return (await self._blob.read()) is not None

    async def retry_after(self) -> float:
        """Seconds before the next unlock attempt is accepted (0: now)."""
        return await self._throttle.retry_after()

    async def create(self, passphrase: str) -> "Journal":
        """Create a new, empty journal.  Refuses to overwrite any existing file."""
        secret = fmt.normalize_passphrase(passphrase)
        if await self._blob.read() is not None:
            raise JournalExistsError()
        data_key = self._crypto.random_bytes(fmt.KEY_LEN)
        slot = await fmt.make_key_slot(
            self._crypto, secret, data_key, kind=fmt.KIND_JOURNAL, iterations=self.iterations
        )
        journal = Journal(self, data_key, slot, _empty_contents(), seen=None)
        await journal._prepare_segments()
        await journal._write(journal._segments, slot)
        await self._throttle.reset()
        return journal

    async def unlock(self, passphrase: str) -> "Journal":
        """Open the journal.

        Raises ``TooManyAttemptsError`` (no attempt made), ``WrongPassphraseError``
        (with ``retry_after``), ``DamagedFileError``, ``NewerFormatError``,
        ``JournalNotFoundError``.  The file is never changed by a failure.
        """
        secret = fmt.normalize_passphrase(passphrase)
        await self._throttle.check()
        blob = await self._blob.read()
        if blob is None:
            raise JournalNotFoundError()
        header = fmt.parse_header(blob, min_iterations=self._min_iterations)
        if header.kind != fmt.KIND_JOURNAL:
            raise DamagedFileError(reason="kind")
        try:
            data_key = await fmt.open_key_slot(self._crypto, header, secret)
        except DecryptionFailed:
            wait = await self._throttle.record_failure()
            raise WrongPassphraseError(retry_after=wait) from None
        plaintext = await fmt.open_body(self._crypto, header, blob, data_key)
        try:
            contents = await self._run_blocking(lambda: _decode_body(plaintext, trusted=True))
        except NewerFormatError:
            raise
        except (ValidationError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            # Authenticated but not valid: a bug or a foreign writer.  Keep the file.
            raise DamagedFileError(reason="content", detail=type(exc).__name__) from None
        await self._throttle.reset()
        journal = Journal(self, data_key, header.slot, contents, seen=blob)
        if header.slot.iterations < self.iterations or header.encoding != self._encoding:
            # Transparent upgrade (stronger KDF, or the current body encoding).
            try:
                slot = header.slot
                if slot.iterations < self.iterations:
                    slot = await fmt.make_key_slot(
                        self._crypto, secret, data_key, kind=fmt.KIND_JOURNAL, iterations=self.iterations
                    )
                await journal._ensure_segments()
                await journal._write(journal._segments, slot)
                journal._slot = slot
            except StorageError:
                pass  # the journal is open all the same; try again next time
        else:
            journal._prepare_segments_soon()
        return journal

    async def move_aside(self) -> Optional[str]:
        """Explicit, user-confirmed "start over": the current file (damaged, or
        its passphrase forgotten) is renamed to ``journal.damaged-<time>``,
        never deleted.  Returns the new name, or ``None`` if there was no file."""
        stamp = self._now().strftime("%Y%m%dT%H%M%SZ")
        moved = await self._blob.move_aside(f"damaged-{stamp}")
        await self._throttle.reset()
        return moved


class Journal:
    """An unlocked journal.  Obtain it from ``JournalStore.create``/``unlock``."""

    def __init__(
        self, store: JournalStore, data_key: bytes, slot: fmt.KeySlot, contents: _Contents, *, seen: Optional[bytes]
    ) -> None:
        self._store = store
        self._data_key: Optional[bytes] = data_key
        self._slot = slot
        self._seen = seen  # the file as this object last read or wrote it
        self._segments_task: Optional[asyncio.Future] = None
        self._generation = 0
        self._lock = store._write_lock
        self._meta_segment = fmt.make_segment(fmt.dump_record(_META), store._encoding)
        self._load(contents)

    def _load(self, contents: _Contents) -> None:
        self._db = _DB(storage=MemoryStorage)
        self._db.storage.write({_TABLES[k]: dict(contents.docs[k]) for k in _KINDS})
        self._objects = contents.objects
        self._lines = contents.lines
        self._segments: dict[_Key, fmt.Segment] = {}
        self._segments_ready = False
        if self._segments_task is not None:
            self._segments_task.cancel()
            self._segments_task = None
        if _SETTINGS_ID not in self._objects["settings"]:
            self._objects["settings"][_SETTINGS_ID] = Settings()
            doc = settings_to_dict(Settings())
            self._db.table("settings").insert(Document(doc, doc_id=_SETTINGS_ID))
            self._lines[("settings", _SETTINGS_ID)] = fmt.dump_record(_record("settings", doc))

    # -- state ---------------------------------------------------------------

    def _check(self) -> None:
        if self._data_key is None:
            raise JournalLockedError()

    @property
    def locked(self) -> bool:
        return self._data_key is None

    def lock(self) -> None:
        """Forget the key and the decrypted content (auto-lock, "lock now")."""
        self._data_key = None
        self._generation += 1
        if self._segments_task is not None:
            self._segments_task.cancel()
            self._segments_task = None
        self._segments_ready = False
        self._objects = {k: {} for k in _KINDS}
        self._segments = {}
        self._lines = {}
        self._db = _DB(storage=MemoryStorage)

    @property
    def iterations(self) -> int:
        return self._slot.iterations

    # -- reading (memory only) -------------------------------------------------

    def incidents(
        self, *, statuses: Optional[Iterable[str]] = None, types: Optional[Iterable[str]] = None
    ) -> list[Incident]:
        """Open incidents first, then by report time (newest first)."""
        self._check()
        return filter_incidents(self._objects["incident"].values(), statuses=statuses, types=types)

    def get(self, incident_id: str) -> Incident:
        self._check()
        try:
            return self._objects["incident"][incident_id]
        except KeyError:
            raise IncidentNotFoundError() from None

    def __len__(self) -> int:
        self._check()
        return len(self._objects["incident"])

    @property
    def settings(self) -> Settings:
        self._check()
        return self._objects["settings"][_SETTINGS_ID]

    def policy(self) -> dict[str, PolicyItem]:
        self._check()
        return dict(self._objects["policy"])

    def past_retention(self, now: Optional[datetime] = None) -> list[Incident]:
        """Closed incidents older than the retention period (offer to delete them)."""
        self._check()
        return past_retention(self._objects["incident"].values(), self.settings.retention_months, now or self._store._now())

    # -- writing ----------------------------------------------------------------

    async def save(self, incident: Incident) -> Incident:
        """Insert or update one incident; returns it as stored (revision + 1).

        ``incident.revision`` must be the stored revision (0 for a new one),
        else ``StaleRevisionError``.  Saving unchanged content writes nothing.
        """
        return (await self.save_many([incident]))[0]

    async def save_many(self, incidents: Iterable[Incident]) -> list[Incident]:
        """``save`` for several incidents, in one write."""
        self._check()
        async with self._lock:
            await self._catch_up()
            now = self._store._now()
            out: list[Incident] = []
            changes: dict[_Key, Optional[tuple[dict, Any]]] = {}
            seen = set()
            for incident in incidents:
                validate_incident(incident)
                if incident.id in seen:
                    raise ValidationError("incident.id", "duplicate id")
                seen.add(incident.id)
                stored = self._objects["incident"].get(incident.id)
                new = _stamped(stored, incident, now)
                if new is stored:
                    out.append(stored)
                    continue
                doc = incident_to_dict(new)
                changes[("incident", new.id)] = (doc, new)
                if incident.id in self._objects["tombstone"]:
                    changes[("tombstone", incident.id)] = None
                out.append(new)
            if changes:
                await self._commit(changes)
            return out

    async def delete(self, incident_id: str) -> None:
        """Delete one incident (a content-free tombstone keeps old backups from
        bringing it back)."""
        self._check()
        async with self._lock:
            await self._catch_up()
            if incident_id not in self._objects["incident"]:
                raise IncidentNotFoundError()
            tomb = Tombstone(incident_id, self._store._now())
            await self._commit(
                {
                    ("incident", incident_id): None,
                    ("tombstone", incident_id): (tombstone_to_dict(tomb), tomb),
                }
            )

    async def save_settings(self, settings: Settings) -> Settings:
        self._check()
        validate_settings(settings)
        async with self._lock:
            await self._catch_up()
            new = dataclasses.replace(settings, updated=self._store._now())
            await self._commit({("settings", _SETTINGS_ID): (settings_to_dict(new), new)})
            return new

    async def save_policy_item(self, item: PolicyItem) -> PolicyItem:
        self._check()
        validate_policy(item)
        async with self._lock:
            await self._catch_up()
            new = dataclasses.replace(item, updated=self._store._now())
            await self._commit({("policy", new.id): (policy_to_dict(new), new)})
            return new

    async def delete_policy_item(self, item_id: str) -> None:
        self._check()
        async with self._lock:
            await self._catch_up()
            if item_id in self._objects["policy"]:
                await self._commit({("policy", item_id): None})

    async def wipe(self) -> None:
        """Erase the whole journal (explicit, user-confirmed): the file and the
        attempts counter are deleted and this object is locked."""
        self._check()
        async with self._lock:
            await self._store._blob.delete()
            await self._store._throttle.reset()
            self.lock()

    async def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key under ``new``; the body is unchanged in content.
        ``old`` must be the current passphrase (``WrongPassphraseError``)."""
        self._check()
        old_secret = fmt.normalize_passphrase(old)
        new_secret = fmt.normalize_passphrase(new)
        async with self._lock:
            await self._catch_up()
            crypto = self._store._crypto
            header_probe = fmt.Header(
                version=fmt.FORMAT_VERSION,
                kind=fmt.KIND_JOURNAL,
                kdf=fmt.KDF_PBKDF2_SHA256,
                encoding=self._store._encoding,
                body_nonce=b"\0" * fmt.NONCE_LEN,
                slot=self._slot,
                raw=fmt.key_slot_aad(fmt.KIND_JOURNAL, self._slot.iterations, self._slot.salt),
            )
            try:
                key = await fmt.open_key_slot(crypto, header_probe, old_secret)
            except DecryptionFailed:
                raise WrongPassphraseError() from None
            if key != self._data_key:  # pragma: no cover - cannot happen with an authentic slot
                raise WrongPassphraseError()
            slot = await fmt.make_key_slot(
                crypto, new_secret, key, kind=fmt.KIND_JOURNAL, iterations=max(self._store.iterations, self._slot.iterations)
            )
            await self._ensure_segments()
            await self._write(self._segments, slot)
            self._slot = slot

    # -- backup ------------------------------------------------------------------

    async def export_backup(self, passphrase: str, incident_ids: Optional[Iterable[str]] = None) -> bytes:
        """An encrypted backup (its own passphrase) of every incident, the
        settings and the policy items; or of the chosen incidents only."""
        self._check()
        secret = fmt.normalize_passphrase(passphrase)
        store = self._store
        async with self._lock:
            await self._catch_up()
        if incident_ids is None:
            keys = [k for k in self._lines if k[0] in ("settings", "policy", "incident")]
        else:
            keys = []
            for iid in dict.fromkeys(incident_ids):
                if iid not in self._objects["incident"]:
                    raise IncidentNotFoundError()
                keys.append(("incident", iid))
        lines = [fmt.dump_record(_META)] + [self._lines[k] for k in keys]
        body = await store._run_blocking(
            lambda: fmt.assemble_body([fmt.make_segment(line, fmt.ENCODING_ZLIB) for line in lines], fmt.ENCODING_ZLIB)
        )
        data_key = store._crypto.random_bytes(fmt.KEY_LEN)
        slot = await fmt.make_key_slot(store._crypto, secret, data_key, kind=fmt.KIND_BACKUP, iterations=store.iterations)
        return await fmt.seal(
            store._crypto, kind=fmt.KIND_BACKUP, slot=slot, data_key=data_key, body=body, encoding=fmt.ENCODING_ZLIB
        )

    async def import_backup(self, data: bytes, passphrase: str) -> ImportReport:
        """Decrypt, validate strictly, then merge (see ``storage.merge``).

        Raises ``NotABackupError``, ``WrongBackupPassphraseError``,
        ``DamagedFileError`` (truncated/tampered), ``InvalidBackupError``,
        ``NewerFormatError``; on any error the journal is unchanged.  Settings
        in a backup are not imported (they belong to the device).
        """
        self._check()
        secret = fmt.normalize_passphrase(passphrase)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise NotABackupError()
        data = bytes(data)
        store = self._store
        try:
            header = fmt.parse_header(data, min_iterations=store._min_iterations)
        except DamagedFileError as exc:
            if exc.reason in ("magic", "empty"):
                raise NotABackupError() from None
            raise
        if header.kind != fmt.KIND_BACKUP:
            raise NotABackupError("this is a journal, not a backup")
        try:
            data_key = await fmt.open_key_slot(store._crypto, header, secret)
        except DecryptionFailed:
            raise WrongBackupPassphraseError() from None
        plaintext = await fmt.open_body(store._crypto, header, data, data_key)
        try:
            contents = await store._run_blocking(lambda: _decode_body(plaintext))
        except NewerFormatError:
            raise
        except ValidationError as exc:
            raise InvalidBackupError(detail=exc.field, reason="content") from None
        except (ValueError, RecursionError) as exc:
            raise InvalidBackupError(detail=type(exc).__name__, reason="content") from None
        if contents.objects["tombstone"]:
            raise InvalidBackupError(detail="tombstones in a backup", reason="content")

        async with self._lock:
            await self._catch_up()
            report = ImportReport()
            changes: dict[_Key, Optional[tuple[dict, Any]]] = {}
            for iid, incoming in contents.objects["incident"].items():
                local = self._objects["incident"].get(iid)
                if local is None:
                    tomb = self._objects["tombstone"].get(iid)
                    if tomb is not None and incoming.updated <= tomb.deleted_at:
                        report.skipped_deleted.append(iid)
                        continue
                    new = incoming
                    changes[("incident", iid)] = (incident_to_dict(new), new)
                    if tomb is not None:
                        changes[("tombstone", iid)] = None
                    report.added.append(iid)
                    continue
                merged, conflicts = merge_incident(local, incoming)
                report.conflicts.extend(conflicts)
                if merged is local:
                    report.unchanged.append(iid)
                    continue
                merged = dataclasses.replace(merged, revision=max(local.revision, incoming.revision) + 1)
                changes[("incident", iid)] = (incident_to_dict(merged), merged)
                report.updated.append(iid)
            for pid, item in contents.objects["policy"].items():
                local_item = self._objects["policy"].get(pid)
                if local_item is None:
                    changes[("policy", pid)] = (policy_to_dict(item), item)
                    report.policy_added.append(pid)
                elif item != local_item and _later(item.updated, local_item.updated):
                    changes[("policy", pid)] = (policy_to_dict(item), item)
                    report.policy_updated.append(pid)
            if changes:
                await self._commit(changes)
            return report

    # -- persistence -----------------------------------------------------------

    async def _catch_up(self) -> None:
        """Take in the file as another window left it, if it changed since this
        object last read or wrote it (call with the lock held).

        Raises ``JournalLockedError`` if this object is locked, and locks it and
        raises ``JournalReplacedError`` if the file was removed or is no longer
        this journal (it does not open with this data key).
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
            plaintext = await fmt.open_body(store._crypto, header, blob, data_key)
            contents = await store._run_blocking(lambda: _decode_body(plaintext, trusted=True))
        except NewerFormatError:
            raise  # a newer app version wrote it: nothing is written, and the user is told why
        except (StorageError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            self.lock()
            raise JournalReplacedError(getattr(exc, "detail", "") or type(exc).__name__) from None
        self._check()
        # The other window may have changed the passphrase: keep its key slot.
        self._slot = header.slot
        self._seen = blob
        self._load(contents)

    async def _prepare_segments(self) -> None:
        """Encode every record once (after unlock/create); later saves re-encode
        only what changed."""
        encoding = self._store._encoding
        lines = list(self._lines.items())
        generation = self._generation
        segs = await self._store._run_blocking(lambda: [(k, fmt.make_segment(v, encoding)) for k, v in lines])
        if generation != self._generation:  # locked meanwhile
            return
        order = {kind: n for n, kind in enumerate(_KINDS)}
        self._segments = dict(sorted(segs, key=lambda kv: order[kv[0][0]]))
        self._segments_ready = True

    def _prepare_segments_soon(self) -> None:
        """Start ``_prepare_segments`` in the background so unlock returns early."""
        self._segments_task = asyncio.ensure_future(self._prepare_segments())

    async def _ensure_segments(self) -> None:
        task, self._segments_task = self._segments_task, None
        if self._segments_ready:
            return
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            try:
                await asyncio.shield(task)
            except Exception:  # pragma: no cover - recomputed below
                pass
        if not self._segments_ready:
            await self._prepare_segments()

    async def _commit(self, changes: dict[_Key, Optional[tuple[dict, Any]]]) -> None:
        """Write the journal with ``changes`` applied; apply them in memory only
        after the write succeeded (so a full disk leaves everything as it was).

        ``changes`` maps (kind, id) to (document, object), or ``None`` to delete.
        """
        await self._ensure_segments()
        encoding = self._store._encoding
        segments = dict(self._segments)
        lines: dict[_Key, Optional[bytes]] = {}
        for key, change in changes.items():
            if change is None:
                segments.pop(key, None)
                lines[key] = None
            else:
                line = fmt.dump_record(_record(key[0], change[0]))
                lines[key] = line
                segments[key] = fmt.make_segment(line, encoding)
        generation = self._generation
        await self._write(segments, self._slot)
        if generation != self._generation:  # locked while writing: keep nothing in memory
            return
        # committed: now mirror it in memory
        for key, change in changes.items():
            kind, rid = key
            table = self._db.table(_TABLES[kind])
            if change is None:
                table.remove(doc_ids=[rid])
                self._objects[kind].pop(rid, None)
                self._lines.pop(key, None)
            else:
                doc, obj = change
                if table.contains(doc_id=rid):
                    table.update(_replace_with(doc), doc_ids=[rid])
                else:
                    table.insert(Document(doc, doc_id=rid))
                self._objects[kind][rid] = obj
                self._lines[key] = lines[key]  # type: ignore[assignment]
        self._segments = segments

    async def _write(self, segments: dict[_Key, fmt.Segment], slot: fmt.KeySlot) -> None:
        if self._data_key is None:
            raise JournalLockedError()
        store = self._store
        encoding = store._encoding
        order = {kind: n for n, kind in enumerate(_KINDS)}
        ordered = sorted(segments.items(), key=lambda kv: order[kv[0][0]])  # stable
        body = fmt.assemble_body([self._meta_segment] + [s for _, s in ordered], encoding)
        blob = await fmt.seal(
            store._crypto, kind=fmt.KIND_JOURNAL, slot=slot, data_key=self._data_key, body=body, encoding=encoding
        )
        await store._blob.write(blob)
        self._seen = blob


def _replace_with(doc: dict) -> Callable[[dict], None]:
    def transform(stored: dict) -> None:
        stored.clear()
        stored.update(doc)

    return transform


def _later(a: Optional[datetime], b: Optional[datetime]) -> bool:
    if a is None:
        return False
    return b is None or a > b


def _without_stamp(x: Any) -> Any:
    return dataclasses.replace(x, updated=None)


def _stamped(stored: Optional[Incident], given: Incident, now: datetime) -> Incident:
    """The incident as it will be stored: bookkeeping set, audit trail checked.

    Returns ``stored`` itself when nothing changed.
    """
    if stored is None:
        if given.revision != 0:
            # based on a stored version that no longer exists (deleted)
            raise IncidentNotFoundError()
        fu = {name: now for name in SCALAR_FIELDS}
        fu.update({f"evaluation.{q}": now for q in given.evaluation})
        subs = {
            name: tuple(dataclasses.replace(x, updated=now) for x in getattr(given, name))
            for name in ("pupils", "team", "contacts", "follow_ups")
        }
        return dataclasses.replace(given, created=now, updated=now, revision=1, field_updated=fu, **subs)

    if given.revision != stored.revision:
        raise StaleRevisionError(stored=stored.revision, given=given.revision)
    # Append-only logs: every stored entry must still be there, unchanged.
    for name in ("ticks", "status_history"):
        have = {x.id: x for x in getattr(given, name)}
        for x in getattr(stored, name):
            if have.get(x.id) != x:
                raise ValidationError(f"incident.{name}", "history entries cannot be changed or removed")
    given_notes = {n.id: n for n in given.notes}
    for note in stored.notes:
        g = given_notes.get(note.id)
        if g is None or g.created_at != note.created_at:
            raise ValidationError("incident.notes", "notes cannot be removed; use delete_note")
        versions = {v.id: v for v in g.versions}
        if any(versions.get(v.id) != v for v in note.versions):
            raise ValidationError("incident.notes.versions", "note versions cannot be changed or removed")

    fu = dict(stored.field_updated)
    for name in SCALAR_FIELDS:
        if getattr(stored, name) != getattr(given, name):
            fu[name] = now
    for q, text in given.evaluation.items():
        if stored.evaluation.get(q) != text:
            fu[f"evaluation.{q}"] = now
    evaluation = dict(stored.evaluation)  # answers are cleared with "", not removed
    evaluation.update(given.evaluation)
    subs = {}
    for name in ("pupils", "team", "contacts", "follow_ups"):
        before = {x.id: x for x in getattr(stored, name)}
        items = []
        for x in getattr(given, name):
            prev = before.pop(x.id, None)
            if prev is None or _without_stamp(prev) != _without_stamp(x):
                items.append(dataclasses.replace(x, updated=now))
            else:
                items.append(prev)
        # a record dropped from the list is kept as removed (so a merge cannot bring it back)
        for prev in before.values():
            items.append(prev if prev.removed else dataclasses.replace(prev, removed=True, updated=now))
        subs[name] = tuple(items)
    candidate = dataclasses.replace(
        given,
        created=stored.created,
        updated=stored.updated,
        revision=stored.revision,
        field_updated=stored.field_updated,
        evaluation=evaluation,
        **subs,
    )
    if candidate == stored:
        return stored
    return dataclasses.replace(
        candidate,
        updated=max(now, stored.updated + timedelta(microseconds=1)),
        revision=stored.revision + 1,
        field_updated=fu,
    )


__all__ = ["Conflict", "ImportReport", "Journal", "JournalStore", "run_inline"]
