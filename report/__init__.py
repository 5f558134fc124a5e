"""The incident report for the school's dossier, as Markdown and as PDF (no UI, no Flet).

``incident_markdown`` and ``incident_pdf`` render the same content, built
once as a list of simple blocks (``report.blocks``) by the sections of
``report.sections``; with ``anonymised=True`` every name entered in the
incident is replaced by a role label (``report.anonymise``, which says what
is and is not recognised).

Times are Europe/Amsterdam, formatted by Babel in the active language
(``words.formatting``); the report uses absolute dates ("3 november 2026
om 14:05"), never "today", because it is read later.
"""

from report.blocks import Block, Kind
from report.markdown import incident_markdown
from report.pdf import incident_pdf
from report.sections import APP_NAME, report_blocks

__all__ = ["APP_NAME", "Block", "Kind", "incident_markdown", "incident_pdf", "report_blocks"]
