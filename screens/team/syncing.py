"""The journal's team, for one app session: syncing while the journal is open,
and the team operations the screens call.

``TeamSync`` is ``AppContext.team_sync``.  While the journal is unlocked and
in a team it runs a ``SyncEngine`` over ``sync.journal.TeamJournal``: a
round at unlock, a few seconds after every journal write (``App`` calls
``changed`` after each), as soon as the team's event stream says there is
something new (``sync.stream``; every 30 seconds instead while there is no
live stream), and when the app comes back to the foreground; it stops when
the journal locks.  Saving never waits for it: the
journal keeps the outbox in the same write as the change, and a round sends
it when the server can be reached.

When records from other members arrive, the screen that shows them (the
incident list, that incident, the overview) is drawn again -- once the user
has not typed for a moment, so a field being filled in is not reset.

After a round that reached the server, shared incidents deleted longer
ago than the restore period are purged (``Journal.purge_deleted``): only
then, so a colleague's restore that reached the server first is taken in
before (a device that cannot reach the server purges a week later, when
the journal opens).  A journal in no team purges all of them at once:
nobody is left to restore them with.  The status counts the changes waiting to be sent
(``Journal.pending_changes``), not the records they touched.

The team operations (create, join, invite, remove, leave, share) raise the
typed errors of ``sync.errors`` and ``storage.errors``; the screens word them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from datetime import datetime, timedelta
from typing import Callable, Optional, Protocol, Sequence

from screens import routes
from screens.journal.session import JournalSession
from storage.errors import JournalLockedError, StorageError
from storage.incidents import Incident
from sync.client import CreatedInvite, TeamClient, default_client
from sync.engine import RemoteRecord, SyncEngine, SyncState, SyncStatus
from sync.errors import AccessRevokedError, RefusedError, SyncError
from sync.journal import TeamJournal
from sync.limits import STREAM_DEBOUNCE_S
from sync.messages import Member, PendingInvite
from sync.state import TeamState
from sync.stream import TeamEvent, TeamStream

log = logging.getLogger(__name__)

SYNC_INTERVAL_S = 30.0
SAVE_DELAY_S = 2.0  # a burst of saves goes out in one round
MEMBERS_MAX_AGE_S = 300.0  # the member list (names for "shared by") is fetched again after this
TEAM_SCREEN_MAX_AGE_S = 15.0  # opening the team screen (or a shared incident) fetches members and invites if older
MEMBERS_BEFORE_SHARING_S = 4.0  # how long the share dialog waits for the member list from the server
#: Deleted shared incidents are purged after a round that reached the server; a device that reaches
#: none purges them this much later, when the journal opens (their content does not stay for good).
UNSYNCED_PURGE_GRACE = timedelta(days=7)
QUIET_BEFORE_REDRAW_S = 5.0  # no redraw under the user's fingers
#: Screens that show records from the team (drawn again when some arrive).
_SHOWS_RECORDS = {"journal", "overview", "deleted"}

ClientFactory = Callable[[str], TeamClient]


class Session(Protocol):
    """What the sync needs of the app (``screens.app.App``)."""

    journal: JournalSession
    stack: list[str]
    draws: int

    def now(self) -> datetime: ...

    def refresh(self, in_place: bool = True) -> None: ...


def _named(members: Optional[list[Member]]) -> Optional[list[tuple[str, str, str]]]:
    """The members as a shared incident names them (name and role), without when each was last seen."""
    return None if members is None else [(m.member_id, m.display_name, m.role) for m in members]


class _ArrivalsJournal(TeamJournal):
    """``TeamJournal`` that notes which records came in from other members."""

    def __init__(self, journal, member_names: dict[str, str], own_id: str) -> None:
        super().__init__(journal, member_names)
        self.member_names = member_names  # the session's own dict, filled in as names come (even if empty now)
        self.own_id = own_id
        self.arrived: set[str] = set()

    async def apply_remote(self, records: list[RemoteRecord]) -> None:
        await super().apply_remote(records)
        self.arrived.update(r.record_id for r in records if r.author_id != self.own_id)


class TeamSync:
    def __init__(self, app: Session, client_factory: ClientFactory = default_client, *,
                 interval_s: float = SYNC_INTERVAL_S, save_delay_s: float = SAVE_DELAY_S) -> None:
        self._app = app
        self._client_factory = client_factory
        self._interval_s = interval_s
        self._save_delay_s = save_delay_s
        self.status = SyncStatus(SyncState.NOT_IN_TEAM)
        #: The last storage error of a round (e.g. a full disk while taking in records).
        self.storage_problem: Optional[StorageError] = None
        #: Records from the team this session that broke a rule of the journal (left out).
        self.refused = 0
        #: Records from the team this session that no longer fitted in the journal (left out).
        self.no_room = 0
        #: The team as the server last told it (``None``: not fetched in this session).
        self.members: Optional[list[Member]] = None
        self.invites: Optional[list[PendingInvite]] = None
        #: Why the last fetch of members failed (shown on the team screen), or None.
        self.team_problem: Optional[SyncError] = None
        self._fetched_at = -math.inf
        self._names: dict[str, str] = {}  # member id -> the name they chose
        self._clients: dict[str, TeamClient] = {}
        self._engine: Optional[SyncEngine] = None
        self._journal: Optional[_ArrivalsJournal] = None
        self._task: Optional[asyncio.Task] = None
        self._wake: Optional[asyncio.Event] = None
        self._due: Optional[float] = None
        self._background: set[asyncio.Task] = set()
        self._listeners: list[Callable[[], bool]] = []
        self._stream: Optional[TeamStream] = None
        self._stream_task: Optional[asyncio.Task] = None
        self._roster: Optional[int] = None

    # --- what the screens read ----------------------------------------------------------------

    def team(self) -> Optional[TeamState]:
        """The open journal's team (``None``: locked, or in no team)."""
        if not self._app.journal.is_open:
            return None
        raw = self._app.journal.current.team_record()
        if raw is None:
            return None
        try:
            return TeamState.from_bytes(raw)
        except ValueError:
            log.exception("the journal's team state cannot be read")
            return None

    def own_site(self) -> str:
        """The browser build's team server: the site the app was loaded from."""
        return self._client("").transport.base_url.rstrip("/")

    def own_member(self) -> Optional[Member]:
        state = self.team()
        return next((m for m in self.members or [] if state and m.member_id == state.member_id), None)

    def in_team(self) -> bool:
        """The journal is in a team now (not removed from it, not left)."""
        state = self.team()
        return state is not None and not state.removed

    def signature(self) -> str:
        """How this member is named to the team: the name chosen there, else how the journal signs."""
        own = self.own_member()
        return own.display_name if own else self._app.journal.author

    def shared_elsewhere(self) -> list[Incident]:
        """Incidents shared with a team this journal is no longer in.

        The journal keeps sending changes to shared incidents to whatever
        team it is in, so it cannot start or join another team while it holds
        them (they would reach people they were never shared with).
        """
        state = self.team()
        if state is not None and not state.removed:
            return []
        journal = self._app.journal.current
        shared = journal.shared_ids()
        return [i for i in journal.incidents() if i.id in shared]

    def titles(self, incident_ids: Sequence[str]) -> list[str]:
        """The titles of these incidents in the open journal (the id of one it no longer holds)."""
        if not self._app.journal.is_open:
            return []
        journal = self._app.journal.current
        out = []
        for incident_id in incident_ids:
            try:
                out.append(journal.get(incident_id).title)
            except StorageError:
                out.append(incident_id)
        return out

    def watch(self, listener: Callable[[], bool]) -> None:
        """Call ``listener`` when the status changes; it returns False once its
        control has left the screen (and is then forgotten)."""
        self._listeners = [*self._listeners[-7:], listener]

    # --- running ------------------------------------------------------------------------------

    def start(self) -> None:
        """The journal was unlocked, or joined or left a team: sync now and then regularly."""
        self.stop()
        state = self.team()
        if state is None:
            self.status = SyncStatus(SyncState.NOT_IN_TEAM)
            if self._app.journal.is_open:
                self._spawn(self._purge_when_opened(everything=True))
            self._notify()
            return
        journal = self._app.journal.current
        self._spawn(self._purge_when_opened(everything=state.removed))
        self.status = SyncStatus(SyncState.REMOVED if state.removed else SyncState.NEVER_SYNCED,
                                 pending=journal.pending_changes())
        self._journal = _ArrivalsJournal(journal, self._names, state.member_id)
        self._engine = SyncEngine(self._journal, self._client(state.server_url), clock=self._app.now)
        if not state.removed and hasattr(self._engine.client.transport, "events"):
            self._stream = TeamStream(self._engine.client.transport, state.token, self._stream_event,
                                      on_live=lambda live: live or self._wake_up())  # lost: a round, then poll
        self._ensure_running()
        self._notify()

    def stop(self) -> None:
        """The journal locked (or the session ended): stop, and forget what the team said."""
        if self._task is not None:
            self._task.cancel()
        if self._stream_task is not None:
            self._stream_task.cancel()
        self._task = self._wake = self._due = self._stream = self._stream_task = self._roster = None
        self._engine = self._journal = None
        self.members = self.invites = self.team_problem = self.storage_problem = None
        self._fetched_at = -math.inf
        self._names.clear()
        self.refused = self.no_room = 0
        for client in self._clients.values():
            self._spawn(client.transport.aclose())
        self._clients.clear()

    def changed(self) -> None:
        """A journal write succeeded: send it in a moment (several saves go together)."""
        if self._engine is not None:
            self._due = time.monotonic() + self._save_delay_s
            self._count_pending()
            self._wake_up()

    def _count_pending(self) -> None:
        """The status says how many changes wait to be sent (not how many records)."""
        if not self._app.journal.is_open:
            return
        pending = self._app.journal.current.pending_changes()
        if pending != self.status.pending:
            self.status = dataclasses.replace(self.status, pending=pending)
            self._notify()

    async def _purge(self, *, everything: bool = False, late_by: timedelta = timedelta(0)) -> list[str]:
        """Shared incidents deleted longer ago than the restore period (plus
        ``late_by``) become tombstones; ``everything``: all of them, the
        journal being in no team."""
        if not self._app.journal.is_open:
            return []
        return await self._app.journal.current.purge_deleted(self._app.now() - late_by, everything=everything)

    async def _purge_when_opened(self, *, everything: bool) -> None:
        """At unlock (in the background): what a device that reaches no server must not keep."""
        try:
            if await self._purge(everything=everything, late_by=UNSYNCED_PURGE_GRACE):
                self.changed()
        except JournalLockedError:
            pass  # locked again meanwhile: the next unlock purges
        except StorageError as exc:
            log.warning("purging deleted shared incidents failed: %s", type(exc).__name__)
            self.storage_problem = exc
            self._notify()

    def resume(self) -> None:
        """The app is in the foreground again: sync now."""
        if self._engine is not None:
            self._due = time.monotonic()
            self._wake_up()

    def _stream_event(self, event: TeamEvent) -> None:
        """The server says how the team stands: sync soon if that is news to this device."""
        state = self.team()
        if state is None:
            return
        roster_changed = self._roster is not None and event.roster != self._roster
        self._roster = event.roster
        if roster_changed:
            self._fetched_at = -math.inf  # someone joined or left: the next round fetches the members
        if roster_changed or event.head > state.cursor or event.key_version != state.key_version \
                or event.rotation_needed:
            self._due = min(self._due or math.inf, time.monotonic() + STREAM_DEBOUNCE_S)
            self._wake_up()

    async def sync_now(self) -> SyncStatus:
        """A round now (the user asked): the members are fetched again, and what
        arrives is shown at once."""
        await self._round(redraw_now=True)
        return self.status

    def _ensure_running(self) -> None:
        if self._engine is None or (self._task is not None and not self._task.done()):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop yet: the next call from a handler starts it
            return
        self._wake = asyncio.Event()
        self._task = asyncio.ensure_future(self._run())
        if self._stream is not None:
            self._stream_task = asyncio.ensure_future(self._stream.run())

    def _wake_up(self) -> None:
        self._ensure_running()
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        wake = self._wake
        while True:
            try:
                await self._round()
            except Exception as exc:  # noqa: BLE001 - whatever a peer sent, the next round still comes
                log.error("sync round failed: %s", type(exc).__name__)
            self._due = None
            try:  # a live stream wakes us when there is something new; without one, poll
                await asyncio.wait_for(wake.wait(), None if self._stream and self._stream.live else self._interval_s)
            except asyncio.TimeoutError:
                pass
            wake.clear()
            if self._due is not None:
                await asyncio.sleep(max(0.0, self._due - time.monotonic()))

    async def _round(self, redraw_now: bool = False) -> None:
        engine, journal = self._engine, self._journal
        if engine is None or journal is None:
            return
        on_team_screen = self._shown() == "team"
        team_changed = False
        try:
            if redraw_now or on_team_screen or time.monotonic() - self._fetched_at > MEMBERS_MAX_AGE_S:
                # names for "shared by" before records come in; who joined, for the team screen
                team_changed = await self._fetch_team(quietly=True)
            before = self.team()
            status = await engine.sync()
            after = self.team()
            if before and after and after.key_version != before.key_version:
                team_changed |= await self._fetch_team(quietly=True)  # a member left or was removed
            if status.state is SyncState.SYNCED and await self._purge():
                self.changed()  # the tombstones go to the team in the next round
            status = dataclasses.replace(status, pending=self._app.journal.current.pending_changes())
            self.storage_problem = None
        except JournalLockedError:
            self.stop()  # locked or wiped under the round
            return
        except StorageError as exc:
            log.warning("sync round could not write the journal: %s", type(exc).__name__)
            self.storage_problem = exc
            self._notify()
            return
        if engine is not self._engine:
            return  # stopped or restarted meanwhile
        if status.state is SyncState.SYNCED and self._stream is not None and not self._stream.buffered:
            self._stream.retry_now()  # the server is reachable again: no need to wait out the stream's backoff
        self.status, self.refused, self.no_room = status, journal.refused, journal.no_room
        self._notify()
        arrived, journal.arrived = journal.arrived, set()
        if (arrived and self._shows_any(arrived)) or (team_changed and self._shown() == "team"):
            if redraw_now:
                self._app.refresh()
            else:
                self._spawn(self._redraw_when_quiet(self._app.draws))

    def _shown(self) -> Optional[str]:
        shown = routes.match(self._app.stack[-1]) if self._app.stack else None
        return None if shown is None else shown.name

    def _shows_any(self, record_ids: set[str]) -> bool:
        shown = routes.match(self._app.stack[-1]) if self._app.stack else None
        if shown is None:
            return False
        return shown.name in _SHOWS_RECORDS or (shown.name == "incident" and shown.params["incident_id"] in record_ids)

    async def _redraw_when_quiet(self, draws_before: int) -> None:
        """Draw the screen again once the user has left it alone for a moment, unless it has been
        drawn since ``draws_before`` (the user opened it, a save redrew it): it shows the change
        then, and a redraw would only replace the controls under a tap in flight, which Flet drops."""
        while (idle := self._app.journal.idle_seconds) < QUIET_BEFORE_REDRAW_S:
            await asyncio.sleep(QUIET_BEFORE_REDRAW_S - idle)
        if self._app.journal.is_open and self._app.draws == draws_before:
            self._app.refresh()

    def _notify(self) -> None:
        self._listeners = [listener for listener in self._listeners if listener()]

    def _spawn(self, work) -> bool:
        """Run ``work`` in the background; False if there is no event loop (the session is gone)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            work.close()
            return False
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return True

    def _client(self, server_url: str) -> TeamClient:
        if server_url not in self._clients:
            self._clients[server_url] = self._client_factory(server_url)
        return self._clients[server_url]

    # --- the team as the server tells it -------------------------------------------------------

    async def _fetch_team(self, quietly: bool = False) -> bool:
        """Members (and open invites) from the server; True if the screen would change."""
        state = self.team()
        if state is None or state.removed:
            return False
        client = self._client(state.server_url)
        try:
            info = await client.team(state)
            invites = await client.pending_invites(state) if state.coordinator else None
        except SyncError as exc:
            self.team_problem = exc
            if not quietly:
                raise
            return False
        if self._engine is not None:
            self._engine.note_team(state, info)  # who sent a key the team does not vouch for
        changed = (info.members, invites) != (self.members, self.invites)
        self.members, self.invites, self.team_problem = info.members, invites, None
        self._names.update({m.member_id: m.display_name for m in info.members})
        self._fetched_at = time.monotonic()
        return changed

    async def refresh_members(self) -> bool:
        """The member list from the server now (before sharing: who receives it);
        False when the server could not tell in time (the list may be out of date)."""
        try:
            await asyncio.wait_for(self._fetch_team(quietly=True), MEMBERS_BEFORE_SHARING_S)
        except asyncio.TimeoutError:
            return False
        return self.team_problem is None and self.members is not None

    def refresh_members_soon(self) -> None:
        """A screen naming the members (a shared incident) is open: fetch them
        unless fetched a moment ago, and draw the screen again if they changed."""
        if time.monotonic() - self._fetched_at < TEAM_SCREEN_MAX_AGE_S:
            return

        async def fetch() -> None:
            problem, named = self.team_problem, _named(self.members)
            await self._fetch_team(quietly=True)
            # Not for a colleague's "last seen" alone (the server updates it every few minutes): not shown there.
            if _named(self.members) != named or type(self.team_problem) is not type(problem):
                await self._redraw_when_quiet(self._app.draws)

        if self._spawn(fetch()):
            self._fetched_at = time.monotonic()  # one fetch at a time

    def team_may_have_changed(self) -> None:
        """Someone may have joined (an invite was shown): the team screen asks the server again."""
        self._fetched_at = -math.inf

    def fetch_team_soon(self, on_done: Callable[[], None]) -> None:
        """Members and open invites for the team screen, unless fetched a moment
        ago; ``on_done`` draws the screen again."""
        if time.monotonic() - self._fetched_at < TEAM_SCREEN_MAX_AGE_S:
            return

        async def fetch() -> None:
            await self._fetch_team(quietly=True)
            if self._app.journal.is_open:
                on_done()

        if self._spawn(fetch()):
            self._fetched_at = time.monotonic()  # one fetch at a time

    # --- team operations (for the screens; they raise SyncError / StorageError) ----------------

    async def _save(self, state: Optional[TeamState]) -> None:
        await TeamJournal(self._app.journal.current).save_team_state(state)

    async def create_team(self, server_url: str, team_name: str, display_name: str, role: str,
                          device_label: str, signup_code: str = "") -> None:
        state = await self._client(server_url).create_team(team_name, display_name, role, device_label, server_url,
                                                           signup_code)
        await self._save(state)
        self.start()

    async def join_team(self, server_url: str, code: str, display_name: str, role: str, device_label: str) -> None:
        state = await self._client(server_url).redeem_invite(code, display_name, role, device_label, server_url)
        await self._save(state)
        self.start()

    def _member_state(self) -> TeamState:
        self._app.journal.current  # a locked journal raises JournalLockedError
        state = self.team()
        if state is None or state.removed:
            raise AccessRevokedError("removed")  # removed or left meanwhile (in another window)
        return state

    async def create_invite(self) -> CreatedInvite:
        state = self._member_state()
        client = self._client(state.server_url)
        try:
            invite = await client.create_invite(state)
        except RefusedError as exc:
            if exc.reason != "stale_key_version":
                raise
            await self.sync_now()  # the team key changed: take in the new one, then invite with it
            invite = await client.create_invite(self._member_state())
        await self._fetch_team(quietly=True)
        return invite

    async def cancel_invite(self, invite_id: str) -> None:
        state = self._member_state()
        await self._client(state.server_url).cancel_invite(state, invite_id)
        await self._fetch_team(quietly=True)

    async def remove_member(self, member_id: str) -> None:
        state = self._member_state()
        await self._save(await self._client(state.server_url).remove_member(state, member_id))
        await self._fetch_team(quietly=True)

    async def leave(self) -> None:
        """Send what waits, leave, and forget the team on this device (what it holds stays)."""
        await self.sync_now()
        state = self._member_state()
        await self._client(state.server_url).leave(state)
        await self._save(None)
        self.start()

    async def forget(self) -> None:
        """After removal: the team is gone from this device; its incidents stay."""
        await self._save(None)
        self.start()

    async def share(self, incident_id: str) -> None:
        """Share an incident with the team, as the name this member chose there."""
        await self._app.journal.current.share(incident_id, self.signature())
        self.changed()


__all__ = ["TeamSync"]
