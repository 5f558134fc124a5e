"""Per incident: "Delen met team", and who it is shared with and by whom.

Shown on the incident screen when the journal is in a team (or holds the
incident from one).  Sharing cannot be undone -- the others have it -- and
the confirmation says so; personal incidents never leave the device.

Both name the members who receive it as the server tells them now: the
dialog asks the server first (someone may have joined a minute ago), and
where the server cannot be reached, both say the list may be out of date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import flet as ft

from screens.ui.forms import confirm
from screens.ui.sync_status import problem_text
from storage import incidents as inc
from sync.messages import Member
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext

#: What ``sync.journal.TeamJournal`` records as "shared by" when it does not know the member's name.
UNKNOWN_SHARER = "team"


def _people(members: Optional[list[Member]]) -> str:
    if not members:
        return ""
    return ", ".join(_("{name} ({role})").format(name=m.display_name, role=m.role) for m in members)


def _shared(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    sync = app.team_sync
    state = sync.team()
    by = app.journal.current.shared_by(incident.id) or UNKNOWN_SHARER
    lines = []
    if state is None or state.removed:
        title = _("Shared with a team this device is no longer in")
        lines.append(_("Changes to it no longer go to the others; what they have stays with them."))
    else:
        title = _("Shared with team {name}").format(name=state.team_name)
        people = _people(sync.members)
        lines.append(_("With: {people}").format(people=people) if people
                     else _("With every member of the team (the list shows once the server is reached)."))
        if people and sync.team_problem is not None:
            lines.append(_("This list may be out of date: {problem}").format(problem=problem_text(sync.team_problem)))
        sync.refresh_members_soon()
    lines.append(_("Shared by {who}").format(who=by) if by != UNKNOWN_SHARER else _("Shared by a team member"))
    return [ft.Container(
        bgcolor=ft.Colors.SECONDARY_CONTAINER, border_radius=12, padding=12,
        content=ft.Row(vertical_alignment=ft.CrossAxisAlignment.START, controls=[
            ft.Icon(ft.Icons.GROUPS_OUTLINED, color=ft.Colors.ON_SECONDARY_CONTAINER),
            ft.Column(spacing=2, expand=True, controls=[
                ft.Text(title, weight=ft.FontWeight.BOLD, color=ft.Colors.ON_SECONDARY_CONTAINER),
                *[ft.Text(line, color=ft.Colors.ON_SECONDARY_CONTAINER) for line in lines],
            ]),
        ]),
    )]


async def _share(app: "AppContext", incident: inc.Incident, button: ft.Control) -> None:
    sync = app.team_sync
    button.disabled = True
    button.update()
    try:
        fresh = await sync.refresh_members()  # who is in the team now, not five minutes ago
    finally:
        button.disabled = False
        button.update()
    state = sync.team()
    if state is None or state.removed:
        app.refresh()  # left or removed meanwhile (another window): nothing to share with
        return
    people = _people(sync.members)

    async def share() -> None:
        await sync.share(incident.id)
        app.refresh()
        app.toast(_("Shared with the team."))

    text = _("'{title}' goes to every member of the team{people}, and every change after this does too — yours "
             "and theirs. Sharing cannot be undone: whoever has it, keeps it. It travels end-to-end encrypted: the "
             "team server cannot read it. Personal incidents, the ones not shared, never leave this device.").format(
        title=incident.title, people=f" ({people})" if people else "")
    if not fresh:
        text += "\n\n" + _("The team server cannot be reached right now, so this list of members may be out "
                            "of date: whoever joined since, gets it too.")
    confirm(app, _("Share with team {name}?").format(name=state.team_name), text, _("Share"), share)


def sharing_section(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    """The incident's sharing: shared with whom and by whom, or the button to share it ([] outside a team)."""
    if app.journal.current.is_shared(incident.id):
        return _shared(app, incident)
    state = app.team_sync.team()
    if state is None or state.removed:
        return []
    async def share(e) -> None:
        await _share(app, incident, e.control)

    return [ft.Row(wrap=True, spacing=8, run_spacing=4, vertical_alignment=ft.CrossAxisAlignment.CENTER, controls=[
        ft.OutlinedButton(_("Share with the team"), icon=ft.Icons.GROUP_ADD_OUTLINED,
                          style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=16)),
                          on_click=share),
        ft.Text(_("Personal: only on this device"), theme_style=ft.TextThemeStyle.BODY_SMALL),
    ])]
