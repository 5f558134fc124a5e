"""The encrypted incident journal: open/create, edit, backup and import.

``JournalStore`` manages the file (create, unlock, the wrong-passphrase
delay, moving a damaged file aside).  A successful ``create``/``unlock``
returns a ``Journal``: the decrypted records in a TinyDB (``storage.sealed``)
plus the data key.  Every change is written through immediately, atomically,
encrypted; if the write fails nothing changes, in memory or on disk.  Only a
``Journal`` can write, so a file that could not be opened is never
overwritten.

**One writer at a time.**  Several windows may have the same journal open:
browser tabs on one server (they share the store and its ``asyncio`` lock),
two tabs of the installed web app (each its own Python worker), two app
processes.  Every write holds the store's ``WriteLock`` (an OS file lock, or
the Web Locks API in the browser) around read-compare-write: it reads the
file, takes in what another window wrote since this one last looked, applies
its change and writes.  A window whose copy of an incident is stale merges
its own change into the newer version (``storage.merge``): a clean merge
just works, two edits of the same value keep both (a conflict the UI shows).

Reads are synchronous (memory only); everything that derives keys, encrypts
or touches storage is ``async``.  Platform specifics come in through a
``CryptoBackend``, two ``BlobStore``s, a ``WriteLock`` and ``run_blocking``
(how to run CPU work off the event loop: a thread natively, inline under
Pyodide).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Optional, TypeVar

from tinydb import where

from storage import container as fmt
from storage.backends import BlobStore, CryptoBackend, DecryptionFailed, NoWriteLock, WriteLock
from storage.codec import Context, codec_of
from storage.errors import (
    DamagedFileError,
    IncidentNotFoundError,
    InvalidBackupError,
    JournalExistsError,
    JournalLockedError,
    JournalNotFoundError,
    JournalRekeyedError,
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
    CLOSED_STATUS,
    SCHEMA_VERSION,
    Incident,
    PolicyItem,
    Settings,
    Tombstone,
    current_status,
    incident_from_dict,
    incident_from_trusted,
    incident_to_dict,
    past_retention,
    policy_from_dict,
    settings_to_dict,
    sort_incidents,
    time_to_str,
    tombstone_from_dict,
    tombstone_to_dict,
    utcnow,
    validate_incident,
    validate_policy,
    validate_settings,
)
from storage.limits import FUTURE_TOLERANCE, MAX_IMPORT_FILE
from storage.merge import (
    Conflict,
    ImportReport,
    content_of,
    merge_incident,
    merge_policy,
    new_conflicts,
    normalise,
    stamp_edit,
    stamp_policy,
)
from storage.sealed import (
    BACKUP_TABLES,
    KINDS,
    SETTINGS_ID,
    Body,
    FrozenDocument,
    JournalDB,
    decode_body,
    empty_body,
    open_db,
)
from storage.shared_deletions import RestorableDeletions
from storage.throttle import AttemptThrottle, delay_after

T = TypeVar("T")
RunBlocking = Callable[[Callable[[], T]], Awaitable[T]]

INCIDENTS, POLICY, SETTINGS, TOMBSTONES = (KINDS[k] for k in ("incident", "policy", "settings", "tombstone"))
TEAM, SHARES, OUTBOX, DELETED = (KINDS[k] for k in ("team", "share", "outbox", "deleted"))
TEAM_ID = "team"

#: Versions of incidents this window has shown and that were superseded since:
#: an edit made on one of them is merged into the newer version.
_BASES_KEPT = 256


async def run_inline(fn: Callable[[], T]) -> T:
    """``run_blocking`` for platforms without threads (Pyodide)."""
    return fn()


def _status_in(history: list, statuses: frozenset) -> bool:
    """TinyDB test: the incident's current status is one of ``statuses``."""
    latest = max(history, key=lambda s: (s["at"], s["id"]), default=None)
    return (latest["status"] if latest else current_status(())) in statuses


def _open(history: list) -> bool:
    return not _status_in(history, frozenset({CLOSED_STATUS}))


