"""The encrypted journal in the browser: set up, save the acute flow, log an incident, lock, back up.

Each test gets its own app with an empty data directory.
"""

from pathlib import Path

import pytest

from storage.container import MAGIC
from tests.browser import open_session
from tests.support import AppServer

pytestmark = pytest.mark.browser

PASSPHRASE = "paars konijn fietst langs zeebrug"
BACKUP_PASSPHRASE = "groene olifant zingt onder water"


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    app = AppServer(data)
    yield app
    app.stop()


@pytest.fixture
def phone_at(browser, server, request):
    session = open_session(browser, server.url, viewport={"width": 412, "height": 915}, accept_downloads=True)
    yield session
    session.close(request.node.name)
    assert server.new_errors() == [], "the app raised an exception"


def create_journal(s, author="mentor 3B"):
    s.goto("/logboek")
    s.type_into("Je naam of rol in het logboek, bijvoorbeeld mentor 3B", author)
    s.type_into("Kies een wachtwoordzin", PASSPHRASE)
    s.type_into("Herhaal de wachtwoordzin", PASSPHRASE)
    s.tap("Logboek aanmaken")
    s.button("Nieuw incident").first.wait_for()


def new_incident(s, title, kind="Bangalijst"):
    s.tap("Nieuw incident")
    s.type_into("Korte titel, zonder namen", title)
    s.scroll_to(s.page.get_by_role("radio", name=kind)).click()
    s.tap("Bewaren")
    s.see("Voortgang per stap")


def unlock(s, passphrase=PASSPHRASE):
    s.type_into("Wachtwoordzin", passphrase)
    s.tap("Ontgrendelen")


def test_setup_refuses_weak_or_mismatched_passphrases_and_warns_there_is_no_recovery(phone_at):
    s = phone_at
    s.goto("/logboek")
    s.see("op geen enkele manier terug te halen")
    s.see("geen beelden of bestanden")
    s.type_into("Kies een wachtwoordzin", "welkom12345")
    s.type_into("Herhaal de wachtwoordzin", "welkom12345")
    s.tap("Logboek aanmaken")
    s.see("te makkelijk te raden")
    s.type_into("Kies een wachtwoordzin", PASSPHRASE)
    s.type_into("Herhaal de wachtwoordzin", PASSPHRASE + "!")
    s.tap("Logboek aanmaken")
    s.see("niet gelijk")
    s.screenshot("journal-setup-errors")
    s.type_into("Herhaal de wachtwoordzin", PASSPHRASE)
    s.tap("Logboek aanmaken")
    s.see("Nog geen incidenten.")
    s.screenshot("journal-empty")


def test_acute_flow_is_saved_with_its_ticks_after_unlocking(phone_at, server):
    s = phone_at
    create_journal(s)
    s.tap("Logboek vergrendelen")
    s.see("Logboek ontgrendelen")
    # the acute flow works while the journal is locked
    s.goto("/acuut")
    s.checkbox("Vang de eventuele melder op").click()
    s.checkbox("Regel zorg voor de betrokken leerlingen").click()
    s.tap("Bewaar in logboek")
    s.wait_for_path("/logboek")
    unlock(s)
    s.see("afgevinkte acties uit de acute stappen")
    s.type_into("Korte titel, zonder namen", "Bangalijst in groepsapp")
    s.tap("Bewaren")
    s.see("Kies de soort incident.")  # nothing is presumed
    s.scroll_to(s.page.get_by_role("radio", name="Bangalijst")).click()
    s.tap("Bewaren")
    s.see("Voortgang per stap")
    s.see("afgevinkt vandaag om")
    s.see("door mentor 3B")
    # next step: the one acute action that was not ticked
    s.see("Stap 1: Vang de betrokken leerlingen op")
    s.screenshot("incident-from-acute")


def test_wrong_passphrase_is_told_and_changes_nothing(phone_at, server):
    s = phone_at
    create_journal(s)
    new_incident(s, "Nepaccount op Instagram")
    journal_file = Path(server.data_dir) / "journal.enc"
    before = journal_file.read_bytes()
    s.tap("Logboek vergrendelen")
    unlock(s, "dit is niet de goede zin")
    s.see("Verkeerde wachtwoordzin")
    s.screenshot("journal-wrong-passphrase")
    assert journal_file.read_bytes() == before
    unlock(s)
    s.see("Nepaccount op Instagram")


