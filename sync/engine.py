"""The sync engine: pull, merge, push — independent of how the journal stores things.

The engine needs five things from the journal, the ``SyncedJournal``
protocol below; the journal does the merging (``apply_remote``) with its own
field-level merge. Saving locally never waits for the network: the journal
records a change and puts the record in its outbox; ``SyncEngine.sync()``
sends the outbox when it can, and a failed push leaves the outbox as it was.

One ``sync()`` round:

1. pull every page after the cursor (taking in newer key versions when a
   page says there are), decrypt, hand the authentic records to
   ``apply_remote``, then persist the new cursor;
2. if a member left, rotate the team key (any member may);
3. push the outbox in chunks, each under a fresh push id, and mark what the
   server acknowledged as pushed; a push refused for an old key version
   takes in the new keys and is sealed again.

A log shorter than the cursor (the server restored from an older backup)
makes the device pull from the start again.

A record that does not authenticate (tampered, or garbage from a member's
bug) is skipped and counted in ``SyncStatus.rejected``; the cursor moves on,
so one bad record cannot stop the team's sync. Applying is idempotent, so a
crash between ``apply_remote`` and saving the cursor only repeats work.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Optional, Protocol, Sequence, runtime_checkable

from sync.client import OutgoingRecord, TeamClient
from sync.crypto import new_id
from sync.errors import (
    AccessRevokedError,
    BadResponseError,
    IntegrityError,
    OfflineError,
    RefusedError,
    ServerUnreachableError,
)
from sync.limits import MAX_RECORDS_PER_PUSH
from sync.state import TeamState


@dataclass(frozen=True)
class RemoteRecord:
    """A record another device (or this one, earlier) shared, decrypted."""

    seq: int
    record_id: str
    kind: str
    plaintext: bytes  # the canonical JSON document the journal shared
    author_id: str  # member id of the device that pushed it
    received_at: datetime  # when the server took it in (server clock)


@dataclass(frozen=True)
class PushedRecord:
    record_id: str
    revision: str  # as it was in the ``OutgoingRecord`` that was pushed
    seq: int


@runtime_checkable
class SyncedJournal(Protocol):
    """What the engine needs from a journal. Every method may be called from
    the app's event loop while the user keeps working."""

    async def team_state(self) -> Optional[TeamState]:
        """The persisted team state, or ``None`` when the journal is in no team."""
        ...

    async def save_team_state(self, state: Optional[TeamState]) -> None:
        """Persist ``state`` (inside the encrypted journal); ``None`` forgets the team."""
        ...

    async def outbox(self) -> Sequence[OutgoingRecord]:
        """Shared records changed locally since their last push (deletions as
        ``kind == "tombstone"`` records), oldest change first."""
        ...

    async def apply_remote(self, records: Sequence[RemoteRecord]) -> None:
        """Merge records from the team into the journal (idempotent: the same
        record twice, or an older one after a newer, changes nothing)."""
        ...

    async def mark_pushed(self, records: Sequence[PushedRecord]) -> None:
        """Clear these outbox entries, each only if its ``revision`` is still
        the current one (a record edited again meanwhile stays in the outbox)."""
        ...


