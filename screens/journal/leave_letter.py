"""Leaving a letter with edits that are not kept: "Wijzigingen bewaren?" (see ``letter_drafts``).

The app bar's back arrow and the system's back gesture ask the view first
(Flet's ``View.on_confirm_pop``, :func:`confirm_before_pop`): the letter stays
on screen while the question is open, and goes only once it is answered with
*Bewaren* or *Weggooien*.  A link or the browser's back button asks through
``App`` (:func:`ask_before_leaving`).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Callable

import flet as ft

from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def ask_before_leaving(app: "AppContext", route: str, leave: Callable[[], object],
                       stay: Callable[[], object] = lambda: None) -> None:
    """"Wijzigingen bewaren?" for the letter of ``route``: keep or discard, then ``leave``;
    or keep writing (``stay``).  ``leave`` and ``stay`` may return a coroutine, which is awaited."""
    drafts = app.journal.drafts

    async def close_then(action: Callable[[], object]) -> None:
        dialog.open = False
        dialog.update()
        result = action()
        if inspect.isawaitable(result):
            await result

    async def keep(e) -> None:
        drafts.keep(route)
        await close_then(leave)

    async def discard(e) -> None:
        drafts.discard(route)
        await close_then(leave)

    async def keep_writing(e) -> None:
        await close_then(stay)

    dialog = ft.AlertDialog(
        modal=True,
        title=ft.Text(_("Keep your changes?")),
        content=ft.Text(_("This letter has changes that are not kept. Keep it as a draft (until the app is "
                          "closed; nothing is written to the device), or discard the changes.")),
        actions=[
            ft.TextButton(_("Keep writing"), on_click=keep_writing),
            ft.TextButton(_("Discard"), on_click=discard),
            ft.FilledButton(_("Keep"), on_click=keep),
        ],
    )
    app.page.show_dialog(dialog)


def confirm_before_pop(app: "AppContext", view: ft.View, route: str) -> None:
    """Ask before the back arrow or gesture leaves the letter of ``route`` with edits not kept.
    (Flutter waits five minutes for the answer; after that the letter simply stays.)"""

    async def on_confirm_pop(e) -> None:
        if not app.journal.drafts.unsaved(route):
            await view.confirm_pop(True)
        else:
            ask_before_leaving(app, route, leave=lambda: view.confirm_pop(True), stay=lambda: view.confirm_pop(False))

    view.can_pop = False  # Flutter then asks on_confirm_pop before it pops the view
    view.on_confirm_pop = on_confirm_pop


__all__ = ["ask_before_leaving", "confirm_before_pop"]