def test_a_logged_incident_keeps_note_history_pupils_and_contacts(phone_at):
    s = phone_at
    create_journal(s)
    new_incident(s, "Vernedering in klassenchat")
    s.tap("Notitie toevoegen")
    s.type_into("Notitie", "Gesprek met slachtoffer gevoerd")
    s.tap("Bewaren")
    s.see("Gesprek met slachtoffer gevoerd")
    s.tap("Notitie bewerken")
    s.type_into("Notitie", "Gesprek met slachtoffer en mentor gevoerd")
    s.tap("Bewaren")
    s.see("Gesprek met slachtoffer en mentor gevoerd")
    s.tap("Eerdere versies")
    s.see("Gesprek met slachtoffer gevoerd")

    s.scroll_to(s.button("Leerling toevoegen").first).click()
    s.see("dataminimalisatie")
    s.type_into("Initialen of schuilnaam", "J.K.")
    s.type_into("Klas of groep", "3B")
    s.tap("Bewaren")
    s.see("J.K. (3B)")

    s.scroll_to(s.button("Contact toevoegen").first).click()
    s.page.get_by_role("radio", name="Ouders/verzorgers").click()
    s.page.get_by_role("checkbox", name="Ouders bewust (nog) niet geïnformeerd").click()
    s.tap("Bewaren")
    s.see("waarom de ouders nog niet")
    s.type_into("Reden om de ouders nog niet te informeren", "Leerling voelt zich bedreigd door vader")
    s.tap("Bewaren")
    s.see("Bewust nog niet geïnformeerd: Leerling voelt zich bedreigd door vader")
    s.screenshot("incident-logged")


def test_nothing_readable_reaches_the_disk(phone_at, server):
    s = phone_at
    create_journal(s)
    new_incident(s, "Dreigbericht Zeepaardje")
    s.tap("Notitie toevoegen")
    s.type_into("Notitie", "Kwallenbeet rond de gymzaal")
    s.tap("Bewaren")
    s.see("Kwallenbeet rond de gymzaal")
    words = [b"Zeepaardje", b"Kwallenbeet", b"gymzaal", b"mentor 3B", b"Dreigbericht"]
    files = [p for p in Path(server.data_dir).rglob("*") if p.is_file()]
    assert files, "the journal was not written to the data directory"
    for path in files:
        raw = path.read_bytes()
        for word in words:
            assert word not in raw, f"{word!r} readable in {path.name}"
            assert word.lower() not in raw.lower(), f"{word!r} readable in {path.name}"


def test_backup_export_is_encrypted_and_garbage_import_changes_nothing(phone_at, server, tmp_path):
    s = phone_at
    create_journal(s)
    new_incident(s, "Challenge in de pauze")
    s.tap("Terug")
    s.tap("Instellingen en back-ups")
    s.tap("Hele logboek exporteren")
    s.type_into("Wachtwoordzin voor deze back-up", BACKUP_PASSPHRASE)
    s.type_into("Herhaal de wachtwoordzin", BACKUP_PASSPHRASE)
    with s.page.expect_download() as download:
        s.tap("Exporteren")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(MAGIC) and b"Challenge" not in data
    assert download.value.suggested_filename.endswith(".spoi")

    garbage = tmp_path / "boodschappen.spoi"
    garbage.write_bytes(b"melk, brood, kaas\n" * 20)
    before = (Path(server.data_dir) / "journal.enc").read_bytes()
    with s.page.expect_file_chooser() as chooser:
        s.tap("Back-up importeren")
    chooser.value.set_files(str(garbage))
    s.type_into("Wachtwoordzin van de back-up", BACKUP_PASSPHRASE)
    s.tap("Importeren")
    s.see("geen back-up")
    s.screenshot("import-garbage")
    assert (Path(server.data_dir) / "journal.enc").read_bytes() == before


def test_hiding_the_app_locks_the_journal(phone_at):
    s = phone_at
    create_journal(s)
    new_incident(s, "Gedeelde foto bij gym")
    s.tap("Notitie toevoegen")  # a form with journal content is open when the app hides
    s.type_into("Notitie", "Moeder van J. belde om 10:15")
    s.page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
            Object.defineProperty(document, 'hidden', {value: true, configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
            window.dispatchEvent(new Event('blur'));
        }"""
    )
    s.page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
            Object.defineProperty(document, 'hidden', {value: false, configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
            window.dispatchEvent(new Event('focus'));
        }"""
    )
    s.see("Logboek ontgrendelen")
    assert s.text("Gedeelde foto bij gym").count() == 0
    assert s.text("Moeder van J. belde").count() == 0


def export_journal(s, tmp_path) -> Path:
    s.tap("Hele logboek exporteren")
    s.type_into("Wachtwoordzin voor deze back-up", BACKUP_PASSPHRASE)
    s.type_into("Herhaal de wachtwoordzin", BACKUP_PASSPHRASE)
    with s.page.expect_download() as download:
        s.tap("Exporteren")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    return target


def import_file(s, path: Path, passphrase=BACKUP_PASSPHRASE):
    with s.page.expect_file_chooser() as chooser:
        s.tap("Back-up importeren")
    chooser.value.set_files(str(path))
    s.type_into("Wachtwoordzin van de back-up", passphrase)
    s.tap("Importeren")


