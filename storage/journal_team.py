"""The journal's side of team sharing: its membership record, which incidents are shared,
what waits to be sent, the records from the team, and shared incidents a member deleted
(restorable for ``RESTORE_PERIOD``).  ``sync.journal`` builds the sync protocol on these."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Callable, Iterable, Optional

from storage.codec import Context, codec_of
from storage.errors import IncidentNotFoundError, JournalTooLargeError, ValidationError
from storage.incidents import (
    Incident,
    Tombstone,
    incident_from_dict,
    incident_from_trusted,
    mark_restored,
    time_to_str,
    tombstone_from_dict,
    tombstone_to_dict,
)
from storage.journal_records import (
    DELETED,
    INCIDENTS,
    OUTBOX,
    SHARES,
    TEAM,
    TEAM_ID,
    TOMBSTONES,
    canonical,
    check_shareable,
    reject_constant,
)
from storage.limits import FUTURE_TOLERANCE
from storage.merge import ImportReport, content_of


@dataclasses.dataclass
class SharedReport:
    """What ``Journal.apply_shared`` left out of the records from the team."""

    refused: int = 0  # broke a rule of the journal, or named a personal incident
    no_room: int = 0  # would have made the journal too large to open again


class TeamSharing:
    """Mixed into ``storage.journal.Journal``."""

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
            stored = self._stored(INCIDENTS, incident_id)
            if stored is None:
                raise IncidentNotFoundError()
            if self._stored(SHARES, incident_id) is None:
                check_shareable(stored)
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
            out.append((rid, kind, canonical(doc), str(entry["revision"])))
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

    async def apply_shared(self, records: Iterable[tuple[str, str, bytes]], author: Callable[[str], str]) -> SharedReport:
        """Merge records from the team: (kind, record id, canonical JSON).

        Each is checked like an import (a stamp at most a day ahead of this
        device's clock included); a deletion wins; a record new here becomes
        a shared incident.  A record touches only an incident shared with or
        received from the team: one naming a personal incident (its id is in
        backups and in addresses) changes nothing.  Idempotent.  What breaks a
        rule is left out and counted (``SharedReport.refused``), the rest
        applies; when the journal is near its size limit, the records that
        no longer fit are left out and counted (``no_room``) -- the journal
        never grows past what it can open again, and the sync goes on.
        """
        self._check()
        records = list(records)
        report = SharedReport()
        try:
            await self._apply_shared(records, author, report)
        except JournalTooLargeError:
            report = SharedReport()  # that write was rolled back: take the records in as they fit
            await self._apply_shared_in_parts(records, author, report)
        return report

    async def _apply_shared_in_parts(self, records: list[tuple[str, str, bytes]], author: Callable[[str], str],
                                     report: SharedReport) -> None:
        """As many of ``records`` as fit, in order, halving what does not."""
        part = SharedReport()
        try:
            await self._apply_shared(records, author, part)
        except JournalTooLargeError:
            if len(records) == 1:
                report.no_room += 1
                return
            half = len(records) // 2
            await self._apply_shared_in_parts(records[:half], author, report)
            await self._apply_shared_in_parts(records[half:], author, report)
            return
        report.refused += part.refused

    async def _apply_shared(self, records: list[tuple[str, str, bytes]], author: Callable[[str], str],
                            report: SharedReport) -> None:
        ctx = Context(horizon=self._store._now() + FUTURE_TOLERANCE)
        async with self._transaction():
            for kind, rid, plaintext in records:
                try:
                    if not self._team_may_touch(rid):
                        raise ValidationError("record.id", "a personal incident")
                    doc = json.loads(plaintext, parse_constant=reject_constant)
                    if kind == "tombstone":
                        tomb = tombstone_from_dict(doc, ctx)
                        if tomb.id != rid:
                            raise ValidationError("tombstone.id", "does not match")
                        self._apply_deletion(tomb)
                        self._mark_received(rid, author)
                        continue
                    if kind != "incident" or not isinstance(doc, dict):
                        raise ValidationError("record.t", "unknown record kind")
                    incident = incident_from_dict({**doc, "revision": 0}, ctx)
                    if incident.id != rid:
                        raise ValidationError("incident.id", "does not match")
                    imported = ImportReport()
                    self._import_incident(rid, codec_of(Incident).dump(incident), imported, queue=False, team=True)
                    report.refused += len(imported.skipped_invalid)
                    if imported.added:
                        self._mark_received(rid, author)
                except (ValueError, RecursionError, ValidationError):
                    report.refused += 1

    def _team_may_touch(self, record_id: str) -> bool:
        """A team record may change an incident shared with or received from the
        team, or bring one this journal has never held; never a personal one."""
        if self._stored(SHARES, record_id) is not None:
            return True
        return self._stored(INCIDENTS, record_id) is None and self._stored(TOMBSTONES, record_id) is None

    def _mark_received(self, record_id: str, author: Callable[[str], str]) -> None:
        if self._stored(SHARES, record_id) is None:
            self._db.put(SHARES, record_id, {"id": record_id, "by": author(record_id)[:200],
                                             "at": time_to_str(self._store._now())})

    def _apply_deletion(self, tomb: Tombstone) -> None:
        if self._stored(INCIDENTS, tomb.id) is not None:
            self._remember_base(self.get(tomb.id))
            self._db.drop(INCIDENTS, tomb.id)
        self._db.drop(DELETED, tomb.id)
        stored = self._stored(TOMBSTONES, tomb.id)
        if stored is None or stored["deleted_at"] < time_to_str(tomb.deleted_at):
            self._db.put(TOMBSTONES, tomb.id, tombstone_to_dict(tomb))
        self._db.drop(OUTBOX, tomb.id)

    def deleted_incidents(self, now: Optional[datetime] = None) -> list[Incident]:
        """Shared incidents a member deleted that can still be restored, the latest deletion first."""
        self._check()
        now = now or self._store._now()
        found = [self._object(DELETED, doc.doc_id, incident_from_trusted) for doc in self._db.table(DELETED).all()]
        found = [i for i in found if i.restorable_until() > now]
        found.sort(key=lambda i: (i.deleted.at, i.id), reverse=True)
        return found

    def deleted_incident(self, incident_id: str) -> Optional[Incident]:
        """A shared incident a member deleted (restorable or not yet purged), or ``None``."""
        self._check()
        if not isinstance(incident_id, str) or self._stored(DELETED, incident_id) is None:
            return None
        return self._object(DELETED, incident_id, incident_from_trusted)

    async def restore(self, incident_id: str, *, by: str = "") -> Incident:
        """Bring back a shared incident a member deleted (for the whole team),
        while it is restorable; ``IncidentNotFoundError`` otherwise."""
        self._check()
        async with self._transaction():
            deleted = self.deleted_incident(incident_id)
            now = self._store._now()
            if deleted is None or deleted.restorable_until() <= now:
                raise IncidentNotFoundError()
            doc = self._stamped(deleted, mark_restored(deleted, by=by, at=now), now)
            self._db.drop(DELETED, incident_id)
            self._put(INCIDENTS, incident_id, doc)
            self._queue(incident_id)
        return self.get(incident_id)

    async def purge_deleted(self, now: Optional[datetime] = None, *, everything: bool = False) -> list[str]:
        """Replace deleted shared incidents whose restore period is over (or,
        ``everything``, all of them: the journal leaves its team) by tombstones,
        which go to the team like any deletion.  Returns their ids."""
        self._check()
        now = now or self._store._now()

        def expired() -> list[Incident]:
            found = (self.deleted_incident(doc.doc_id) for doc in self._db.table(DELETED).all())
            return [i for i in found if everything or i.restorable_until() <= now]

        if not expired():
            return []  # nothing to write (and no need to read the file)
        purged = []
        async with self._transaction():
            for incident in expired():  # again: another window may have restored or purged meanwhile
                self._db.drop(DELETED, incident.id)
                # The deletion's own time: every device makes the same tombstone.
                self._db.put(TOMBSTONES, incident.id, tombstone_to_dict(Tombstone(incident.id, incident.deleted.at)))
                self._queue(incident.id)
                purged.append(incident.id)
        return purged
