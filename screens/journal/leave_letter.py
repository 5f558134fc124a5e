"""Leaving a letter with edits that are not kept: "Wijzigingen bewaren?" (see ``letter_drafts``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import flet as ft

from screens.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def ask_before_leaving(app: "AppContext", route: str, leave: Callable[[], None],
                       stay: Callable[[], None] = lambda: None) -> None:
    """"Wijzigingen bewaren?" for the letter of ``route``: keep or discard, then ``leave``;
    or keep writing (``stay``)."""
    drafts = app.journal.drafts

    def close_then(action: Callable[[], None]) -> None:
        dialog.open = False
        dialog.update()
        action()

    def keep(e) -> None:
        drafts.keep(route)
        close_then(leave)

    def discard(e) -> None:
        drafts.discard(route)
        close_then(leave)

    dialog = ft.AlertDialog(
        modal=True,
        title=ft.Text(_("Keep your changes?")),
        content=ft.Text(_("This letter has changes that are not kept. Keep it as a draft (until the app is "
                          "closed; nothing is written to the device), or discard the changes.")),
        actions=[
            ft.TextButton(_("Keep writing"), on_click=lambda e: close_then(stay)),
            ft.TextButton(_("Discard"), on_click=discard),
            ft.FilledButton(_("Keep"), on_click=keep),
        ],
    )
    app.page.show_dialog(dialog)


__all__ = ["ask_before_leaving"]
