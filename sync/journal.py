"""The journal as the team's sync engine sees it (``sync.engine.SyncedJournal``).

Only incidents the user chose to share ("Delen met team") ever reach the
outbox; personal incidents never leave the device, and a record from the
team never changes one.  Everything the engine
needs is kept inside the encrypted journal: the team state (device key,
team keys, token, cursor) as the sync client serialises it, which incidents
are shared, and the outbox -- written in the same atomic write as the change
itself, so a change made offline is sent later and nothing waits on the
network to be saved.  Records from the team are merged with the journal's
own field-level merge (``Journal.apply_shared``).
"""

from __future__ import annotations

from typing import Optional, Sequence

from storage.journal import Journal
from sync.client import OutgoingRecord
from sync.engine import PushedRecord, RemoteRecord
from sync.state import TeamState


class TeamJournal:
    """``SyncedJournal`` over an unlocked ``Journal``.

    ``member_names`` maps a team member id to the name they chose (for "shared
    by"); unknown ids are shown as the team ("team").
    """

    def __init__(self, journal: Journal, member_names: Optional[dict[str, str]] = None) -> None:
        self.journal = journal
        self.member_names = member_names or {}
        self.refused = 0  # records from the team that broke a rule (or named a personal incident), this session
        self.no_room = 0  # records from the team left out because the journal is near its size limit

    async def team_state(self) -> Optional[TeamState]:
        raw = self.journal.team_record()
        return None if raw is None else TeamState.from_bytes(raw)

    async def save_team_state(self, state: Optional[TeamState]) -> None:
        await self.journal.save_team_record(None if state is None else state.to_bytes())

    async def outbox(self) -> Sequence[OutgoingRecord]:
        return [OutgoingRecord(rid, kind, plaintext, revision) for rid, kind, plaintext, revision in self.journal.outbox()]

    async def apply_remote(self, records: Sequence[RemoteRecord]) -> None:
        authors = {r.record_id: self.member_names.get(r.author_id, "team") for r in records}
        report = await self.journal.apply_shared(
            [(r.kind, r.record_id, r.plaintext) for r in records], lambda rid: authors.get(rid, "team")
        )
        self.refused += report.refused
        self.no_room += report.no_room

    async def mark_pushed(self, records: Sequence[PushedRecord]) -> None:
        await self.journal.clear_outbox([(r.record_id, r.revision) for r in records])


__all__ = ["TeamJournal"]
