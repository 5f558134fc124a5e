"""Team: the journal's action team -- start or join one; its members (name,
role and device as each chose, last seen); inviting, open invites and
removing members for the coordinator; leaving.

What the server says (members, invites) is fetched when the screen opens and
drawn again when it arrives; errors of the network and the server are worded
by ``screens.ui.sync_status``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable, Callable

import flet as ft

from screens import routes
from screens.journal.gate import journal_view
from screens.team.forms import shared_elsewhere_warning
from screens.team.invite import show_invite
from screens.ui.forms import form_dialog
from screens.ui.sync_status import problem_text, status_line, sync_error_text
from screens.ui.widgets import section_title
from sync.errors import SyncError
from sync.messages import Member
from sync.state import TeamState
from words.formatting import moment
from words.i18n import _, ngettext

if TYPE_CHECKING:
    from screens.context import AppContext

_BIG = ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=16))


def team_entry(app: "AppContext") -> list[ft.Control]:
    """The Team section of the journal's settings."""
    state = app.team_sync.team()
    label = _("Team {name}").format(name=state.team_name) if state else _("Team")
    return [
        section_title(_("Team")),
        ft.Text(_("Share chosen incidents with the action team, end-to-end encrypted through the school's own "
                  "team server. Personal incidents never leave this device.")),
        ft.FilledTonalButton(label, icon=ft.Icons.GROUPS_OUTLINED, on_click=lambda e: app.go(routes.path("team"))),
    ]


def confirm_team_action(app: "AppContext", title: str, text: str, label: str,
                        action: Callable[[], Awaitable[None]]) -> None:
    """Ask first; a refusal of the server or the network shows in the dialog, which stays open."""
    message = ft.Text(color=ft.Colors.ERROR, visible=False)

    async def on_save() -> bool:
        try:
            await action()
        except SyncError as exc:
            message.value, message.visible = sync_error_text(exc), True
            return False
        return True

    form_dialog(app, title, [ft.Text(text), message], on_save, save_label=label)


def _what_sharing_does() -> ft.Control:
    return ft.Column(spacing=6, controls=[
        section_title(_("What the team shares")),
        ft.Text(_("Only incidents someone chose to share (Share with the team, on the incident) go to every member, "
                  "with every change after that. Personal incidents never leave this device. Everything is "
                  "encrypted on the device: the team server cannot read a word of it. Changes made offline are "
                  "kept and sent once the server can be reached.")),
    ])


