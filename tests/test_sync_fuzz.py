"""Fuzzing both sides of the wire.

* The server's request parsing: for every route in its OpenAPI document,
  hypothesis sends random JSON bodies, random bytes, random path and query
  values, with and without a valid token. The answer is always JSON with a
  status below 500, and a refused request stores nothing.
* The client's response parsing (``sync.transport.interpret`` and
  ``sync.messages``): any status and body gives the decoded value or one of
  the typed ``SyncError``s — never a ``KeyError``/``TypeError``.
* The native transport's mapping of network failures.
"""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from server import models as m
from sync import messages as msg
from sync.errors import (
    AccessRevokedError,
    BadResponseError,
    OfflineError,
    RefusedError,
    ServerUnreachableError,
    SyncError,
)
from sync.native import HttpxTransport
from sync.transport import interpret
from tests.sync_helpers.fixtures import run, sqlite_server  # noqa: F401 - fixtures

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=20,
)


def plausible_body(keys: list[str]):
    """Objects with the route's real field names (so validation goes deeper) and random values."""
    return st.dictionaries(st.sampled_from(keys + ["extra"]), json_values, max_size=len(keys) + 1)


@pytest.fixture
def team_token(sqlite_server):
    async def make():
        client = sqlite_server.client()
        state = await client.create_team("T", "D", "c", "l")
        return state.token

    return run(make())


def _routes(app) -> list[tuple[str, str, list[str]]]:
    spec = app.openapi()
    out = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            if "text/event-stream" in op.get("responses", {}).get("200", {}).get("content", {}):
                continue  # a stream does not end: tests/test_sync_stream.py covers it
            keys = []
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                keys = list(spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"])
            out.append((method.upper(), path, keys))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_server_answers_any_request_with_json_below_500(sqlite_server, team_token, data):
    routes = _routes(sqlite_server.app)
    method, path, keys = data.draw(st.sampled_from(routes))
    for name in ("invite_id", "member_id"):
        path = path.replace("{" + name + "}", data.draw(st.sampled_from(["a" * 32, "0" * 32]) | st.text(
            alphabet="abcdef0123456789xyz%._-", max_size=40)))
    kind = data.draw(st.sampled_from(["json", "plausible", "bytes"]))
    if kind == "bytes":
        content = data.draw(st.binary(max_size=300))
    else:
        body = data.draw(plausible_body(keys) if kind == "plausible" and keys else json_values)
        content = json.dumps(body).encode()
    params = data.draw(st.dictionaries(st.sampled_from(["after", "limit", "x"]), st.text(max_size=12), max_size=2))
    headers = {"Content-Type": data.draw(st.sampled_from(["application/json", "text/plain", ""]))}
    if data.draw(st.booleans()):
        headers["Authorization"] = "Bearer " + team_token

    async def send():
        async with sqlite_server.http() as http:
            return await http.request(method, path, content=content, params=params, headers=headers)

    before = _row_counts(sqlite_server)
    answer = asyncio.run(send())
    assert answer.status_code < 500, (method, path, content[:200], answer.text)
    if answer.status_code != 204:
        assert isinstance(answer.json(), dict)
    if answer.status_code >= 400:
        assert set(answer.json()) == {"error", "message"}
        assert _row_counts(sqlite_server) == before  # a refused request stores nothing


def _row_counts(server) -> dict:
    with server.engine.connect() as conn:
        return {t.__tablename__: conn.scalar(select(func.count()).select_from(t))
                for t in (m.Team, m.Member, m.WrappedKey, m.Invite, m.Change)}


# -- the client's parsing --------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(status=st.integers(100, 599), body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
       retry=st.none() | st.text(max_size=10))
def test_interpret_gives_a_value_or_a_typed_error(status, body, retry):
    try:
        interpret(status, body, retry)
    except SyncError:
        pass


