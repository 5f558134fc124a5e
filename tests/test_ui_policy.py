"""From incident to policy in the browser: follow-ups on home, evaluation, report, policy check."""


import pytest
from pypdf import PdfReader

from tests.browser import open_session
from tests.support import AppServer
from tests.test_ui_journal import create_journal, new_incident, unlock

pytestmark = pytest.mark.browser

NOW = "2026-11-24T10:00:00+01:00"


@pytest.fixture
def s(browser, tmp_path, request):
    data = tmp_path / "data"
    data.mkdir()
    server = AppServer(data, {"STAPPENPLAN_NOW": NOW})
    session = open_session(browser, server.url, viewport={"width": 412, "height": 915}, accept_downloads=True)
    yield session
    session.close(request.node.name)
    errors = server.new_errors()
    server.stop()
    assert errors == [], "the app raised an exception"


def test_follow_up_today_shows_on_home_after_lock_and_unlock(s):
    create_journal(s)
    new_incident(s, "Bangalijst 2A")
    s.scroll_to(s.button("Follow-upgesprek plannen").first).click()
    s.type_into("Gepland op (dd-mm-jjjj)", "24-11-2026")
    s.type_into("om (uu:mm)", "15:30")
    s.type_into("Met wie", "slachtoffer en mentor")
    s.tap("Bewaren")
    s.see("slachtoffer en mentor")
    s.tap("Logboek vergrendelen")
    s.see("Logboek ontgrendelen")
    s.tap("Terug")
    s.tap("Terug")
    assert s.text("Follow-upgesprekken").count() == 0  # locked: the journal shows nothing on home
    s.tap("Logboek")
    unlock(s)
    s.tap("Terug")
    s.see("Follow-upgesprekken")
    s.see("vandaag om 15:30 (over 5 uur)")
    s.see("slachtoffer en mentor · Bangalijst 2A")
    s.screenshot("home-follow-up-due")


def test_evaluation_and_an_anonymised_report(s, tmp_path):
    create_journal(s)
    new_incident(s, "Vernedering van Zoë in groepsapp")
    s.scroll_to(s.button("Leerling toevoegen").first).click()
    s.type_into("Initialen of schuilnaam", "Zoë")
    s.tap("Bewaren")
    s.see("Zoë")
    s.scroll_to(s.text("Wat was de aanleiding of de bron van het incident?").first)
    s.type_into("Wat was de aanleiding of de bron van het incident?", "Een ruzie na de gymles")
    s.type_into("Welke lessen trekken we hieruit voor toekomstige incidenten?", "Eerder ingrijpen in de klassenapp")
    s.tap("Bewaren en op geëvalueerd zetten")
    s.see("Evaluatie bewaard.")
    # the status chips are checkboxes to a screen reader; the incident is now "geëvalueerd"
    s.page.locator('[role=checkbox][aria-label="Geëvalueerd"][aria-checked="true"]').wait_for(state="attached")
    s.screenshot("incident-evaluated")

    s.scroll_to(s.button("Rapport exporteren").first).click()
    s.see("niet versleuteld")
    with s.page.expect_download() as download:
        s.tap("Exporteren")
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.name.endswith("-geanonimiseerd.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Eerder ingrijpen in de klassenapp" in text
    assert "Zoë" not in text and "slachtoffer 1" in text


def test_policy_check_is_kept_in_the_journal(s):
    create_journal(s)
    s.tap("Terug")
    s.tap("Beleid")
    s.see("0 van 10 op orde")
    s.expand("Geef leerlingen verantwoordelijkheid")
    s.page.get_by_role("radio", name="Op orde").click()
    s.type_into("Wie pakt dit op", "teamleider onderbouw")
    s.type_into("Opnieuw bekijken op (dd-mm-jjjj)", "1-9-2026")
    s.tap("Bewaren")
    s.see("1 van 10 op orde")
    s.see("1 datum om opnieuw te bekijken is verstreken")
    s.screenshot("policy-check")
    s.tap("Logboek vergrendelen")
    unlock(s)
    s.see("1 van 10 op orde")


def test_overview_counts_incidents_per_type(s):
    create_journal(s)
    new_incident(s, "Eerste")
    s.tap("Terug")
    new_incident(s, "Tweede")
    s.tap("Terug")
    s.tap("Overzicht")
    s.see("2 incidenten in het logboek op dit apparaat.")
    s.see("november 2026")
    s.screenshot("journal-overview")


def test_step_two_of_an_incident_shows_earlier_incidents_of_the_same_type(s):
    create_journal(s)
    new_incident(s, "Oud incident")
    s.scroll_to(s.text("Welke lessen trekken we hieruit voor toekomstige incidenten?").first)
    s.type_into("Welke lessen trekken we hieruit voor toekomstige incidenten?", "Ouders sneller bellen")
    s.tap("Evaluatie bewaren")
    s.see("Evaluatie bewaard.")
    s.tap("Terug")
    new_incident(s, "Nieuw incident")
    s.expand("Stap 2: Actieteam")
    s.see("Eerdere incidenten van deze soort in het logboek:")
    s.see("Lessen: Ouders sneller bellen")
