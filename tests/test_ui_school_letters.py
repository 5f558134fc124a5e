"""The school profile and the letters in the browser, as a coordinator and a colleague use them.

A coordinator fills in the profile once and shares it as a file; a colleague
imports it (after a wrong file, which changes nothing) and sees the school's
own people first in the acute flow, one tap to call.  In an incident with a
pupil "Sanne de Vries" the letter to all parents is refused while "Sanne" is
in it, exported as .docx once she is gone, and recorded as sent.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from school import profile_file
from tests.browser import open_session
from tests.letters_helpers import SCHOOL
from tests.support import AppServer

pytestmark = pytest.mark.browser

TUESDAY_AFTERNOON = "2026-11-24T14:05:00+01:00"
SENDER_MARKER = "[[invullen: naam en functie van de afzender]]"
PASSPHRASE = "paars konijn fietst langs zeebrug"
PHONE = {"width": 412, "height": 915}
CHROMEBOOK = {"width": 1366, "height": 768}
# Window.open is how Flutter's url_launcher opens tel: links on the web.
RECORD_OPENED = """
window.__opened = [];
window.open = (url, ...rest) => { window.__opened.push(String(url)); return null; };
"""


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    app = AppServer(data, {"STAPPENPLAN_NOW": TUESDAY_AFTERNOON})
    yield app
    app.stop()


@pytest.fixture
def sessions(browser, server, request):
    """``sessions(viewport)``: a new browser profile (its own localStorage) on the test's server."""
    opened = []

    def new(viewport=PHONE):
        session = open_session(browser, server.url, viewport=viewport, accept_downloads=True)
        session.page.add_init_script(RECORD_OPENED)
        opened.append(session)
        return session

    yield new
    for session in opened:
        session.close(request.node.name)
    assert server.new_errors() == [], "the app raised an exception"


def choose(s, label: str) -> None:
    s.scroll_to(s.page.get_by_role("radio", name=label)).click()


def check_code(s) -> str:
    label = s.text("Controlecode:").first
    s.scroll_to(label)
    found = re.search(r"[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}",
                      label.get_attribute("aria-label") or label.inner_text())
    assert found, "no check code shown"
    return found[0]


def create_journal(s):
    s.goto("/logboek")
    s.type_into("Je naam of rol in het logboek, bijvoorbeeld mentor 3B", "mentor 2B")
    s.type_into("Kies een wachtwoordzin", PASSPHRASE)
    s.type_into("Herhaal de wachtwoordzin", PASSPHRASE)
    s.tap("Logboek aanmaken")
    s.button("Nieuw incident").first.wait_for()


def import_profile(s, path: Path):
    s.goto("/instellingen/schoolprofiel")
    with s.page.expect_file_chooser() as chooser:
        s.tap("Schoolprofiel importeren")
    chooser.value.set_files(str(path))


def test_a_coordinator_fills_in_the_profile_and_the_acute_flow_calls_the_school_first(sessions):
    s = sessions()
    s.goto("/instellingen")
    s.tap("Schoolprofiel: invullen, delen of importeren")
    s.type_into("Naam van de school", "OSG De Linde")
    s.tap("Contactpersoon toevoegen")
    choose(s, "Zorgcoördinator / intern begeleider")
    s.see("iemand die over leerlingenzorg gaat")  # what the step plan asks of this person
    s.type_into("Naam (niet verplicht)", "Marieke Jansen")
    s.type_into("Telefoonnummer", "12")
    s.tap("Bewaren", exact=True)
    s.see("Vul een telefoonnummer in, bijvoorbeeld 030 123 45 67")
    s.type_into("Telefoonnummer", "030 123 45 68")
    choose(s, "Op vaste tijden")  # weekdays 08:30-16:30 unless changed
    s.screenshot("school-profile-contact-phone")
    s.tap("Bewaren", exact=True)
    s.see("Marieke Jansen · 030 123 45 68")
    code = check_code(s)
    s.screenshot("school-profile-phone")

    s.goto("/acuut")
    s.see("Eigen school: OSG De Linde")
    s.see("Nu bereikbaar · tot 16:30")
    s.screenshot("acute-own-school-phone")
    s.tap("Bel 030 123 45 68")
    s.page.wait_for_function("() => window.__opened.length > 0")
    assert s.page.evaluate("window.__opened") == ["tel:0301234568"]

    # the next visit (the app started again) still has it, without a passphrase
    s.goto("/hulplijnen")
    s.see("Eigen school: OSG De Linde")
    s.goto("/instellingen/schoolprofiel")
    assert check_code(s) == code


