"""One step: its checklist (each action expandable to its full text), previous/next.

The school's own agreement for the step comes first; inside an action, the
school's own people it points to and the letters it asks for.  On a wide
screen a second pane lists all seven steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from content.progress import step_progress
from screens import routes
from screens.journal.letters import template_links
from screens.ui import school_contacts
from screens.ui.widgets import action_tile, page_view, section_title
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def _progress_text(app: "AppContext", step) -> str:
    done, total = step_progress(step, app.progress)
    return _("{done} of {total} actions ticked off").format(done=done, total=total)


def _step_nav(app: "AppContext", current: int) -> ft.Control:
    """The side pane on wide screens: every step, the current one selected."""
    return ft.Column(
        spacing=0,
        controls=[
            ft.ListTile(
                leading=ft.CircleAvatar(content=ft.Text(str(s.number)), radius=16),
                title=ft.Text(s.title),
                selected=s.number == current,
                dense=True,
                min_height=48,
                on_click=lambda e, n=s.number: app.go(routes.step(n)),
            )
            for s in app.plan.steps
        ],
    )


def build(app: "AppContext", route: str, number: int, action_id: str = "") -> ft.View:
    plan = app.plan
    step = plan.step(number)
    progress = ft.Text(_progress_text(app, step), theme_style=ft.TextThemeStyle.LABEL_LARGE)

    def ticked(action, value) -> None:
        progress.value = _progress_text(app, step)
        progress.update()

    def extra(action_id: str) -> list[ft.Control]:
        return [*school_contacts.for_action(app, action_id), *template_links(app, action_id)]

    checklist = [
        action_tile(app, a, expanded=a.id == action_id, on_toggle=ticked, extra=extra(a.id)) for a in step.checklist
    ]
    themes = [a for a in step.actions if not a.checklist]
    body: list[ft.Control] = [
        ft.Text(step.summary, theme_style=ft.TextThemeStyle.BODY_LARGE),
        *school_contacts.step_note(app, step.number),
        progress,
        *checklist,
    ]
    if themes:
        body.append(section_title(_("Prevention")))
        body.extend(action_tile(app, a, expanded=a.id == action_id, extra=extra(a.id)) for a in themes)

    pager = []
    if number > 1:
        prev = plan.step(number - 1)
        pager.append(ft.OutlinedButton(
            _("Step {number}: {title}").format(number=prev.number, title=prev.title),
            icon=ft.Icons.ARROW_BACK, on_click=lambda e: app.go(routes.step(prev.number))))
    if number < len(plan.steps):
        nxt = plan.step(number + 1)
        pager.append(ft.FilledButton(
            _("Step {number}: {title}").format(number=nxt.number, title=nxt.title),
            icon=ft.Icons.ARROW_FORWARD, on_click=lambda e: app.go(routes.step(nxt.number))))
    body.append(ft.Row(wrap=True, spacing=8, run_spacing=8,
                       alignment=ft.MainAxisAlignment.SPACE_BETWEEN, controls=pager))

    return page_view(
        app,
        route,
        _("Step {number}: {title}").format(number=step.number, title=step.title),
        [
            ft.ResponsiveRow(
                spacing=16,
                controls=[
                    ft.Column(col={"xs": 0, "lg": 3}, controls=[_step_nav(app, number)]),
                    ft.Column(col={"xs": 12, "lg": 9}, spacing=10, controls=body),
                ],
            )
        ],
    )