def _no_team(app: "AppContext") -> list[ft.Control]:
    blocked = shared_elsewhere_warning(app)
    buttons = [] if blocked else [ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
        ft.FilledButton(_("Create a team"), icon=ft.Icons.GROUP_ADD_OUTLINED, style=_BIG,
                        on_click=lambda e: app.go(routes.path("team_create"))),
        ft.OutlinedButton(_("Join with a code"), icon=ft.Icons.LOGIN, style=_BIG,
                          on_click=lambda e: app.go(routes.path("team_join"))),
    ])]
    return [
        ft.Text(_("This journal is in no team."), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(_("With a team, the members of the action team keep one record of an incident, each on their own "
                  "phone or Chromebook. One of you creates the team and invites the others with a code.")),
        *blocked,
        *buttons,
        _what_sharing_does(),
    ]


def _removed(app: "AppContext", state: TeamState) -> list[ft.Control]:
    async def forget() -> None:
        await app.team_sync.forget()
        app.refresh()

    return [
        *status_line(app, to_team=False),
        ft.Text(_("This device is no longer in team {name}.").format(name=state.team_name),
                theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(_("What was on this device stays here, the shared incidents included; changes to them no longer "
                  "go to the team. What the team writes from now on, this device cannot read: the team key was "
                  "changed.")),
        ft.OutlinedButton(_("Forget the team on this device"), icon=ft.Icons.GROUP_OFF_OUTLINED, style=_BIG,
                          on_click=lambda e: confirm_team_action(
                              app, _("Forget the team?"),
                              _("The team's name and keys are removed from this journal. The incidents stay."),
                              _("Forget the team"), forget)),
    ]


def _member_row(app: "AppContext", state: TeamState, member: Member) -> ft.Control:
    me = member.member_id == state.member_id
    name = _("{name} (you)").format(name=member.display_name) if me else member.display_name
    details = [member.role, member.device_label]
    if member.coordinator:
        details.insert(0, _("coordinator"))
    seen = _("last seen {when}").format(when=moment(member.last_seen, app.now())) if member.last_seen else ""
    trailing = None
    if state.coordinator and not me:
        trailing = ft.TextButton(
            _("Remove"), icon=ft.Icons.PERSON_REMOVE_OUTLINED, style=ft.ButtonStyle(color=ft.Colors.ERROR),
            tooltip=_("Remove {name} from the team").format(name=member.display_name),
            on_click=lambda e: _remove(app, member),
        )
    subtitle: ft.Control = ft.Text("\n".join(p for p in (" · ".join(d for d in details if d), seen) if p))
    if member.member_id in {f.member_id for f in app.team_sync.status.faults}:
        warning = (_("Sent an invalid key and gets no new team keys: remove this member.")
                   if state.coordinator and not me else _("Sent an invalid key."))
        subtitle = ft.Column(spacing=0, controls=[subtitle, ft.Text(warning, color=ft.Colors.ERROR)])
    return ft.ListTile(
        leading=ft.Icon(ft.Icons.STAR_OUTLINE if member.coordinator else ft.Icons.PERSON_OUTLINE,
                        semantics_label=_("coordinator") if member.coordinator else _("member")),
        title=ft.Text(name, weight=ft.FontWeight.W_500),
        subtitle=subtitle,
        is_three_line=bool(seen) or isinstance(subtitle, ft.Column),
        trailing=trailing,
    )


def _remove(app: "AppContext", member: Member) -> None:
    async def remove() -> None:
        await app.team_sync.remove_member(member.member_id)
        app.refresh()
        app.toast(_("{name} was removed from the team.").format(name=member.display_name))

    confirm_team_action(
        app, _("Remove {name} from the team?").format(name=member.display_name),
        _("From now on, {name} cannot read anything the team writes: the team key is changed. What {name} already "
          "has on their own device stays there; nobody can take that back.").format(name=member.display_name),
        _("Remove"), remove)


def _members(app: "AppContext", state: TeamState) -> list[ft.Control]:
    sync = app.team_sync
    members = sync.members
    if members is None:
        note = (_("The member list could not be fetched: {problem}").format(problem=problem_text(sync.team_problem))
                if sync.team_problem else _("Fetching the member list…"))
        return [section_title(_("Members")), ft.Text(note)]
    rows = [_member_row(app, state, m) for m in members]
    stale = [ft.Text(_("Not updated just now: {problem}").format(problem=problem_text(sync.team_problem)),
                     theme_style=ft.TextThemeStyle.BODY_SMALL)] if sync.team_problem else []
    return [section_title(ngettext("{n} member", "{n} members", len(members)).format(n=len(members))), *stale, *rows]


def _invites(app: "AppContext", state: TeamState) -> list[ft.Control]:
    if not state.coordinator:
        return []

    async def invite(e) -> None:
        e.control.disabled = True
        e.control.update()
        try:
            created = await app.team_sync.create_invite()
        except SyncError as exc:
            app.toast(sync_error_text(exc))
            return
        finally:
            e.control.disabled = False
            e.control.update()
        show_invite(app, created, state.team_name)

    def cancel_row(invite) -> ft.Control:
        async def cancel() -> None:
            await app.team_sync.cancel_invite(invite.invite_id)
            app.refresh()

        return ft.ListTile(
            leading=ft.Icon(ft.Icons.QR_CODE_2),
            title=ft.Text(_("Valid until {when}").format(when=moment(invite.expires_at, app.now()))),
            trailing=ft.TextButton(_("Withdraw"), on_click=lambda e: confirm_team_action(
                app, _("Cancel this invite?"), _("Its code no longer works after this."), _("Cancel the invite"),
                cancel)),
        )

    open_invites = app.team_sync.invites or []
    return [
        section_title(_("Invite")),
        ft.Text(_("An invite is a QR code and a code of 16 characters, valid for 24 hours, for one person. "
                  "Whoever has it can join and read everything the team shares.")),
        ft.FilledButton(_("Invite"), icon=ft.Icons.QR_CODE_2, style=_BIG, on_click=invite),
        *([ft.Text(_("Open invites"), theme_style=ft.TextThemeStyle.LABEL_LARGE)] if open_invites else []),
        *[cancel_row(i) for i in open_invites],
    ]


def _leave(app: "AppContext", state: TeamState) -> list[ft.Control]:
    others = [m for m in app.team_sync.members or [] if m.member_id != state.member_id]
    if state.coordinator and others:
        return [section_title(_("Leave the team")),
                ft.Text(_("The coordinator leaves the team last: remove the other members first."))]

    async def leave() -> None:
        await app.team_sync.leave()
        app.refresh()
        app.toast(_("You left team {name}.").format(name=state.team_name))

    return [
        section_title(_("Leave the team")),
        ft.OutlinedButton(_("Leave the team"), icon=ft.Icons.LOGOUT, style=ft.ButtonStyle(
            color=ft.Colors.ERROR, padding=ft.Padding.symmetric(horizontal=20, vertical=16)),
            on_click=lambda e: confirm_team_action(
                app, _("Leave team {name}?").format(name=state.team_name),
                _("Nothing from the team reaches this device after this, and your changes no longer go to the "
                  "others. What is on this device stays here, the shared incidents included; what you shared "
                  "stays with the others. What the team writes after you left, this device cannot read: the team "
                  "key is changed."),
                _("Leave the team"), leave)),
    ]


def _team(app: "AppContext", state: TeamState) -> list[ft.Control]:
    app.team_sync.fetch_team_soon(lambda: _redraw_if_shown(app))
    role = _("You are the team's coordinator.") if state.coordinator else _("You are a member of the team.")
    return [
        *status_line(app, to_team=False),
        ft.Text(_("Team {name}").format(name=state.team_name), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(role),
        *_members(app, state),
        *_invites(app, state),
        _what_sharing_does(),
        *_leave(app, state),
    ]


def _redraw_if_shown(app: "AppContext") -> None:
    if app.stack and app.stack[-1] == routes.path("team"):
        app.refresh()


def build(app: "AppContext", route: str) -> ft.View:
    state = app.team_sync.team()
    if state is None:
        controls = _no_team(app)
    elif state.removed:
        controls = _removed(app, state)
    else:
        controls = _team(app, state)
    return journal_view(app, route, _("Team"), controls)