def test_a_colleague_imports_the_file_after_checking_its_code_and_the_journal_is_untouched(
        sessions, server, tmp_path):
    coordinator = sessions()
    import_profile(coordinator, _profile_file(tmp_path))
    coordinator.tap("Importeren")
    coordinator.see("Schoolprofiel van OSG De Linde geïmporteerd.")
    announced = check_code(coordinator)
    with coordinator.page.expect_download() as download:
        coordinator.tap("Bewaren als bestand")
    shared = tmp_path / download.value.suggested_filename
    download.value.save_as(shared)
    assert shared.name == "schoolprofiel-osg-de-linde.stappenplan-school"

    colleague = sessions()
    create_journal(colleague)
    journal = Path(server.data_dir) / "journal.enc"
    before = journal.read_bytes()
    wrong = tmp_path / "boodschappen.stappenplan-school"
    wrong.write_bytes(b"melk, brood, kaas\n" * 20)
    import_profile(colleague, wrong)
    colleague.see("Niet geïmporteerd")
    colleague.see("Dit is geen schoolprofiel (.stappenplan-school). Er is niets veranderd.")
    colleague.screenshot("school-profile-import-refused")
    colleague.tap("OK")

    import_profile(colleague, shared)
    colleague.see("Dit schoolprofiel importeren?")
    assert check_code(colleague) == announced
    colleague.screenshot("school-profile-import-preview")
    colleague.tap("Importeren")
    colleague.see("Schoolprofiel van OSG De Linde geïmporteerd.")
    colleague.goto("/acuut")
    colleague.see("Eigen school: OSG De Linde")
    assert journal.read_bytes() == before


def _profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "van-de-coordinator.stappenplan-school"
    path.write_bytes(profile_file.encode(SCHOOL))
    return path


def _incident_with_sanne(s, tmp_path):
    import_profile(s, _profile_file(tmp_path))
    s.tap("Importeren")
    s.see("Schoolprofiel van OSG De Linde geïmporteerd.")
    create_journal(s)
    s.tap("Nieuw incident")
    s.type_into("Korte titel, zonder namen", "Vernedering in groepsapp")
    s.scroll_to(s.page.get_by_role("radio", name="Vernedering of uitsluiting")).click()
    s.tap("Bewaren")
    s.see("Voortgang per stap")
    s.scroll_to(s.button("Leerling toevoegen").first).click()
    s.type_into("Initialen of schuilnaam", "Sanne de Vries")
    s.type_into("Klas of groep", "2B")
    s.tap("Bewaren")
    s.see("Sanne de Vries (2B)")
    s.tap("Brieven en berichten")
    s.see("Ouders van slachtoffer 1 (Sanne de Vries, 2B)")


def _focus_body(s):
    s.scroll_to(s.page.get_by_role("textbox", name="Tekst van de brief").first).click()
    s.page.wait_for_function("() => document.activeElement?.tagName === 'TEXTAREA'")


def _select_in_body(s, text: str, *, before: bool = False):
    """Select ``text`` in the letter (or put the cursor just before it), as a user would with the
    mouse; Flutter follows the field's selection."""
    _focus_body(s)
    s.page.evaluate(
        """([text, before]) => {
            const el = document.activeElement;
            const start = el.value.indexOf(text);
            if (start < 0) throw new Error('not in the letter: ' + text);
            const end = start + text.length;
            el.setSelectionRange(start, before ? start : end);
            document.dispatchEvent(new Event('selectionchange'));
        }""",
        [text, before],
    )
    s.next_frames()


def _body_has(s, text: str, present: bool = True):
    s.page.wait_for_function("([t, present]) => document.activeElement?.value?.includes(t) === present",
                             arg=[text, present])


def _sign(s):
    """Replace the one fill-in marker left: the sender, on the line before the school's name."""
    _select_in_body(s, SENDER_MARKER)
    s.page.keyboard.type("Jeroen de Boer, directeur")
    _body_has(s, "groet,\nJeroen de Boer, directeur\n")