_PENDING_FOLLOW_UP = where("follow_ups").any((where("removed") == False) & (where("done_at") == None))  # noqa: E712,E711


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
        lock: Optional[WriteLock] = None,
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
        self._lock = lock if lock is not None else NoWriteLock()
        self.iterations = iterations
        self._encoding = fmt.ENCODING_ZLIB if compress else fmt.ENCODING_RAW
        self._run_blocking = run_blocking
        self._now = now
        # The journals opened from this store (the sessions of one server)
        # take turns here before they ask the platform's lock.
        self._local_lock = asyncio.Lock()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """One writer at a time: this process's sessions, then every window."""
        async with self._local_lock:
            async with self._lock.hold():
                yield

    # -- file level -----------------------------------------------------------

    async def exists(self) -> bool:
        return (await self._blob.read()) is not None

    async def retry_after(self) -> float:
        """Seconds before the next unlock attempt is accepted (0: now)."""
        return await self._throttle.retry_after()

    async def _attempt(self) -> int:
        """Count a passphrase attempt before it is made (refused while the delay runs)."""
        async with self.exclusive():
            return await self._throttle.begin()

    async def _succeeded(self) -> None:
        async with self.exclusive():
            await self._throttle.reset()

    async def create(self, passphrase: str) -> "Journal":
        """Create a new, empty journal.  Refuses to overwrite any existing file."""
        secret = fmt.normalize_passphrase(passphrase)
        data_key = self._crypto.random_bytes(fmt.KEY_LEN)
        slot = await fmt.make_key_slot(
            self._crypto, secret, data_key, kind=fmt.KIND_JOURNAL, iterations=self.iterations
        )
        journal = Journal(self, data_key, slot, empty_body(), seen=None)
        async with self.exclusive():
            if await self._blob.read() is not None:
                raise JournalExistsError()
            await journal._write_all(data_key, slot)
            await self._throttle.reset()
        return journal

    async def unlock(self, passphrase: str) -> "Journal":
        """Open the journal.

        Raises ``TooManyAttemptsError`` (no attempt made), ``WrongPassphraseError``
        (with ``retry_after``), ``DamagedFileError``, ``NewerFormatError``,
        ``JournalNotFoundError``.  The file is never changed by a failure.
        """
        secret = fmt.normalize_passphrase(passphrase)
        blob = await self._blob.read()
        if blob is None:
            raise JournalNotFoundError()
        header = fmt.parse_header(blob, min_iterations=self._min_iterations)
        if header.kind != fmt.KIND_JOURNAL:
            raise DamagedFileError(reason="kind")
        attempt = await self._attempt()
        try:
            data_key = await fmt.open_key_slot(self._crypto, header, secret)
        except DecryptionFailed:
            raise WrongPassphraseError(retry_after=delay_after(attempt)) from None
        plaintext = await fmt.open_body(self._crypto, header, blob, data_key)
        try:
            body = await self._run_blocking(lambda: decode_body(plaintext, SCHEMA_VERSION))
        except NewerFormatError:
            raise
        except (ValidationError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            # Authenticated but not valid: a bug or a foreign writer.  Keep the file.
            raise DamagedFileError(reason="content", detail=type(exc).__name__) from None
        journal = Journal(self, data_key, header.slot, body, seen=blob)
        try:
            journal.settings  # noqa: B018 - a record we cannot read means a damaged file
        except (ValidationError, ValueError, KeyError, TypeError) as exc:
            raise DamagedFileError(reason="content", detail=type(exc).__name__) from None
        await self._succeeded()
        older_schema = body.schema is not None and body.schema < SCHEMA_VERSION
        if header.slot.iterations < self.iterations or header.encoding != self._encoding or older_schema:
            await journal._upgrade(secret)
        else:
            journal._prepare_soon()
        return journal

    async def move_aside(self) -> Optional[str]:
        """Explicit, user-confirmed "start over": the current file (damaged, or
        its passphrase forgotten) is renamed to ``journal.damaged-<time>``,
        never deleted.  Returns the new name, or ``None`` if there was no file."""
        stamp = self._now().strftime("%Y%m%dT%H%M%SZ")
        async with self.exclusive():
            moved = await self._blob.move_aside(f"damaged-{stamp}")
            await self._throttle.reset()
        return moved


class Journal(RestorableDeletions):
    """An unlocked journal.  Obtain it from ``JournalStore.create``/``unlock``."""

    def __init__(
        self, store: JournalStore, data_key: bytes, slot: fmt.KeySlot, body: Body, *, seen: Optional[bytes]
    ) -> None:
        self._store = store
        self._data_key: Optional[bytes] = data_key
        self._slot = slot
        self._seen = seen  # the file as this object last read or wrote it
        self._prepare_task: Optional[asyncio.Future] = None
        self._bases: OrderedDict[tuple[str, int], Incident] = OrderedDict()
        self._load(body)

    def _load(self, body: Body) -> None:
        self._db: JournalDB = open_db(body, self._store._encoding, SCHEMA_VERSION)
        self._storage = self._db.storage
        self._cache: dict[tuple[str, str], tuple[dict, Any]] = {}

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
        if self._prepare_task is not None:
            self._prepare_task.cancel()
            self._prepare_task = None
        self._bases.clear()
        self._load(empty_body())

    @property
    def iterations(self) -> int:
        return self._slot.iterations

    # -- reading (memory only, through TinyDB) ---------------------------------

    def _object(self, table: str, rid: str, build: Callable[[dict], Any]) -> Any:
        """The record ``rid`` of ``table`` as an object, parsed once per version."""
        doc = self._storage.documents(table)[rid]
        cached = self._cache.get((table, rid))
        if cached is not None and cached[0] is doc:
            return cached[1]
        obj = build(doc)
        self._cache[(table, rid)] = (doc, obj)
        return obj

    def _incidents(self, query: Any = None) -> list[Incident]:
        table = self._db.table(INCIDENTS)
        docs = table.all() if query is None else table.search(query)
        return [self._object(INCIDENTS, doc.doc_id, incident_from_trusted) for doc in docs]

    def incidents(
        self, *, statuses: Optional[Iterable[str]] = None, types: Optional[Iterable[str]] = None
    ) -> list[Incident]:
        """Open incidents first, then by report time (newest first)."""
        self._check()
        query = None
        if types is not None:
            query = where("type").one_of(sorted(set(types)))
        if statuses is not None:
            by_status = where("status_history").test(_status_in, frozenset(statuses))
            query = by_status if query is None else query & by_status
        return sort_incidents(self._incidents(query))

    def of_type(self, incident_type: str) -> list[Incident]:
        """Every incident of one type (for "earlier incidents of this type")."""
        self._check()
        return sort_incidents(self._incidents(where("type") == incident_type))

    def with_pending_follow_ups(self) -> list[Incident]:
        """Open incidents with a follow-up that is not done (for the agenda on home)."""
        self._check()
        query = _PENDING_FOLLOW_UP & where("status_history").test(_open)
        return sort_incidents(self._incidents(query))

    def get(self, incident_id: str) -> Incident:
        self._check()
        if not isinstance(incident_id, str) or not self._db.table(INCIDENTS).contains(doc_id=incident_id):
            raise IncidentNotFoundError()
        return self._object(INCIDENTS, incident_id, incident_from_trusted)

    def __len__(self) -> int:
        self._check()
        return len(self._db.table(INCIDENTS))

    @property
    def settings(self) -> Settings:
        self._check()
        if not self._db.table(SETTINGS).contains(doc_id=SETTINGS_ID):
            return Settings()
        return self._object(SETTINGS, SETTINGS_ID, codec_of(Settings).fast)

    def policy(self) -> dict[str, PolicyItem]:
        self._check()
        return {doc.doc_id: self._object(POLICY, doc.doc_id, codec_of(PolicyItem).fast) for doc in self._db.table(POLICY).all()}

    def past_retention(self, now: Optional[datetime] = None) -> list[Incident]:
        """Closed incidents older than the retention period (offer to delete them)."""
        self._check()
        closed = self._incidents(where("status_history").test(_status_in, frozenset({CLOSED_STATUS})))
        return past_retention(closed, self.settings.retention_months, now or self._store._now())

    def is_deleted(self, incident_id: str) -> bool:
        """Deleted here: for good (a tombstone), or a shared incident still restorable."""
        self._check()
        return self._db.table(TOMBSTONES).contains(doc_id=incident_id) or self._db.table(DELETED).contains(
            doc_id=incident_id)

    # -- writing ----------------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """Hold the lock, take in the other windows' changes, let the caller
        change the tables, then write -- or, on any error, forget the change."""
        self._check()
        async with self._store.exclusive():
            await self._catch_up()
            try:
                yield
                if self._storage.dirty:
                    await self._flush()
            except BaseException:
                self._storage.rollback()
                self._db.clear_caches()
                raise

    def _put(self, table: str, rid: str, doc: dict) -> None:
        if table == INCIDENTS and (INCIDENTS, rid) in self._cache:
            old = self._cache[(INCIDENTS, rid)][1]
            self._remember_base(old)
        self._db.put(table, rid, doc)

    def _remember_base(self, incident: Incident) -> None:
        self._bases[(incident.id, incident.revision)] = incident
        while len(self._bases) > _BASES_KEPT:
            self._bases.popitem(last=False)

    def _stored(self, table: str, rid: str) -> Optional[FrozenDocument]:
        return self._storage.documents(table).get(rid)

    async def save(self, incident: Incident) -> Incident:
        """Insert or update one incident; returns it as stored (revision + 1).

        ``incident.revision`` is the revision it was edited from (0 for a new
        one).  If the stored incident changed since (another window, an
        import), the edit is merged into it; ``StaleRevisionError`` only when
        that version is no longer known.  Saving unchanged content writes
        nothing.  A deleted incident stays deleted (``IncidentNotFoundError``).
        """
        return (await self.save_many([incident]))[0]

    async def save_many(self, incidents: Iterable[Incident]) -> list[Incident]:
        """``save`` for several incidents, in one write."""
        self._check()
        given = []
        seen = set()
        for incident in incidents:
            doc = validate_incident(incident)
            if incident.id in seen:
                raise ValidationError("incident.id", "duplicate id")
            seen.add(incident.id)
            given.append((incident, doc))
        out: list[Incident] = []
        async with self._transaction():
            now = self._store._now()
            for incident, doc in given:
                out.append(self._apply_edit(incident, doc, now))
        return out

    def _apply_edit(self, incident: Incident, doc: dict, now: datetime) -> Incident:
        stored = self._stored(INCIDENTS, incident.id)
        by = self.settings.author
        if stored is None:
            if incident.revision != 0 or self.is_deleted(incident.id):
                raise IncidentNotFoundError()  # deleted (here, in another window or by a team member)
            new = stamp_edit(None, doc, now, by)
        else:
            current = self.get(incident.id)
            if incident.revision == current.revision:
                new = stamp_edit(stored, doc, now, by)
            else:
                base = self._bases.get((incident.id, incident.revision))
                if base is None:
                    raise StaleRevisionError(stored=current.revision, given=incident.revision)
                mine = stamp_edit(_wire(base), doc, now, by)
                if mine is None:
                    return current
                new = merge_incident(stored, mine)
                if content_of(new) == content_of(stored):
                    return current
                new["revision"] = current.revision + 1
        if new is None:
            return self.get(incident.id)
        saved = incident_from_dict(new)  # the stored version passes every rule a typed one does
        self._put(INCIDENTS, saved.id, new)
        self._cache[(INCIDENTS, saved.id)] = (self._stored(INCIDENTS, saved.id), saved)
        self._queue(saved.id)
        return saved

    async def delete(self, incident_id: str, *, by: str = "", restorable: bool = False) -> None:
        """Delete one incident.  A content-free tombstone keeps it deleted:
        no backup, window or team member's edit brings it back.

        ``restorable`` (a shared incident, while the journal is in its team):
        it is only marked deleted by ``by``, for the whole team, and any member
        can restore it during ``RESTORE_PERIOD`` (``restore``); then each
        device replaces it by a tombstone (``purge_deleted``).
        """
        self._check()
        async with self._transaction():
            if self._stored(INCIDENTS, incident_id) is None:
                raise IncidentNotFoundError()
            incident = self.get(incident_id)
            self._remember_base(incident)
            self._db.drop(INCIDENTS, incident_id)
            if restorable and self.is_shared(incident_id):
                self._keep_deleted(incident, by)
            else:
                self._db.put(TOMBSTONES, incident_id, tombstone_to_dict(Tombstone(incident_id, self._store._now())))
            self._queue(incident_id)  # a shared incident is deleted for the whole team

    async def save_settings(self, settings: Settings) -> Settings:
        self._check()
        validate_settings(settings)
        async with self._transaction():
            new = dataclasses.replace(settings, updated=self._store._now())
            self._db.put(SETTINGS, SETTINGS_ID, settings_to_dict(new))
        return new

    async def save_policy_item(self, item: PolicyItem) -> PolicyItem:
        """Save the school's state of one policy item; saving settles a
        conflict the item held (the version saved supersedes all)."""
        self._check()
        doc = validate_policy(item)
        async with self._transaction():
            new = stamp_policy(self._stored(POLICY, item.id), doc, self._store._now())
            saved = policy_from_dict(new)
            self._db.put(POLICY, item.id, new)
        return saved

    async def delete_policy_item(self, item_id: str) -> None:
        self._check()
        async with self._transaction():
            self._db.drop(POLICY, item_id)

    async def wipe(self) -> None:
        """Erase the whole journal (explicit, user-confirmed): the file and the
        attempts counter are deleted and this object is locked."""
        self._check()
        async with self._store.exclusive():
            await self._store._blob.delete()
            await self._store._throttle.reset()
            self.lock()

    async def change_passphrase(self, old: str, new: str) -> None:
        """Protect the journal with ``new`` under a fresh data key.

        ``old`` must be the current passphrase (``WrongPassphraseError``;
        counted by the same delay as unlocking).  The body is re-encrypted
        under a new random data key, so an old passphrase together with an
        old copy of the file cannot read anything written from now on.  The
        other windows find a file they can no longer read and lock
        themselves (``JournalRekeyedError``).
        """
        self._check()
        old_secret = fmt.normalize_passphrase(old)
        new_secret = fmt.normalize_passphrase(new)
        store = self._store
        attempt = await store._attempt()
        probe = fmt.Header(
            version=fmt.FORMAT_VERSION,
            kind=fmt.KIND_JOURNAL,
            kdf=fmt.KDF_PBKDF2_SHA256,
            encoding=store._encoding,
            body_nonce=b"\0" * fmt.NONCE_LEN,
            slot=self._slot,
            raw=fmt.key_slot_aad(fmt.KIND_JOURNAL, self._slot.iterations, self._slot.salt),
        )
        try:
            key = await fmt.open_key_slot(store._crypto, probe, old_secret)
        except DecryptionFailed:
            raise WrongPassphraseError(retry_after=delay_after(attempt)) from None
        if key != self._data_key:  # pragma: no cover - cannot happen with an authentic slot
            raise WrongPassphraseError()
        await store._succeeded()
        new_key = store._crypto.random_bytes(fmt.KEY_LEN)
        slot = await fmt.make_key_slot(
            store._crypto, new_secret, new_key, kind=fmt.KIND_JOURNAL, iterations=max(store.iterations, self._slot.iterations)
        )
        async with store.exclusive():
            await self._catch_up()
            await self._write_all(new_key, slot)

    # -- backup ------------------------------------------------------------------

    async def export_backup(self, passphrase: str, incident_ids: Optional[Iterable[str]] = None) -> bytes:
        """An encrypted backup (its own passphrase) of every incident, the
        settings and the policy items; or of the chosen incidents only."""
        self._check()
        secret = fmt.normalize_passphrase(passphrase)
        store = self._store
        async with store.exclusive():
            await self._catch_up()
        lines = self._storage.snapshot().lines
        if incident_ids is None:
            keys = [k for k in lines if k[0] in BACKUP_TABLES]
        else:
            keys = []
            for iid in dict.fromkeys(incident_ids):
                if (INCIDENTS, iid) not in lines:
                    raise IncidentNotFoundError()
                keys.append((INCIDENTS, iid))
        chosen = [lines[k] for k in keys]
        meta = fmt.dump_record({"t": "meta", "schema": SCHEMA_VERSION})
        body = await store._run_blocking(
            lambda: fmt.assemble_body([fmt.make_segment(x, fmt.ENCODING_ZLIB) for x in [meta] + chosen], fmt.ENCODING_ZLIB)
        )
        data_key = store._crypto.random_bytes(fmt.KEY_LEN)
        slot = await fmt.make_key_slot(store._crypto, secret, data_key, kind=fmt.KIND_BACKUP, iterations=store.iterations)
        return await fmt.seal(
            store._crypto, kind=fmt.KIND_BACKUP, slot=slot, data_key=data_key, body=body, encoding=fmt.ENCODING_ZLIB
        )

    async def import_backup(self, data: bytes, passphrase: str) -> ImportReport:
        """Decrypt, check every record, then merge (see ``storage.merge``).

        Raises ``NotABackupError``, ``WrongBackupPassphraseError``,
        ``DamagedFileError`` (truncated/tampered), ``InvalidBackupError``,
        ``NewerFormatError`` and ``JournalTooLargeError``; on any error the
        journal is unchanged.  A record that breaks a rule -- a stamp more
        than ``FUTURE_TOLERANCE`` ahead of this device's clock or before
        2000, too many entries, text that is not valid Unicode, a history
        that contradicts the journal's -- is reported in ``skipped_invalid``
        and the rest is imported.  Every merged result is checked again by
        the rules of a typed incident.  Deleted incidents stay deleted.
        Settings in a backup are not imported (they belong to the device).
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
        if len(data) > MAX_IMPORT_FILE:
            raise InvalidBackupError(detail="size", reason="size")
        try:
            data_key = await fmt.open_key_slot(store._crypto, header, secret)
        except DecryptionFailed:
            raise WrongBackupPassphraseError() from None
        plaintext = await fmt.open_body(store._crypto, header, data, data_key)
        try:
            body = await store._run_blocking(lambda: decode_body(plaintext, SCHEMA_VERSION))
        except NewerFormatError:
            raise
        except ValidationError as exc:
            raise InvalidBackupError(detail=exc.field, reason="content") from None
        except (ValueError, RecursionError) as exc:
            raise InvalidBackupError(detail=type(exc).__name__, reason="content") from None
        if any(docs for table, docs in body.tables.items() if table not in BACKUP_TABLES):
            raise InvalidBackupError(detail="device records in a backup", reason="content")

        report = ImportReport()
        ctx = Context(horizon=store._now() + FUTURE_TOLERANCE)
        incoming = _checked(body.tables[INCIDENTS], incident_from_dict, ctx, report.skipped_invalid)
        policies = _checked(body.tables[POLICY], policy_from_dict, ctx, report.policy_skipped)
        async with self._transaction():
            for iid, (obj, doc) in incoming.items():
                self._import_incident(iid, doc, report)
            for pid, (item, doc) in policies.items():
                stored = self._stored(POLICY, pid)
                if stored is None:
                    self._db.put(POLICY, pid, doc)
                    report.policy_added.append(pid)
                    continue
                merged = merge_policy(stored, doc)
                if merged != dict(stored):
                    policy_from_dict(merged)
                    self._db.put(POLICY, pid, merged)
                    report.policy_updated.append(pid)
        return report

    def _import_incident(self, iid: str, doc: dict, report: ImportReport, *, queue: bool = True,
                         team: bool = False) -> None:
        """Merge one incident from a backup, or (``team``) from the team: a
        shared incident a member deleted takes in the team's changes (its
        deletion log included, so a restore brings it back); a backup never
        brings back what was deleted here."""
        deleted = self._stored(DELETED, iid)
        if self._stored(TOMBSTONES, iid) is not None or (deleted is not None and not team):
            report.skipped_deleted.append(iid)
            return
        stored = deleted if deleted is not None else self._stored(INCIDENTS, iid)
        try:
            if stored is None:
                new = {**normalise(doc), "revision": 1}
                self._place(iid, _valid(new))
                report.added.append(iid)
                return
            merged = merge_incident(stored, doc)
            if content_of(merged) == content_of(stored):
                report.unchanged.append(iid)
                return
            merged["revision"] = stored["revision"] + 1
            self._place(iid, _valid(merged))
        except ValidationError as exc:  # MergeError included
            report.skipped_invalid.append((iid, exc.field))
            return
        if queue:
            self._queue(iid)
        report.updated.append(iid)
        report.conflicts.extend(new_conflicts(iid, stored, doc, merged))

    # -- sharing with a team (sync.journal builds the sync protocol on these) --

    def team_record(self) -> Optional[bytes]:
        """This device's team membership (keys, token) as the sync client wrote
        it, kept only inside the encrypted journal; ``None``: in no team."""
        self._check()
        doc = self._stored(TEAM, TEAM_ID)
        return None if doc is None else doc["state"].encode("ascii")

    async def save_team_record(self, state: Optional[bytes]) -> None:
        self._check()
        async with self._transaction():
            if state is None:
                self._db.drop(TEAM, TEAM_ID)
            else:
                self._db.put(TEAM, TEAM_ID, {"id": TEAM_ID, "state": state.decode("ascii")})

    def is_shared(self, incident_id: str) -> bool:
        self._check()
        return self._db.table(SHARES).contains(doc_id=incident_id)

    def shared_ids(self) -> set[str]:
        self._check()
        return {doc.doc_id for doc in self._db.table(SHARES).all()}

    def shared_by(self, incident_id: str) -> Optional[str]:
        """Who shared the incident with the team (their own words), if it is shared."""
        self._check()
        doc = self._stored(SHARES, incident_id)
        return None if doc is None else doc["by"]

    async def share(self, incident_id: str, by: str) -> None:
        """Share an incident with the team: from now on every change to it (and
        its deletion) is sent to the other members.  It cannot be unshared:
        the others have it."""
        self._check()
        async with self._transaction():
            if self._stored(INCIDENTS, incident_id) is None:
                raise IncidentNotFoundError()
            if self._stored(SHARES, incident_id) is None:
                self._db.put(SHARES, incident_id, {"id": incident_id, "by": by[:200], "at": time_to_str(self._store._now())})
                self._queue(incident_id)

    def _queue(self, incident_id: str) -> None:
        """Put a shared incident (or its deletion) in the outbox, in the same
        write as the change itself."""
        if self._stored(SHARES, incident_id) is None:
            return
        previous = self._stored(OUTBOX, incident_id)
        counter = (previous["revision"] + 1) if previous is not None else 1
        self._db.put(OUTBOX, incident_id, {**(previous or {}), "id": incident_id, "revision": counter})

    def outbox(self) -> list[tuple[str, str, bytes, str]]:
        """(record id, kind, canonical JSON, revision) of every shared record
        changed here since it was last sent; deletions as kind ``tombstone``."""
        self._check()
        out = []
        for entry in self._db.table(OUTBOX).all():
            rid = entry.doc_id
            incident = self._stored(INCIDENTS, rid) or self._stored(DELETED, rid)
            if incident is not None:
                kind, doc = "incident", content_of(incident)
            else:
                tomb = self._stored(TOMBSTONES, rid)
                if tomb is None:
                    continue
                kind, doc = "tombstone", dict(tomb)
            out.append((rid, kind, _canonical(doc), str(entry["revision"])))
        return out

    async def clear_outbox(self, sent: Iterable[tuple[str, str]]) -> None:
        """Forget outbox entries that were sent, each only if the record has not
        changed again since (``revision`` as ``outbox`` gave it)."""
        self._check()
        async with self._transaction():
            for rid, revision in sent:
                entry = self._stored(OUTBOX, rid)
                if entry is not None and str(entry["revision"]) == revision:
                    self._db.drop(OUTBOX, rid)
                elif entry is not None and revision.isdigit():
                    self._db.put(OUTBOX, rid, {**entry, "sent": int(revision)})  # what was sent no longer waits

    def pending_changes(self) -> int:
        """Changes to shared records made here that the team has not received
        yet: every save (or deletion) counts, not the records it touched."""
        self._check()
        return sum(entry["revision"] - entry.get("sent", 0) for entry in self._db.table(OUTBOX).all())

    async def apply_shared(self, records: Iterable[tuple[str, str, bytes]], author: Callable[[str], str]) -> int:
        """Merge records from the team: (kind, record id, canonical JSON).

        Each is checked like an import (a stamp at most a day ahead of this
        device's clock included); a deletion wins; a record new here becomes
        a shared incident.  Idempotent.  Returns how many records were
        refused by the rules (they are left out, the rest applies).
        """
        self._check()
        ctx = Context(horizon=self._store._now() + FUTURE_TOLERANCE)
        refused = 0
        async with self._transaction():
            for kind, rid, plaintext in records:
                try:
                    doc = json.loads(plaintext, parse_constant=_reject_constant)
                    if kind == "tombstone":
                        tomb = tombstone_from_dict(doc, ctx)
                        if tomb.id != rid:
                            raise ValidationError("tombstone.id", "does not match")
                        self._apply_deletion(tomb)
                        continue
                    if kind != "incident" or not isinstance(doc, dict):
                        raise ValidationError("record.t", "unknown record kind")
                    incident = incident_from_dict({**doc, "revision": 0}, ctx)
                    if incident.id != rid:
                        raise ValidationError("incident.id", "does not match")
                    report = ImportReport()
                    self._import_incident(rid, codec_of(Incident).dump(incident), report, queue=False, team=True)
                    refused += len(report.skipped_invalid)
                    if report.added:
                        self._db.put(SHARES, rid, {"id": rid, "by": author(rid)[:200], "at": time_to_str(self._store._now())})
                except (ValueError, RecursionError, ValidationError):
                    refused += 1
        return refused

    def _apply_deletion(self, tomb: Tombstone) -> None:
        if self._stored(INCIDENTS, tomb.id) is not None:
            self._remember_base(self.get(tomb.id))
            self._db.drop(INCIDENTS, tomb.id)
        self._db.drop(DELETED, tomb.id)
        stored = self._stored(TOMBSTONES, tomb.id)
        if stored is None or stored["deleted_at"] < time_to_str(tomb.deleted_at):
            self._db.put(TOMBSTONES, tomb.id, tombstone_to_dict(tomb))
        self._db.drop(OUTBOX, tomb.id)

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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _canonical(doc: dict) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _wire(incident: Incident) -> dict:
    return incident_to_dict(incident)


def _valid(doc: dict) -> dict:
    """``doc`` after the full check of a typed incident (raises ``ValidationError``)."""
    incident_from_dict(doc)
    return doc


def _checked(
    docs: dict[str, dict], read: Callable[..., Any], ctx: Context, skipped: list[tuple[str, str]]
) -> dict[str, tuple[Any, dict]]:
    """Records from outside that pass every rule, in canonical wire form; the
    others are listed in ``skipped`` as (id, the field that failed)."""
    out = {}
    for rid, doc in docs.items():
        try:
            obj = read(dict(doc), ctx)
        except ValidationError as exc:
            skipped.append((str(rid)[:100], exc.field))
            continue
        out[rid] = (obj, codec_of(type(obj)).dump(obj))
    return out


__all__ = ["Conflict", "ImportReport", "Journal", "JournalStore", "run_inline"]
