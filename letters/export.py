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
date at the top right (as in the .docx).  The lines are laid out here, not
by fpdf2's page break, so that (:func:`page_breaks`) the last paragraph --
the closing and the signature -- is never split and never stands alone on
a page (at least the last two lines of the paragraph before it go along),
and no other paragraph leaves a single line at the foot or the head of a page.

Phone numbers never break across lines: in every format their spaces are
non-breaking (:func:`keep_together`).  E-mail addresses hold no space, and
neither fpdf2 nor a text viewer breaks a line elsewhere in them.
"""

from __future__ import annotations

import importlib.util
import io
import re
from datetime import datetime, timezone

from babel.dates import format_date

from content.opening_hours import to_amsterdam
from report.pdf import FONT_BOLD, FONT_REGULAR, pdf_text
from report.text import clean

_FAMILY = "DejaVu"
_LINE = 6  # mm per line of the body
_GAP = 3.5  # mm between paragraphs
_BOTTOM = 22  # mm of bottom margin
NBSP = "\u00a0"
# A phone number as letters write it: digits with spaces, dashes or brackets, a leading + (6-15 digits).
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?(?:\(\d{1,4}\)|\d)[\d \-\u00a0()]{4,}\d(?!\w)")
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


def keep_together(text: str) -> str:
    """``text`` with the spaces inside phone numbers non-breaking: "030 123 45 68" never breaks."""

    def joined(match: re.Match[str]) -> str:
        digits = sum(c.isdigit() for c in match[0])
        return match[0].replace(" ", NBSP) if 6 <= digits <= 15 else match[0]

    return _PHONE.sub(joined, text)


def plain_text(subject: str, body: str) -> str:
    """For the clipboard and the share sheet: the subject, a blank line, the body."""
    parts = [" ".join(clean(subject).split())] + ["\n".join(p) for p in paragraphs(keep_together(body))]
    return "\n\n".join(p for p in parts if p) + "\n"


def page_breaks(heights: list[int], room: float, page: float, *, line: float = _LINE,
                gap: float = _GAP) -> list[int]:
    """Where pages start, for paragraphs of ``heights`` lines: the indexes of the lines (counted
    over all paragraphs) that begin a new page.  ``room``: the height left on the first page,
    ``page``: on every next one; a line takes ``line``, a paragraph after another also ``gap``
    (not at the top of a page).

    A page may break between two lines of a paragraph only with two lines of it on either side,
    and between two paragraphs only if the second is not the last; the last paragraph is never
    split.  A run that cannot break and is longer than a page breaks where the page is full.
    """
    allowed: list[bool] = []  # after line i: may a page start at line i + 1?
    starts: set[int] = set()  # lines that begin a paragraph after another
    for p, n in enumerate(heights):
        if p and n:
            starts.add(len(allowed))
        for k in range(n):
            if k < n - 1:
                allowed.append(p < len(heights) - 1 and k >= 1 and n - k - 1 >= 2)
            else:
                allowed.append(p < len(heights) - 2)
    runs, first = [], 0
    for i, ok in enumerate(allowed):
        if ok or i == len(allowed) - 1:
            runs.append((first, i + 1))
            first = i + 1

    def cost(i: int, at_top: bool) -> float:
        return line + (gap if i in starts and not at_top else 0)

    breaks: list[int] = []
    left, top = room, False
    for first, end in runs:
        if not top and sum(cost(i, False) for i in range(first, end)) > left \
                and sum(cost(i, i == first) for i in range(first, end)) <= page:
            breaks.append(first)  # does not fit here, but on a fresh page
            left, top = page, True
        for i in range(first, end):  # line by line: breaks only inside a run longer than a page
            if not top and cost(i, False) > left:
                breaks.append(i)
                left, top = page, True
            left -= cost(i, top)
            top = False
    return breaks


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
    for lines in paragraphs(keep_together(body)):
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
    laid_out = [pdf.multi_cell(0, _LINE, pdf_text("\n".join(lines)), dry_run=True, output="LINES")
                for lines in paragraphs(keep_together(body))]
    breaks = set(page_breaks([len(lines) for lines in laid_out], pdf.h - _BOTTOM - pdf.get_y(),
                             pdf.h - _BOTTOM - pdf.t_margin))
    pdf.set_auto_page_break(False)
    index = 0
    for p, lines in enumerate(laid_out):
        for k, line in enumerate(lines):
            if index in breaks:
                pdf.add_page()
            elif k == 0 and p:
                pdf.ln(_GAP)
            pdf.cell(0, _LINE, line, new_x="LMARGIN", new_y="NEXT")
            index += 1
    return bytes(pdf.output())


__all__ = [
    "DOCX_MEDIA_TYPE",
    "docx_available",
    "export_formats",
    "keep_together",
    "letter_date",
    "letter_docx",
    "letter_pdf",
    "page_breaks",
    "paragraphs",
    "plain_text",
]
