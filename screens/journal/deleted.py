"""Verwijderd — herstellen: shared incidents a member deleted, while any member can restore them.

A shared incident that a member deletes is deleted for the whole team, but
for ``storage.incidents.RESTORE_PERIOD`` (30 days) every member can bring it
back, for everyone; then each device replaces it by a tombstone.  This
screen lists them with who deleted them and when; the incident's own
address shows the same for one of them (``deleted_notice``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from screens import routes
from screens.journal.gate import journal_view
from storage import incidents as inc
from words.formatting import moment
from words.i18n import _, ngettext

if TYPE_CHECKING:
    from screens.context import AppContext


def deleted_by(app: "AppContext", incident: inc.Incident) -> str:
    """'Verwijderd door Anna, vandaag om 14:05'."""
    deletion = incident.deleted
    when = moment(deletion.at, app.now())
    if deletion.by:
        return _("Deleted by {who}, {when}").format(who=deletion.by, when=when)
    return _("Deleted {when}").format(when=when)


def restorable_until(app: "AppContext", incident: inc.Incident) -> str:
    """'Iedereen in het team kan het herstellen tot …' (the day it will be purged)."""
    return _("Anyone in the team can restore it until {when}; after that it is gone for good.").format(
        when=moment(incident.restorable_until(), app.now()))


async def restore(app: "AppContext", incident: inc.Incident) -> None:
    """Bring it back for the whole team (the sync sends it a moment later)."""
    async def action() -> None:
        await app.journal.current.restore(incident.id, by=app.team_sync.signature())

    if await app.storage_action(action()):
        app.refresh()
        app.toast(_("'{title}' is back, for the whole team.").format(title=incident.title))


def _card(app: "AppContext", incident: inc.Incident) -> ft.Control:
    async def restore_it(e) -> None:
        await restore(app, incident)

    return ft.Card(content=ft.Container(padding=12, content=ft.Column(spacing=6, controls=[
        ft.Text(incident.title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD),
        ft.Text(deleted_by(app, incident)),
        ft.Text(restorable_until(app, incident), theme_style=ft.TextThemeStyle.BODY_SMALL),
        ft.OutlinedButton(_("Restore"), icon=ft.Icons.RESTORE, on_click=restore_it,
                          style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=16))),
    ])))


def deleted_notice(app: "AppContext", route: str, incident: inc.Incident) -> ft.View:
    """The incident's address while it is deleted: who deleted it, and restoring it."""
    async def restore_it(e) -> None:
        await restore(app, incident)

    return journal_view(app, route, _("Incident"), [
        ft.Text(incident.title, theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(deleted_by(app, incident), weight=ft.FontWeight.BOLD),
        ft.Text(restorable_until(app, incident)),
        ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
            ft.FilledButton(_("Restore"), icon=ft.Icons.RESTORE, on_click=restore_it),
            ft.TextButton(_("To the journal"), on_click=lambda e: app.go(routes.path("journal"))),
        ]),
    ])


def build(app: "AppContext", route: str) -> ft.View:
    deleted = app.journal.current.deleted_incidents(app.now())
    intro = ngettext(
        "{n} shared incident was deleted by a member of the team. Restoring it brings it back for everyone, "
        "with everything that was written in it.",
        "{n} shared incidents were deleted by members of the team. Restoring one brings it back for everyone, "
        "with everything that was written in it.", len(deleted)).format(n=len(deleted))
    return journal_view(app, route, _("Deleted shared incidents"), [
        ft.Text(intro) if deleted else ft.Text(_("Nothing to restore: no shared incident was deleted in the "
                                                 "last {days} days.").format(days=inc.RESTORE_PERIOD.days)),
        *[_card(app, i) for i in deleted],
    ])


__all__ = ["deleted_by", "deleted_notice", "restorable_until", "restore"]
