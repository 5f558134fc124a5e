"""Help lines: every line with who it is for and a call button."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from screens.i18n import _
from screens.organisations import organisation_card
from screens.widgets import page_view

if TYPE_CHECKING:
    from screens.app import App


def build(app: "App", route: str) -> ft.View:
    return page_view(
        app,
        route,
        _("Help lines"),
        [
            ft.ResponsiveRow(
                spacing=12,
                run_spacing=12,
                controls=[organisation_card(app, o) for o in app.organisations.helplines],
            ),
        ],
    )
