"""The sync engine: pull, merge, push — independent of how the journal stores things.

The engine needs five things from the journal, the ``SyncedJournal``
protocol below; the journal does the merging (``apply_remote``) with its own
field-level merge. Saving locally never waits for the network: the journal
records a change and puts the record in its outbox; ``SyncEngine.sync()``
sends the outbox when it can, and a failed push leaves the outbox as it was.

One ``sync()`` round:

1. pull every page after the cursor (taking in newer key versions when a
   page says there are, each checked), decrypt, hand the authentic records
   to ``apply_remote``, then persist the new cursor;
2. check the member list once per key version (``sync.vouching``): members
   whose public key the team does not vouch for are named in the status;
3. if a member left: the coordinator's device rotates the team key; any
   other device leaves its outbox waiting for the new key
   (``SyncState.WAITING``; the server refuses pushes until then);
4. push the outbox in pushes bounded by count and bytes (``sync.batches``),
   each under an id derived from what it carries, so a push sent again after
   a lost answer appends nothing; mark what the server acknowledged as
   pushed. A push refused for an old key version takes in the new keys and
   is sealed again; one refused as too large is split until the record at
   fault is found, which stays in the outbox and is named
   (``SyncStatus.unsent``) while the others go.

A log shorter than the cursor (the server restored from an older backup)
makes the device pull from the start again.

A record that does not authenticate (tampered, or garbage from a member's
bug) is skipped and counted in ``SyncStatus.rejected``; the cursor moves on,
so one bad record cannot stop the team's sync. A key version that does not
check out (a bad wrap or commitment) is blamed on the coordinator, who alone
rotates (``SyncStatus.faults``); the device keeps the keys before it and
takes in every record it can read, stopping before the first it cannot.
Applying is idempotent, so a crash between ``apply_remote`` and saving the
cursor only repeats work.
"""

from __future__ import annotations

import asyncio
import enum
from itertools import takewhile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Optional, Protocol, Sequence, runtime_checkable

from sync.batches import plan
from sync.client import OutgoingRecord, TeamClient
from sync.crypto import push_id
from sync.errors import (
    AccessRevokedError,
    BadResponseError,
    IntegrityError,
    KeyRejectedError,
    OfflineError,
    RefusedError,
    ServerUnreachableError,
)
from sync.messages import TeamInfo
from sync.state import TeamState
from sync.vouching import unvouched


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
    WAITING = "waiting"  # a member left: pushes wait until the coordinator has renewed the team key
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"  # includes answers the app cannot understand
    REMOVED = "removed"  # removed from the team, or left it: the token is refused
    REFUSED = "refused"  # the server said no (``reason``), e.g. rate limited
    INTEGRITY = "integrity"  # a team key from the server did not check out: what needs it is not taken in


@dataclass(frozen=True)
class MemberFault:
    """A member whose key did not check out: a public key the team does not
    vouch for (``sync.vouching``), or -- the coordinator, who alone rotates --
    a new team key version that did not open or match its commitment."""

    member_id: str
    name: str  # as the member chose to be named ("" when this device does not know)


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    last_success: Optional[datetime] = None  # the end of the last complete sync
    pending: int = 0  # outbox entries not yet acknowledged by the server
    rejected: int = 0  # records skipped in this session because they did not authenticate
    reason: Optional[str] = None  # the server's reason code for REFUSED
    faults: tuple[MemberFault, ...] = ()  # members whose keys did not check out (the UI names them)
    unsent: tuple[str, ...] = ()  # outbox records that cannot go (too large): the others went


#: Refusals of a push that one of its records may cause: the push is split to find it.
_RECORD_REFUSALS = ("too_large", "bad_request")


