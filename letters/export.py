"""A letter as it leaves the app: .docx, PDF, or plain text to copy and share.

Every format takes the letter as the user edited it (subject and body;
paragraphs separated by a blank line, line breaks kept) and adds nothing
else: no app name, no author, no incident data.  A school pastes the text
into its letterhead, so the .docx is deliberately plain: the subject in
bold, then the paragraphs in Word's default style, in the letter's
language for the spelling checker.

.docx in the browser
--------------------
The .docx is written by python-docx, which is built on lxml, a C extension.
The Pyodide of the static web build (flet-web 1.0.5 bundles Pyodide 314.0.7)
lists lxml 6.1.3 in its ``pyodide-lock.json``, but the wheel itself is not
shipped with flet-web (only micropip and packaging are), it is not on PyPI
for the emscripten platform, and fetching it from Pyodide's CDN at run time
would break the app's offline, same-origin promise.  So the web build leaves
python-docx and lxml out, :func:`docx_available` is False there, and
:func:`export_formats` offers PDF and the text to copy instead (paste it into
the school's letterhead in Google Docs or Word).  A hand-written .docx writer
was ruled out: the library is the well-kept way, and it runs wherever the
app runs natively (desktop, the web-server mode, phones).

PDF
---
fpdf2 (pure Python, so it runs in the browser too) with the DejaVu fonts
bundled in ``assets/fonts`` (as the incident report); characters the fonts
lack print as U+FFFD instead of disappearing.  A4, generous margins, the
date at the top right (as in the .docx).
"""

from __future__ import annotations

import importlib.util
import io
from datetime import datetime, timezone
from babel.dates import format_date

from content.opening_hours import to_amsterdam
from report.pdf import FONT_BOLD, FONT_REGULAR, pdf_text
from report.text import clean

_FAMILY = "DejaVu"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}


def docx_available() -> bool:
    """python-docx (and lxml under it) can be imported here: not in the browser build."""
    return importlib.util.find_spec("docx") is not None and importlib.util.find_spec("lxml") is not None


def export_formats() -> tuple[str, ...]:
    """The formats to offer, best first: "docx" (where it can be made), "pdf", "txt"."""
    return (("docx",) if docx_available() else ()) + ("pdf", "txt")


def paragraphs(body: str) -> list[list[str]]:
    """The body as paragraphs (blank-line separated), each a list of its lines."""
    result = []
    for block in clean(body).split("\n\n"):
        lines = [line.rstrip() for line in block.strip("\n").split("\n")]
        if any(line.strip() for line in lines):
            result.append(lines)
    return result


def letter_date(now: datetime, language: str) -> str:
    """'24 november 2026': the Amsterdam date, at the top of the .docx and the PDF."""
    return format_date(to_amsterdam(now).date(), "d MMMM y", locale=language)


def plain_text(subject: str, body: str) -> str:
    """For the clipboard and the share sheet: the subject, a blank line, the body."""
    parts = [" ".join(clean(subject).split())] + ["\n".join(p) for p in paragraphs(body)]
    return "\n\n".join(p for p in parts if p) + "\n"


def letter_docx(subject: str, body: str, *, language: str, now: datetime) -> bytes:
    """The letter as a Word document (bytes).  Needs :func:`docx_available`."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    document = docx.Document()
    tag = LANGUAGE_TAGS.get(language, language)
    style = document.styles["Normal"]
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), tag)
    properties = document.core_properties
    properties.title = " ".join(clean(subject).split())
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.language = tag
    moment = now.astimezone(timezone.utc).replace(tzinfo=None)
    properties.created = moment
    properties.modified = moment
    properties.revision = 1

    dated = document.add_paragraph(letter_date(now, language))
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if properties.title:
        heading = document.add_paragraph()
        heading.add_run(properties.title).bold = True
    for lines in paragraphs(body):
        paragraph = document.add_paragraph()
        for k, line in enumerate(lines):
            run = paragraph.add_run(line)
            if k < len(lines) - 1:
                run.add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def letter_pdf(subject: str, body: str, *, language: str, now: datetime) -> bytes:
    """The letter as an A4 PDF (bytes), DejaVu Sans embedded, dated ``now``."""
    from fpdf import FPDF

    title = " ".join(clean(subject).split())
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(_FAMILY, "", str(FONT_REGULAR))
    pdf.add_font(_FAMILY, "B", str(FONT_BOLD))
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(pdf_text(title))
    pdf.set_lang(LANGUAGE_TAGS.get(language, language))
    pdf.set_creation_date(now.astimezone(timezone.utc))
    pdf.add_page()
    pdf.set_font(_FAMILY, "", 10)
    pdf.cell(0, 6, pdf_text(letter_date(now, language)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    if title:
        pdf.set_font(_FAMILY, "B", 12)
        pdf.multi_cell(0, 6.5, pdf_text(title), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.set_font(_FAMILY, "", 11)
    for lines in paragraphs(body):
        pdf.multi_cell(0, 6, pdf_text("\n".join(lines)), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3.5)
    return bytes(pdf.output())


__all__ = [
    "DOCX_MEDIA_TYPE",
    "docx_available",
    "export_formats",
    "letter_date",
    "letter_docx",
    "letter_pdf",
    "paragraphs",
    "plain_text",
]
