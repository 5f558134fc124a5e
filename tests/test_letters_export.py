"""An edited letter leaves the app as .docx (opened again with python-docx), PDF, or text."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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
    text = "\n\n".join(p.text for p in document.paragraphs[2:])
    assert text.replace(export.NBSP, " ") == letter.body
    assert f"phone 030{export.NBSP}123{export.NBSP}45{export.NBSP}67" in text  # a number never breaks
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
        pupil = "p-victim" if template.kind == "pupil" else pupil
        letter = render_letter(load_letters(language), template.id, profile=SCHOOL, incident=incident(), now=NOW,
                               pupil_id=pupil)
        assert export.letter_docx(letter.subject, letter.body, language=language, now=NOW)[:2] == b"PK"
        assert export.letter_pdf(letter.subject, letter.body, language=language, now=NOW)[:5] == b"%PDF-"


# -- keeping together what belongs together ----------------------------------------------------------


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("heights, room, page, expected", [
    ([3, 3, 3], 10, 10, []),
    ([5, 5, 2], 10, 20, [8]),  # the closing takes the last two lines of the paragraph before along
    ([9, 2], 10, 20, [7]),  # ... also from the middle of a long paragraph
    ([8, 1, 2], 10, 20, [8]),  # a one-line paragraph before the closing goes along whole
    ([4, 4], 5, 20, [2]),  # the closing is never split: it moves whole, with two lines before it
    ([2, 3, 2], 6, 20, [2]),  # a three-line paragraph is not split (one line would stand alone)
    ([30], 10, 20, [10]),  # longer than any page: breaks where the page is full
])
def test_page_breaks(heights, room, page, expected):
    assert export.page_breaks(heights, room, page, line=1, gap=0) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=12), st.integers(0, 40), st.integers(12, 40))
def test_the_last_paragraph_never_stands_alone_and_every_page_fits(heights, room, page):
    breaks = export.page_breaks(heights, room, page, line=1, gap=0)
    total = sum(heights)
    closing = total - heights[-1]
    starts = [0, *breaks]
    sizes = [b - a for a, b in zip(starts, [*breaks, total])]
    assert all(size <= (room if k == 0 else page) for k, size in enumerate(sizes) if size)
    if len(heights) > 1 and heights[-1] + min(2, heights[-2]) <= page:
        last_page_start = starts[-1]
        assert last_page_start < closing and closing - last_page_start >= min(2, heights[-2]) or not breaks


def test_the_signature_is_never_alone_on_the_last_page():
    letter = render_letter(load_letters("nl"), "ouders-slachtoffer", profile=SCHOOL, incident=incident("naaktfoto"),
                           now=NOW, pupil_id="p-victim")
    body = letter.body.replace("[[invullen: naam en functie van de afzender]]", "Jeroen de Boer, directeur")
    closing = body[body.rindex("Met vriendelijke groet"):]
    # grow the letter a line at a time, so that the closing lands at every place of a page foot
    extra = ""
    for n in range(45):
        text = body.replace(closing, extra + closing)
        pages = pages_of(export.letter_pdf(letter.subject, text, language="nl", now=NOW))
        last = pages[-1]
        assert "Met vriendelijke groet" in last and "Jeroen de Boer, directeur" in last, n
        assert last.index("Met vriendelijke groet") > 0, (n, last[:80])  # text of the letter comes along
        assert all(page.strip() for page in pages)
        extra += f"Extra regel {n} van een langere brief aan de ouders.\n\n"


def test_phone_numbers_and_email_addresses_never_break_across_lines():
    words = "woord " * 7
    for shift in range(14):
        body = ("Bel " + "x" * shift + " " + words * 3 + " 030 123 45 68 of mail k.smit@de-linde.nl of "
                "+31 30 123 45 67 en 0900-8844.") * 2
        text = pages_of(export.letter_pdf("Onderwerp", body, language="nl", now=NOW))[0]
        lines = text.splitlines()
        for number in ("030 123 45 68", "k.smit@de-linde.nl", "+31 30 123 45 67", "0900-8844"):
            assert sum(number in line.replace(export.NBSP, " ") for line in lines) == 2, (shift, number, lines)
    assert export.keep_together("bel 030 123 45 68, op 24 november 2026 om 14:05") == (
        f"bel 030{export.NBSP}123{export.NBSP}45{export.NBSP}68, op 24 november 2026 om 14:05")
    assert export.NBSP in export.plain_text("s", "bel 06 12345678")
