"""Team sharing in words: the sync state ("Gesynchroniseerd · 2 minuten
geleden", "Offline — 3 wijzigingen wachten") and what went wrong when the
server or the network said no -- plus the status line that shows it.

The words are pure functions of ``sync.engine.SyncStatus`` and the typed
errors of ``sync.errors``; the line keeps itself up to date through
``TeamSync.watch``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Sequence

import flet as ft

from screens import routes
from screens.errors import error_message, seconds_text
from sync.engine import SyncState, SyncStatus
from sync.errors import (
    AccessRevokedError,
    BadResponseError,
    IntegrityError,
    InvalidInviteCode,
    OfflineError,
    RefusedError,
    ServerUnreachableError,
    SyncError,
)
from sync.limits import MAX_MEMBERS_PER_TEAM, MAX_PENDING_INVITES
from words.formatting import relative
from words.i18n import _, ngettext

if TYPE_CHECKING:
    from screens.context import AppContext

_JUST_NOW = timedelta(minutes=1)


def ago(when: datetime, now: datetime) -> str:
    """'zojuist', '2 minuten geleden', '3 uur geleden'."""
    if now - when < _JUST_NOW:
        return _("just now")
    return relative(when, now)


def _waiting(pending: int) -> str:
    return ngettext("{n} change waiting", "{n} changes waiting", pending).format(n=pending)


def status_text(status: SyncStatus, now: datetime, refused: int = 0, unsent_titles: Sequence[str] = (),
                no_room: int = 0) -> str:
    """The sync state in words, with what waits to be sent and what was left out.

    ``unsent_titles``: the titles of ``status.unsent`` (the records too large
    to go to the team), as the journal has them; ``no_room``: records from
    the team that no longer fitted in the journal.
    """
    state, pending = status.state, status.pending
    last = status.last_success
    if state is SyncState.SYNCED:
        text = _("Synced · {when}").format(when=ago(last, now)) if last else _("Synced")
        if pending:
            text += " · " + _waiting(pending)
    elif state is SyncState.NEVER_SYNCED:
        text = _("Syncing…")
    elif state is SyncState.WAITING:
        text = _("A member left the team: waiting for the coordinator")
        if pending:
            text += " · " + _waiting(pending)
    elif state in (SyncState.OFFLINE, SyncState.UNREACHABLE):
        where = _("Offline") if state is SyncState.OFFLINE else _("Server not reachable")
        if pending:
            text = _("{where} — {waiting}").format(where=where, waiting=_waiting(pending))
        elif last:
            text = _("{where} · last synced {when}").format(where=where, when=ago(last, now))
        else:
            text = where
    elif state is SyncState.REMOVED:
        text = _("Removed from the team — what is on this device stays here")
    elif state is SyncState.REFUSED and status.reason == "too_large":
        text = _("This is too large to send to the team.")
    elif state is SyncState.REFUSED:
        text = _refused_status(status.reason)
        if pending:
            text += " · " + _waiting(pending)
    elif state is SyncState.INTEGRITY:
        text = _("A new team key did not check out: changes made with it are not taken in, and this device's "
                 "changes wait. Tell the coordinator.")
    else:  # NOT_IN_TEAM
        text = _("Not in a team")
    for fault in status.faults:
        text += " · " + _("Member {name} sent an invalid key").format(name=fault.name or "?")
    if unsent_titles:
        text += " · " + _("Too large for the team, not sent: {titles}").format(
            titles=", ".join(f"“{t}”" for t in unsent_titles))
    if no_room:
        text += " · " + ngettext(
            "{n} change from the team did not fit in the journal and was left out: delete incidents past their "
            "retention period to make room",
            "{n} changes from the team did not fit in the journal and were left out: delete incidents past their "
            "retention period to make room", no_room).format(n=no_room)
    skipped = status.rejected + refused
    if skipped:
        text += " · " + ngettext("{n} change from the team was damaged or broke a rule and was left out",
                                 "{n} changes from the team were damaged or broke a rule and were left out",
                                 skipped).format(n=skipped)
    return text


def _refused_status(reason: str | None) -> str:
    """The status line when the server said no to a sync round (it is tried again)."""
    if reason == "rate_limited":
        return _("The server asks to wait a moment — the app tries again soon")
    if reason == "too_large":
        return _("This is too large to send to the team.")
    if reason == "busy":
        return _("The team server is busy — the app tries again soon")
    if reason == "timeout":
        return _("The connection to the team server was too slow — the app tries again soon")
    if reason == "team_storage_full":
        return _("The team's storage on the server is full — ask whoever runs it for more room")
    if reason == "server_storage_full":
        return _("The team server is full — ask whoever runs it to make room")
    return _("The server refused to sync — the app tries again later")


#: What a refused request field is called in the form (``sync.client`` sends the member under ``member``).
_NAME_FIELDS = {
    "member.display_name": lambda: _("your name in the team"),
    "member.role": lambda: _("your role"),
    "member.device_label": lambda: _("the name of this device"),
}


def refused_field(exc: SyncError) -> str | None:
    """The member field (``member.role`` ...) the server refused, if it refused one."""
    if isinstance(exc, RefusedError) and exc.reason == "bad_request" and exc.field in _NAME_FIELDS:
        return exc.field
    return None


def _refused_text(exc: RefusedError) -> str:
    reasons = {
        "invite_unknown": _("This code is not known. Check it, or ask the coordinator for a new invite."),
        "invite_expired": _("This invite has expired (an invite is valid for 24 hours). Ask for a new one."),
        "invite_used": _("This invite has been used already: a code works once. Ask for a new one."),
        "invite_cancelled": _("This invite was cancelled. Ask the coordinator for a new one."),
        "team_full": _("The team is full ({n} devices).").format(n=MAX_MEMBERS_PER_TEAM),
        "too_many_invites": _("{n} invites are open already. Cancel one first.").format(n=MAX_PENDING_INVITES),
        "not_coordinator": _("Only the team's coordinator can do this."),
        "coordinator_cannot_leave": _(
            "The coordinator leaves the team last: remove the other members first."),
        "cannot_remove_self": _("You cannot remove yourself: leave the team instead."),
        "member_unknown": _("This member is no longer in the team."),
        "too_large": _("This is too large to send to the team."),
        "team_storage_full": _("The team's storage on the team server is full. What was not sent waits on this "
                               "device; ask whoever runs the team server for more room."),
        "server_storage_full": _("The team server is full. What was not sent waits on this device; ask whoever "
                                 "runs the team server to make room."),
        "signup_code_required": _("This team server asks for a sign-up code to create a team. Ask whoever runs "
                                  "the team server for it."),
    }
    field = refused_field(exc)
    if field is not None:
        return _("The team server does not accept {field}: use only letters, digits, spaces and punctuation you "
                 "can see (no invisible or control characters).").format(field=_NAME_FIELDS[field]())
    if exc.reason in reasons:
        return reasons[exc.reason]
    if exc.reason in ("rate_limited", "busy", "timeout"):
        when = (_("in {time}").format(time=seconds_text(exc.retry_after)) if exc.retry_after
                else _("in a moment"))
        if exc.reason == "busy":
            return _("The team server is busy. Try again {when}.").format(when=when)
        if exc.reason == "timeout":
            return _("The connection to the team server was too slow. Try again {when}.").format(when=when)
        if exc.retry_after:
            return _("Too many attempts. Try again in {time}.").format(time=seconds_text(exc.retry_after))
        return _("Too many attempts. Try again in a moment.")
    if exc.reason in ("members_changed", "stale_key_version", "rotation_needed"):
        return _("The team changed just now. Try again.")
    return _("The team server refused this. Try again later.")


def sync_error_text(exc: SyncError) -> str:
    """What went wrong with the team server or the network, and what the user can do."""
    if isinstance(exc, OfflineError):
        return _("No network. Try again once this device is online.")
    if isinstance(exc, BadResponseError):
        return _("The server gave an answer the app does not understand. Is this the address of the team server?")
    if isinstance(exc, ServerUnreachableError):
        return _("The team server cannot be reached. Check the address, or try again later.")
    if isinstance(exc, AccessRevokedError):
        return (_("This device is no longer in the team.") if exc.removed
                else _("The team server does not know this device (any more)."))
    if isinstance(exc, RefusedError):
        return _refused_text(exc)
    if isinstance(exc, InvalidInviteCode):
        return _("This is not an invite code. A code has 16 letters and digits: XXXX-XXXX-XXXX-XXXX.")
    if isinstance(exc, IntegrityError):
        return _("What the server sent does not belong to this team or was changed on the way. Nothing was "
                 "taken in. Check the code, or ask for a new invite.")
    return _("Team sharing failed. Nothing was changed; try again later.")


def problem_text(exc: Exception) -> str:
    """A sync or storage error in words (a team operation may fail either way)."""
    return sync_error_text(exc) if isinstance(exc, SyncError) else error_message(exc)


_LOOK = {
    SyncState.SYNCED: (ft.Icons.CLOUD_DONE_OUTLINED, ft.Colors.GREEN),
    SyncState.NEVER_SYNCED: (ft.Icons.SYNC, ft.Colors.ON_SURFACE_VARIANT),
    SyncState.WAITING: (ft.Icons.HOURGLASS_EMPTY, ft.Colors.ON_SURFACE_VARIANT),
    SyncState.OFFLINE: (ft.Icons.CLOUD_OFF, ft.Colors.ON_SURFACE_VARIANT),
    SyncState.UNREACHABLE: (ft.Icons.CLOUD_OFF, ft.Colors.AMBER),
    SyncState.REMOVED: (ft.Icons.GROUP_OFF_OUTLINED, ft.Colors.ERROR),
    SyncState.REFUSED: (ft.Icons.HOURGLASS_EMPTY, ft.Colors.AMBER),
    SyncState.INTEGRITY: (ft.Icons.GPP_BAD_OUTLINED, ft.Colors.ERROR),
    SyncState.NOT_IN_TEAM: (ft.Icons.CLOUD_OFF, ft.Colors.ON_SURFACE_VARIANT),
}


def _line_text(app: "AppContext") -> str:
    sync = app.team_sync
    if sync.storage_problem is not None:
        return error_message(sync.storage_problem)
    return status_text(sync.status, app.now(), sync.refused, sync.titles(sync.status.unsent), sync.no_room)


def status_line(app: "AppContext", *, to_team: bool = True) -> list[ft.Control]:
    """The team's sync state with a button to sync now ([] when the journal is in no team).

    ``to_team``: the line names the team, and tapping it opens the team screen.
    """
    state = app.team_sync.team()
    if state is None:
        return []
    icon = ft.Icon(_LOOK[app.team_sync.status.state][0], size=24)
    text = ft.Text(weight=ft.FontWeight.W_500)
    lines: list[ft.Control] = [text]
    if to_team:  # elsewhere than on the team screen: which team
        lines.append(ft.Text(_("Team {name}").format(name=state.team_name), theme_style=ft.TextThemeStyle.BODY_SMALL))

    def fill() -> None:
        status = app.team_sync.status
        icon.icon, icon.color = _LOOK[status.state]
        if status.faults and status.state is SyncState.SYNCED:  # in sync, but a member's key is not to be trusted
            icon.icon, icon.color = ft.Icons.GPP_MAYBE_OUTLINED, ft.Colors.AMBER
        text.value = _line_text(app)
        button.visible = app.team_sync.status.state is not SyncState.REMOVED  # nothing left to sync

    def refreshed() -> bool:
        fill()
        try:
            icon.update(), text.update(), button.update()
        except RuntimeError:  # the screen is gone
            return False
        return True

    async def sync_now(e) -> None:
        button.disabled = True
        text.value = _("Syncing…")
        button.update(), text.update()
        try:
            await app.team_sync.sync_now()
        finally:
            button.disabled = False
            try:
                button.update()
            except RuntimeError:
                pass

    button = ft.TextButton(_("Sync now"), icon=ft.Icons.SYNC, on_click=sync_now,
                           style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=12, vertical=14)))
    fill()
    app.team_sync.watch(refreshed)
    words = ft.Container(
        expand=True,
        padding=ft.Padding.symmetric(vertical=4),
        on_click=(lambda e: app.go(routes.path("team"))) if to_team else None,
        content=ft.Row(spacing=10, controls=[icon, ft.Column(spacing=0, expand=True, controls=lines)]),
    )
    return [ft.Container(
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        border_radius=12,
        padding=ft.Padding.only(left=12, right=4, top=4, bottom=4),
        content=ft.Row(wrap=False, spacing=4, controls=[words, button]),
    )]


__all__ = ["ago", "problem_text", "refused_field", "status_line", "status_text", "sync_error_text"]