class _WaitForCoordinator(Exception):
    """A member left and this device is not the coordinator: pushes wait for the new key."""


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
        self._member_faults: dict[str, MemberFault] = {}  # from the last member list checked
        self._key_fault: Optional[MemberFault] = None  # who made a key version that did not check out
        self._checked_version: Optional[int] = None  # the key version whose member list was checked
        self._unsent: dict[str, str] = {}  # record id -> revision that cannot go (this session)

    async def sync(self) -> SyncStatus:
        """One round; never raises a ``SyncError`` (the status says what happened)."""
        async with self._lock:
            state = await self.journal.team_state()
            if state is None:
                return self._set(SyncState.NOT_IN_TEAM)
            if state.removed:
                return self._set(SyncState.REMOVED, pending=await self._pending())
            try:
                state, rotation_needed = await self._pull(state)
                if self._checked_version != state.key_version:
                    await self._check_members(state)
                if rotation_needed:
                    if not state.coordinator:
                        raise _WaitForCoordinator()
                    state = await self._rotate(state)
                state = await self._push(state)
            except _WaitForCoordinator:
                return self._set(SyncState.WAITING, pending=await self._pending())
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

    def note_team(self, state: TeamState, info: TeamInfo) -> None:
        """Check the member list the server sent (``TeamClient.team``): who the team does not vouch for."""
        if info.team_id != state.team_id or info.key_version not in state.keys:
            return  # a member list under a key this device does not hold (yet): checked once it does
        self._member_faults = {m.member_id: MemberFault(m.member_id, m.display_name)
                               for m in unvouched(state.keys, state.team_id, info)}
        self._checked_version = info.key_version

    async def _pending(self) -> int:
        return len(await self.journal.outbox())

    def _faults(self) -> tuple[MemberFault, ...]:
        faults = dict(self._member_faults)
        if self._key_fault is not None:
            faults.setdefault(self._key_fault.member_id, self._key_fault)
        return tuple(faults.values())

    def _set(self, state: SyncState, pending: int = 0, reason: Optional[str] = None,
             last_success: Optional[datetime] = None) -> SyncStatus:
        self.status = SyncStatus(state, last_success or self.status.last_success, pending, self._rejected, reason,
                                 self._faults(), tuple(self._unsent))
        return self.status

    # --- keys and members -------------------------------------------------------------------------

    async def _check_members(self, state: TeamState) -> None:
        self.note_team(state, await self.client.team(state))

    async def _take_keys(self, state: TeamState) -> TeamState:
        """Newer key versions from the server, each checked; one that does not check
        out is blamed on the coordinator (only the coordinator rotates) and the
        versions before it are kept."""
        try:
            newer = await self.client.refresh_keys(state)
            self._key_fault = None
        except KeyRejectedError as exc:
            newer = exc.state
            info = await self.client.team(newer)
            self._key_fault = next((MemberFault(m.member_id, m.display_name) for m in info.members if m.coordinator),
                                   MemberFault("", ""))
        if newer.keys != state.keys:
            await self.journal.save_team_state(newer)
        return newer

    async def _rotate(self, state: TeamState) -> TeamState:
        state = await self.client.rotate(state)
        await self.journal.save_team_state(state)
        await self._check_members(state)
        return state

    # --- pulling ---------------------------------------------------------------------------------

    async def _pull(self, state: TeamState) -> tuple[TeamState, bool]:
        """Every page after the cursor; returns the state and whether the team waits for a rotation."""
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
                state = await self._take_keys(state)
            known = state.key_version
            # Without the current key the newest records cannot be read: take in those
            # before them and stop there, rather than skip them for good.
            readable = list(takewhile(lambda change: change.sealed.key_version <= known, page.changes))
            accepted = []
            for change in readable:
                try:
                    plaintext = await self.client.open(state, change)
                except IntegrityError:
                    self._rejected += 1
                    continue
                accepted.append(RemoteRecord(change.seq, change.sealed.record_id, change.sealed.kind, plaintext,
                                             change.author_id, change.received_at))
            if accepted:
                await self.journal.apply_remote(accepted)
            if readable:
                cursor = readable[-1].seq
            else:
                cursor = state.cursor if page.changes else max(state.cursor, page.head)
            if cursor != state.cursor:
                state = replace(state, cursor=cursor)
                await self.journal.save_team_state(state)
            if page.key_version > known and (len(readable) < len(page.changes) or not page.more):
                if self._key_fault is not None:
                    raise IntegrityError("a team key version did not check out")
                raise BadResponseError("the server did not hand over the current team key")
            if not page.more:
                return state, page.rotation_needed

    # --- pushing ---------------------------------------------------------------------------------

    async def _push(self, state: TeamState) -> TeamState:
        """The outbox in pushes bounded by count and bytes (``sync.batches``); a
        record that cannot go is set aside and named, the others go."""
        outbox = list(await self.journal.outbox())
        current = {r.record_id: r.revision for r in outbox}
        # A record refused earlier in this session is tried again once it was edited.
        self._unsent = {rid: revision for rid, revision in self._unsent.items() if current.get(rid) == revision}
        batches, unsendable = plan([r for r in outbox if r.record_id not in self._unsent], state.key_version)
        self._unsent.update((r.record_id, r.revision) for r in unsendable)
        for batch in batches:
            state = await self._send(state, batch)
        return state

    async def _send(self, state: TeamState, batch: Sequence[OutgoingRecord], retried: bool = False) -> TeamState:
        try:
            seqs = await self._push_batch(state, batch)
        except RefusedError as exc:
            if exc.reason in _RECORD_REFUSALS:
                if len(batch) == 1:
                    self._unsent[batch[0].record_id] = batch[0].revision
                    return state
                half = len(batch) // 2
                state = await self._send(state, batch[:half])
                return await self._send(state, batch[half:])
            if retried or exc.reason not in ("rotation_needed", "stale_key_version"):
                raise
            if exc.reason == "rotation_needed":
                if not state.coordinator:
                    raise _WaitForCoordinator() from None
                state = await self._rotate(state)
            else:
                state = await self._take_keys(state)
                if self._key_fault is not None:
                    raise IntegrityError("a team key version did not check out") from None
            return await self._send(state, batch, retried=True)
        await self.journal.mark_pushed([PushedRecord(r.record_id, r.revision, seq) for r, seq in zip(batch, seqs)])
        return state

    async def _push_batch(self, state: TeamState, batch: Sequence[OutgoingRecord]) -> list[int]:
        sealed = [await self.client.seal(state, record) for record in batch]
        pid = push_id(state.team_key, state.team_id, state.member_id, state.key_version,
                      ((r.record_id, r.kind, r.plaintext) for r in batch))
        return await self.client.push(state, sealed, pid)


__all__ = ["MemberFault", "PushedRecord", "RemoteRecord", "SyncEngine", "SyncState", "SyncStatus", "SyncedJournal"]
