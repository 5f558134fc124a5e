"""The invite link in the QR code: a phone's camera opens the team server's web
app at the join screen, and the code stays in the fragment (never sent to a
server). ``parse_invite_payload`` reads the link and the first QR form, and
refuses anything else with ``InvalidInviteCode`` only (it parses what a
camera or a paste hands it: outside data)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import crypto as c
from sync.client import JOIN_ROUTE, invite_link, parse_invite_payload
from sync.errors import InvalidInviteCode

CODE = "04HM-ASW9-NF6Y-Y3RY"

secrets = st.binary(min_size=c.INVITE_SECRET_BYTES, max_size=c.INVITE_SECRET_BYTES)
sites = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["https", "http"]),
    st.sampled_from(["school.example", "127.0.0.1", "[::1]", "team.bestuur.example"]),
    st.sampled_from(["", ":8800", ":443"]),
    st.sampled_from(["", "/", "/stappenplan", "/stappenplan/"]),
)


def test_the_link_opens_the_join_screen_with_the_code_in_the_fragment_only():
    link = invite_link("https://school.example", CODE)
    assert link == f"https://school.example/#{JOIN_ROUTE}?code={CODE}"
    parts = urlsplit(link)
    # What a browser sends to the server: scheme, host and path -- not the code.
    assert CODE not in parts.scheme + parts.netloc + parts.path + parts.query
    assert parts.fragment == f"{JOIN_ROUTE}?code={CODE}"


@given(sites, secrets)
def test_a_link_round_trips_to_its_server_and_code(site, secret):
    code = c.format_invite_code(secret)
    server, parsed = parse_invite_payload(invite_link(site, code))
    assert server == site.rstrip("/")
    assert c.parse_invite_code(parsed) == secret


def test_the_first_qr_form_is_still_read():
    assert parse_invite_payload(f"stappenplan-team:join?server=https%3A%2F%2Fschool.example%2F&code={CODE}") == (
        "https://school.example", CODE)
    assert parse_invite_payload(f"stappenplan-team:join?code={CODE}") == ("", CODE)


def test_a_pasted_link_may_carry_spaces_around_it():
    assert parse_invite_payload(f"  https://school.example/#{JOIN_ROUTE}/?code={CODE}\n") == (
        "https://school.example", CODE)


@pytest.mark.parametrize("payload", [
    "",
    CODE,  # a bare code is typed, not scanned: the join screen reads it itself
    f"https://school.example/#/logboek?code={CODE}",  # another screen
    f"https://school.example/{JOIN_ROUTE}?code={CODE}",  # the code outside the fragment
    f"https://school.example/#{JOIN_ROUTE}?code=0000",  # not a whole code
    f"https://user:pw@school.example/#{JOIN_ROUTE}?code={CODE}",  # credentials in the address
    f"ftp://school.example/#{JOIN_ROUTE}?code={CODE}",
    f"javascript:alert(1)//#{JOIN_ROUTE}?code={CODE}",
    f"stappenplan-team:join?server=javascript%3Aalert(1)&code={CODE}",
    f"stappenplan-team:leave?code={CODE}",
    "https://[school.example/#/logboek/team/deelnemen?code=" + CODE,
    f"https:///#{JOIN_ROUTE}?code={CODE}",
])
def test_anything_else_is_not_an_invite(payload):
    with pytest.raises(InvalidInviteCode):
        parse_invite_payload(payload)


@given(st.one_of(st.text(max_size=300), st.binary(max_size=50), st.none(), st.integers()))
def test_any_input_is_an_invite_or_invalid_never_another_error(payload):
    try:
        server, code = parse_invite_payload(payload)
    except InvalidInviteCode:
        return
    c.parse_invite_code(code)
    assert server == "" or urlsplit(server).scheme in ("http", "https")


@given(st.text(alphabet="htps:/#?=&%@[]. -0123456789ABCDEFGHJKMNPQRSTVWXYZlogbekamdn", max_size=120))
def test_link_shaped_input_is_an_invite_or_invalid(payload):
    try:
        parse_invite_payload(payload)
    except InvalidInviteCode:
        pass
