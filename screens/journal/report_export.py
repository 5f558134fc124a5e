"""Export the incident report for the school's dossier (Markdown or PDF), optionally anonymised.

Letting data leave the device is the user's deliberate act: the dialog says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from report import incident_markdown, incident_pdf
from screens.ui.forms import Choice, form_dialog
from storage import incidents as inc
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def export_report(app: "AppContext", incident: inc.Incident) -> None:
    kind = Choice(app, _("Format"), [("pdf", _("PDF document")), ("md", _("Markdown text"))], "pdf")
    anonymised = ft.Checkbox(label=_("Anonymised: replace names by roles (e.g. 'victim 1')"), value=True)

    async def export() -> bool:
        now = app.now()
        if kind.value == "pdf":
            # building a PDF embeds the font: a moment of work, kept off the event loop
            data = await app.run_blocking(
                lambda: incident_pdf(incident, app.plan, anonymised=bool(anonymised.value), now=now)
            )
        else:
            data = incident_markdown(incident, app.plan, anonymised=bool(anonymised.value), now=now).encode()
        name = "stappenplan-rapport-{day}{anon}.{ext}".format(
            day=now.strftime("%Y-%m-%d"), anon="-geanonimiseerd" if anonymised.value else "", ext=kind.value
        )
        await app.file_picker.save_file(dialog_title=_("Save the report"), file_name=name, src_bytes=data)
        app.toast(_("Report exported."))
        return True

    form_dialog(app, _("Export the incident report"), [
        ft.Text(_("The report holds the timeline, the actions per step with their times, the contacts and "
                  "the evaluation. It is not encrypted: by exporting it you let this information leave the "
                  "app. Store it only in the school's dossier.")),
        kind.control,
        anonymised,
        ft.Text(_("Anonymising replaces the names entered in the journal, also in notes. Read the report "
                  "before it leaves the school: nicknames or spelling variants are not recognised.")),
    ], export, save_label=_("Export"))
