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

The ``Journal`` is put together from its parts: its backups
(``storage.journal_backup``), its team records (``storage.journal_team``) and
its file (``storage.journal_file``), over the tables and record checks of
``storage.journal_records``.

Reads are synchronous (memory only); everything that derives keys, encrypts
or touches storage is ``async``.  Platform specifics come in through a
``CryptoBackend``, two ``BlobStore``s, a ``WriteLock`` and ``run_blocking``
(how to run CPU work off the event loop: a thread natively, inline under
Pyodide).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Optional, TypeVar

from tinydb import where

from storage import container as fmt
from storage.backends import BlobStore, CryptoBackend, DecryptionFailed, NoWriteLock, WriteLock
from storage.codec import codec_of
from storage.errors import (
    DamagedFileError,
    IncidentNotFoundError,
    JournalExistsError,
    JournalLockedError,
    JournalNotFoundError,
    NewerFormatError,
    StaleRevisionError,
    ValidationError,
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
    mark_deleted,
    past_retention,
    policy_from_dict,
    settings_to_dict,
    sort_incidents,
    tombstone_to_dict,
    utcnow,
    validate_incident,
    validate_policy,
    validate_settings,
)
from storage.journal_backup import Backups
from storage.journal_file import Persistence
from storage.journal_records import DELETED, INCIDENTS, POLICY, SETTINGS, SHARES, TOMBSTONES, check_shareable, wire
from storage.journal_team import SharedReport, TeamSharing
from storage.merge import Conflict, ImportReport, content_of, merge_incident, stamp_edit, stamp_policy
from storage.sealed import SETTINGS_ID, Body, FrozenDocument, JournalDB, decode_body, empty_body, open_db
from storage.throttle import AttemptThrottle, delay_after

T = TypeVar("T")
RunBlocking = Callable[[Callable[[], T]], Awaitable[T]]


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


class Journal(Backups, TeamSharing, Persistence):
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
                mine = stamp_edit(wire(base), doc, now, by)
                if mine is None:
                    return current
                new = merge_incident(stored, mine)
                if content_of(new) == content_of(stored):
                    return current
                new["revision"] = current.revision + 1
        if new is None:
            return self.get(incident.id)
        saved = incident_from_dict(new)  # the stored version passes every rule a typed one does
        if self._stored(SHARES, saved.id) is not None:
            check_shareable(new)
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
                now = self._store._now()
                self._db.put(DELETED, incident_id, self._stamped(incident, mark_deleted(incident, by=by, at=now), now))
            else:
                self._db.put(TOMBSTONES, incident_id, tombstone_to_dict(Tombstone(incident_id, self._store._now())))
            self._queue(incident_id)  # a shared incident is deleted for the whole team

    def _stamped(self, before: Incident, after: Incident, now: datetime) -> dict:
        """``after`` as stored: ``before`` with the change stamped like an edit."""
        doc = stamp_edit(incident_to_dict(before), validate_incident(after), now, self.settings.author)
        incident_from_dict(doc)
        return doc

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

__all__ = ["Conflict", "ImportReport", "Journal", "JournalStore", "SharedReport", "run_inline"]
