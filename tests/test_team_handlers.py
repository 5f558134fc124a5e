"""The Team screens without a browser: the real App, screens and TeamSync on a
stand-in page, two (or three) staff members' journals against the team server
in process.

Each tap is the handler Flet would call; what is checked is what the journals
hold, what the server did, and what the screens and dialogs then say.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from pathlib import Path

import flet as ft
import pytest
import zxingcpp
from PIL import Image

import storage
from screens import routes
from screens.app import App
from screens.journal.edits import update_incident
from screens.journal.session import JournalSession
from screens.team import syncing as team_sync_module
from screens.team.syncing import TeamSync
from storage import incidents as inc
from sync.client import JOIN_ROUTE, parse_invite_payload
from sync.engine import SyncState
from sync.errors import OfflineError
from tests.sync_helpers.servers import InProcess
from tests.test_handlers import GOOD, StandInPage, find, run, tap, texts, walk
from words import i18n

_ = i18n._
SERVER = "https://team.school.example"


class Device:
    """One staff member: an App with its own journal, its TeamSync talking to the in-process server."""

    def __init__(self, directory: Path, server: InProcess, author: str) -> None:
        directory.mkdir()
        self.server = server
        self.offline = False
        self.app = App(StandInPage())
        store = storage.open_store(directory, iterations=1000, insecure_min_iterations=1000)
        self.app.journal = JournalSession(on_lock=self.app._journal_locked, store=store)
        self.app.team_sync = TeamSync(self.app, client_factory=self._client)
        self.clients_made: list[str] = []
        run(self.app.journal.create(GOOD, author))

    def _client(self, url: str):
        self.clients_made.append(url)
        client = self.server.client()
        inner = client.transport.request

        async def request(method, path, **kwargs):
            if self.offline:
                raise OfflineError("no network")
            return await inner(method, path, **kwargs)

        client.transport.request = request
        return client

    # -- what the user sees and does ---------------------------------------------------

    def show(self, route: str) -> ft.View:
        self.app.page.route = route
        self.app.show(route)
        return self.screen

    @property
    def screen(self) -> ft.View:
        return self.app.page.views[-1]

    @property
    def dialog(self) -> ft.AlertDialog:
        return self.app.page.open_dialogs[-1]

    def field(self, label: str, value: str, root=None) -> None:
        find(root or self.screen, ft.TextField, label).value = value

    def press(self, kind, label: str, root=None) -> None:
        control = find(root or self.screen, kind, label)
        tap(control.on_click, control)

    def confirm(self, label: str) -> None:
        self.press(ft.FilledButton, label, self.dialog)

    def sync(self):
        return run(self.app.team_sync.sync_now())

    @property
    def journal(self):
        return self.app.journal.current

    @property
    def words(self) -> list[str]:
        return texts(self.screen)


@pytest.fixture
def server(tmp_path):
    app = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}")
    yield app
    app.close()


@pytest.fixture
def devices(tmp_path, monkeypatch, server):
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    monkeypatch.delenv("STAPPENPLAN_NOW", raising=False)
    monkeypatch.setattr(ft.BaseControl, "update", lambda self: None)
    i18n.set_language("nl")
    made = []

    def make(name: str, author: str) -> Device:
        made.append(Device(tmp_path / name, server, author))
        return made[-1]

    yield make
    for device in made:
        device.app.team_sync.stop()


def create_team(device: Device, name: str = "Actieteam 2B", who=("Mevr. Jansen", "zorgcoördinator", "telefoon")):
    device.show(routes.path("team"))
    assert "Dit logboek zit in geen team." in device.words
    device.press(ft.FilledButton, "Team aanmaken")
    device.show(device.app.page.route)
    device.field("Naam van het team, bijvoorbeeld Actieteam leerjaar 2", name)
    device.field("Adres van de teamserver", SERVER)
    for label, value in zip(("Je naam in het team", "Je rol in het actieteam, bijvoorbeeld zorgcoördinator",
                             "Dit apparaat, bijvoorbeeld telefoon of Chromebook"), who):
        device.field(label, value)
    device.press(ft.FilledButton, "Team aanmaken")
    assert device.app.page.route == routes.path("team")


def invite(coordinator: Device) -> tuple[str, ft.AlertDialog]:
    coordinator.show(routes.path("team"))
    coordinator.press(ft.FilledButton, "Uitnodigen")
    dialog = coordinator.dialog
    code = next(t for t in texts(dialog) if len(t) == 19 and t.count("-") == 3)
    return code, dialog


def join(device: Device, code: str, who=("Dhr. Bakker", "mentor", "Chromebook"), *, server: str = SERVER):
    device.show(f"{JOIN_ROUTE}?code={code}")
    assert find(device.screen, ft.TextField, "Uitnodigingscode (of de link)").value == code
    device.field("Adres van de teamserver", server)
    for label, value in zip(("Je naam in het team", "Je rol in het actieteam, bijvoorbeeld zorgcoördinator",
                             "Dit apparaat, bijvoorbeeld telefoon of Chromebook"), who):
        device.field(label, value)
    device.press(ft.FilledButton, "Deelnemen")


def team_of_two(devices) -> tuple[Device, Device]:
    a, b = devices("a", "mentor 3B"), devices("b", "zorg")
    create_team(a)
    code, _dialog = invite(a)
    join(b, code)
    return a, b


def test_create_a_team_and_see_yourself_as_its_coordinator(devices):
    a = devices("a", "mentor 3B")
    create_team(a)
    state = a.app.team_sync.team()
    assert state.coordinator and state.team_name == "Actieteam 2B" and state.server_url == SERVER
    assert a.clients_made[-1] == SERVER
    assert a.app.page.toasts == ["Team Actieteam 2B is aangemaakt. Nodig nu de anderen uit."]
    a.sync()  # the round also fetches the members
    screen = a.show(routes.path("team"))
    words = texts(screen)
    assert "Team Actieteam 2B" in words and "Je bent de coördinator van het team." in words
    assert "Mevr. Jansen (jij)" in words
    assert any(w.startswith("coördinator · zorgcoördinator · telefoon") for w in words)
    assert any(w.startswith("Gesynchroniseerd · zojuist") for w in words)
    with pytest.raises(LookupError):  # nobody to remove but yourself
        find(screen, ft.TextButton, "Verwijderen")


def test_the_invite_shows_a_qr_code_a_phone_camera_reads_as_a_link_to_the_join_screen(devices):
    a = devices("a", "mentor 3B")
    create_team(a)
    code, dialog = invite(a)
    [image] = [c for c in walk(dialog) if isinstance(c, ft.Image)]
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.src)))
    assert decoded.text == f"{SERVER}/#{JOIN_ROUTE}?code={code}"
    assert parse_invite_payload(decoded.text) == (SERVER, code)
    assert any(t.startswith("Geldig tot ") and t.endswith("en maar één keer.") for t in texts(dialog))
    # The open invite is listed once the dialog is closed; cancelling it makes the code useless.
    a.press(ft.FilledButton, "Klaar", dialog)
    assert not dialog.open
    assert any(t.startswith("Geldig tot ") for t in a.words)
    a.press(ft.TextButton, "Intrekken")
    a.confirm("Uitnodiging intrekken")
    assert a.app.team_sync.invites == []
    b = devices("b", "zorg")
    join(b, code)
    assert "Deze uitnodiging is ingetrokken. Vraag de coördinator om een nieuwe." in b.words
    assert b.app.team_sync.team() is None


def test_join_with_the_code_from_the_link_and_both_see_the_members(devices):
    a, b = team_of_two(devices)
    assert b.app.page.route == routes.path("team")
    assert b.app.page.toasts == ["Je zit nu in team Actieteam 2B. Gedeelde incidenten komen nu binnen."]
    state = b.app.team_sync.team()
    assert not state.coordinator and state.server_url == SERVER
    b.sync()
    a.sync()
    words = a.show(routes.path("team")) and a.words
    assert "2 leden" in words and "Dhr. Bakker" in words
    assert any(w.startswith("mentor · Chromebook") and "laatst gezien" in w for w in words)
    find(a.screen, ft.TextButton, "Verwijderen")  # the coordinator may remove the member
    b.show(routes.path("team"))
    assert "Je bent lid van het team." in b.words and "Dhr. Bakker (jij)" in b.words
    with pytest.raises(LookupError):  # a member cannot remove or invite
        find(b.screen, ft.TextButton, "Verwijderen")
    with pytest.raises(LookupError):
        find(b.screen, ft.FilledButton, "Uitnodigen")


def test_a_code_works_once_and_typing_mistakes_are_told(devices):
    a = devices("a", "mentor 3B")
    create_team(a)
    code, _dialog = invite(a)
    join(devices("b", "zorg"), code)
    late = devices("c", "directie")
    join(late, code)
    assert "Deze uitnodiging is al gebruikt: een code werkt één keer. Vraag om een nieuwe." in late.words
    late.show(routes.path("team_join"))
    late.field("Uitnodigingscode (of de link)", "ABCD-EFGH")
    late.press(ft.FilledButton, "Deelnemen")
    assert find(late.screen, ft.TextField, "Uitnodigingscode (of de link)").error.startswith("Dit is geen uitnodigingscode")
    late.field("Uitnodigingscode (of de link)", "04HM-ASW9-NF6Y-Y3RY")
    late.field("Adres van de teamserver", "http://school.example")
    late.press(ft.FilledButton, "Deelnemen")
    assert find(late.screen, ft.TextField, "Adres van de teamserver").error.startswith("Gebruik een adres dat met https://")
    assert late.app.team_sync.team() is None


def test_a_pasted_link_names_the_server(devices):
    a = devices("a", "mentor 3B")
    create_team(a)
    code, _dialog = invite(a)
    b = devices("b", "zorg")
    b.show(routes.path("team_join"))
    b.field("Uitnodigingscode (of de link)", f"{SERVER}/#{JOIN_ROUTE}?code={code}")
    b.field("Je rol in het actieteam, bijvoorbeeld zorgcoördinator", "mentor")
    b.press(ft.FilledButton, "Deelnemen")
    assert b.app.team_sync.team().server_url == SERVER


def test_without_network_joining_says_so_and_nothing_is_stored(devices):
    a = devices("a", "mentor 3B")
    create_team(a)
    code, _dialog = invite(a)
    b = devices("b", "zorg")
    b.offline = True
    join(b, code)
    assert "Geen netwerk. Probeer het opnieuw zodra dit apparaat online is." in b.words
    assert b.app.team_sync.team() is None and b.app.page.route.startswith(JOIN_ROUTE)


def test_share_an_incident_and_the_other_sees_it_shared_by_whom_and_with_whom(devices):
    a, b = team_of_two(devices)
    b.sync(), a.sync()
    item = run(a.journal.save(inc.new_incident("Bangalijst in de brugklas", "bangalijst", by="mentor 3B")))
    a.show(routes.path("incident", incident_id=item.id))
    assert "Persoonlijk: alleen op dit apparaat" in a.words
    a.press(ft.OutlinedButton, "Delen met het team")
    text = " ".join(texts(a.dialog))
    assert "Mevr. Jansen (zorgcoördinator), Dhr. Bakker (mentor)" in text
    assert "kan niet ongedaan worden gemaakt" in text and "verlaten dit apparaat nooit" in text
    a.confirm("Delen")
    assert a.journal.is_shared(item.id) and a.journal.shared_by(item.id) == "Mevr. Jansen"
    assert "Gedeeld met team Actieteam 2B" in a.words
    a.sync()
    b.show(routes.path("journal"))
    assert "Bangalijst in de brugklas" not in b.words
    b.sync()  # records arrived: the list shown is drawn again
    assert "Bangalijst in de brugklas" in b.words
    b.show(routes.path("incident", incident_id=item.id))
    assert {"Gedeeld met team Actieteam 2B", "Gedeeld door Mevr. Jansen",
            "Met: Mevr. Jansen (zorgcoördinator), Dhr. Bakker (mentor)"} <= set(b.words)


def test_two_members_changing_one_title_offline_both_see_both_versions_and_one_choice_settles_it(devices):
    a, b = team_of_two(devices)
    b.sync(), a.sync()
    item = run(a.journal.save(inc.new_incident("Bangalijst", "bangalijst", by="mentor 3B")))
    run(a.journal.share(item.id, "Mevr. Jansen"))
    a.sync(), b.sync()
    a.offline = b.offline = True
    for device, title in ((a, "Bangalijst in 2B"), (b, "Bangalijst in de brugklas")):
        run(update_incident(device.app, item.id, lambda i, s, title=title: dataclasses.replace(i, title=title)))
    a.offline = b.offline = False
    a.sync(), b.sync(), a.sync()
    for device in (a, b):
        device.show(routes.path("incident", incident_id=item.id))
        assert "Op twee plaatsen gewijzigd" in device.words
        assert {"Bangalijst in 2B", "Bangalijst in de brugklas"} <= set(device.words)
    keep = [c for c in walk(b.screen) if isinstance(c, ft.OutlinedButton) and c.content == "Deze houden"]
    chosen = next(t for t in ("Bangalijst in 2B", "Bangalijst in de brugklas") if t != b.journal.get(item.id).title)
    tap(keep[1].on_click, keep[1])  # the second version shown: the one that is not current
    assert b.journal.get(item.id).title == chosen and b.journal.get(item.id).conflicts == ()
    b.sync(), a.sync()
    a.show(routes.path("incident", incident_id=item.id))
    assert "Op twee plaatsen gewijzigd" not in a.words
    assert a.journal.get(item.id).title == chosen


def test_a_personal_incident_offers_no_sharing_outside_a_team(devices):
    a = devices("a", "mentor 3B")
    item = run(a.journal.save(inc.new_incident("Dreigende berichten", "bedreiging", by="mentor 3B")))
    a.show(routes.path("incident", incident_id=item.id))
    with pytest.raises(LookupError):
        find(a.screen, ft.OutlinedButton, "Delen met het team")


def test_removing_a_member_says_the_truth_and_locks_them_out_of_what_follows(devices):
    a, b = team_of_two(devices)
    item = run(a.journal.save(inc.new_incident("Nepaccount", "nepaccount", by="mentor 3B")))
    run(a.app.team_sync.share(item.id))
    a.sync(), b.sync(), a.sync()
    a.show(routes.path("team"))
    a.press(ft.TextButton, "Verwijderen")
    warning = " ".join(texts(a.dialog))
    assert "Dhr. Bakker kan vanaf nu niets meer lezen van wat het team schrijft" in warning
    assert "Wat Dhr. Bakker al op het eigen apparaat heeft, blijft daar" in warning
    a.confirm("Verwijderen")
    assert a.app.page.toasts[-1] == "Dhr. Bakker is uit het team verwijderd."
    run(a.journal.save(inc.add_note(a.journal.get(item.id), "Na het verwijderen geschreven", by="mentor 3B")))
    a.sync()
    assert b.sync().state is SyncState.REMOVED
    b.show(routes.path("journal"))
    assert any(w.startswith("Verwijderd uit het team") for w in b.words)
    kept = b.journal.get(item.id)  # what b had stays on b's device
    assert "Na het verwijderen geschreven" not in [n.text for n in kept.notes]
    b.show(routes.path("team"))
    assert "Dit apparaat zit niet meer in team Actieteam 2B." in b.words
    b.press(ft.OutlinedButton, "Team vergeten op dit apparaat")
    b.confirm("Team vergeten")
    assert b.app.team_sync.team() is None and b.journal.get(item.id)
    # It still holds the earlier team's incident: no new team until that is gone.
    assert "Dit logboek bevat 1 incident dat met een eerder team is gedeeld." in b.words
    with pytest.raises(LookupError):
        find(b.screen, ft.FilledButton, "Team aanmaken")


def test_leaving_keeps_what_is_on_the_device_and_the_coordinator_leaves_last(devices):
    a, b = team_of_two(devices)
    item = run(a.journal.save(inc.new_incident("Challenge", "challenge", by="mentor 3B")))
    run(a.app.team_sync.share(item.id))
    a.sync(), b.sync(), a.sync()
    a.show(routes.path("team"))
    assert "De coördinator verlaat het team als laatste: verwijder eerst de andere leden." in a.words
    b.show(routes.path("team"))
    b.press(ft.OutlinedButton, "Team verlaten")
    warning = " ".join(texts(b.dialog))
    assert "Wat op dit apparaat staat, blijft hier, ook de gedeelde incidenten" in warning
    assert "kan dit apparaat niet lezen" in warning
    b.confirm("Team verlaten")
    assert b.app.team_sync.team() is None and b.journal.get(item.id).title == "Challenge"
    assert "Dit logboek zit in geen team." in b.words
    a.sync()  # the coordinator's round rotates the key: b cannot read what follows
    a.show(routes.path("team"))
    assert "1 lid" in a.words
    assert a.app.team_sync.team().key_version == 2


def test_saving_never_waits_for_the_network_and_the_change_goes_out_a_moment_later(devices, monkeypatch):
    monkeypatch.setattr(team_sync_module, "QUIET_BEFORE_REDRAW_S", 0.0)
    a, b = team_of_two(devices)
    b.sync()
    item = run(a.journal.save(inc.new_incident("Groepsapp", "vernedering", by="mentor 3B")))
    run(a.app.team_sync.share(item.id))
    a.sync()
    b.sync()
    hang = asyncio.Event()

    async def scenario():
        sync = TeamSync(b.app, client_factory=b._client, interval_s=3600, save_delay_s=0.05)
        b.app.team_sync = sync
        sync.start()
        await asyncio.sleep(0.2)
        b.show(routes.path("incident", incident_id=item.id))
        # The server stops answering: the save returns at once, the change waits in the outbox.
        inner = sync._client(SERVER).transport.request

        async def hanging(method, path, **kwargs):
            await hang.wait()
            return await inner(method, path, **kwargs)

        sync._client(SERVER).transport.request = hanging
        saved = await asyncio.wait_for(update_incident(
            b.app, item.id, lambda i, s: inc.add_note(i, "Ouders gebeld", by=s.by)), 2)
        await asyncio.sleep(0.3)
        waiting = len(b.journal.outbox())
        hang.set()  # the server answers again: the round that was waiting completes
        for _ in range(50):
            await asyncio.sleep(0.05)
            if not b.journal.outbox():
                break
        sync.stop()
        return saved, waiting

    saved, waiting = run(scenario())
    assert "Ouders gebeld" in [n.text for n in saved.notes] and waiting == 1
    assert b.journal.outbox() == []
    a.sync()
    assert "Ouders gebeld" in [n.text for n in a.journal.get(item.id).notes]


def test_records_that_arrive_redraw_only_the_screens_that_show_them(devices, monkeypatch):
    a, b = team_of_two(devices)
    b.show(routes.path("journal_settings"))
    drawn = b.screen.controls
    item = run(a.journal.save(inc.new_incident("Sexting", "naaktfoto", by="mentor 3B")))
    run(a.app.team_sync.share(item.id))
    a.sync()
    b.sync()
    assert b.journal.get(item.id)
    assert b.screen.controls is drawn  # the settings form being filled in is not drawn again
    b.show(routes.path("journal"))
    drawn = b.screen.controls
    run(a.journal.save(inc.add_note(a.journal.get(item.id), "Nieuw", by="mentor 3B")))
    a.sync()
    b.sync()
    assert b.screen.controls is not drawn  # the incident list is


def test_records_arriving_while_the_user_is_busy_redraw_once_they_pause_unless_the_screen_was_drawn_since(
        devices, monkeypatch):
    """A redraw replaces the screen's controls: a tap that is on its way to the old button is lost
    (Flet drops an event for a control it no longer has). So it waits until the user pauses, and it
    does not come at all when the screen has been drawn since (the user opened it: it shows them)."""
    monkeypatch.setattr(team_sync_module, "QUIET_BEFORE_REDRAW_S", 0.2)
    a, b = team_of_two(devices)
    item = run(a.journal.save(inc.new_incident("Sexting", "naaktfoto", by="mentor 3B")))
    run(a.app.team_sync.share(item.id))
    a.sync()
    b.sync()

    async def arrives_while_busy(note: str, then_open: bool) -> tuple[bool, bool]:
        """A colleague's note arrives while b, on the list, is busy; then b waits (or opens the incident)."""
        b.show(routes.path("journal"))
        await a.journal.save(inc.add_note(a.journal.get(item.id), note, by="mentor 3B"))
        await a.app.team_sync.sync_now()
        b.app.journal.touch()
        await b.app.team_sync._round()  # the round the stream wakes
        drawn = b.screen.controls
        if then_open:
            b.show(routes.path("incident", incident_id=item.id))
            drawn = b.screen.controls
        await asyncio.sleep(0.1)
        untouched_while_busy = b.screen.controls is drawn
        await asyncio.sleep(0.4)
        return untouched_while_busy, b.screen.controls is drawn

    assert run(arrives_while_busy("Eerste", then_open=False)) == (True, False)  # drawn again after the pause
    assert run(arrives_while_busy("Tweede", then_open=True)) == (True, True)  # the opened incident stays as drawn
    assert "Tweede" in b.words


