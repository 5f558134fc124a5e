"""Two staff members share an incident through the team server, tried as new
users would: a phone (412×915) and a Chromebook (1366×768), each with its own
app and journal (``python main.py`` twice, each its own data folder), and the
team server started as a real process (``python -m server``).

They join one team through the UI (create on the phone, the invite shows a
code, typed on the Chromebook), share an incident -- the share dialog names
the member who just joined, without anyone tapping "Nu synchroniseren" --
and see each other's edits as they come (the event stream); the Chromebook
loses its route to the server (a relay in front of it is cut), edits,
comes back, and both converge; a title both changed shows on journal home,
and each version names its writer; the phone deletes the shared incident
and the Chromebook restores it for both.  Every new screen is photographed
at both sizes (``test-artifacts/team-*``), and the invite's QR code in the
screenshot reads back as the link to the join screen.

A second test creates a team on a server that asks for a sign-up code and
keeps very little room per team: the "Aanmeldcode" field, a refused name,
and a full team's storage, each in words.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from sync.client import JOIN_ROUTE, parse_invite_payload
from tests.browser import TIMEOUT_MS, open_session
from tests.support import AppServer
from tests.sync_helpers.relay import Relay
from tests.sync_helpers.servers import ServerProcess
from tests.test_ui_journal import create_journal, new_incident

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 412, "height": 915}
CHROMEBOOK = {"width": 1366, "height": 768}
CODE = re.compile(r"^Uitnodigingscode ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$")
#: Flutter's router follows the address bar: an in-app route change, as a link inside the app makes it
#: (``goto`` would load the page again: a new session, with the journal locked).
NAVIGATE = "r => { history.pushState(null, '', r); window.dispatchEvent(new PopStateEvent('popstate')); }"
MARKER = "Kwallenbeet"  # a word that must never reach the team server


@pytest.fixture
def team_server(tmp_path):
    server = ServerProcess(tmp_path / "team-data")
    yield server
    server.stop()


@pytest.fixture
def apps(tmp_path):
    started = []

    def start(name: str) -> AppServer:
        data = tmp_path / name
        data.mkdir()
        started.append(AppServer(data))
        return started[-1]

    yield start
    for app in started:
        app.stop()


@pytest.fixture
def sessions(browser, request):
    opened = []

    def open_at(app: AppServer, viewport: dict):
        opened.append((app, open_session(browser, app.url, viewport=viewport)))
        return opened[-1][1]

    yield open_at
    for app, session in opened:
        session.close(request.node.name)
        assert session.outside_requests == []
        assert app.new_errors() == [], "the app raised an exception"


def both_sizes(s, name: str) -> list[Path]:
    """The screen as it is, then at the other size (and back): every new screen on a phone and a Chromebook."""
    here = s.page.viewport_size
    other = CHROMEBOOK if here == PHONE else PHONE
    shots = {}
    for size in (here, other):
        s.page.set_viewport_size(size)
        s.page.wait_for_timeout(700)  # Flutter lays the screen out again
        kind = "phone" if size == PHONE else "chromebook"
        shots[kind] = Path(s.screenshot(f"team-{name}-{kind}"))
    s.page.set_viewport_size(here)
    # Until Flutter has laid the screen out again at this size: a tap before that lands beside its button.
    s.settled("Array.from(document.querySelectorAll('flt-semantics'), e => e.style.transform + e.style.width).join()",
              quiet_ms=300)
    return [shots["phone"], shots["chromebook"]]


def qr_link(png: Path) -> str:
    found = zxingcpp.read_barcodes(Image.open(png))
    assert len(found) == 1, f"one QR code expected in {png.name}, found {len(found)}"
    return found[0].text


def navigate(s, route: str) -> None:
    s.page.evaluate(NAVIGATE, route)
    s.wait_for_path(route)


def on_home(s, expect: str) -> None:
    """Journal home shows ``expect`` by itself: what the team changed arrives without a tap."""
    navigate(s, "/logboek")
    s.see(expect)


def sync_on_home(s, expect: str) -> None:
    """The user asks for a sync (after the network came back), then journal home shows ``expect``."""
    navigate(s, "/logboek")
    s.tap("Nu synchroniseren")
    s.see(expect)


def edit_title(s, title: str) -> None:
    s.tap("Incident bewerken")
    s.type_into("Korte titel, zonder namen", title)
    s.tap("Bewaren")
    s.see(title)


def member_fields(s, name: str, role: str, device: str) -> None:
    s.type_into("Je naam in het team", name)
    s.type_into("Je rol in het actieteam, bijvoorbeeld zorgcoördinator", role)
    s.type_into("Dit apparaat, bijvoorbeeld telefoon of Chromebook", device)


def add_note(s, text: str) -> None:
    s.tap("Notitie toevoegen")
    s.type_into("Notitie", text)
    s.tap("Bewaren")
    s.see(text)


def gone(s, text: str) -> None:
    """``text`` leaves the screen (once what the team changed has arrived)."""
    s.text(text).first.wait_for(state="detached", timeout=TIMEOUT_MS)


def open_incident(s, title: str) -> None:
    navigate(s, "/logboek")
    s.scroll_to(s.text(title).first).click()
    s.see("Voortgang per stap")


def test_a_phone_and_a_chromebook_share_an_incident_offline_edits_included(apps, sessions, team_server):
    relay = Relay(team_server.port)  # the Chromebook's route to the team server
    phone = sessions(apps("phone"), PHONE)
    chromebook = sessions(apps("chromebook"), CHROMEBOOK)
    try:
        _scenario(phone, chromebook, team_server, relay)
    finally:
        relay.close()
    stored = b"".join(p.read_bytes() for p in (team_server.data_dir).rglob("*") if p.is_file())
    assert stored and MARKER.encode() not in stored and b"Bangalijst" not in stored
    assert MARKER.encode() not in team_server.log_text()


def _scenario(phone, chromebook, team_server, relay) -> None:
    # -- the coordinator creates the team on the phone ------------------------------------------
    create_journal(phone, author="Mevr. Jansen")
    phone.tap("Instellingen en back-ups")
    phone.tap("Team")
    phone.see("Dit logboek zit in geen team.")
    both_sizes(phone, "none")
    phone.tap("Team aanmaken")
    phone.see("Jij wordt de coördinator van het team")
    phone.type_into("Naam van het team, bijvoorbeeld Actieteam leerjaar 2", "Actieteam 2B")
    phone.type_into("Adres van de teamserver", team_server.url)
    member_fields(phone, "Mevr. Jansen", "zorgcoördinator", "Telefoon")
    both_sizes(phone, "create")
    phone.tap("Team aanmaken")
    phone.see("Je bent de coördinator van het team.")
    phone.see("Mevr. Jansen (jij)")

    # -- the invite: a QR code (a link to the join screen) and a code to type --------------------
    phone.tap("Uitnodigen")
    label = phone.page.get_by_text(CODE).first
    label.wait_for(timeout=TIMEOUT_MS)
    code = CODE.match(label.inner_text().strip()).group(1)
    phone.see("en maar één keer")
    shots = both_sizes(phone, "invite")
    for shot in shots:
        link = qr_link(shot)
        assert link == f"{team_server.url}/#{JOIN_ROUTE}?code={code}"
        assert parse_invite_payload(link) == (team_server.url, code)
    phone.tap("Klaar")

    # -- the Chromebook joins by typing the code ---------------------------------------------------
    create_journal(chromebook, author="Dhr. Bakker")
    navigate(chromebook, "/logboek/team")
    chromebook.tap("Deelnemen met code")
    chromebook.see("Vraag de coördinator van het team om een uitnodiging")
    chromebook.type_into("Uitnodigingscode (of de link)", code.lower().replace("-", " "))
    chromebook.type_into("Adres van de teamserver", relay.url)
    member_fields(chromebook, "Dhr. Bakker", "mentor", "Chromebook")
    both_sizes(chromebook, "join")
    chromebook.tap("Deelnemen")
    chromebook.see("Je bent lid van het team.")
    chromebook.see("Mevr. Jansen")
    chromebook.see("Dhr. Bakker (jij)")
    both_sizes(chromebook, "member")

    # No "Nu synchroniseren": the team screen lists the new member by itself, with the device and role they chose.
    phone.see("2 leden")
    phone.see("Dhr. Bakker")
    phone.see("mentor · Chromebook")
    both_sizes(phone, "coordinator")

    # -- share an incident ----------------------------------------------------------------------
    navigate(phone, "/logboek")
    new_incident(phone, "Bangalijst in 2B")
    phone.see("Persoonlijk: alleen op dit apparaat")
    phone.tap("Delen met het team")  # the dialog asks the server who is in the team: nobody synced by hand
    phone.see("Delen kan niet ongedaan worden gemaakt")
    phone.see("Dhr. Bakker (mentor)")
    assert phone.text("verouderd").count() == 0
    both_sizes(phone, "share-confirm")
    phone.tap("Delen", exact=True)
    phone.see("Gedeeld met team Actieteam 2B")
    phone.see("Met: Mevr. Jansen (zorgcoördinator), Dhr. Bakker (mentor)")
    both_sizes(phone, "incident-shared")
    add_note(phone, f"{MARKER}: melding van de mentor")

    on_home(chromebook, "Bangalijst in 2B")
    chromebook.see("Gesynchroniseerd")
    both_sizes(chromebook, "home-synced")
    open_incident(chromebook, "Bangalijst in 2B")
    chromebook.see("Met: Mevr. Jansen (zorgcoördinator), Dhr. Bakker (mentor)")
    chromebook.see("Gedeeld door Mevr. Jansen")
    both_sizes(chromebook, "incident-received")
    chromebook.see(f"{MARKER}: melding van de mentor")
    add_note(chromebook, "Ouders van J.K. gebeld")

    open_incident(phone, "Bangalijst in 2B")
    phone.see("Ouders van J.K. gebeld")  # drawn again when it arrives

    # -- the Chromebook loses the server, both edit (the title too), it comes back ------------------------
    relay.cut()
    open_incident(chromebook, "Bangalijst in 2B")
    add_note(chromebook, "Offline: gesprek met de leerling")
    edit_title(chromebook, "Bangalijst in 2B, ook 2C")
    on_home(chromebook, "Server niet bereikbaar — 2 wijzigingen wachten")  # two changes, one incident
    both_sizes(chromebook, "home-unreachable")
    open_incident(phone, "Bangalijst in 2B")
    add_note(phone, "Politie gebeld terwijl de Chromebook offline was")
    edit_title(phone, "Bangalijst 2B en 2C")
    on_home(phone, "Gesynchroniseerd")

    relay.restore()
    sync_on_home(chromebook, "Op twee plaatsen gewijzigd: Korte titel, zonder namen")  # on the incident's row
    both_sizes(chromebook, "home-conflict")
    open_incident(chromebook, "Bangalijst 2B en 2C")
    chromebook.see("Politie gebeld terwijl de Chromebook offline was")
    chromebook.see("Offline: gesprek met de leerling")
    on_home(phone, "Op twee plaatsen gewijzigd: Korte titel, zonder namen")
    open_incident(phone, "Bangalijst 2B en 2C")
    phone.see("Offline: gesprek met de leerling")
    phone.see("Ouders van J.K. gebeld")
    phone.see("Nu getoond · gewijzigd door Mevr. Jansen, vandaag om")  # each version names its writer
    phone.see("Andere versie · gewijzigd door Dhr. Bakker, vandaag om")
    phone.see("Bangalijst in 2B, ook 2C")
    both_sizes(phone, "conflict-writers")
    phone.tap("Deze houden")  # the version shown now
    phone.see("Je keuze is bewaard.")
    on_home(chromebook, "Bangalijst 2B en 2C")
    gone(chromebook, "Op twee plaatsen gewijzigd")  # the choice arrived

    # -- the phone deletes the shared incident, the Chromebook restores it for both -------------------------
    open_incident(phone, "Bangalijst 2B en 2C")
    incident_path = phone.path()
    phone.tap("Incident verwijderen")
    phone.see("wordt voor het hele team verwijderd")
    both_sizes(phone, "delete-confirm")
    phone.page.get_by_role("alertdialog").get_by_role("button", name="Verwijderen").click()
    phone.see("Verwijderd — herstellen (1 gedeeld incident)")
    on_home(chromebook, "Verwijderd — herstellen (1 gedeeld incident)")
    both_sizes(chromebook, "home-deleted")
    chromebook.tap("Verwijderd — herstellen")
    chromebook.see("Verwijderd door Mevr. Jansen, vandaag om")
    chromebook.see("Iedereen in het team kan het herstellen tot")
    both_sizes(chromebook, "deleted-list")
    navigate(chromebook, incident_path)  # the incident's own address says the same, and restores it too
    chromebook.see("Verwijderd door Mevr. Jansen, vandaag om")
    both_sizes(chromebook, "deleted-incident")
    # (a card's or a text's name may hold "herstellen" too: the button by its exact name)
    chromebook.scroll_to(chromebook.page.get_by_role("button", name="Herstellen", exact=True)).click()
    chromebook.see("is terug, voor het hele team")
    on_home(phone, "Bangalijst 2B en 2C")
    gone(phone, "Verwijderd — herstellen")
    open_incident(phone, "Bangalijst 2B en 2C")
    phone.see("Ouders van J.K. gebeld")  # back with everything written in it

    # -- leaving and removing say the truth ------------------------------------------------------
    navigate(chromebook, "/logboek/team")
    chromebook.tap("Team verlaten")
    chromebook.see("Wat op dit apparaat staat, blijft hier")
    both_sizes(chromebook, "leave-confirm")
    chromebook.tap("Annuleren")

    navigate(phone, "/logboek/team")
    phone.tap("Verwijderen")
    phone.see("Dhr. Bakker kan vanaf nu niets meer lezen van wat het team schrijft")
    both_sizes(phone, "remove-confirm")
    phone.page.get_by_role("alertdialog").get_by_role("button", name="Verwijderen").click()
    phone.see("Dhr. Bakker is uit het team verwijderd.")
    phone.see("1 lid")

    on_home(chromebook, "Verwijderd uit het team")
    both_sizes(chromebook, "home-removed")
    chromebook.see("Bangalijst 2B en 2C")  # what it had stays
    navigate(chromebook, "/logboek/team")
    chromebook.see("Dit apparaat zit niet meer in team Actieteam 2B.")
    assert chromebook.page.get_by_role("button", name="Nu synchroniseren").count() == 0  # nothing left to sync
    both_sizes(chromebook, "removed")


def test_creating_a_team_where_the_server_asks_for_a_sign_up_code_and_keeps_little_room(apps, sessions, tmp_path):
    server = ServerProcess(tmp_path / "strict-server", env={"STAPPENPLAN_SIGNUP_CODE": "Lente-2026",
                                                             "STAPPENPLAN_TEAM_QUOTA_MIB": "0.0001"})
    try:
        phone = sessions(apps("strict-phone"), PHONE)
        create_journal(phone, author="Mevr. Jansen")
        navigate(phone, "/logboek/team/aanmaken")
        phone.type_into("Naam van het team, bijvoorbeeld Actieteam leerjaar 2", "Actieteam 2B")
        phone.type_into("Adres van de teamserver", server.url)
        member_fields(phone, "Mevr.\u200bJansen", "zorgcoördinator", "Telefoon")  # a zero-width space in it
        phone.tap("Team aanmaken")
        phone.see("Gebruik alleen letters, cijfers, spaties en leestekens die je kunt zien")
        both_sizes(phone, "create-refused-name")
        phone.type_into("Je naam in het team", "Mevr. Jansen")
        phone.tap("Team aanmaken")
        phone.see("Deze teamserver vraagt een aanmeldcode om een team aan te maken")
        assert phone.text("niet bereikbaar").count() == 0
        both_sizes(phone, "create-signup-code")
        phone.type_into("Aanmeldcode", "Zomer-2026")
        phone.tap("Team aanmaken")
        phone.see("Deze aanmeldcode klopt niet.")
        phone.type_into("Aanmeldcode", "Lente-2026")
        phone.tap("Team aanmaken")
        phone.see("Je bent de coördinator van het team.")

        navigate(phone, "/logboek")
        new_incident(phone, "Groepsapp 3A")
        phone.tap("Delen met het team")
        phone.tap("Delen", exact=True)
        phone.see("Gedeeld met team Actieteam 2B")
        on_home(phone, "De opslag van het team op de server is vol — vraag de beheerder om meer ruimte")
        phone.see("1 wijziging wacht")
        assert phone.text("niet bereikbaar").count() == 0
        both_sizes(phone, "home-team-storage-full")
    finally:
        server.stop()


def create_team_on(s, team_server, who=("Mevr. Jansen", "zorgcoördinator", "Telefoon")) -> None:
    create_journal(s, author=who[0])
    navigate(s, "/logboek/team")
    s.tap("Team aanmaken")
    s.type_into("Naam van het team, bijvoorbeeld Actieteam leerjaar 2", "Actieteam 2B")
    s.type_into("Adres van de teamserver", team_server.url)
    member_fields(s, *who)
    s.tap("Team aanmaken")
    s.see("Je bent de coördinator van het team.")


def invite_code(s) -> str:
    s.tap("Uitnodigen")
    label = s.page.get_by_text(CODE).first
    label.wait_for(timeout=TIMEOUT_MS)
    code = CODE.match(label.inner_text().strip()).group(1)
    s.tap("Klaar")
    return code


def test_the_coordinator_is_told_which_member_sent_an_invalid_key_and_removes_them(apps, sessions, team_server):
    """A member joins with a junk key MAC (its own client); another member leaves. The
    coordinator's app renews the team key without the intruder, says who sent an
    invalid key, on journal home and on the team screen, and removes them."""
    import asyncio
    import secrets
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from sync.crypto import INVITE_ITERATIONS
    from tests.sync_helpers.hostile import hostile_join

    phone = sessions(apps("phone"), PHONE)
    create_team_on(phone, team_server)

    async def join_and_leave(intruder_code: str, leaver_code: str) -> None:
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            status, _ = await hostile_join(http, intruder_code, "Indringer", iterations=INVITE_ITERATIONS,
                                           key_mac=secrets.token_bytes(32))
            assert status == 201
        leaver = team_server.client(iterations=INVITE_ITERATIONS)
        state = await leaver.redeem_invite(leaver_code, "Dhr. Bakker", "mentor", "Chromebook", team_server.url)
        await leaver.leave(state)
        await leaver.transport.aclose()

    codes = invite_code(phone), invite_code(phone)
    with ThreadPoolExecutor(1) as other_devices:  # (Playwright holds this thread's event loop)
        other_devices.submit(asyncio.run, join_and_leave(*codes)).result()
    sync_on_home(phone, "Lid Indringer stuurde een ongeldige sleutel")
    phone.see("Gesynchroniseerd")
    both_sizes(phone, "home-invalid-key")
    navigate(phone, "/logboek/team")
    phone.see("Stuurde een ongeldige sleutel en krijgt geen nieuwe teamsleutels: verwijder dit lid.")
    both_sizes(phone, "member-invalid-key")
    phone.tap("Verwijderen")
    phone.tap("Verwijderen", exact=True)
    phone.see("Indringer is uit het team verwijderd.")
    phone.see("1 lid")
    assert phone.text("ongeldige sleutel").count() == 0


def test_after_a_member_leaves_a_members_change_waits_for_the_coordinator_then_goes(apps, sessions, team_server):
    """Only the coordinator renews the team key (PROTOCOL.md). The Chromebook of a
    member who syncs first says its change waits for the coordinator -- not that the
    server refused -- and sends it once the coordinator's device has synced."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from sync.crypto import INVITE_ITERATIONS
    from sync.engine import SyncEngine, SyncState
    from sync.testing import MemoryJournal

    journal = MemoryJournal("coördinator")  # the coordinator's device (each step its own connection)
    others = ThreadPoolExecutor(1)  # the other devices (Playwright holds this thread's event loop)

    def elsewhere(work):
        return others.submit(asyncio.run, work).result()

    async def create_and_invite():
        coordinator = team_server.client(iterations=INVITE_ITERATIONS)
        state = await coordinator.create_team("Actieteam 2B", "Mevr. Jansen", "zorgcoördinator", "laptop",
                                              team_server.url)
        await journal.save_team_state(state)
        codes = (await coordinator.create_invite(state)).code, (await coordinator.create_invite(state)).code
        await coordinator.transport.aclose()
        return codes

    code, leaver_code = elsewhere(create_and_invite())
    chromebook = sessions(apps("chromebook"), CHROMEBOOK)
    create_journal(chromebook, author="Dhr. Bakker")
    navigate(chromebook, "/logboek/team")
    chromebook.tap("Deelnemen met code")
    chromebook.type_into("Uitnodigingscode (of de link)", code)
    chromebook.type_into("Adres van de teamserver", team_server.url)
    member_fields(chromebook, "Dhr. Bakker", "mentor", "Chromebook")
    chromebook.tap("Deelnemen")
    chromebook.see("Je bent lid van het team.")

    async def join_and_leave():
        leaver = team_server.client(iterations=INVITE_ITERATIONS)
        await leaver.leave(await leaver.redeem_invite(leaver_code, "Stagiair", "stage", "tablet", team_server.url))
        await leaver.transport.aclose()

    elsewhere(join_and_leave())
    navigate(chromebook, "/logboek")
    new_incident(chromebook, "Bangalijst in 2B")
    chromebook.tap("Delen met het team")
    chromebook.tap("Delen", exact=True)
    chromebook.see("Gedeeld met team Actieteam 2B")
    sync_on_home(chromebook, "Een lid verliet het team: wacht op de coördinator · 1 wijziging wacht")
    both_sizes(chromebook, "home-waiting")

    async def coordinator_syncs():
        coordinator = team_server.client()
        status = await SyncEngine(journal, coordinator).sync()
        await coordinator.transport.aclose()
        return status.state

    assert elsewhere(coordinator_syncs()) is SyncState.SYNCED  # the coordinator's device renews the key
    sync_on_home(chromebook, "Gesynchroniseerd · zojuist")
    assert elsewhere(coordinator_syncs()) is SyncState.SYNCED
    assert [doc.get("title") for doc in journal.visible().values()] == ["Bangalijst in 2B"]  # it went
    others.shutdown()
