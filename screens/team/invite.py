"""Uitnodigen: the invite a coordinator shows a new member -- a QR code for the
phone's camera and the short code to type, valid 24 hours, single use, and
cancellable.

The code is shown once, here: the server never has it (it keeps only an id
derived from it), so the list of open invites cannot show it again.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import flet as ft
import segno

from screens.ui.forms import close
from screens.ui.sync_status import sync_error_text
from sync.client import CreatedInvite
from sync.errors import SyncError
from words.formatting import moment
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext

QR_SIZE = 264  # logical pixels on screen: big enough for a phone camera at arm's length


def qr_png(text: str) -> bytes:
    """``text`` as a QR code (PNG): error correction M, the standard quiet zone of 4 modules."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def show_invite(app: "AppContext", invite: CreatedInvite, team_name: str) -> ft.AlertDialog:
    message = ft.Text(color=ft.Colors.ERROR, visible=False)

    def done(e) -> None:
        close(dialog)
        app.team_sync.team_may_have_changed()  # the new member may have joined meanwhile
        app.refresh()  # and the open invites, with this one

    async def cancel(e) -> None:
        try:
            await app.team_sync.cancel_invite(invite.invite_id)
        except SyncError as exc:
            message.value, message.visible = sync_error_text(exc), True
            dialog.update()
            return
        close(dialog)
        app.refresh()
        app.toast(_("The invite was cancelled: its code no longer works."))

    content = ft.Column(tight=True, spacing=10, width=360, horizontal_alignment=ft.CrossAxisAlignment.CENTER, controls=[
        ft.Text(_("Let the new member scan this code with their phone's camera, or type the code below in "
                  "Join a team.")),
        ft.Image(src=qr_png(invite.qr_payload), width=QR_SIZE, height=QR_SIZE, filter_quality=ft.FilterQuality.NONE,
                 semantics_label=_("QR code of the invite")),
        ft.Text(invite.code, selectable=True, size=22,  # one line on a phone
                weight=ft.FontWeight.BOLD,
                semantics_label=_("Invite code {code}").format(code=invite.code)),
        ft.Text(_("Valid until {when}, and only once.").format(when=moment(invite.expires_at, app.now()))),
        ft.Text(_("Whoever has this code can join the team and read everything it shares: give it only to the "
                  "person it is meant for, in person or by phone."), theme_style=ft.TextThemeStyle.BODY_SMALL),
        message,
    ])
    dialog = ft.AlertDialog(
        modal=True,
        title=ft.Text(_("Invite to {name}").format(name=team_name)),
        scrollable=True,
        content=content,
        actions=[
            ft.TextButton(_("Cancel the invite"), on_click=cancel, style=ft.ButtonStyle(color=ft.Colors.ERROR)),
            ft.TextButton(_("Copy the code"), icon=ft.Icons.CONTENT_COPY, on_click=lambda e: app.copy(invite.code)),
            ft.FilledButton(_("Done"), on_click=done),
        ],
    )
    app.page.show_dialog(dialog)
    return dialog