def test_the_letter_to_all_parents_is_refused_while_sanne_is_in_it_then_exported_and_recorded(
        sessions, tmp_path):
    s = sessions()
    _incident_with_sanne(s, tmp_path)
    s.screenshot("letters-incident-phone")
    s.tap("Brief aan alle ouders")
    s.see("Wat het stappenplan van deze brief vraagt")
    _sign(s)
    s.see("Geen namen uit het incident gevonden, niets meer in te vullen.")

    closing = "\n\nMet vriendelijke groet"
    _select_in_body(s, closing, before=True)
    added = " Wij denken vooral aan Sanne."
    s.page.keyboard.type(added)
    _body_has(s, added + closing)
    s.see("Deze brief bevat een naam die in het incident staat")
    s.see("Naam van een leerling (slachtoffer 1) · in de tekst")
    downloads = []
    s.page.on("download", lambda d: downloads.append(d))
    s.tap("Exporteren als Word (.docx)")
    s.see("Nog niet: de brief bevat nog een naam")
    s.scroll_to(s.text("Wij denken vooral aan").first)
    s.screenshot("letter-blocked-phone")
    assert downloads == []

    _select_in_body(s, added)
    s.page.keyboard.press("Backspace")
    _body_has(s, "Sanne", present=False)
    s.see("Geen namen uit het incident gevonden, niets meer in te vullen.")
    with s.page.expect_download() as download:
        s.tap("Exporteren als Word (.docx)")
    assert download.value.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(download.value.path()).paragraphs)
    assert "OSG De Linde" in text and "Jeroen de Boer, directeur" in text
    assert "Karel Smit" in text  # whom pupils and parents can turn to, from the profile
    assert "Sanne" not in text and "[[" not in text

    s.tap("Verstuurd: vastleggen in het incident")
    s.tap("Vastleggen als verstuurd")
    s.see("Vastgelegd in het incident: Alle ouders geïnformeerd per brief")
    s.tap("Terug")
    s.see("Voortgang per stap")
    s.see("Alle ouders geïnformeerd per brief, 14:0")  # the timeline
    s.see("Ouders/verzorgers: alle ouders")  # the contacts
    s.screenshot("incident-letter-sent-phone")


def test_on_a_chromebook_the_editor_shows_the_guidance_beside_the_letter(sessions, tmp_path):
    s = sessions(CHROMEBOOK)
    _incident_with_sanne(s, tmp_path)
    s.screenshot("letters-incident-chromebook")
    s.tap("Brief aan de ouders van een slachtoffer")
    s.see("Aan de ouders van slachtoffer 1 (Sanne de Vries, 2B)")
    guidance = s.text("Informatieplicht").first.bounding_box()
    body = s.page.get_by_role("textbox", name="Tekst van de brief").first.bounding_box()
    assert guidance["x"] > body["x"] + body["width"] - 1  # beside, not below
    s.screenshot("letter-parents-chromebook")
    s.goto("/instellingen/schoolprofiel")
    s.see("Delen met collega's")
    s.screenshot("school-profile-chromebook")
    s.goto("/acuut")
    s.see("Eigen school: OSG De Linde")
    s.screenshot("acute-own-school-chromebook")
    s.goto("/stap/3")
    s.expand("Acties bij mogelijk strafbare feiten")
    s.see("wijkagent Sander Bakker")
    s.screenshot("step-3-own-school-chromebook")


@pytest.mark.parametrize("route", ["/instellingen/schoolprofiel", "/brieven", "/brieven/alle-ouders"])
def test_every_tappable_element_has_a_name_and_a_48px_target(phone, route):
    phone.goto(route)
    tappables = phone.settled(
        """() => [...document.querySelectorAll('[flt-tappable]')].map(e => {
            const b = e.getBoundingClientRect();
            return {name: (e.getAttribute('aria-label') || e.textContent || '').trim(),
                    top: b.top, bottom: b.bottom, width: b.width, height: b.height};
        })"""
    )
    assert tappables, "no tappable elements found"
    height = phone.page.viewport_size["height"]
    for t in tappables:
        assert t["name"], f"unnamed tappable element on {route}: {t}"
        if t["top"] >= 0 and t["bottom"] <= height - 16:
            assert t["width"] >= 48 and t["height"] >= 48, f"small target on {route}: {t}"
    phone.screenshot("tap-targets" + route.replace("/", "-"))
