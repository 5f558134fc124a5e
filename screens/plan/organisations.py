"""Overview of organisations for support: the source's last page, with tap-to-call."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from screens import routes
from screens.ui.widgets import contact_card, page_view
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def build(app: "AppContext", route: str) -> ft.View:
    orgs = app.organisations
    return page_view(
        app,
        route,
        _("Organisations for support"),
        [
            ft.Text(orgs.intro, theme_style=ft.TextThemeStyle.TITLE_SMALL),
            ft.ResponsiveRow(
                spacing=12,
                run_spacing=12,
                controls=[
                    contact_card(app, o, full=True, col={"xs": 12, "md": 6, "xl": 4}) for o in orgs.from_source
                ],
            ),
            ft.TextButton(_("All help lines, including 112"), icon=ft.Icons.PHONE_IN_TALK,
                          on_click=lambda e: app.go(routes.path("helplines"))),
        ],
    )
