"""The report as an A4 PDF.

fpdf2 (pure Python, so it also runs in Pyodide) with DejaVu Sans regular and
bold embedded (subset) from ``assets/fonts/`` (copied from Debian's
``fonts-dejavu-core`` 2.37; licence in ``assets/fonts/LICENSE-DejaVu.txt``).
Characters the font lacks (emoji, for instance) are printed as U+FFFD rather
than silently dropped.  A4, a running header with the title and
"confidential", page numbers in the footer.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from content.model import Plan
from report.blocks import Kind
from report.sections import APP_NAME, report_blocks
from report.text import UTC, clean
from storage.incidents import Incident
from words.i18n import _, language

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

_FAMILY = "DejaVu"
_ACCENT = (31, 95, 139)  # the app's primary colour, #1f5f8b
_GREY = (90, 90, 90)
_TEXT = (20, 20, 20)
_BODY = 10.0  # pt
_LINE = 5.0  # mm per body line
# fpdf2 replaces this alias by the number of pages everywhere on the page; not "{nb}",
# which a user could type in a note
_PAGES_ALIAS = "{pages:7c1f}"


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Code points both embedded fonts can draw."""
    from fontTools.ttLib import TTFont

    sets = []
    for path in (FONT_REGULAR, FONT_BOLD):
        with TTFont(str(path), lazy=True) as font:
            sets.append(set(font.getBestCmap()))
    return frozenset(sets[0] & sets[1])


def pdf_text(text: str) -> str:
    """``text`` as the bundled fonts can draw it (NFC; anything else as U+FFFD)."""
    covered = _covered()
    text = unicodedata.normalize("NFC", clean(text))
    return "".join(ch if ch == "\n" or ord(ch) in covered else "\ufffd" for ch in text)


def _make_pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        running_title = ""
        confidential = ""
        page_label = ""

        def header(self) -> None:
            self.set_y(9)
            self.set_font(_FAMILY, "", 8)
            self.set_text_color(*_GREY)
            right = self.confidential
            right_w = self.get_string_width(right) + 2
            width = self.epw - right_w - 4
            title = self.running_title
            if self.get_string_width(title) > width:
                while title and self.get_string_width(title + "…") > width:
                    title = title[:-1]
                title = title.rstrip() + "…"
            self.cell(width, 5, title)
            self.set_x(self.l_margin + self.epw - right_w)
            self.cell(right_w, 5, right, align="R")
            self.set_draw_color(200, 200, 200)
            self.set_line_width(0.2)
            self.line(self.l_margin, 15, self.l_margin + self.epw, 15)
            self.set_y(self.t_margin)
            self.set_text_color(*_TEXT)

        def footer(self) -> None:
            self.set_y(-13)
            self.set_font(_FAMILY, "", 8)
            self.set_text_color(*_GREY)
            self.cell(0, 5, self.page_label.format(page=self.page_no(), pages=_PAGES_ALIAS), align="C")
            self.set_text_color(*_TEXT)

    return ReportPDF


def incident_pdf(incident: Incident, plan: Plan, *, anonymised: bool, now: datetime) -> bytes:
    """The report as an A4 PDF (bytes) with DejaVu Sans embedded."""
    blocks = report_blocks(incident, plan, anonymised=anonymised, now=now)
    title = pdf_text(blocks[0].text).replace("\n", " ")

    pdf = _make_pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.running_title = title
    pdf.confidential = pdf_text(_("Confidential"))
    pdf.page_label = pdf_text(_("Page {page} of {pages}"))
    pdf.add_font(_FAMILY, "", str(FONT_REGULAR))
    pdf.add_font(_FAMILY, "B", str(FONT_BOLD))
    pdf.alias_nb_pages(_PAGES_ALIAS)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(title)
    pdf.set_creator(APP_NAME)
    pdf.set_lang(language())
    pdf.set_creation_date(now.astimezone(UTC))
    pdf.add_page()

    def space(mm: float) -> None:
        if pdf.get_y() > pdf.t_margin + 0.1:  # no gap at the top of a page
            pdf.ln(mm)

    def keep(mm: float) -> None:
        """Start a new page unless ``mm`` fit: a heading never ends a page."""
        if pdf.get_y() + mm > pdf.h - pdf.b_margin:
            pdf.add_page()

    def runs(items: Sequence[tuple[str, str]], *, size: float = _BODY, line: float = _LINE,
             indent: float = 0.0, bullet: str = "", color=_TEXT) -> None:
        left = pdf.l_margin
        pdf.set_left_margin(left + indent)
        pdf.set_x(left + indent)
        if bullet:
            pdf.set_font(_FAMILY, "", size)
            pdf.set_text_color(*color)
            pdf.set_x(left + indent - 5)
            pdf.cell(5, line, bullet)
            pdf.set_x(left + indent)
        for style, text in items:
            pdf.set_font(_FAMILY, style, size)
            pdf.set_text_color(*color)
            pdf.write(line, pdf_text(text))
        pdf.ln(line)
        pdf.set_left_margin(left)
        pdf.set_text_color(*_TEXT)

    for b in blocks:
        if b.kind is Kind.TITLE:
            pdf.set_font(_FAMILY, "B", 17)
            pdf.set_text_color(*_ACCENT)
            pdf.multi_cell(0, 8, pdf_text(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*_TEXT)
            pdf.ln(1)
        elif b.kind is Kind.META:
            runs([("", b.text)], size=8, line=4, color=_GREY)
            pdf.ln(3)
        elif b.kind is Kind.H2:
            keep(22)
            space(4)
            pdf.set_font(_FAMILY, "B", 13)
            pdf.set_text_color(*_ACCENT)
            pdf.multi_cell(0, 7, pdf_text(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
            y = pdf.get_y()
            pdf.set_draw_color(*_ACCENT)
            pdf.set_line_width(0.3)
            pdf.line(pdf.l_margin, y, pdf.l_margin + pdf.epw, y)
            pdf.set_text_color(*_TEXT)
            pdf.ln(2)
        elif b.kind is Kind.H3:
            keep(16)
            space(2)
            pdf.set_font(_FAMILY, "B", 11)
            pdf.multi_cell(0, 6, pdf_text(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.5)
        elif b.kind is Kind.EMPTY:
            runs([("", b.text)], color=_GREY)
        elif b.kind is Kind.FIELD:
            runs([("B", b.head + ": "), ("", b.text)])
        else:  # item
            bullet = {None: "•" if b.level == 0 else "–", True: "☑", False: "☐"}[b.checked]
            items = []
            if b.head:
                items.append(("B", b.head + ("\n" if b.text else "")))
            if b.text:
                items.append(("", b.text))
            runs(items or [("", "")], indent=6 + 6 * b.level, bullet=bullet)
            pdf.ln(0.8)
    return bytes(pdf.output())