class SyncState(enum.Enum):
    NOT_IN_TEAM = "not_in_team"
    NEVER_SYNCED = "never_synced"  # in a team, no sync tried yet in this session
    SYNCED = "synced"
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"  # includes answers the app cannot understand
    REMOVED = "removed"  # removed from the team, or left it: the token is refused
    REFUSED = "refused"  # the server said no (``reason``), e.g. rate limited
    INTEGRITY = "integrity"  # keys from the server did not authenticate: nothing applied


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    last_success: Optional[datetime] = None  # the end of the last complete sync
    pending: int = 0  # outbox entries not yet acknowledged by the server
    rejected: int = 0  # records skipped in this session because they did not authenticate
    reason: Optional[str] = None  # the server's reason code for REFUSED


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SyncEngine:
    def __init__(self, journal: SyncedJournal, client: TeamClient,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.journal = journal
        self.client = client
        self.clock = clock
        self.status = SyncStatus(SyncState.NEVER_SYNCED)
        self._lock = asyncio.Lock()
        self._rejected = 0

    async def sync(self) -> SyncStatus:
        """One round; never raises a ``SyncError`` (the status says what happened)."""
        async with self._lock:
            state = await self.journal.team_state()
            if state is None:
                return self._set(SyncState.NOT_IN_TEAM)
            if state.removed:
                return self._set(SyncState.REMOVED, pending=await self._pending())
            try:
                state = await self._pull(state)
                state = await self._push(state)
            except OfflineError:
                return self._set(SyncState.OFFLINE, pending=await self._pending())
            except AccessRevokedError:
                await self.journal.save_team_state(replace(await self.journal.team_state() or state, removed=True))
                return self._set(SyncState.REMOVED, pending=await self._pending())
            except RefusedError as exc:
                return self._set(SyncState.REFUSED, pending=await self._pending(), reason=exc.reason)
            except IntegrityError:
                return self._set(SyncState.INTEGRITY, pending=await self._pending())
            except ServerUnreachableError:
                return self._set(SyncState.UNREACHABLE, pending=await self._pending())
            return self._set(SyncState.SYNCED, pending=await self._pending(), last_success=self.clock())

    async def _pending(self) -> int:
        return len(await self.journal.outbox())

    def _set(self, state: SyncState, pending: int = 0, reason: Optional[str] = None,
             last_success: Optional[datetime] = None) -> SyncStatus:
        self.status = SyncStatus(state, last_success or self.status.last_success, pending, self._rejected, reason)
        return self.status

    async def _pull(self, state: TeamState) -> TeamState:
        while True:
            page = await self.client.pull(state, state.cursor)
            if page.head < state.cursor:
                # The log is shorter than what this device has seen: the server was
                # restored from an older backup. Take everything in again (the merge
                # is idempotent) so that no change numbered after the restore is missed.
                state = replace(state, cursor=0)
                await self.journal.save_team_state(state)
                continue
            if page.key_version > state.key_version:
                state = await self.client.refresh_keys(state)
                await self.journal.save_team_state(state)
                if page.key_version > state.key_version:
                    # Without the current key the page's newest records cannot be
                    # read: stop here rather than skip them for good.
                    raise BadResponseError("the server did not hand over the current team key")
            accepted = []
            for change in page.changes:
                try:
                    plaintext = await self.client.open(state, change)
                except IntegrityError:
                    self._rejected += 1
                    continue
                accepted.append(RemoteRecord(change.seq, change.sealed.record_id, change.sealed.kind, plaintext,
                                             change.author_id, change.received_at))
            if accepted:
                await self.journal.apply_remote(accepted)
            cursor = page.changes[-1].seq if page.changes else max(state.cursor, page.head)
            if cursor != state.cursor:
                state = replace(state, cursor=cursor)
                await self.journal.save_team_state(state)
            if not page.more:
                break
        if page.rotation_needed:
            state = await self.client.rotate(state)
            await self.journal.save_team_state(state)
        return state

    async def _push(self, state: TeamState) -> TeamState:
        outbox = list(await self.journal.outbox())
        for start in range(0, len(outbox), MAX_RECORDS_PER_PUSH):
            chunk = outbox[start : start + MAX_RECORDS_PER_PUSH]
            try:
                seqs = await self._push_chunk(state, chunk)
            except RefusedError as exc:
                if exc.reason == "rotation_needed":
                    state = await self.client.rotate(state)
                elif exc.reason == "stale_key_version":
                    state = await self.client.refresh_keys(state)
                else:
                    raise
                await self.journal.save_team_state(state)
                seqs = await self._push_chunk(state, chunk)
            await self.journal.mark_pushed(
                [PushedRecord(r.record_id, r.revision, seq) for r, seq in zip(chunk, seqs)]
            )
        return state

    async def _push_chunk(self, state: TeamState, chunk: Sequence[OutgoingRecord]) -> list[int]:
        sealed = [await self.client.seal(state, record) for record in chunk]
        return await self.client.push(state, sealed, new_id(self.client.crypto))


__all__ = ["PushedRecord", "RemoteRecord", "SyncEngine", "SyncState", "SyncStatus", "SyncedJournal"]
