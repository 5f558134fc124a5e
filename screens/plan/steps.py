"""Overview of the seven steps with their progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from content.progress import step_progress
from screens import routes
from screens.ui.widgets import page_view
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def build(app: "AppContext", route: str) -> ft.View:
    tiles = []
    for step in app.plan.steps:
        done, total = step_progress(step, app.progress)
        tiles.append(
            ft.Card(
                content=ft.ListTile(
                    leading=ft.CircleAvatar(content=ft.Text(str(step.number))),
                    title=ft.Text(_("Step {number}: {title}").format(number=step.number, title=step.title),
                                  weight=ft.FontWeight.BOLD),
                    subtitle=ft.Text(step.summary),
                    trailing=ft.Text(_("{done} of {total}").format(done=done, total=total)),
                    on_click=lambda e, n=step.number: app.go(routes.step(n)),
                ),
            )
        )
    return page_view(
        app,
        route,
        _("The seven steps"),
        [ft.Text(app.plan.derived_titles_note, theme_style=ft.TextThemeStyle.BODY_SMALL), *tiles],
    )
