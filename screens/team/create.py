"""Team aanmaken: a new team on the school's team server, with this device as its coordinator.

A server whose operator set a sign-up code (a shared host) refuses to create
a team without it; the "Aanmeldcode" field shows when the server asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from screens import routes
from screens.journal.gate import journal_view
from screens.team.forms import (
    MemberFields,
    Submit,
    cannot_start,
    privacy_note,
    read_server,
    server_field,
    server_note,
)
from screens.ui.forms import fields, text_field
from sync.errors import RefusedError, SyncError
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext

#: The team's name stays on the members' devices (the server never sees it).
MAX_TEAM_NAME_CHARS = 60


def build(app: "AppContext", route: str) -> ft.View:
    instead = cannot_start(app)
    if instead is not None:
        return journal_view(app, route, _("Create a team"), instead)
    name = text_field(app, _("Name of the team, e.g. Action team year 2"), max_length=MAX_TEAM_NAME_CHARS,
                      autofocus=True)
    server = server_field(app)
    member = MemberFields(app)
    signup = text_field(app, _("Sign-up code"), visible=False, autocorrect=False, enable_suggestions=False,
                        max_length=200)

    async def create(submit: Submit) -> None:
        team_name = (name.value or "").strip()
        name.error = None if team_name else _("Give the team a name.")
        name.update()
        url, who = read_server(server), member.read()
        if not team_name or url is None or who is None:
            return
        code = (signup.value or "").strip() if signup.visible else ""
        await app.team_sync.create_team(url, team_name, *who, signup_code=code)
        app.go(routes.path("team"))
        app.toast(_("Team {name} created. Now invite the others.").format(name=team_name))

    def refused(exc: SyncError) -> bool:
        if isinstance(exc, RefusedError) and exc.reason == "signup_code_required":
            signup.error = (_("This sign-up code is not right. Ask whoever runs the team server for the right one.")
                            if signup.visible and (signup.value or "").strip() else
                            _("This team server asks for a sign-up code to create a team. Ask whoever runs it "
                              "for the code and fill it in here."))
            signup.visible = True
            signup.update()
            return True
        return member.show_refusal(exc)

    submit = Submit(app, _("Create team"), ft.Icons.GROUP_ADD_OUTLINED, create, on_refused=refused)
    return journal_view(app, route, _("Create a team"), [
        ft.Text(_("You become the team's coordinator: you invite the others and can remove members. The school "
                  "runs the team server itself; ask whoever manages the school's IT for its address.")),
        *server_note(),
        fields(name, *([server] if server else []), *member.controls, signup),
        ft.Text(_("Only the members see the team's name; the server does not."),
                theme_style=ft.TextThemeStyle.BODY_SMALL),
        privacy_note(),
        *submit.controls,
    ])
