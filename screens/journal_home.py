"""The journal: set it up, unlock it, and the list of incidents.

Every journal route shows the unlock form while the journal is locked, so a
locked journal never shows a word of its content, and the user continues
where they were after unlocking.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Awaitable, Callable

import flet as ft

from content.progress import next_action
from screens import routes
from screens.forms import fields, text_field
from screens.formatting import moment
from screens.i18n import _, ngettext
from screens.incident_forms import incident_form, progress_of
from screens.journal_session import error_message
from screens.labels import status_label, type_label
from screens.passphrase import NewPassphrase
from screens.widgets import icon_button, page_view, section_title
from storage import errors, incidents as inc

if TYPE_CHECKING:
    from screens.app import App


def no_images_note() -> ft.Control:
    return ft.Container(
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
        border_radius=12,
        padding=12,
        content=ft.Row(
            vertical_alignment=ft.CrossAxisAlignment.START,
            controls=[
                ft.Icon(ft.Icons.NO_PHOTOGRAPHY_OUTLINED, semantics_label=_("No images")),
                ft.Text(
                    _("No images or files are stored in the journal, by design: a school must not keep "
                      "images of pupils. The victim keeps the evidence (such as screenshots); the police "
                      "advise on what to do with it."),
                    expand=True,
                ),
            ],
        ),
    )


def guarded(app: "App", route: str, title: str, build_open: Callable[[], list[ft.Control]], **kwargs) -> ft.View:
    """A journal screen: its content when open, else the setup or unlock form."""
    if app.journal.is_open:
        return page_view(app, route, title, build_open(), actions=journal_actions(app), **kwargs)
    if not app.journal.known_to_exist:
        return page_view(app, route, _("Journal"), setup_form(app))
    return page_view(app, route, _("Journal"), unlock_form(app))


def journal_actions(app: "App") -> list[ft.Control]:
    return [icon_button(ft.Icons.LOCK_OUTLINE, _("Lock the journal"), lambda e: app.journal.lock())]


def _busy_button(label: str, icon, action: Callable[[], Awaitable[None]]) -> ft.FilledButton:
    """A button that shows it is working while ``action`` runs (key derivation takes a moment)."""

    async def run(e) -> None:
        button.disabled = True
        button.update()
        try:
            await action()
        finally:
            button.disabled = False
            try:
                button.update()
            except RuntimeError:  # the screen changed (e.g. the journal opened)
                pass

    button = ft.FilledButton(label, icon=icon, on_click=run)
    return button


def setup_form(app: "App") -> list[ft.Control]:
    author = text_field(app, _("Your name or role in the journal, e.g. mentor 3B"), autofocus=True)
    passphrase = NewPassphrase(_("Choose a passphrase"))
    message = ft.Text(color=ft.Colors.ERROR, visible=False)

    async def create() -> None:
        if passphrase.validate():
            return
        try:
            await app.journal.create(passphrase.value, author.value or "")
        except errors.StorageError as exc:
            message.value, message.visible = error_message(exc), True
            message.update()
            return
        app.journal_opened()

    return [
        ft.Text(_("Set up the journal"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(_("The journal keeps incidents encrypted on this device: who was involved, what was done "
                  "when, who was informed. Nobody can read it without the passphrase. It locks itself "
                  "after a few idle minutes and when the app is hidden.")),
        no_images_note(),
        fields(author, passphrase.control),
        message,
        _busy_button(_("Create journal"), ft.Icons.LOCK_OUTLINE, create),
    ]


def unlock_form(app: "App") -> list[ft.Control]:
    field = ft.TextField(label=_("Passphrase"), password=True, can_reveal_password=True, autofocus=True)
    message = ft.Text(color=ft.Colors.ERROR, visible=False)
    damaged = ft.Column(visible=False, spacing=8)

    async def unlock() -> None:
        try:
            await app.journal.unlock(field.value or "")
        except (errors.WrongPassphraseError, errors.TooManyAttemptsError) as exc:
            field.value = ""
            show(error_message(exc))
            return
        except (errors.DamagedFileError, errors.NewerFormatError) as exc:
            show(error_message(exc))
            damaged.visible = isinstance(exc, errors.DamagedFileError)
            damaged.update()
            return
        except errors.StorageError as exc:
            show(error_message(exc))
            return
        app.journal_opened()

    def show(text: str) -> None:
        message.value, message.visible = text, True
        message.update()
        field.update()

    field.on_submit = lambda e: asyncio.create_task(unlock())
    damaged.controls = [
        ft.Text(_("You can start a new, empty journal. The damaged file is not deleted: it is kept next "
                  "to the new journal under another name. After that you can import a backup.")),
        ft.OutlinedButton(_("Start a new journal"), icon=ft.Icons.RESTART_ALT,
                          on_click=lambda e: _start_over(app)),
    ]
    return [
        ft.Text(_("Unlock the journal"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(_("The journal is locked. The acute flow and the help lines work without unlocking.")),
        fields(field),
        message,
        _busy_button(_("Unlock"), ft.Icons.LOCK_OPEN, unlock),
        damaged,
        ft.TextButton(_("Forgot the passphrase?"), on_click=lambda e: _forgotten(app)),
    ]


def _forgotten(app: "App") -> None:
    from screens.forms import confirm

    confirm(
        app,
        _("Forgot the passphrase?"),
        _("Nobody can recover a forgotten passphrase: that is what keeps the journal safe. You can start a "
          "new, empty journal; the old file is kept on the device under another name, so it opens again "
          "if the passphrase comes back to you. Then import your latest backup."),
        _("Start a new journal"),
        lambda: _do_start_over(app),
    )


def _start_over(app: "App") -> None:
    from screens.forms import confirm

    confirm(app, _("Start a new journal?"),
            _("The current file is kept under another name; nothing is deleted."),
            _("Start a new journal"), lambda: _do_start_over(app))


async def _do_start_over(app: "App") -> None:
    await app.journal.start_over()
    app.refresh()


# --- the list --------------------------------------------------------------------------


def _incident_card(app: "App", incident: inc.Incident) -> ft.Control:
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
    return ft.Card(
        content=ft.Container(
            padding=12,
            on_click=lambda e: app.go(routes.incident(incident.id)),
            content=ft.Column(spacing=4, controls=lines),
        )
    )


def _filters(app: "App") -> ft.Control:
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
                             on_select=set_status(s)) for s in inc.STATUSES]
    type_chips = [ft.Chip(label=ft.Text(_("All types")), selected=chosen["type"] == "", on_select=set_type(""))]
    type_chips += [ft.Chip(label=ft.Text(type_label(app.plan, t)), selected=chosen["type"] == t,
                           on_select=set_type(t)) for t in inc.INCIDENT_TYPES]
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


def _retention_banner(app: "App") -> list[ft.Control]:
    expired = app.journal.journal.past_retention(app.now())
    if not expired:
        return []
    months = app.journal.journal.settings.retention_months
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
                                on_click=lambda e, i=i: app.go(routes.incident(i.id))) for i in expired],
                ft.Text(_("Open each one and delete it, unless the school has a reason to keep it longer.")),
            ]),
        )
    ]


def build(app: "App", route: str) -> ft.View:
    def content() -> list[ft.Control]:
        journal = app.journal.journal
        chosen = app.journal_filter
        items = journal.incidents(
            statuses=[chosen["status"]] if chosen["status"] else None,
            types=[chosen["type"]] if chosen["type"] else None,
        )
        cards = [_incident_card(app, i) for i in items] or [
            ft.Text(_("No incidents yet.") if len(journal) == 0 else _("No incidents match this filter."))
        ]
        return [
            *_retention_banner(app),
            ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
                ft.FilledButton(_("New incident"), icon=ft.Icons.ADD, on_click=lambda e: incident_form(app)),
                ft.OutlinedButton(_("Overview"), icon=ft.Icons.BAR_CHART, on_click=lambda e: app.go(routes.OVERVIEW)),
                ft.OutlinedButton(_("Settings and backups"), icon=ft.Icons.SETTINGS_OUTLINED,
                                  on_click=lambda e: app.go(routes.JOURNAL_SETTINGS)),
            ]),
            _filters(app),
            section_title(ngettext("{n} incident", "{n} incidents", len(items)).format(n=len(items))),
            *cards,
        ]

    return guarded(app, route, _("Journal"), content)
