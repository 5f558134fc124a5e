"""Shared incidents a member deleted: restorable by any member for a while, then purged.

A mixin of ``storage.journal.Journal`` (it uses the journal's tables and its
one-writer transaction).  When a member deletes an incident shared with the
team, ``Journal.delete(..., restorable=True)`` does not write a tombstone:
it appends a deletion to the incident's ``deletions`` log (who, when) and
moves it to the journal's ``deleted`` records, out of every list.  The
incident travels to the team like any change, so every member's journal
holds it deleted; any of them can ``restore`` it for ``RESTORE_PERIOD``
(one more event in the log), which brings it back for everyone, with every
edit made meanwhile.  ``purge_deleted`` then replaces it by a tombstone,
which goes to the team too (``storage/FORMAT.md``, ``PROTOCOL.md``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from storage.errors import IncidentNotFoundError
from storage.incidents import (
    Incident,
    Tombstone,
    incident_from_dict,
    incident_from_trusted,
    incident_to_dict,
    mark_deleted,
    mark_restored,
    tombstone_to_dict,
    validate_incident,
)
from storage.journal_records import DELETED, INCIDENTS, TOMBSTONES
from storage.merge import stamp_edit


class RestorableDeletions:
    """``Journal``'s deleted shared incidents (see the module's doc)."""

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

    def _keep_deleted(self, incident: Incident, by: str) -> None:
        """Inside a transaction: ``incident`` (dropped from the incidents) deleted by ``by``, restorable."""
        now = self._store._now()
        self._db.put(DELETED, incident.id, self._stamped(incident, mark_deleted(incident, by=by, at=now), now))

    def _stamped(self, before: Incident, after: Incident, now: datetime) -> dict:
        """``after`` as stored: ``before`` with the change stamped like an edit."""
        doc = stamp_edit(incident_to_dict(before), validate_incident(after), now, self.settings.author)
        incident_from_dict(doc)
        return doc

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

    def _place(self, iid: str, doc: dict) -> None:
        """Store an incident (merged from the team or a backup) in the table its
        deletion log says: the incidents, or the deleted ones still restorable."""
        latest = max(doc.get("deletions", ()), key=lambda d: (d["at"], d["id"]), default=None)
        if latest is not None and not latest.get("restored", False):
            if self._stored(INCIDENTS, iid) is not None:
                self._remember_base(self.get(iid))
                self._db.drop(INCIDENTS, iid)
            self._db.put(DELETED, iid, doc)
        else:
            self._db.drop(DELETED, iid)
            self._put(INCIDENTS, iid, doc)


__all__ = ["RestorableDeletions"]
