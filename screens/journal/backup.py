"""Encrypted backups: export through the system's save/share dialog, import with a merge report.

A backup has its own passphrase, so it can be handed to a colleague or kept
on a school drive without giving away the journal's passphrase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import flet as ft

from screens.journal.passphrase import NewPassphrase
from screens.ui.forms import close, form_dialog
from words.i18n import _, ngettext

if TYPE_CHECKING:
    from screens.context import AppContext

EXTENSION = "spoi"


def backup_file_name(app: "AppContext", incident_ids: Optional[Sequence[str]]) -> str:
    day = app.now().strftime("%Y-%m-%d")
    what = "incident" if incident_ids else "logboek"
    return f"stappenplan-{what}-{day}.{EXTENSION}"


def export_backup(app: "AppContext", incident_ids: Optional[Sequence[str]] = None) -> None:
    passphrase = NewPassphrase(_("Passphrase for this backup"))

    async def on_save() -> bool:
        if passphrase.validate():
            return False
        data = await app.journal.current.export_backup(passphrase.value, incident_ids)
        saved = await app.file_picker.save_file(
            dialog_title=_("Save the encrypted backup"),
            file_name=backup_file_name(app, incident_ids),
            src_bytes=data,
        )
        if saved is not None or app.page.web:
            app.toast(_("Encrypted backup saved."))
        return True

    what = (_("This incident is exported") if incident_ids else _("The whole journal is exported"))
    form_dialog(app, _("Export an encrypted backup"), [
        ft.Text(_("{what} as an encrypted file. The data leaves the app only this way, by your own choice. "
                  "Use a passphrase of its own, and give it to the recipient separately.").format(what=what)),
        passphrase.control,
    ], on_save, save_label=_("Export"))


async def import_backup(app: "AppContext") -> None:
    files = await app.file_picker.pick_files(
        dialog_title=_("Choose a backup"), with_data=True, allow_multiple=False,
    )
    if not files:
        return
    picked = files[0]
    data = picked.bytes or b""
    field = ft.TextField(label=_("Passphrase of the backup"), password=True, can_reveal_password=True,
                         autofocus=True)

    async def on_save() -> bool:
        report = await app.journal.current.import_backup(data, field.value or "")
        app.refresh()
        _show_report(app, report)
        return True

    form_dialog(app, _("Import {name}").format(name=picked.name), [
        ft.Text(_("The backup is merged into this journal: new incidents are added, changes are combined, "
                  "and nothing newer on this device is overwritten.")),
        field,
    ], on_save, save_label=_("Import"))


def _show_report(app: "AppContext", report) -> None:
    lines = [
        ngettext("{n} incident added", "{n} incidents added", len(report.added)).format(n=len(report.added)),
        ngettext("{n} incident updated", "{n} incidents updated", len(report.updated)).format(
            n=len(report.updated)),
        ngettext("{n} incident already up to date", "{n} incidents already up to date",
                 len(report.unchanged)).format(n=len(report.unchanged)),
    ]
    if report.policy_added or report.policy_updated:
        n = len(report.policy_added) + len(report.policy_updated)
        lines.append(ngettext("{n} policy item added or updated", "{n} policy items added or updated", n).format(n=n))
    if report.conflicts:
        lines.append(ngettext(
            "{n} value was changed on both sides: both versions are kept. Choose one in the incident, under "
            "'Changed in two places'.",
            "{n} values were changed on both sides: both versions are kept. Choose one in the incident, under "
            "'Changed in two places'.",
            len(report.conflicts)).format(n=len(report.conflicts)))
    if report.skipped_deleted:
        lines.append(ngettext(
            "{n} incident was deleted here and stays deleted",
            "{n} incidents were deleted here and stay deleted",
            len(report.skipped_deleted)).format(n=len(report.skipped_deleted)))
    skipped = report.skipped_invalid + report.policy_skipped
    if skipped:
        lines.append(ngettext(
            "{n} record in the backup was left out: it breaks a rule of the app (for example a date far in "
            "the future, from a device whose clock is wrong). Everything else was imported.",
            "{n} records in the backup were left out: they break a rule of the app (for example a date far in "
            "the future, from a device whose clock is wrong). Everything else was imported.",
            len(skipped)).format(n=len(skipped)))
        lines.append(_("Left out (for whoever maintains the app): {fields}").format(
            fields=", ".join(sorted({field for _, field in skipped}))))
    dialog = ft.AlertDialog(
        title=ft.Text(_("Backup imported")),
        content=ft.Column(tight=True, controls=[ft.Text(line) for line in lines]),
        actions=[ft.TextButton(_("OK"), on_click=lambda e: close(dialog))],
    )
    app.page.show_dialog(dialog)

