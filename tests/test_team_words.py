"""Team sharing in words (pure): the sync state on journal home, what the
server's and the network's errors tell the user, and the server address and
invite code as typed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screens.team.forms import LOOPBACK_HOSTS, InvalidAddress, server_url
from screens.team.join import code_in_route, read_invite
from screens.ui.sync_status import status_text, sync_error_text
from sync.engine import MemberFault, SyncState, SyncStatus
from sync.errors import (
    AccessRevokedError,
    BadResponseError,
    IntegrityError,
    InvalidInviteCode,
    OfflineError,
    RefusedError,
    ServerUnreachableError,
)
from words import i18n

NOW = datetime(2026, 11, 24, 13, 5, tzinfo=timezone.utc)
CODE = "04HM-ASW9-NF6Y-Y3RY"


@pytest.fixture(autouse=True)
def dutch():
    i18n.set_language("nl")
    yield
    i18n.set_language("nl")


@pytest.mark.parametrize("status, words", [
    (SyncStatus(SyncState.SYNCED, NOW - timedelta(minutes=2)), "Gesynchroniseerd · 2 minuten geleden"),
    (SyncStatus(SyncState.SYNCED, NOW - timedelta(seconds=20)), "Gesynchroniseerd · zojuist"),
    (SyncStatus(SyncState.SYNCED, NOW - timedelta(hours=3), pending=1),
     "Gesynchroniseerd · 3 uur geleden · 1 wijziging wacht"),
    (SyncStatus(SyncState.OFFLINE, NOW - timedelta(hours=1), pending=3), "Offline — 3 wijzigingen wachten"),
    (SyncStatus(SyncState.OFFLINE, NOW - timedelta(minutes=5)), "Offline · laatst gesynchroniseerd 5 minuten geleden"),
    (SyncStatus(SyncState.UNREACHABLE), "Server niet bereikbaar"),
    (SyncStatus(SyncState.UNREACHABLE, pending=1), "Server niet bereikbaar — 1 wijziging wacht"),
    (SyncStatus(SyncState.NEVER_SYNCED, pending=2), "Synchroniseren…"),
    (SyncStatus(SyncState.REMOVED, pending=2), "Verwijderd uit het team — wat op dit apparaat staat, blijft hier"),
    (SyncStatus(SyncState.REFUSED, reason="rate_limited"),
     "De server vraagt even te wachten — de app probeert het zo opnieuw"),
    (SyncStatus(SyncState.REFUSED, reason="too_large"), "Dit is te groot om naar het team te sturen."),
    (SyncStatus(SyncState.REFUSED, reason="team_full"),
     "De server weigerde te synchroniseren — de app probeert het later opnieuw"),
    (SyncStatus(SyncState.INTEGRITY, faults=(MemberFault("c0", "Mevr. Jansen"),)),
     "Een nieuwe teamsleutel klopte niet: wijzigingen die ermee gemaakt zijn, worden niet overgenomen en de "
     "wijzigingen van dit apparaat wachten. Meld het de coördinator. · Lid Mevr. Jansen stuurde een ongeldige sleutel"),
    (SyncStatus(SyncState.WAITING, NOW - timedelta(minutes=2), pending=2),
     "Een lid verliet het team: wacht op de coördinator · 2 wijzigingen wachten"),
    (SyncStatus(SyncState.SYNCED, NOW - timedelta(minutes=2), faults=(MemberFault("x", "Dhr. Bakker"),)),
     "Gesynchroniseerd · 2 minuten geleden · Lid Dhr. Bakker stuurde een ongeldige sleutel"),
])
def test_the_sync_state_in_words(status, words):
    assert status_text(status, NOW) == words


def test_what_the_team_sent_and_could_not_be_taken_in_is_counted():
    status = SyncStatus(SyncState.SYNCED, NOW - timedelta(minutes=2), rejected=1)
    assert status_text(status, NOW, refused=2) == (
        "Gesynchroniseerd · 2 minuten geleden · 3 wijzigingen van het team waren beschadigd of braken een regel en "
        "zijn overgeslagen")


def test_what_did_not_go_and_what_did_not_fit_is_named():
    status = SyncStatus(SyncState.SYNCED, NOW - timedelta(minutes=2), pending=1, unsent=("id-1",))
    assert status_text(status, NOW, unsent_titles=["Groepsapp 2B"], no_room=3) == (
        "Gesynchroniseerd · 2 minuten geleden · 1 wijziging wacht · Te groot voor het team, niet verstuurd: "
        "“Groepsapp 2B” · 3 wijzigingen van het team pasten niet meer in het logboek en zijn niet opgenomen: "
        "verwijder incidenten die over hun bewaartermijn zijn om ruimte te maken")


def test_english_follows_the_language():
    i18n.set_language("en")
    assert status_text(SyncStatus(SyncState.OFFLINE, pending=3), NOW) == "Offline — 3 changes waiting"
    assert status_text(SyncStatus(SyncState.SYNCED, NOW - timedelta(minutes=2)), NOW) == "Synced · 2 minutes ago"
    assert status_text(SyncStatus(SyncState.SYNCED, NOW, faults=(MemberFault("x", "Mr Baker"),)), NOW) == (
        "Synced · just now · Member Mr Baker sent an invalid key")
    assert status_text(SyncStatus(SyncState.SYNCED, NOW, unsent=("x",)), NOW, unsent_titles=["Group chat"]) == (
        "Synced · just now · Too large for the team, not sent: “Group chat”")


@pytest.mark.parametrize("error, start", [
    (OfflineError(), "Geen netwerk."),
    (ServerUnreachableError(), "De teamserver is niet bereikbaar."),
    (BadResponseError(), "De server gaf een antwoord dat de app niet begrijpt."),
    (AccessRevokedError("removed"), "Dit apparaat zit niet meer in het team."),
    (AccessRevokedError("unauthorized"), "De teamserver kent dit apparaat niet (meer)."),
    (RefusedError("invite_unknown", 404), "Deze code is onbekend."),
    (RefusedError("invite_expired", 410), "Deze uitnodiging is verlopen"),
    (RefusedError("invite_used", 410), "Deze uitnodiging is al gebruikt"),
    (RefusedError("invite_cancelled", 410), "Deze uitnodiging is ingetrokken."),
    (RefusedError("rate_limited", 429, retry_after=42), "Te veel pogingen. Probeer het over 42 seconden opnieuw."),
    (RefusedError("rate_limited", 429), "Te veel pogingen. Probeer het zo opnieuw."),
    (RefusedError("team_full", 409), "Het team is vol (20 apparaten)."),
    (RefusedError("too_many_invites", 409), "Er staan al 10 uitnodigingen open."),
    (RefusedError("not_coordinator", 403), "Alleen de coördinator van het team kan dit."),
    (RefusedError("coordinator_cannot_leave", 409), "De coördinator verlaat het team als laatste"),
    (RefusedError("members_changed", 409), "Het team is net veranderd."),
    (RefusedError("something_new", 409), "De teamserver weigerde dit."),
    (InvalidInviteCode(), "Dit is geen uitnodigingscode."),
    (IntegrityError(), "Wat de server stuurde, hoort niet bij dit team"),
])
def test_every_error_of_the_server_and_the_network_has_clear_dutch_words(error, start):
    assert sync_error_text(error).startswith(start)


@pytest.mark.parametrize("typed, url", [
    ("school.example", "https://school.example"),
    ("  https://school.example/  ", "https://school.example"),
    ("https://team.bestuur.example:8443/stappenplan/", "https://team.bestuur.example:8443/stappenplan"),
    ("HTTPS://School.Example", "https://School.Example"),
    ("http://127.0.0.1:8800", "http://127.0.0.1:8800"),
    ("http://localhost:8800/", "http://localhost:8800"),
])
def test_a_server_address_as_typed(typed, url):
    assert server_url(typed) == url


@pytest.mark.parametrize("typed, why", [
    ("", "Vul het adres van de teamserver in"),
    ("   ", "Vul het adres van de teamserver in"),
    ("http://school.example", "Gebruik een adres dat met https:// begint"),
    ("http://192.168.1.20:8800", "Gebruik een adres dat met https:// begint"),
    ("ftp://school.example", "Dit is geen webadres"),
    ("https://user:pw@school.example", "Dit is geen webadres"),
    ("https://school.example:poort", "Dit is geen webadres"),
    ("https://school.example/?a=1", "Dit is geen webadres"),
    ("https://school example", "Dit is geen webadres"),
    ("https://", "Dit is geen webadres"),
])
def test_an_address_the_app_will_not_use_is_told_why(typed, why):
    with pytest.raises(InvalidAddress) as refused:
        server_url(typed)
    assert str(refused.value).startswith(why)


@given(st.text(max_size=80))
def test_any_typed_address_is_accepted_as_https_or_loopback_or_refused(typed):
    try:
        url = server_url(typed)
    except InvalidAddress:
        return
    assert url.startswith("https://") or urlsplit(url).hostname in LOOPBACK_HOSTS


def test_the_code_from_an_invite_link_is_read_from_the_route():
    assert code_in_route(f"/logboek/team/deelnemen?code={CODE}") == CODE
    assert code_in_route("/logboek/team/deelnemen") == ""
    assert code_in_route(f"/logboek?code={CODE}") == ""  # another screen's query is not an invite


def test_typed_codes_and_pasted_links():
    assert read_invite(f" {CODE.lower()} ") == (None, CODE.lower())
    assert read_invite(f"https://school.example/#/logboek/team/deelnemen?code={CODE}") == ("https://school.example", CODE)
    with pytest.raises(InvalidInviteCode):
        read_invite("1234")
