"""The journal's gate: set it up, unlock it, and the frame of a journal screen.

Every route that ``screens.routes`` marks ``needs_journal`` shows this gate
while the journal is locked (``App`` draws it instead of the screen), so a
locked journal never shows a word of its content, and the user continues
where they were after unlocking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable, Callable

import flet as ft

from screens.errors import error_message
from screens.journal.passphrase import NewPassphrase
from screens.ui.forms import confirm, fields, text_field
from screens.ui.widgets import icon_button, page_view
from storage import errors
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def build(app: "AppContext", route: str) -> ft.View:
    """What a journal route shows while the journal is locked (or not there yet)."""
    return page_view(app, route, _("Journal"), unlock_form(app) if app.journal.known_to_exist else setup_form(app))


def journal_view(app: "AppContext", route: str, title: str, controls: list[ft.Control]) -> ft.View:
    """A journal screen while the journal is open: with the button that locks it."""
    lock = icon_button(ft.Icons.LOCK_OUTLINE, _("Lock the journal"), lambda e: app.journal.lock())
    return page_view(app, route, title, controls, actions=[lock])


def no_images_note() -> ft.Control:
    return ft.Container(
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
        border_radius=12,
        padding=12,
        content=ft.Row(
            vertical_alignment=ft.CrossAxisAlignment.START,
            controls=[
                ft.Icon(ft.Icons.NO_PHOTOGRAPHY_OUTLINED, semantics_label=_("No images")),
                ft.Text(
                    _("No images or files are stored in the journal, by design: a school must not keep "
                      "images of pupils. The victim keeps the evidence (such as screenshots); the police "
                      "advise on what to do with it."),
                    expand=True,
                ),
            ],
        ),
    )


def _busy_button(label: str, icon, action: Callable[[], Awaitable[None]]) -> ft.FilledButton:
    """A button that shows it is working while ``action`` runs (key derivation takes a moment)."""

    async def run(e) -> None:
        button.disabled = True
        button.update()
        try:
            await action()
        finally:
            button.disabled = False
            try:
                button.update()
            except RuntimeError:  # the screen changed (e.g. the journal opened)
                pass

    button = ft.FilledButton(label, icon=icon, on_click=run)
    return button


def _message() -> ft.Text:
    return ft.Text(color=ft.Colors.ERROR, visible=False)


def _show(message: ft.Text, text: str) -> None:
    message.value, message.visible = text, True
    message.update()


def setup_form(app: "AppContext") -> list[ft.Control]:
    author = text_field(app, _("Your name or role in the journal, e.g. mentor 3B"), autofocus=True)
    passphrase = NewPassphrase(_("Choose a passphrase"))
    message = _message()

    async def create() -> None:
        if passphrase.validate():
            return
        if await app.storage_action(app.journal.create(passphrase.value, author.value or ""),
                                    on_error=lambda exc: _show(message, error_message(exc))):
            app.journal_opened()

    return [
        ft.Text(_("Set up the journal"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(_("The journal keeps incidents encrypted on this device: who was involved, what was done "
                  "when, who was informed. Nobody can read it without the passphrase. It locks itself "
                  "after a few idle minutes and when the app is hidden.")),
        no_images_note(),
        fields(author, passphrase.control),
        message,
        _busy_button(_("Create journal"), ft.Icons.LOCK_OUTLINE, create),
    ]


def unlock_form(app: "AppContext") -> list[ft.Control]:
    field = ft.TextField(label=_("Passphrase"), password=True, can_reveal_password=True, autofocus=True)
    message = _message()
    damaged = ft.Column(visible=False, spacing=8)

    def failed(exc: errors.StorageError) -> None:
        if isinstance(exc, (errors.WrongPassphraseError, errors.TooManyAttemptsError)):
            field.value = ""
        _show(message, error_message(exc))
        field.update()
        if isinstance(exc, (errors.DamagedFileError, errors.NewerFormatError)):
            damaged.visible = isinstance(exc, errors.DamagedFileError)
            damaged.update()

    async def unlock() -> None:
        if await app.storage_action(app.journal.unlock(field.value or ""), on_error=failed):
            app.journal_opened()

    async def submitted(e) -> None:
        await unlock()

    field.on_submit = submitted
    damaged.controls = [
        ft.Text(_("You can start a new, empty journal. The damaged file is not deleted: it is kept next "
                  "to the new journal under another name. After that you can import a backup.")),
        ft.OutlinedButton(_("Start a new journal"), icon=ft.Icons.RESTART_ALT,
                          on_click=lambda e: _start_over(app)),
    ]
    return [
        ft.Text(_("Unlock the journal"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(_("The journal is locked. The acute flow and the help lines work without unlocking.")),
        fields(field),
        message,
        _busy_button(_("Unlock"), ft.Icons.LOCK_OPEN, unlock),
        damaged,
        ft.TextButton(_("Forgot the passphrase?"), on_click=lambda e: _forgotten(app)),
    ]


def _forgotten(app: "AppContext") -> None:
    confirm(
        app,
        _("Forgot the passphrase?"),
        _("Nobody can recover a forgotten passphrase: that is what keeps the journal safe. You can start a "
          "new, empty journal; the old file is kept on the device under another name, so it opens again "
          "if the passphrase comes back to you. Then import your latest backup."),
        _("Start a new journal"),
        lambda: _do_start_over(app),
    )


def _start_over(app: "AppContext") -> None:
    confirm(app, _("Start a new journal?"),
            _("The current file is kept under another name; nothing is deleted."),
            _("Start a new journal"), lambda: _do_start_over(app))


async def _do_start_over(app: "AppContext") -> None:
    await app.journal.start_over()
    app.refresh()
