"""The letter editor and the acute flow in the browser, on a phone (412x915), as a coordinator uses them:
leaving a letter with edits asks first (the app bar's back arrow and the browser's back button), the
PDF's last page carries the end of the letter with its closing and signature, and in the acute flow of
a school with many contacts "Eigen school" and the first national help line are within two screens."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from letters.export import paragraphs
from report.pdf import FONT_REGULAR
from school import profile_file
from school.profile import profile_from_dict
from tests.test_ui_school_letters import (  # noqa: F401
    PHONE,
    _body_has,
    _focus_body,
    _incident_with_sanne,
    _select_in_body,
    _sign,
    import_profile,
    server,
    sessions,
)

pytestmark = pytest.mark.browser


def test_leaving_the_letter_with_edits_asks_first(sessions, tmp_path):
    s = sessions()
    _incident_with_sanne(s, tmp_path)
    s.tap("Brief aan alle ouders")
    s.see("Wat het stappenplan van deze brief vraagt")
    letter = s.path()
    _sign(s)  # an edit
    s.tap("Terug")
    s.see("Wijzigingen bewaren?")
    s.screenshot("letter-leave-question-phone")
    s.tap("Verder schrijven")
    s.see("Wat het stappenplan van deze brief vraagt")
    assert s.path() == letter
    _focus_body(s)
    _body_has(s, "Jeroen de Boer, directeur")

    s.page.go_back()  # the browser's own back button
    s.see("Wijzigingen bewaren?")
    s.tap("Bewaren", exact=True)
    s.see("Ouders van slachtoffer 1 (Sanne de Vries, 2B)")  # the list of letters
    s.tap("Brief aan alle ouders")
    s.see("Een concept, bewaard in deze sessie.")
    _focus_body(s)
    _body_has(s, "Jeroen de Boer, directeur")  # the kept draft

    _select_in_body(s, "Jeroen de Boer, directeur")
    s.page.keyboard.type("Iemand anders")
    _body_has(s, "Iemand anders")
    s.tap("Terug")
    s.tap("Weggooien")
    s.see("Ouders van slachtoffer 1 (Sanne de Vries, 2B)")
    # As a user would, tap once the list has come to rest (a tap while the page still slides in
    # lands where the button is no longer).
    s.settled("Array.from(document.querySelectorAll('flt-semantics'), e => e.style.transform).join()", quiet_ms=300)
    s.tap("Brief aan alle ouders")
    s.see("Wat het stappenplan van deze brief vraagt")
    _focus_body(s)
    _body_has(s, "Jeroen de Boer, directeur")  # back to the kept draft
    _body_has(s, "Iemand anders", present=False)


def _naive_last_page(subject: str, body: str) -> str:
    """The last page as fpdf2's own flow lays the letter out (the app's layout before it kept the
    closing with the letter): to find a letter whose closing that flow leaves alone."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, "24 november 2026", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.multi_cell(0, 6.5, subject, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 11)
    for lines in paragraphs(body):
        pdf.multi_cell(0, 6, "\n".join(lines), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3.5)
    return PdfReader(io.BytesIO(bytes(pdf.output()))).pages[-1].extract_text()


def test_the_pdf_never_leaves_the_signature_alone_on_the_last_page(sessions, tmp_path):
    s = sessions()
    _incident_with_sanne(s, tmp_path)
    s.tap("Brief aan alle ouders")
    _sign(s)
    _focus_body(s)
    body = s.page.evaluate("() => document.activeElement.value")
    subject = "Online incident op OSG De Linde"
    closing = "\n\nMet vriendelijke groet"
    extra = ""
    for n in range(40):  # grow the letter until the naive flow would put the closing alone on a page
        extra += f"\n\nAanvulling {n}: wij houden u op de hoogte."
        naive = _naive_last_page(subject, body.replace(closing, extra + closing))
        if naive.lstrip().startswith("Met vriendelijke groet"):
            break
    else:
        pytest.fail("no length found at which the closing stands alone")
    _select_in_body(s, closing, before=True)
    s.page.keyboard.insert_text(extra)
    _body_has(s, extra + closing)
    s.see("Geen namen uit het incident gevonden, niets meer in te vullen.")
    with s.page.expect_download() as download:
        s.tap("Exporteren als pdf")
    pages = [p.extract_text() for p in PdfReader(download.value.path()).pages]
    last = pages[-1]
    assert len(pages) >= 2
    assert "Met vriendelijke groet" in last and "Jeroen de Boer, directeur" in last and "OSG De Linde" in last
    assert not last.lstrip().startswith("Met vriendelijke groet"), last[:200]  # the letter's end comes along
    assert "Aanvulling" in last


BIG_SCHOOL = profile_from_dict({"school": "SG Het Baken", "contacts": [
    {"role": role, "name": f"{name} (testpersoon)", "phone": f"030 123 45 {60 + k}", "email": f"{role}@baken.nl",
     "reachable": "ma t/m vr 8.30-16.30"}
    for k, (role, name) in enumerate([
        ("zorgcoordinator", "Marieke Jansen"), ("directie", "Jeroen de Boer"), ("vertrouwenspersoon", "Karel Smit"),
        ("politie", "Sander Bakker"), ("aanspreekpunt-pesten", "Anouk Peters"),
        ("schoolmaatschappelijk-werk", "Fatima El Idrissi"), ("jeugdarts", "Dr. Pieter Vos"),
        ("veilig-thuis", "Regio Utrecht"), ("leerplicht", "Kees Mulder"), ("mediawoordvoerder", "Els Visser")])
]})


def test_on_a_phone_the_school_and_the_first_national_line_are_within_two_screens(sessions, tmp_path):
    s = sessions(PHONE)
    path = tmp_path / "baken.stappenplan-school"
    path.write_bytes(profile_file.encode(BIG_SCHOOL))
    import_profile(s, path)
    s.tap("Importeren")
    s.see("Schoolprofiel van SG Het Baken geïmporteerd.")
    s.goto("/acuut")
    s.see("Vang de eventuele melder op")
    height = PHONE["height"]
    school = s.text("Eigen school: SG Het Baken").first
    first_national = s.button("Bel 030 285 66 16").first  # the Adviespunt, the first line of the step plan
    others = s.text("Meer van de eigen school: SG Het Baken").first
    s.screenshot("acute-big-school-phone-1")
    assert school.bounding_box() is not None and school.bounding_box()["y"] < height  # the first screen
    # one screen down, as a thumb would: the first national line is there, whole
    s.page.mouse.move(PHONE["width"] / 2, height / 2)
    marker = s.text("Vang de eventuele melder op").first
    before = marker.bounding_box()["y"]
    for _ in range(3):
        s.page.mouse.wheel(0, height / 3)
        s.next_frames()
    s.settled("Array.from(document.querySelectorAll('flt-semantics'), e => e.style.transform).join()", quiet_ms=300)
    s.screenshot("acute-big-school-phone-2")
    box = first_national.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, box
    moved = before - marker.bounding_box()["y"] if marker.count() else height
    assert moved <= height + 1  # not scrolled further than one screen
    # the school's other contacts follow the national lines
    s.scroll_to(others)
    assert s.page.get_by_text("Anouk Peters (testpersoon)").count() or s.text("Anouk Peters").count()
