"""The journal's first screen: the incidents, filtered by status and type, and what is due; a value
changed in two places on the incident's own row; shared incidents a member deleted, to restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from content.progress import next_action
from screens import routes
from screens.journal.conflicts import conflict_summary
from screens.journal.gate import journal_view
from screens.journal.incident_forms import incident_form, progress_of
from screens.ui.sync_status import status_line
from screens.ui.widgets import section_title
from storage import Journal
from storage import incidents as inc
from storage.vocabulary import IncidentType, Status
from words.formatting import moment
from words.i18n import _, ngettext
from words.labels import status_label, type_label

if TYPE_CHECKING:
    from screens.context import AppContext


def _incident_card(app: "AppContext", incident: inc.Incident) -> ft.Control:
    progress = progress_of(incident)
    action = next_action(app.plan, progress)
    done = len(progress.ticks)
    total = len(app.plan.checklist)
    lines = [
        ft.Text(incident.title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD),
        ft.Text(" · ".join([
            type_label(app.plan, incident.type, incident.type_other),
            status_label(incident.status),
            _("reported {when}").format(when=moment(incident.reported_at, app.now())),
        ])),
        ft.Text(
            _("Next step: {action}").format(action=action.title) if action and incident.is_open
            else _("{done} of {total} actions ticked off").format(done=done, total=total),
            italic=True,
        ),
    ]
    conflict = conflict_summary(app, incident)
    if conflict:
        lines.append(ft.Row(spacing=6, controls=[
            ft.Icon(ft.Icons.CALL_SPLIT, size=18, color=ft.Colors.TERTIARY),
            ft.Text(conflict, color=ft.Colors.TERTIARY, weight=ft.FontWeight.W_500, expand=True),
        ]))
    return ft.Card(
        content=ft.Container(
            padding=12,
            on_click=lambda e: app.go(routes.path("incident", incident_id=incident.id)),
            content=ft.Column(spacing=4, controls=lines),
        )
    )


def _filters(app: "AppContext") -> ft.Control:
    chosen = app.journal_filter

    def set_status(value: str):
        def handler(e) -> None:
            chosen["status"] = value
            app.refresh()
        return handler

    def set_type(value: str):
        def handler(e) -> None:
            chosen["type"] = value
            app.refresh()
        return handler

    status_chips = [ft.Chip(label=ft.Text(_("All statuses")), selected=chosen["status"] == "",
                            on_select=set_status(""))]
    status_chips += [ft.Chip(label=ft.Text(status_label(s)), selected=chosen["status"] == s,
                             on_select=set_status(s)) for s in Status]
    type_chips = [ft.Chip(label=ft.Text(_("All types")), selected=chosen["type"] == "", on_select=set_type(""))]
    type_chips += [ft.Chip(label=ft.Text(type_label(app.plan, t)), selected=chosen["type"] == t,
                           on_select=set_type(t)) for t in IncidentType]
    return ft.ExpansionTile(
        title=ft.Text(_("Filter")),
        leading=ft.Icon(ft.Icons.FILTER_LIST),
        expanded=bool(chosen["status"] or chosen["type"]),
        controls_padding=ft.Padding.only(left=12, right=12, bottom=12),
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
        controls=[
            ft.Row(wrap=True, spacing=6, run_spacing=6, controls=status_chips),
            ft.Row(wrap=True, spacing=6, run_spacing=6, controls=type_chips),
        ],
    )


def _retention_banner(app: "AppContext", journal: Journal) -> list[ft.Control]:
    expired = journal.past_retention(app.now())
    if not expired:
        return []
    months = journal.settings.retention_months
    return [
        ft.Container(
            bgcolor=ft.Colors.TERTIARY_CONTAINER,
            border_radius=12,
            padding=12,
            content=ft.Column(spacing=6, controls=[
                ft.Text(ngettext(
                    "{n} closed incident is older than the retention period of {months} months:",
                    "{n} closed incidents are older than the retention period of {months} months:",
                    len(expired),
                ).format(n=len(expired), months=months), weight=ft.FontWeight.BOLD),
                *[ft.TextButton(i.title, icon=ft.Icons.DELETE_OUTLINE,
                                on_click=lambda e, i=i: app.go(routes.path("incident", incident_id=i.id)))
                  for i in expired],
                ft.Text(_("Open each one and delete it, unless the school has a reason to keep it longer.")),
            ]),
        )
    ]


def _deleted_link(app: "AppContext", journal: Journal) -> list[ft.Control]:
    """'Verwijderd — herstellen': shared incidents a member deleted, while they can be restored."""
    deleted = journal.deleted_incidents(app.now())
    if not deleted:
        return []
    return [ft.TextButton(
        ngettext("Deleted — restore ({n} shared incident)", "Deleted — restore ({n} shared incidents)",
                 len(deleted)).format(n=len(deleted)),
        icon=ft.Icons.RESTORE_FROM_TRASH_OUTLINED, on_click=lambda e: app.go(routes.path("deleted")),
    )]


def build(app: "AppContext", route: str) -> ft.View:
    journal = app.journal.current
    chosen = app.journal_filter
    items = journal.incidents(
        statuses=[chosen["status"]] if chosen["status"] else None,
        types=[chosen["type"]] if chosen["type"] else None,
    )
    cards = [_incident_card(app, i) for i in items] or [
        ft.Text(_("No incidents yet.") if len(journal) == 0 else _("No incidents match this filter."))
    ]
    return journal_view(app, route, _("Journal"), [
        *_retention_banner(app, journal),
        *status_line(app),
        *_deleted_link(app, journal),
        ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
            ft.FilledButton(_("New incident"), icon=ft.Icons.ADD, on_click=lambda e: incident_form(app)),
            ft.OutlinedButton(_("Overview"), icon=ft.Icons.BAR_CHART,
                              on_click=lambda e: app.go(routes.path("overview"))),
            ft.OutlinedButton(_("Settings and backups"), icon=ft.Icons.SETTINGS_OUTLINED,
                              on_click=lambda e: app.go(routes.path("journal_settings"))),
        ]),
        _filters(app),
        section_title(ngettext("{n} incident", "{n} incidents", len(items)).format(n=len(items))),
        *cards,
    ])
