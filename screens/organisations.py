"""Overview of organisations for support: the source's last page, with tap-to-call."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from content.model import Organisation
from screens import routes
from screens.i18n import _
from screens.widgets import contact_buttons, page_view

if TYPE_CHECKING:
    from screens.app import App


def organisation_card(app: "App", org: Organisation) -> ft.Control:
    details: list[ft.Control] = [
        ft.Text(org.name, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD),
        ft.Text(" ".join(part for part in (org.audience, org.description) if part)),
    ]
    details.extend(ft.Text(line) for line in (org.reach_as_written, org.hours_as_written) if line)
    details.append(ft.Row(wrap=True, spacing=8, run_spacing=8, controls=contact_buttons(app, org)))
    return ft.Card(
        col={"xs": 12, "md": 6, "xl": 4},
        content=ft.Container(padding=16, content=ft.Column(spacing=8, controls=details)),
    )


def build(app: "App", route: str) -> ft.View:
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
                controls=[organisation_card(app, o) for o in orgs.from_source],
            ),
            ft.TextButton(_("All help lines, including 112"), icon=ft.Icons.PHONE_IN_TALK,
                          on_click=lambda e: app.go(routes.HELPLINES)),
        ],
    )
