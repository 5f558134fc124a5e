"""Home: the acute button first, then the next step, the seven steps and the help lines.

On a 412×915 phone all of it fits without scrolling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from content.progress import next_action, step_progress
from screens import routes
from screens.ui import school_contacts
from screens.ui.widgets import contact_card, icon_button, page_view, section_title
from words.formatting import moment, relative
from words.i18n import _, ngettext

if TYPE_CHECKING:
    from screens.context import AppContext


def acute_button(app: "AppContext") -> ft.Control:
    return ft.FilledButton(
        content=ft.Row(
            spacing=12,
            controls=[
                ft.Icon(ft.Icons.EMERGENCY_OUTLINED, size=32, color=ft.Colors.ON_ERROR),
                ft.Column(
                    expand=True,  # lets the label wrap at large text sizes
                    spacing=0,
                    tight=True,
                    controls=[
                        ft.Text(_("Acute incident"), size=22, weight=ft.FontWeight.BOLD,
                                color=ft.Colors.ON_ERROR),
                        ft.Text(_("First actions and help lines"), color=ft.Colors.ON_ERROR),
                    ],
                ),
            ],
        ),
        style=ft.ButtonStyle(
            bgcolor=ft.Colors.ERROR,
            padding=ft.Padding.symmetric(horizontal=16, vertical=14),
            shape=ft.RoundedRectangleBorder(radius=16),
        ),
        on_click=lambda e: app.go(routes.path("acute")),
    )


def next_step_card(app: "AppContext") -> ft.Control:
    """'Volgende stap': the first unticked action, while something is ticked."""
    action = next_action(app.plan, app.progress)
    if action is None:
        text, route = _("All actions are ticked off."), routes.path("steps")
    else:
        step = app.plan.step_of(action.id)
        text = _("Step {number}: {action}").format(number=step.number, action=action.title)
        route = routes.step(step.number, action.id)
    return ft.Card(
        content=ft.ListTile(
            leading=ft.Icon(ft.Icons.ARROW_FORWARD, semantics_label=_("Next step")),
            title=ft.Text(_("Next step"), weight=ft.FontWeight.BOLD),
            subtitle=ft.Text(text),
            on_click=lambda e: app.go(route),
        ),
    )


def _quick_link(app: "AppContext", icon: ft.IconData, label: str, route: str) -> ft.Control:
    """A square-ish button with the icon above its label: four fit side by side on a phone."""
    return ft.FilledTonalButton(
        content=ft.Column(
            spacing=2,
            tight=True,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            controls=[ft.Icon(icon, size=22), ft.Text(label, size=12, text_align=ft.TextAlign.CENTER)],
        ),
        expand=True,
        style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=2, vertical=8),
                             shape=ft.RoundedRectangleBorder(radius=12)),
        on_click=lambda e: app.go(route),
    )


def follow_ups_card(app: "AppContext") -> list[ft.Control]:
    """Follow-up conversations due today or overdue (only while the journal is open)."""
    if not app.journal.is_open:
        return []
    from storage.followups import FollowUpState, follow_up_agenda  # the journal's code: loaded once it is open

    agenda = follow_up_agenda(app.journal.current.with_pending_follow_ups(), app.now())
    due = agenda.needs_attention
    if not due:
        return []
    rows = []
    for item in due[:3]:
        overdue = item.state is FollowUpState.OVERDUE
        label = (_("Overdue: {when} ({relative})") if overdue else _("{when} ({relative})")).format(
            when=moment(item.due, app.now()), relative=relative(item.due, app.now()))
        rows.append(ft.ListTile(
            leading=ft.Icon(ft.Icons.EVENT_BUSY if overdue else ft.Icons.EVENT,
                            color=ft.Colors.ERROR if overdue else None),
            title=ft.Text(f"{item.follow_up.with_whom} · {item.incident_title}"),
            subtitle=ft.Text(label),
            dense=True,
            on_click=lambda e, i=item.incident_id: app.go(routes.path("incident", incident_id=i)),
        ))
    return [ft.Card(content=ft.Column(spacing=0, controls=[
        ft.ListTile(title=ft.Text(_("Follow-up conversations"), weight=ft.FontWeight.BOLD),
                    subtitle=ft.Text(ngettext("{n} due today or overdue", "{n} due today or overdue",
                                              len(due)).format(n=len(due)))),
        *rows,
    ]))]


def step_tile(app: "AppContext", step) -> ft.Control:
    done, total = step_progress(step, app.progress)
    return ft.ListTile(
        leading=ft.CircleAvatar(content=ft.Text(str(step.number)), radius=16),
        title=ft.Text(step.title, weight=ft.FontWeight.W_500),
        subtitle=ft.Text(step.summary, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
        trailing=ft.Text(f"{done}/{total}") if done else None,
        dense=True,
        min_height=56,
        content_padding=ft.Padding.symmetric(horizontal=8),
        on_click=lambda e: app.go(routes.step(step.number)),
    )


def build(app: "AppContext", route: str) -> ft.View:
    quick_links = ft.Row(
        spacing=6,
        controls=[
            _quick_link(app, ft.Icons.PHONE_IN_TALK, _("Help lines"), routes.path("helplines")),
            _quick_link(app, ft.Icons.GROUPS_OUTLINED, _("Organisations"), routes.path("organisations")),
            _quick_link(app, ft.Icons.BOOK_OUTLINED, _("Journal"), routes.path("journal")),
            _quick_link(app, ft.Icons.SHIELD_OUTLINED, _("Policy"), routes.path("policy")),
        ],
    )
    left = [acute_button(app)]
    if app.progress.started:
        left.append(next_step_card(app))
    left += follow_ups_card(app)
    left.append(quick_links)
    right = [
        section_title(_("The seven steps")),
        ft.Column(spacing=0, controls=[step_tile(app, s) for s in app.plan.steps]),
    ]
    return page_view(
        app,
        route,
        _("Online incidents step plan"),
        [
            ft.ResponsiveRow(
                spacing=16,
                run_spacing=12,
                controls=[
                    ft.Column(col={"xs": 12, "lg": 4}, spacing=12, controls=left),
                    ft.Column(col={"xs": 12, "lg": 4}, spacing=4, controls=right),
                    # wide screens (Chromebooks) have room for the help lines as well
                    ft.Column(col={"xs": 0, "lg": 4}, spacing=8, controls=[
                        section_title(_("Help lines")),
                        *school_contacts.own_school(app),
                        *[contact_card(app, o) for o in app.organisations.helplines
                          if o.origin == "stappenplan"],
                    ]),
                ],
            )
        ],
        actions=[
            icon_button(ft.Icons.INFO_OUTLINE, _("About this step plan"), lambda e: app.go(routes.path("about"))),
            icon_button(ft.Icons.SETTINGS_OUTLINED, _("Settings"), lambda e: app.go(routes.path("settings"))),
        ],
    )
