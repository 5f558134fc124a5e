"""The journal's backups: an encrypted export of all or some incidents, and the import that
checks every record and merges it in (``storage.merge``)."""

from __future__ import annotations

from typing import Iterable, Optional

from storage import container as fmt
from storage.backends import DecryptionFailed
from storage.codec import Context
from storage.errors import (
    DamagedFileError,
    IncidentNotFoundError,
    InvalidBackupError,
    NewerFormatError,
    NotABackupError,
    ValidationError,
    WrongBackupPassphraseError,
)
from storage.incidents import SCHEMA_VERSION, incident_from_dict, policy_from_dict
from storage.journal_records import DELETED, INCIDENTS, POLICY, TOMBSTONES, checked, valid
from storage.limits import FUTURE_TOLERANCE, MAX_IMPORT_FILE
from storage.merge import ImportReport, content_of, merge_incident, merge_policy, new_conflicts, normalise
from storage.sealed import BACKUP_TABLES, decode_body


class Backups:
    """Mixed into ``storage.journal.Journal``."""

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
        incoming = checked(body.tables[INCIDENTS], incident_from_dict, ctx, report.skipped_invalid)
        policies = checked(body.tables[POLICY], policy_from_dict, ctx, report.policy_skipped)
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
                self._place(iid, valid(new))
                report.added.append(iid)
                return
            merged = merge_incident(stored, doc)
            if content_of(merged) == content_of(stored):
                report.unchanged.append(iid)
                return
            merged["revision"] = stored["revision"] + 1
            self._place(iid, valid(merged))
        except ValidationError as exc:  # MergeError included
            report.skipped_invalid.append((iid, exc.field))
            return
        if queue:
            self._queue(iid)
        report.updated.append(iid)
        report.conflicts.extend(new_conflicts(iid, stored, doc, merged))

    def _place(self, iid: str, doc: dict) -> None:
        """Store an incident in the table its deletion log says: the journal's
        incidents, or the shared ones deleted by a member (still restorable)."""
        latest = max(doc.get("deletions", ()), key=lambda d: (d["at"], d["id"]), default=None)
        if latest is not None and not latest.get("restored", False):
            if self._stored(INCIDENTS, iid) is not None:
                self._remember_base(self.get(iid))
                self._db.drop(INCIDENTS, iid)
            self._db.put(DELETED, iid, doc)
        else:
            self._db.drop(DELETED, iid)
            self._put(INCIDENTS, iid, doc)
