"""Small form helpers shared by the journal screens: fields that count as
activity (so the journal does not lock while the user types), date/time fields,
and a dialog that keeps its input when saving fails."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Awaitable, Callable, Optional, Sequence

import flet as ft

from screens.errors import error_message
from storage.errors import StorageError
from words.formatting import date_field_text, parse_local, time_field_text
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def fields(*controls: ft.Control) -> ft.Column:
    """Form fields one under another, as wide as the screen allows."""
    return ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH, controls=list(controls))


def text_field(app: "AppContext", label: str, value: str = "", **kwargs) -> ft.TextField:
    """A text field; what is wrong with it shows in full under it (not cut off after one line on a phone)."""
    kwargs.setdefault("error_max_lines", 4)
    return ft.TextField(label=label, value=value, on_change=lambda e: app.journal.touch(), **kwargs)


class Choice:
    """One of a few options as radio buttons: every option visible, one tap, and
    read out by screen readers (Flet's dropdown is an unnamed button on the web).

    ``value=""`` starts with nothing chosen; ``required()`` then asks for a choice.
    """

    def __init__(self, app: "AppContext", label: str, options: Sequence[tuple[str, str]], value: str,
                 on_change: Optional[Callable[[str], None]] = None) -> None:
        def changed(e) -> None:
            app.journal.touch()
            if self._error.visible:
                self._error.visible = False
                self._error.update()
            if on_change:
                on_change(self.value)

        self._group = ft.RadioGroup(
            value=value or None,
            on_change=changed,
            content=ft.Column(spacing=0, controls=[ft.Radio(value=key, label=text) for key, text in options]),
        )
        self._error = ft.Text(color=ft.Colors.ERROR, visible=False)
        self.control = ft.Column(spacing=2, controls=[ft.Text(label, theme_style=ft.TextThemeStyle.LABEL_LARGE),
                                                      self._group, self._error])

    @property
    def value(self) -> str:
        return self._group.value or ""

    def required(self, message: str) -> bool:
        """True if something is chosen; otherwise show ``message``."""
        self._error.value, self._error.visible = message, not self.value
        self._error.update()
        return bool(self.value)


class DateTimeField:
    """A date and a time in Amsterdam time, typed as '24-11-2026' and '14:05'."""

    def __init__(self, app: "AppContext", label: str, value: datetime) -> None:
        self.date = text_field(app, _("{what} on (dd-mm-yyyy)").format(what=label), date_field_text(value),
                               keyboard_type=ft.KeyboardType.DATETIME, expand=3)
        self.time = text_field(app, _("at (hh:mm)"), time_field_text(value),
                               keyboard_type=ft.KeyboardType.DATETIME, expand=2)
        self.control = ft.Row(spacing=8, controls=[self.date, self.time])

    def read(self) -> Optional[datetime]:
        """The value (in UTC, as the journal stores instants), or None after showing what is wrong."""
        try:
            value = parse_local(self.date.value or "", self.time.value or "").astimezone(timezone.utc)
        except ValueError:
            self.date.error = _("Use a date like 24-11-2026 and a time like 14:05.")
            self.date.update()
            return None
        self.date.error = None
        self.date.update()
        return value


def form_dialog(
    app: "AppContext",
    title: str,
    controls: list[ft.Control],
    on_save: Callable[[], Awaitable[bool]],
    *,
    save_label: Optional[str] = None,
    on_remove: Optional[Callable[[], Awaitable[None]]] = None,
) -> ft.AlertDialog:
    """A modal form.  ``on_save`` returns True to close; on a storage error the
    message is shown in the dialog and everything typed stays where it is (a
    journal found locked closes the form: see ``AppContext.storage_action``).
    ``on_remove`` adds a 'Verwijderen' button."""
    message = ft.Text(color=ft.Colors.ERROR, visible=False)
    busy = ft.ProgressRing(width=20, height=20, visible=False)

    async def run(action: Callable[[], Awaitable[bool]]) -> None:
        app.journal.touch()
        message.visible = False
        busy.visible = True
        dialog.update()
        done = False

        async def attempt() -> None:
            nonlocal done
            done = await action()

        def failed(exc: StorageError) -> None:  # say what happened, keep the input
            message.value = error_message(exc)
            message.visible = True

        try:
            await app.storage_action(attempt(), on_error=failed)
        finally:
            busy.visible = False
        if not dialog.open:  # the journal locked itself, which closes every form
            return
        if done:
            close(dialog)
        else:
            dialog.update()

    async def save_clicked(e) -> None:
        await run(on_save)

    async def remove_clicked(e) -> None:
        async def remove() -> bool:
            await on_remove()
            return True

        await run(remove)

    extra_actions = [ft.TextButton(_("Remove"), on_click=remove_clicked)] if on_remove else []

    dialog = ft.AlertDialog(
        modal=True,
        title=ft.Text(title),
        scrollable=True,
        content=ft.Column(tight=True, spacing=12, width=520, controls=[*controls, message]),
        actions=[
            *extra_actions,
            ft.TextButton(_("Cancel"), on_click=lambda e: close(dialog)),
            busy,
            ft.FilledButton(save_label or _("Save"), on_click=save_clicked),
        ],
    )
    app.page.show_dialog(dialog)
    return dialog


def close(dialog: ft.DialogControl) -> None:
    """Close this dialog (``page.pop_dialog`` would close whatever opened last, e.g. a toast)."""
    dialog.open = False
    dialog.update()


def confirm(app: "AppContext", title: str, text: str, confirm_label: str, on_confirm: Callable[[], Awaitable[None]]) -> None:
    """Ask before something that cannot be undone."""

    async def confirmed() -> bool:
        await on_confirm()
        return True

    form_dialog(app, title, [ft.Text(text)], confirmed, save_label=confirm_label)
