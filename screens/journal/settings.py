"""Journal settings: how you sign entries, auto-lock, retention, passphrase,
backups, and wiping the journal."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import flet as ft

from screens import routes
from screens.journal.backup import export_backup, import_backup
from screens.journal.gate import journal_view
from screens.journal.passphrase import NewPassphrase
from screens.team.members import team_entry
from screens.ui.forms import confirm, fields, form_dialog, text_field
from screens.ui.widgets import section_title
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def _whole_number(field: ft.TextField, low: int, high: int) -> int | None:
    text = (field.value or "").strip()
    if text.isdigit() and low <= int(text) <= high:
        field.error = None
        field.update()
        return int(text)
    field.error = _("Enter a whole number from {low} to {high}.").format(low=low, high=high)
    field.update()
    return None


def _settings_form(app: "AppContext") -> list[ft.Control]:
    settings = app.journal.current.settings
    author = text_field(app, _("Your name or role in the journal"), settings.author)
    minutes = text_field(app, _("Lock after this many idle minutes"), str(settings.auto_lock_minutes),
                         keyboard_type=ft.KeyboardType.NUMBER)
    months = text_field(app, _("Retention period for closed incidents (months)"), str(settings.retention_months),
                        keyboard_type=ft.KeyboardType.NUMBER)

    async def save_settings(e) -> None:
        lock_after, keep = _whole_number(minutes, 1, 60), _whole_number(months, 1, 120)
        if lock_after is None or keep is None:
            return
        changed = dataclasses.replace(settings, author=(author.value or "").strip(), auto_lock_minutes=lock_after,
                                      retention_months=keep)

        async def store() -> None:
            await app.journal.current.save_settings(changed)

        if await app.storage_action(store()):
            app.toast(_("Settings saved."))

    return [
        section_title(_("Settings")),
        fields(author, minutes, months),
        ft.Text(_("The school decides how long closed incidents are kept; the journal reminds you when "
                  "that period has passed."), theme_style=ft.TextThemeStyle.BODY_SMALL),
        ft.FilledButton(_("Save settings"), icon=ft.Icons.SAVE_OUTLINED, on_click=save_settings),
    ]


def _change_passphrase(app: "AppContext") -> None:
    old = ft.TextField(label=_("Current passphrase"), password=True, can_reveal_password=True, autofocus=True)
    new = NewPassphrase(_("New passphrase"))

    async def on_save() -> bool:
        if new.validate():
            return False
        await app.journal.current.change_passphrase(old.value or "", new.value)
        app.toast(_("Passphrase changed."))
        return True

    form_dialog(app, _("Change passphrase"), [old, new.control], on_save, save_label=_("Change"))


def _wipe(app: "AppContext") -> None:
    async def wipe() -> None:
        await app.journal.wipe()
        app.go(routes.path("journal"))
        app.toast(_("The journal was wiped from this device."))

    confirm(
        app,
        _("Wipe the whole journal?"),
        _("Every incident on this device is deleted for good. Only a backup you exported earlier can bring "
          "them back."),
        _("Wipe journal"),
        wipe,
    )


def build(app: "AppContext", route: str) -> ft.View:
    return journal_view(app, route, _("Journal settings"), [
        *_settings_form(app),
        ft.Divider(),
        *team_entry(app),
        ft.Divider(),
        section_title(_("Backups")),
        ft.Text(_("A backup is encrypted with a passphrase of its own. Import merges it into this journal "
                  "without duplicates and never overwrites newer data.")),
        ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
            ft.FilledTonalButton(_("Export the whole journal"), icon=ft.Icons.IOS_SHARE,
                                 on_click=lambda e: export_backup(app)),
            ft.FilledTonalButton(_("Import a backup"), icon=ft.Icons.UPLOAD_FILE,
                                 on_click=lambda e: app.page.run_task(import_backup, app)),
        ]),
        ft.Divider(),
        section_title(_("Passphrase")),
        ft.OutlinedButton(_("Change passphrase"), icon=ft.Icons.PASSWORD,
                          on_click=lambda e: _change_passphrase(app)),
        ft.Divider(),
        section_title(_("Wipe")),
        ft.TextButton(_("Wipe the whole journal"), icon=ft.Icons.DELETE_FOREVER_OUTLINED,
                      style=ft.ButtonStyle(color=ft.Colors.ERROR), on_click=lambda e: _wipe(app)),
    ])