def test_backup_round_trip_merges_without_duplicates_and_survives_a_wipe(phone_at, tmp_path):
    s = phone_at
    create_journal(s)
    new_incident(s, "Challenge in de pauze")
    s.tap("Terug")
    s.tap("Instellingen en back-ups")
    backup = export_journal(s, tmp_path)

    import_file(s, backup, "niet de goede back-upzin")
    s.see("Verkeerde wachtwoordzin voor deze back-up")
    s.tap("Annuleren")

    import_file(s, backup)
    s.see("1 incident stond er al, ongewijzigd")
    s.see("0 incidenten toegevoegd")
    s.tap("OK")

    s.tap("Het hele logboek wissen")
    s.tap("Logboek wissen")
    s.see("Logboek instellen")
    create_journal(s, author="zorgcoördinator")
    s.tap("Instellingen en back-ups")
    import_file(s, backup)
    s.see("1 incident toegevoegd")
    s.tap("OK")
    s.tap("Terug")
    s.see("Challenge in de pauze")
    s.see("1 incident")


def test_passphrase_change_and_deleting_an_incident(phone_at):
    s = phone_at
    create_journal(s)
    new_incident(s, "Eerste incident")
    s.tap("Terug")
    new_incident(s, "Tweede incident")
    s.scroll_to(s.button("Incident verwijderen").first).click()
    s.see("Dit incident verwijderen?")
    s.tap("Verwijderen")
    s.wait_for_path("/logboek")
    s.see("1 incident")
    assert s.text("Tweede incident").count() == 0

    s.tap("Instellingen en back-ups")
    s.tap("Wachtwoordzin wijzigen")
    new = "blauwe giraf leest een krant"
    s.type_into("Huidige wachtwoordzin", PASSPHRASE)
    s.type_into("Nieuwe wachtwoordzin", new)
    s.type_into("Herhaal de wachtwoordzin", new)
    s.tap("Wijzig")
    s.see("Wachtwoordzin gewijzigd.")
    s.tap("Logboek vergrendelen")
    unlock(s, PASSPHRASE)
    s.see("Verkeerde wachtwoordzin")
    unlock(s, new)
    s.see("Instellingen")


@pytest.fixture
def second_window(browser, server, request):
    """A second tab on the same server (phone-sized)."""
    session = open_session(browser, server.url, viewport={"width": 412, "height": 915})
    yield session
    session.close(request.node.name + "-b")


def open_in_both(a, b, title="Bangalijst in de brugklas"):
    """A journal with one incident, created in window a and unlocked in window b."""
    create_journal(a)
    new_incident(a, title)
    b.goto("/logboek")
    unlock(b)
    b.see(title)


def test_a_journal_open_in_two_windows_keeps_what_each_window_saved(server, phone_at, second_window):
    """Two tabs on one server: a save in one never drops what the other saved,
    and a journal wiped in one is not brought back by the other."""
    a, b = phone_at, second_window
    open_in_both(a, b)
    a.tap("Terug")
    new_incident(a, "Nepaccount op Instagram")  # while b shows the journal
    new_incident(b, "Dreigende berichten")
    b.tap("Terug")
    for title in ("Bangalijst in de brugklas", "Nepaccount op Instagram", "Dreigende berichten"):
        b.see(title)
    b.see("3 incidenten")
    b.screenshot("journal-two-windows")

    a.tap("Terug")
    a.tap("Instellingen en back-ups")
    a.tap("Het hele logboek wissen")
    a.tap("Logboek wissen")
    a.see("Logboek instellen")
    b.tap("Nieuw incident")
    b.type_into("Korte titel, zonder namen", "Na het wissen")
    b.scroll_to(b.page.get_by_role("radio", name="Nepaccount")).click()
    b.tap("Bewaren")
    b.see("in een ander venster verwijderd of vervangen")
    b.see("Logboek instellen")
    b.screenshot("journal-wiped-elsewhere")
    assert not (Path(server.data_dir) / "journal.enc").exists()


def test_a_title_changed_in_two_windows_keeps_both_until_one_is_chosen(phone_at, second_window):
    """Both windows show the same incident; each changes its title without
    seeing the other's change.  Nothing is refused or lost: the second window
    says so, shows both versions, and the choice settles it."""
    a, b = phone_at, second_window
    open_in_both(a, b)
    b.tap("Bangalijst in de brugklas")
    b.see("Voortgang per stap")
    for window, title in ((a, "Bangalijst in klas 1b"), (b, "Bangalijst brugklas, ook op TikTok")):
        window.tap("Incident bewerken")
        window.type_into("Korte titel, zonder namen", title)
        window.tap("Bewaren")
    b.see("Dit is intussen ook ergens anders gewijzigd")
    b.see("Op twee plaatsen gewijzigd")
    b.see("Bangalijst in klas 1b")
    b.screenshot("incident-changed-in-two-places")
    b.scroll_to(b.button("Deze houden").last).click()
    b.see("Je keuze is bewaard.")
    b.page.get_by_text("Op twee plaatsen gewijzigd").wait_for(state="detached")
