"""An edited letter leaves the app as .docx (opened again with python-docx), PDF, or text."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from pypdf import PdfReader

from letters import export
from letters.render import render_letter
from letters.templates import load_letters
from tests.letters_helpers import NOW, SCHOOL, incident

SUBJECT = "Online incident op OSG De Linde"
BODY = "Beste ouders en verzorgers,\r\n\r\nRegel één\nregel twee\t(tab)\x07\n\n\n\nMet vriendelijke groet,\nJan Zoë ☃ 😀"


def test_docx_holds_the_letter_as_edited_and_nothing_else():
    data = export.letter_docx(SUBJECT, BODY, language="nl", now=NOW)
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert texts == ["24 november 2026", SUBJECT, "Beste ouders en verzorgers,", "Regel één\nregel twee    (tab)",
                     "Met vriendelijke groet,\nJan Zoë ☃ 😀"]
    assert document.paragraphs[1].runs[0].bold
    properties = document.core_properties
    assert properties.title == SUBJECT and properties.author == "" and properties.last_modified_by == ""
    assert properties.language == "nl-NL"
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:lang w:val="nl-NL"' in styles  # spelling checked in Dutch


def test_a_rendered_letter_round_trips_through_docx_in_english():
    letter = render_letter(load_letters("en"), "alle-ouders", profile=SCHOOL, incident=incident(), now=NOW)
    document = docx.Document(io.BytesIO(export.letter_docx(letter.subject, letter.body, language="en", now=NOW)))
    assert "\n\n".join(p.text for p in document.paragraphs[2:]) == letter.body
    assert document.paragraphs[0].text == "24 November 2026"
    assert document.core_properties.language == "en-GB"


def test_pdf_holds_the_letter():
    data = export.letter_pdf(SUBJECT, BODY, language="nl", now=NOW)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    for part in ("24 november 2026", SUBJECT, "Regel één", "regel twee", "Met vriendelijke groet", "Jan Zoë ☃"):
        assert part in text
    assert reader.metadata.title == SUBJECT


def test_a_long_letter_runs_onto_more_pages():
    body = "\n\n".join(f"Alinea {n}: " + "tekst " * 80 for n in range(40))
    reader = PdfReader(io.BytesIO(export.letter_pdf("Lang", body, language="nl", now=NOW)))
    assert len(reader.pages) > 2 and "Alinea 39" in reader.pages[-1].extract_text()


def test_plain_text_to_copy_and_share():
    assert export.plain_text("  Online\tincident  ", BODY) == (
        "Online incident\n\nBeste ouders en verzorgers,\n\nRegel één\nregel twee    (tab)\n\n"
        "Met vriendelijke groet,\nJan Zoë ☃ 😀\n"
    )


def test_formats_offered_where_docx_cannot_be_made(monkeypatch):
    assert export.export_formats() == ("docx", "pdf", "txt")
    real = export.importlib.util.find_spec
    monkeypatch.setattr(export.importlib.util, "find_spec", lambda name: None if name == "lxml" else real(name))
    assert not export.docx_available()
    assert export.export_formats() == ("pdf", "txt")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_template_exports(language):
    for template in load_letters(language).templates:
        pupil = {"slachtoffer": "p-victim", "aanstichter": "p-instigator", "omstander": "p-bystander"}.get(template.role)
        letter = render_letter(load_letters(language), template.id, profile=SCHOOL, incident=incident(), now=NOW,
                               pupil_id=pupil)
        assert export.letter_docx(letter.subject, letter.body, language=language, now=NOW)[:2] == b"PK"
        assert export.letter_pdf(letter.subject, letter.body, language=language, now=NOW)[:5] == b"%PDF-"
