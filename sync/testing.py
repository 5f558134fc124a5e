"""A TEST DOUBLE of ``SyncedJournal``: an in-memory journal with a naive merge.

Not the app's journal and not its merge. The real journal (``storage/``)
merges field by field; this double keeps whole documents and lets the one
with the higher ``(updated, author)`` win, which is enough to test the
engine, the protocol and the server (convergence, nothing lost) without the
journal. Used by the tests and ``tools/bench.py sync``.

Documents are JSON objects with ``"updated"`` (any string that sorts by
time, e.g. ISO 8601 UTC) and ``"author"``; a deletion is a ``"tombstone"``
record whose document has the same two fields.
"""

from __future__ import annotations

import json
from typing import Optional, Sequence

from sync.client import OutgoingRecord
from sync.engine import PushedRecord, RemoteRecord
from sync.state import TeamState


def _order(doc: dict) -> tuple:
    return (str(doc.get("updated", "")), str(doc.get("author", "")))


class MemoryJournal:
    """``SyncedJournal`` in memory: ``records[record_id] = (kind, document)``."""

    def __init__(self, author: str) -> None:
        self.author = author
        self.records: dict[str, tuple[str, dict]] = {}
        self._state: Optional[TeamState] = None
        self._outbox: dict[str, int] = {}  # record id -> local revision counter
        self._revision = 0
        self.applied = 0  # records merged in from the team (counting repeats)

    # -- what the app would do locally -------------------------------------------------------

    def put(self, record_id: str, document: dict, kind: str = "incident") -> None:
        """A local edit: saved at once, queued for the team."""
        self.records[record_id] = (kind, dict(document, author=self.author))
        self._revision += 1
        self._outbox[record_id] = self._revision

    def delete(self, record_id: str, updated: str) -> None:
        self.put(record_id, {"updated": updated}, kind="tombstone")

    def visible(self) -> dict[str, dict]:
        return {rid: doc for rid, (kind, doc) in self.records.items() if kind != "tombstone"}

    # -- SyncedJournal -------------------------------------------------------------------------

    async def team_state(self) -> Optional[TeamState]:
        return self._state

    async def save_team_state(self, state: Optional[TeamState]) -> None:
        self._state = state

    async def outbox(self) -> Sequence[OutgoingRecord]:
        return [
            OutgoingRecord(rid, self.records[rid][0], json.dumps(self.records[rid][1], sort_keys=True).encode(), str(rev))
            for rid, rev in sorted(self._outbox.items(), key=lambda item: item[1])
        ]

    async def apply_remote(self, records: Sequence[RemoteRecord]) -> None:
        for record in records:
            self.applied += 1
            document = json.loads(record.plaintext)
            mine = self.records.get(record.record_id)
            if mine is None or _order(document) > _order(mine[1]):
                self.records[record.record_id] = (record.kind, document)

    async def mark_pushed(self, records: Sequence[PushedRecord]) -> None:
        for record in records:
            if str(self._outbox.get(record.record_id)) == record.revision:
                del self._outbox[record.record_id]


__all__ = ["MemoryJournal"]