def test_a_shared_incident_is_drawn_again_when_the_team_changes_not_when_a_colleague_was_only_seen(
        devices, monkeypatch):
    """The incident names the members; when one was last seen changes at every round, and drawing the
    screen again for it would replace the button under the user's tap."""
    monkeypatch.setattr(team_sync_module, "QUIET_BEFORE_REDRAW_S", 0.0)
    monkeypatch.setattr(team_sync_module, "TEAM_SCREEN_MAX_AGE_S", 0.0)
    a, b = team_of_two(devices)
    item = run(a.journal.save(inc.new_incident("Sexting", "naaktfoto", by="mentor 3B")))
    run(a.app.team_sync.share(item.id))
    a.sync()
    b.sync()

    async def open_and_wait() -> bool:
        """Open the incident (which fetches the members), wait; True if the screen stayed as drawn."""
        b.show(routes.path("incident", incident_id=item.id))
        drawn = b.screen.controls
        for _ in range(20):
            await asyncio.sleep(0.05)
        return b.screen.controls is drawn

    seen_before = {m.member_id: m.last_seen for m in b.app.team_sync.members}
    a.server.clock.advance(hours=1)
    a.sync()  # the server sees the coordinator again, an hour later
    assert run(open_and_wait())
    assert {m.member_id: m.last_seen for m in b.app.team_sync.members} != seen_before  # fetched, only "seen" changed
    c = devices("c", "leerkracht")
    code, _dialog = invite(a)
    join(c, code, who=("Mw. de Vries", "leerkracht", "telefoon"))
    assert not run(open_and_wait())  # someone joined: drawn again, naming them
    assert any("Mw. de Vries (leerkracht)" in w for w in b.words)


