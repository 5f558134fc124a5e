"""Deelnemen met code: join a team with the invite a coordinator showed.

The invite's QR code holds a link to the team server's web app that opens
this screen with the code in the address's fragment (``sync.client.invite_link``);
the code is filled in from there.  Typed, the code is 16 characters; a pasted
link also names the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional
from urllib.parse import parse_qs, urlsplit

import flet as ft

from screens import routes
from screens.journal.gate import journal_view
from screens.team.forms import (
    InvalidAddress,
    MemberFields,
    Submit,
    cannot_start,
    privacy_note,
    read_server,
    server_field,
    server_note,
    server_url,
)
from screens.ui.forms import fields, text_field
from screens.ui.sync_status import sync_error_text
from sync import crypto
from sync.client import parse_invite_payload
from sync.errors import InvalidInviteCode
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def code_in_route(route: str) -> str:
    """The code an invite link put in the app's address ('' if none)."""
    parts = urlsplit(route)
    if routes.normalise(route) != routes.path("team_join"):
        return ""
    return parse_qs(parts.query).get("code", [""])[0][:40]


def read_invite(text: str) -> tuple[Optional[str], str]:
    """(server from a link or None, code) from what was typed or pasted; raises InvalidInviteCode."""
    try:
        crypto.parse_invite_code(text)
        return None, text.strip()
    except InvalidInviteCode:
        server, code = parse_invite_payload(text)
        return server or None, code


def build(app: "AppContext", route: str) -> ft.View:
    instead = cannot_start(app)
    if instead is not None:
        return journal_view(app, route, _("Join a team"), instead)
    from_link = code_in_route(app.page.route or "")
    code = text_field(app, _("Invite code (or the link)"), from_link, autofocus=not from_link, autocorrect=False,
                      enable_suggestions=False)
    server = server_field(app)
    member = MemberFields(app)

    def server_for(link_server: Optional[str], field: Optional[ft.TextField]) -> Optional[str]:
        if link_server is None:
            return read_server(field)
        if field is None:  # the browser build: only its own site can be reached (connect-src 'self')
            if link_server.rstrip("/") != app.team_sync.own_site():
                code.error = _("This link belongs to another team server. Open the link itself in the browser.")
                code.update()
                return None
            return ""
        try:
            url = server_url(link_server)
        except InvalidAddress as exc:
            code.error = str(exc)
            code.update()
            return None
        field.value = url
        field.update()
        return url

    async def join(submit: Submit) -> None:
        try:
            link_server, invite_code = read_invite(code.value or "")
            code.error = None
        except InvalidInviteCode as exc:
            link_server, invite_code = None, ""
            code.error = sync_error_text(exc)
        code.update()
        url = server_for(link_server, server)
        who = member.read()
        if not invite_code or url is None or who is None:
            return
        await app.team_sync.join_team(url, invite_code, *who)
        state = app.team_sync.team()
        app.go(routes.path("team"))
        app.toast(_("You are in team {name}. Shared incidents come in now.").format(
            name=state.team_name if state else ""))

    submit = Submit(app, _("Join"), ft.Icons.LOGIN, join, on_refused=member.show_refusal)
    return journal_view(app, route, _("Join a team"), [
        ft.Text(_("Ask the team's coordinator for an invite. Scan its QR code with your phone's camera: that opens "
                  "the app here with the code filled in. Or type the code of 16 characters. An invite is valid "
                  "for 24 hours and works once.")),
        *server_note(),
        fields(code, *([server] if server else []), *member.controls),
        privacy_note(),
        *submit.controls,
    ])
