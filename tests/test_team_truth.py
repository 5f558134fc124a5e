"""What the team screens say is true, without a browser: the real App, screens
and TeamSync on a stand-in page, staff members' journals against the team
server in process (``tests.test_team_handlers``).

* the share dialog and a shared incident name the members who receive it
  (asked of the server first, not a list from minutes ago), and say when the
  list may be out of date;
* a value changed in two places shows on journal home, on the incident's
  row, and each version says who wrote it;
* "N wijzigingen wachten" counts changes;
* a shared incident a member deletes is restorable by any member
  ("Verwijderd — herstellen"), who and when said;
* every refusal of the server is worded for what it is (full, busy, slow,
  too many requests, a refused name, a sign-up code), never as "server niet
  bereikbaar".
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta

import flet as ft
import pytest

from screens import routes
from screens.journal.edits import update_incident
from screens.team import forms as team_forms
from server.errors import error_response
from storage import incidents as inc
from sync.transport import interpret
from tests.sync_helpers.servers import InProcess
from tests.test_handlers import find, run, tap, texts
from tests.test_team_handlers import (  # noqa: F401
    SERVER,
    Device,
    create_team,
    devices,
    invite,
    join,
    server,
    team_of_two,
)

NOT_REACHABLE = "niet bereikbaar"
TODAY_AT = re.compile(r"vandaag om \d\d:\d\d")


def _shared_incident(device: Device, title: str = "Bangalijst in 2B") -> inc.Incident:
    item = run(device.journal.save(inc.new_incident(title, "bangalijst", by=device.app.journal.author)))
    run(device.app.team_sync.share(item.id))
    return item


def _status_line(device: Device) -> str:
    device.show(routes.path("journal"))
    return next(w for w in device.words if w.startswith(("Gesynchroniseerd", "Offline", "Server", "De ", "Synchron")))


# -- who receives a shared incident ------------------------------------------------------------------------


def test_the_share_dialog_names_a_member_who_joined_a_moment_ago_without_syncing_first(devices):
    a, b = team_of_two(devices)
    a.sync(), b.sync()
    code, _dialog = invite(a)  # a fetched the member list just now, before the third one joins
    join(devices("c", "directie"), code, who=("Mevr. De Vries", "directeur", "laptop"))
    item = run(a.journal.save(inc.new_incident("Bangalijst in 2B", "bangalijst", by="mentor 3B")))
    a.show(routes.path("incident", incident_id=item.id))
    a.press(ft.OutlinedButton, "Delen met het team")  # no "Nu synchroniseren" before it: a user would not
    text = " ".join(texts(a.dialog))
    everyone = ("Mevr. Jansen (zorgcoördinator)", "Dhr. Bakker (mentor)", "Mevr. De Vries (directeur)")
    assert all(person in text for person in everyone) and "verouderd" not in text
    a.confirm("Delen")
    [with_whom] = [w for w in a.words if w.startswith("Met: ")]
    assert all(person in with_whom for person in everyone)


def test_when_the_server_cannot_be_reached_the_share_dialog_and_the_incident_say_the_list_may_be_out_of_date(devices):
    a, b = team_of_two(devices)
    a.sync()
    item = run(a.journal.save(inc.new_incident("Dreigende berichten", "bedreiging", by="mentor 3B")))
    a.offline = True
    a.show(routes.path("incident", incident_id=item.id))
    a.press(ft.OutlinedButton, "Delen met het team")
    text = " ".join(texts(a.dialog))
    assert "Mevr. Jansen (zorgcoördinator), Dhr. Bakker (mentor)" in text
    assert "kan deze ledenlijst verouderd zijn" in text
    a.confirm("Delen")
    a.sync()  # the round cannot reach the server either
    a.show(routes.path("incident", incident_id=item.id))
    assert "Met: Mevr. Jansen (zorgcoördinator), Dhr. Bakker (mentor)" in a.words
    assert any(w.startswith("Deze lijst kan verouderd zijn: Geen netwerk.") for w in a.words)
    a.offline = False
    a.sync()
    a.show(routes.path("incident", incident_id=item.id))
    assert not any("verouderd" in w for w in a.words)


# -- a value changed in two places ----------------------------------------------------------------------------


def test_a_value_changed_in_two_places_shows_on_journal_home_and_each_version_names_its_writer(devices):
    a, b = team_of_two(devices)
    b.sync(), a.sync()
    item = _shared_incident(a, "Bangalijst")
    a.sync(), b.sync()
    a.offline = b.offline = True
    for device, title in ((a, "Bangalijst in 2B"), (b, "Bangalijst in de brugklas")):
        run(update_incident(device.app, item.id, lambda i, s, title=title: dataclasses.replace(i, title=title)))
    a.offline = b.offline = False
    a.sync(), b.sync(), a.sync()
    for device in (a, b):
        device.show(routes.path("journal"))
        assert "Op twee plaatsen gewijzigd: Korte titel, zonder namen" in device.words  # on the incident's row
        device.show(routes.path("incident", incident_id=item.id))
        shown = next(w for w in device.words if w.startswith("Nu getoond · "))
        other = next(w for w in device.words if w.startswith("Andere versie · "))
        assert TODAY_AT.search(shown) and TODAY_AT.search(other)
        writers = {"Bangalijst in de brugklas": "zorg", "Bangalijst in 2B": "mentor 3B"}
        current = device.journal.get(item.id).title
        assert shown.startswith(f"Nu getoond · gewijzigd door {writers[current]}, ")
        assert other.startswith(f"Andere versie · gewijzigd door {next(w for t, w in writers.items() if t != current)}, ")
    a.show(routes.path("incident", incident_id=item.id))
    keep = find(a.screen, ft.OutlinedButton, "Deze houden")  # the version shown now
    tap(keep.on_click, keep)
    a.sync(), b.sync()
    b.show(routes.path("journal"))
    assert not any(w.startswith("Op twee plaatsen gewijzigd") for w in b.words)


def test_a_note_written_in_two_places_names_both_writers(devices):
    a, b = team_of_two(devices)
    b.sync(), a.sync()
    item = run(a.journal.save(inc.add_note(
        inc.new_incident("Nepaccount", "nepaccount", by="mentor 3B"), "Eerste versie", by="mentor 3B")))
    run(a.app.team_sync.share(item.id))
    a.sync(), b.sync()
    note = item.notes[0].id
    a.offline = b.offline = True
    for device, text in ((a, "Versie van A"), (b, "Versie van B")):
        run(update_incident(device.app, item.id,
                            lambda i, s, text=text: inc.edit_note(i, note, text, by=s.by, at=s.at)))
    a.offline = b.offline = False
    a.sync(), b.sync(), a.sync()
    a.show(routes.path("journal"))
    assert "Op twee plaatsen gewijzigd: Notitie" in a.words
    a.show(routes.path("incident", incident_id=item.id))
    labels = [w for w in a.words if w.startswith("Geschreven door ")]
    assert {w.partition(",")[0] for w in labels} == {"Geschreven door mentor 3B", "Geschreven door zorg"}


# -- what waits to be sent ------------------------------------------------------------------------------------


def test_the_changes_waiting_are_counted_as_changes_not_incidents(devices):
    a, b = team_of_two(devices)
    item = _shared_incident(a)
    a.sync(), b.sync()
    b.offline = True
    for text in ("Ouders gebeld", "Leerling gesproken", "Screenshot bewaard"):
        run(update_incident(b.app, item.id, lambda i, s, text=text: inc.add_note(i, text, by=s.by)))
    b.sync()
    assert _status_line(b) == "Offline — 3 wijzigingen wachten"
    b.offline = False
    b.sync()
    assert _status_line(b).startswith("Gesynchroniseerd · zojuist") and "wacht" not in _status_line(b)


# -- deleted shared incidents --------------------------------------------------------------------------------


def test_a_member_deletes_a_shared_incident_and_another_restores_it_for_the_team(devices):
    a, b = team_of_two(devices)
    item = _shared_incident(a, "Bangalijst in 2B")
    run(update_incident(a.app, item.id, lambda i, s: inc.add_note(i, "Ouders gebeld", by=s.by)))
    a.sync(), b.sync()
    a.show(routes.path("incident", incident_id=item.id))
    a.press(ft.TextButton, "Incident verwijderen")
    warning = " ".join(texts(a.dialog))
    assert "wordt voor het hele team verwijderd" in warning and "30 dagen" in warning
    a.confirm("Verwijderen")
    assert a.app.page.route == routes.path("journal")
    assert a.app.page.toasts[-1].startswith("Incident verwijderd, voor het hele team.")
    a.show(a.app.page.route)
    assert "Bangalijst in 2B" not in a.words
    a.sync()
    b.sync()
    b.show(routes.path("journal"))
    assert "Bangalijst in 2B" not in b.words
    b.press(ft.TextButton, "Verwijderd — herstellen (1 gedeeld incident)")
    b.show(b.app.page.route)
    assert "Bangalijst in 2B" in b.words
    [deleted_by] = [w for w in b.words if w.startswith("Verwijderd door ")]
    assert re.fullmatch(r"Verwijderd door Mevr\. Jansen, vandaag om \d\d:\d\d", deleted_by)
    assert any(w.startswith("Iedereen in het team kan het herstellen tot ") for w in b.words)
    b.press(ft.OutlinedButton, "Herstellen")
    assert b.app.page.toasts[-1] == "'Bangalijst in 2B' is terug, voor het hele team."
    b.sync(), a.sync()
    for device in (a, b):
        device.show(routes.path("journal"))
        assert "Bangalijst in 2B" in device.words
        assert not any(w.startswith("Verwijderd — herstellen") for w in device.words)
        assert "Ouders gebeld" in [n.text for n in device.journal.get(item.id).notes]


def test_the_address_of_a_deleted_incident_says_who_deleted_it_and_restores_it(devices):
    a, b = team_of_two(devices)
    item = _shared_incident(a)
    a.sync(), b.sync()
    b.show(routes.path("incident", incident_id=item.id))  # b has it open ...
    run(a.journal.delete(item.id, by="Mevr. Jansen", restorable=True))
    a.sync(), b.sync()
    b.show(routes.path("incident", incident_id=item.id))  # ... and sees what happened to it
    assert any(re.fullmatch(r"Verwijderd door Mevr\. Jansen, vandaag om \d\d:\d\d", w) for w in b.words)
    b.press(ft.FilledButton, "Herstellen")
    b.show(routes.path("incident", incident_id=item.id))
    assert "Voortgang per stap" in b.words


def test_after_the_restore_period_a_round_purges_it_and_the_team_forgets_it_too(devices, monkeypatch):
    a, b = team_of_two(devices)
    item = _shared_incident(a, "Wordt gewist")
    a.sync(), b.sync()
    run(a.journal.delete(item.id, by="Mevr. Jansen", restorable=True))
    a.sync(), b.sync()
    assert b.journal.deleted_incident(item.id) is not None
    later = a.app.now() + timedelta(days=30, minutes=1)
    monkeypatch.setattr(a.app, "now", lambda: later)
    a.sync()  # reaches the server, then purges
    assert a.journal.deleted_incident(item.id) is None and a.journal.is_deleted(item.id)
    a.sync()  # the tombstone goes out
    b.sync()
    assert b.journal.deleted_incident(item.id) is None and b.journal.is_deleted(item.id)
    b.show(routes.path("journal"))
    assert not any(w.startswith("Verwijderd — herstellen") for w in b.words)


def test_a_personal_incident_is_deleted_for_good_and_says_so(devices):
    a, _b = team_of_two(devices)
    item = run(a.journal.save(inc.new_incident("Persoonlijk", "bedreiging", by="mentor 3B")))
    a.show(routes.path("incident", incident_id=item.id))
    a.press(ft.TextButton, "Incident verwijderen")
    warning = " ".join(texts(a.dialog))
    assert "wordt uit het logboek op dit apparaat verwijderd" in warning and "team" not in warning
    a.confirm("Verwijderen")
    assert a.app.page.toasts[-1] == "Incident verwijderd."
    assert a.journal.deleted_incidents() == []


# -- the server's refusals in words ------------------------------------------------------------------------------


def _answer(status: int, code: str, message: str, retry_after=None):
    """What the team server itself answers (``server.errors``), as the transport reads it."""
    response = error_response(status, code, message, retry_after)
    return lambda: interpret(status, response.body, response.headers.get("retry-after"))


@pytest.mark.parametrize("answer, words", [
    (_answer(503, "busy", "too many open streams here; poll instead", 30),
     "De teamserver heeft het even te druk — de app probeert het zo opnieuw · 1 wijziging wacht"),
    (_answer(408, "timeout", "the request's body did not arrive in time"),
     "De verbinding met de teamserver was te traag — de app probeert het zo opnieuw · 1 wijziging wacht"),
    (_answer(429, "rate_limited", "too many requests", 12),
     "De server vraagt even te wachten — de app probeert het zo opnieuw · 1 wijziging wacht"),
])
def test_a_busy_slow_or_rate_limited_server_is_told_as_such_not_as_unreachable(devices, answer, words):
    a, _b = team_of_two(devices)
    a.sync()
    _shared_incident(a)
    inner = a.app.team_sync._client(SERVER).transport.request

    async def refusing(method, path, **kwargs):
        if method == "POST" and path.endswith("/changes"):
            answer()
        return await inner(method, path, **kwargs)

    a.app.team_sync._client(SERVER).transport.request = refusing
    a.sync()
    line = _status_line(a)
    assert line == words and NOT_REACHABLE not in line


def _device_on(tmp_path, monkeypatch, name: str, author: str, **settings) -> tuple[Device, InProcess]:
    monkeypatch.setattr(ft.BaseControl, "update", lambda self: None)
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    server_app = InProcess(f"sqlite:///{tmp_path / (name + '.sqlite3')}", **settings)
    return Device(tmp_path / name, server_app, author), server_app


@pytest.mark.parametrize("quota, words", [
    ({"team_quota_bytes": 1}, "De opslag van het team op de server is vol — vraag de beheerder om meer ruimte"),
    ({"server_quota_bytes": 1}, "De teamserver is vol — vraag de beheerder om ruimte te maken"),
])
def test_a_full_team_or_server_storage_is_told_and_the_change_waits(tmp_path, monkeypatch, quota, words):
    device, server_app = _device_on(tmp_path, monkeypatch, "a", "mentor 3B", **quota)
    try:
        create_team(device)
        _shared_incident(device)
        device.sync()
        line = _status_line(device)
        assert line.startswith(words) and line.endswith("· 1 wijziging wacht") and NOT_REACHABLE not in line
        assert device.journal.pending_changes() == 1
    finally:
        device.app.team_sync.stop()
        server_app.close()


def test_a_server_that_asks_for_a_sign_up_code_shows_the_field_and_tells_a_wrong_code(tmp_path, monkeypatch):
    device, server_app = _device_on(tmp_path, monkeypatch, "a", "mentor 3B", signup_code="Lente-2026")
    try:
        device.show(routes.path("team_create"))
        code = find(device.screen, ft.TextField, "Aanmeldcode")
        assert not code.visible  # not asked for until the server asks
        device.field("Naam van het team, bijvoorbeeld Actieteam leerjaar 2", "Actieteam 2B")
        device.field("Adres van de teamserver", SERVER)
        device.field("Je rol in het actieteam, bijvoorbeeld zorgcoördinator", "zorgcoördinator")
        device.press(ft.FilledButton, "Team aanmaken")
        assert code.visible and code.error.startswith("Deze teamserver vraagt een aanmeldcode om een team aan te maken")
        assert device.app.team_sync.team() is None and not any(NOT_REACHABLE in w for w in device.words)
        code.value = "Zomer-2026"
        device.press(ft.FilledButton, "Team aanmaken")
        assert code.error.startswith("Deze aanmeldcode klopt niet.")
        code.value = " Lente-2026 "
        device.press(ft.FilledButton, "Team aanmaken")
        assert device.app.team_sync.team() is not None and device.app.page.route == routes.path("team")
    finally:
        device.app.team_sync.stop()
        server_app.close()


@pytest.mark.parametrize("label, value", [
    ("Je naam in het team", "Mevr.\u200b Jansen"),  # a zero-width space
    ("Je rol in het actieteam, bijvoorbeeld zorgcoördinator", "zorg\u202ecoördinator"),  # a bidi override
    ("Dit apparaat, bijvoorbeeld telefoon of Chromebook", "tele\x00foon"),
])
def test_a_name_role_or_device_the_server_refuses_is_marked_on_its_own_field(devices, monkeypatch, label, value):
    a = devices("a", "mentor 3B")
    a.show(routes.path("team_create"))
    a.field("Naam van het team, bijvoorbeeld Actieteam leerjaar 2", "Actieteam 2B")
    a.field("Adres van de teamserver", SERVER)
    a.field("Je rol in het actieteam, bijvoorbeeld zorgcoördinator", "zorgcoördinator")
    a.field(label, value)
    a.press(ft.FilledButton, "Team aanmaken")  # the app itself sees it first
    assert find(a.screen, ft.TextField, label).error.startswith("Gebruik alleen letters, cijfers, spaties en leestekens")
    sent = []
    monkeypatch.setattr(team_forms, "name_problem", lambda value: None)  # an app whose rules lag the server's
    inner = a._client

    def recording(url):
        client = inner(url)
        request = client.transport.request

        async def spy(method, path, **kwargs):
            sent.append(json.dumps(kwargs.get("body") or {}))
            return await request(method, path, **kwargs)

        client.transport.request = spy
        return client

    a.app.team_sync._client_factory = recording
    a.press(ft.FilledButton, "Team aanmaken")
    field = find(a.screen, ft.TextField, label)
    assert field.error.startswith("De teamserver accepteert ") and "onzichtbare" in field.error
    assert sent and a.app.team_sync.team() is None
    assert not any(NOT_REACHABLE in w for w in a.words)


def test_the_server_refusals_read_from_its_own_answers():
    """The transport reads the server's own refusals into what the words need."""
    busy = error_response(503, "busy", "too many open streams here; poll instead", 30)
    with pytest.raises(Exception) as refused:
        interpret(503, busy.body, busy.headers["retry-after"])
    assert (refused.value.reason, refused.value.retry_after) == ("busy", 30.0)
    named = error_response(400, "bad_request", "invalid request (body.member.device_label)")
    with pytest.raises(Exception) as refused:
        interpret(400, named.body)
    assert (refused.value.reason, refused.value.field) == ("bad_request", "member.device_label")
    with pytest.raises(Exception) as proxy:
        interpret(503, b"<html>Service Unavailable</html>")  # a proxy's page: the server itself is not there
    assert proxy.value.code == "unreachable"