def test_the_sync_stops_when_the_journal_locks_and_starts_when_it_opens(devices):
    a = devices("a", "mentor 3B")
    create_team(a)
    sync = a.app.team_sync

    async def lock_and_open():
        sync.start()
        running = sync._task
        assert running is not None and not running.done()
        a.app.journal.lock()
        await asyncio.sleep(0)
        assert running.cancelled() and sync._engine is None  # nothing runs while the journal is locked
        await a.app.journal.unlock(GOOD)
        a.app.journal_opened()
        return sync._task is not None and not sync._task.done()

    assert run(lock_and_open())


def test_a_member_with_an_invalid_key_is_named_and_the_background_sync_keeps_running(devices, server):
    """A member's key is not on P-256 (a server that did not check it, or a changed
    database) and another member leaves: the coordinator's background sync renews
    the key without that member (it used to end with InvalidPublicKey), the team
    screen names the member, and the coordinator removes them."""
    from sqlalchemy import update

    from server import models as m
    from sync.crypto import member_key_mac
    from tests.test_sync_insider import OFF_CURVE

    a, b = team_of_two(devices)
    c = devices("c", "intern")
    code, _dialog = invite(a)
    join(c, code, who=("Dhr. Kapot", "stagiair", "laptop"))
    bad, team = c.app.team_sync.team().member_id, a.app.team_sync.team()
    with server.engine.begin() as conn:  # as if c had joined with that point (and the MAC its own client made)
        conn.execute(update(m.Member.__table__).where(m.Member.__table__.c.id == bad).values(
            public_key=OFF_CURVE, key_mac=member_key_mac(team.team_key, team.team_id, bad, OFF_CURVE)))
    run(b.app.team_sync.leave())

    async def background_round():
        sync = TeamSync(a.app, client_factory=a._client, interval_s=3600, save_delay_s=0.01)
        a.app.team_sync = sync
        sync.start()
        for _ in range(200):
            await asyncio.sleep(0.02)
            if sync.status.state is SyncState.SYNCED:
                break
        alive = sync._task is not None and not sync._task.done()
        return sync, alive

    sync, alive = run(background_round())
    assert alive and sync.status.state is SyncState.SYNCED and a.app.team_sync.team().key_version == 2
    assert [f.name for f in sync.status.faults] == ["Dhr. Kapot"]
    a.show(routes.path("team"))
    assert any("Lid Dhr. Kapot stuurde een ongeldige sleutel" in w for w in a.words)
    assert "Stuurde een ongeldige sleutel en krijgt geen nieuwe teamsleutels: verwijder dit lid." in a.words
    a.press(ft.TextButton, "Verwijderen", root=next(
        row for row in walk(a.screen) if isinstance(row, ft.ListTile) and "Dhr. Kapot" in texts(row)))
    a.confirm("Verwijderen")
    a.sync()
    a.show(routes.path("team"))
    assert not any("ongeldige sleutel" in w for w in a.words) and not any("Dhr. Kapot" in w for w in a.words)