@pytest.mark.parametrize("status,body,error", [
    (401, b'{"error":"unauthorized"}', AccessRevokedError),
    (403, b'{"error":"removed"}', AccessRevokedError),
    (403, b'{"error":"not_coordinator"}', RefusedError),
    (410, b'{"error":"invite_used"}', RefusedError),
    (429, b'{"error":"rate_limited"}', RefusedError),
    (404, b"<html>nginx</html>", ServerUnreachableError),
    (502, b"", ServerUnreachableError),
    (500, b'{"error":"server_error"}', ServerUnreachableError),
    (200, b"<html>", BadResponseError),
    (302, b"", BadResponseError),
])
def test_interpret_maps_statuses(status, body, error):
    with pytest.raises(error):
        interpret(status, body, "5")


def test_interpret_keeps_reason_and_retry_after():
    with pytest.raises(RefusedError) as refused:
        interpret(429, b'{"error":"rate_limited","message":"x"}', "12")
    assert (refused.value.reason, refused.value.status, refused.value.retry_after) == ("rate_limited", 429, 12.0)
    assert interpret(200, b'{"a":1}') == {"a": 1} and interpret(204, b"") is None


PARSERS = [
    lambda v: msg.parse_team(v),
    lambda v: msg.parse_keys(v),
    lambda v: msg.parse_page(v, 0),
    lambda v: msg.parse_push(v, 2),
    lambda v: msg.parse_invite_offer(v),
    lambda v: msg.parse_pending_invites(v),
    lambda v: msg.parse_token(v),
]


@settings(max_examples=400, deadline=None)
@given(parser=st.sampled_from(PARSERS), value=json_values | st.dictionaries(
    st.sampled_from(["team_id", "key_version", "head", "rotation_needed", "members", "keys", "changes", "more",
                     "seqs", "bundle", "expires_at", "invites", "token"]), json_values, max_size=8))
def test_response_parsers_only_raise_bad_response(parser, value):
    try:
        parser(value)
    except BadResponseError:
        pass


def test_page_parser_refuses_out_of_order_and_past_head():
    change = {"seq": 3, "record_id": "r", "kind": "incident", "key_version": 1, "nonce": "A" * 16,
              "ciphertext": "A" * 24, "author_id": "a" * 32, "received_at": "2026-03-02T09:00:00Z"}
    page = {"head": 5, "more": False, "key_version": 1, "rotation_needed": False}
    assert [c.seq for c in msg.parse_page({**page, "changes": [change]}, 0).changes] == [3]
    for changes, after in (([change, change], 0), ([change], 3), ([{**change, "seq": 6}], 0),
                           ([{**change, "seq": True}], 0), ([{**change, "received_at": "2026-03-02T09:00:00"}], 0)):
        with pytest.raises(BadResponseError):
            msg.parse_page({**page, "changes": changes}, after)
    with pytest.raises(BadResponseError):
        msg.parse_page({**page, "changes": [], "more": True}, 0)


# -- network failures --------------------------------------------------------------------------------


def test_refused_connection_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens here
    transport = HttpxTransport(f"http://127.0.0.1:{port}")
    with pytest.raises(ServerUnreachableError) as err:
        run(transport.request("GET", "/api/v1/health"))
    assert not isinstance(err.value, OfflineError)


def test_unresolvable_name_is_offline():
    transport = HttpxTransport("http://team-server.invalid")
    with pytest.raises(OfflineError):
        run(transport.request("GET", "/api/v1/health"))


def test_timeout_is_unreachable():
    def slow(request):
        raise httpx.ReadTimeout("slow", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(slow))
    with pytest.raises(ServerUnreachableError):
        run(HttpxTransport("http://x", client).request("GET", "/api/v1/health"))


def test_oversized_answer_is_refused():
    def huge(request):
        return httpx.Response(200, content=b"[" + b"0," * (9 * 1024 * 1024) + b"0]")

    client = httpx.AsyncClient(transport=httpx.MockTransport(huge))
    with pytest.raises(BadResponseError):
        run(HttpxTransport("http://x", client).request("GET", "/api/v1/health"))


def test_redirects_are_not_followed():
    def redirect(request):
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(redirect), follow_redirects=False)
    with pytest.raises(BadResponseError):
        run(HttpxTransport("http://x", client).request("GET", "/api/v1/health"))
