"""Settings of the app on this device: the language (remembered; by default the device's),
the way to the school profile and to the journal's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from screens import routes
from screens.ui.widgets import page_view, section_title
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext

#: Each language is named in itself, so it can be found by someone who does not read the other.
_NAMES = {"nl": "Nederlands", "en": "English"}
_DEVICE = "device"


def build(app: "AppContext", route: str) -> ft.View:
    async def chosen(e) -> None:
        value = e.control.value
        await app.switch_language(None if value == _DEVICE else value)

    current = app.preferences.language or _DEVICE
    return page_view(app, route, _("Settings"), [
        section_title(_("Language")),
        ft.RadioGroup(
            value=current,
            on_change=chosen,
            content=ft.Column(spacing=0, controls=[
                ft.Radio(value=_DEVICE, label=_("Language of this device")),
                *[ft.Radio(value=code, label=name) for code, name in _NAMES.items()],
            ]),
        ),
        ft.Text(_("The step plan is by Stichting School & Veiligheid and written in Dutch; the English "
                  "version is a translation.")),
        ft.Divider(),
        section_title(_("School profile")),
        ft.Text(_("The school's own contact people and agreements, filled in once and shared with colleagues "
                  "as a file.")),
        ft.TextButton(_("School profile: fill in, share or import"), icon=ft.Icons.SCHOOL_OUTLINED,
                      on_click=lambda e: app.go(routes.path("school_profile"))),
        ft.Divider(),
        section_title(_("Journal")),
        ft.TextButton(_("Journal settings and backups"), icon=ft.Icons.BOOK_OUTLINED,
                      on_click=lambda e: app.go(routes.path("journal_settings"))),
    ])
