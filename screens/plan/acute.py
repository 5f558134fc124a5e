"""The acute flow: step 1's first actions as a checklist, the help lines, and the way on.

On a phone everything is one column: the first actions and the way on, then
112, "Eigen school" with its first contacts, the national help lines of the
step plan, and the school's other contacts (``school.placement.acute_split``),
so the school and the first national line are within the first two screens.
On a wide screen the help lines are the right-hand column, in the same order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from screens import routes
from screens.ui import school_contacts
from screens.ui.widgets import action_tile, contact_card, emergency_banner, page_view, section_title
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def build(app: "AppContext", route: str) -> ft.View:
    app.mark_report_time()
    plan = app.plan
    first = plan.step(1)
    next_step = plan.step(2)
    offences = plan.action("strafbare-feiten")
    offences_step = plan.step_of(offences.id)
    helplines = [o for o in app.organisations.helplines if o.origin == "stappenplan"]
    own_first, own_later = school_contacts.acute_own_school(app)
    checklist = ft.Column(
        spacing=8,
        controls=[
            ft.Text(_("Step {number}: {title}").format(number=first.number, title=first.title),
                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD),
            *[action_tile(app, a, extra=school_contacts.for_action(app, a.id)) for a in plan.acute_actions],
        ],
    )
    onward = ft.Column(
        spacing=8,
        controls=[
            section_title(_("Then")),
            ft.FilledButton(
                _("Step {number}: {title}").format(number=next_step.number, title=next_step.title),
                icon=ft.Icons.ARROW_FORWARD,
                on_click=lambda e: app.go(routes.step(next_step.number)),
            ),
            ft.OutlinedButton(
                offences.title,
                icon=ft.Icons.LOCAL_POLICE_OUTLINED,
                on_click=lambda e: app.go(routes.step(offences_step.number, offences.id)),
            ),
            ft.FilledTonalButton(
                _("Save in the journal"),
                icon=ft.Icons.BOOKMARK_ADD_OUTLINED,
                on_click=lambda e: app.save_session(),
            ),
        ],
    )
    lines = ft.Column(
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        controls=[
            section_title(_("Help lines")),
            emergency_banner(app),
            *own_first,
            *[contact_card(app, o) for o in helplines],
            *own_later,
            ft.TextButton(_("All help lines"), icon=ft.Icons.PHONE_IN_TALK,
                          on_click=lambda e: app.go(routes.path("helplines"))),
        ],
    )
    return page_view(
        app,
        route,
        _("Acute incident"),
        [
            ft.ResponsiveRow(
                spacing=16,
                run_spacing=16,
                controls=[
                    ft.Column(col={"xs": 12, "lg": 7}, spacing=16, controls=[checklist, onward]),
                    ft.Column(col={"xs": 12, "lg": 5}, controls=[lines]),
                ],
            )
        ],
    )
