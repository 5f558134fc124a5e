"""Small form helpers shared by the journal screens: fields that count as
activity (so the journal does not lock while the user types), date/time fields,
and a dialog that keeps its input when saving fails."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Awaitable, Callable, Optional, Sequence

import flet as ft

from screens.formatting import date_field_text, parse_local, time_field_text
from screens.i18n import _
from screens.journal_session import error_message

if TYPE_CHECKING:
    from screens.app import App


def text_field(app: "App", label: str, value: str = "", **kwargs) -> ft.TextField:
    return ft.TextField(label=label, value=value, on_change=lambda e: app.journal.touch(), **kwargs)


def dropdown(app: "App", label: str, options: Sequence[tuple[str, str]], value: str, **kwargs) -> ft.Dropdown:
    return ft.Dropdown(
        label=label,
        value=value,
        options=[ft.DropdownOption(key=key, text=text) for key, text in options],
        on_select=lambda e: app.journal.touch(),
        expand=True,
        **kwargs,
    )


class DateTimeField:
    """A date and a time in Amsterdam time, typed as '24-11-2026' and '14:05'."""

    def __init__(self, app: "App", label: str, value: datetime) -> None:
        self.date = text_field(app, _("{what} on (dd-mm-yyyy)").format(what=label), date_field_text(value),
                               keyboard_type=ft.KeyboardType.DATETIME, expand=3)
        self.time = text_field(app, _("at (hh:mm)"), time_field_text(value),
                               keyboard_type=ft.KeyboardType.DATETIME, expand=2)
        self.control = ft.Row(spacing=8, controls=[self.date, self.time])

    def read(self) -> Optional[datetime]:
        """The value, or None after showing what is wrong."""
        try:
            value = parse_local(self.date.value or "", self.time.value or "")
        except ValueError:
            self.date.error = _("Use a date like 24-11-2026 and a time like 14:05.")
            self.date.update()
            return None
        self.date.error = None
        self.date.update()
        return value


def form_dialog(
    app: "App",
    title: str,
    controls: list[ft.Control],
    on_save: Callable[[], Awaitable[bool]],
    *,
    save_label: Optional[str] = None,
    extra_actions: Sequence[ft.Control] = (),
) -> ft.AlertDialog:
    """A modal form.  ``on_save`` returns True to close; on a storage error the
    message is shown in the dialog and everything typed stays where it is."""
    message = ft.Text(color=ft.Colors.ERROR, visible=False)
    busy = ft.ProgressRing(width=20, height=20, visible=False)

    async def save(e) -> None:
        app.journal.touch()
        message.visible = False
        busy.visible = True
        dialog.update()
        try:
            done = await on_save()
        except Exception as exc:  # storage errors: say what happened, keep the input
            message.value = error_message(exc)
            message.visible = True
            done = False
        finally:
            busy.visible = False
        if done:
            app.page.pop_dialog()
        else:
            dialog.update()

    dialog = ft.AlertDialog(
        modal=True,
        title=ft.Text(title),
        scrollable=True,
        content=ft.Column(tight=True, spacing=12, width=520, controls=[*controls, message]),
        actions=[
            *extra_actions,
            ft.TextButton(_("Cancel"), on_click=lambda e: app.page.pop_dialog()),
            busy,
            ft.FilledButton(save_label or _("Save"), on_click=save),
        ],
    )
    app.page.show_dialog(dialog)
    return dialog


def confirm(app: "App", title: str, text: str, confirm_label: str, on_confirm: Callable[[], Awaitable[None]]) -> None:
    """Ask before something that cannot be undone."""

    async def confirmed() -> bool:
        await on_confirm()
        return True

    form_dialog(app, title, [ft.Text(text)], confirmed, save_label=confirm_label)
