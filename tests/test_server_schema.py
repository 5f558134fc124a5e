"""The published OpenAPI document tells the truth: every answer the server gives
in a tour of every call (successes and refusals, on SQLite and PostgreSQL) has
its status listed for that call, and its JSON matches the documented schema;
every byte field states its length."""

from __future__ import annotations

import json

import jsonschema

from sync import crypto as c
from sync.batches import b64_len
from sync.limits import MAX_RECORD_CIPHERTEXT
from tests.sync_helpers.fixtures import run, server  # noqa: F401 - fixtures
from tests.test_server_api import push_one, raw, team_of_two


class Recorder:
    """ASGI wrapper: (method, route template, status, body) of every answer."""

    def __init__(self, app) -> None:
        self.app, self.seen = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status, body = 0, bytearray()

        async def recording(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, recording)
        route = getattr(scope.get("route"), "path", None)
        self.seen.append((scope["method"], route, status, bytes(body)))


async def tour(server):
    """Every call, answered with success and with the refusals a client meets."""
    a, sa, b, sb = await team_of_two(server)
    await push_one(a, sa, "r1")
    await push_one(a, sa, "r1", push_id="c" * 32)
    await push_one(a, sa, "r1", push_id="c" * 32)  # replayed
    await a.pull(sa, 0)
    await a.team(sa)
    await a.refresh_keys(sa)
    invite = await a.create_invite(sa)
    await a.pending_invites(sa)
    keys = await c.derive_invite_keys(a.crypto, c.parse_invite_code(invite.code), a.invite_iterations)
    await raw(server, "GET", f"/api/v1/invites/{keys.invite_id}")
    await a.cancel_invite(sa, invite.invite_id)
    for method, path, token, body in [
        ("GET", "/api/v1/health", None, None),
        ("GET", "/api/v1/changes", None, None),
        ("GET", "/api/v1/changes?after=-1", sa.token, None),
        ("POST", "/api/v1/changes", sa.token, {"push_id": "x"}),
        ("POST", "/api/v1/changes", sa.token, {"push_id": "d" * 32, "base_seq": 0, "records": [
            {"record_id": "r", "kind": "incident", "key_version": 9, "nonce": c.b64e(bytes(12)),
             "ciphertext": c.b64e(bytes(32))}]}),
        ("GET", "/api/v1/invites", sb.token, None),
        ("DELETE", f"/api/v1/invites/{'e' * 32}", sa.token, None),
        ("DELETE", f"/api/v1/invites/{invite.invite_id}", sa.token, None),
        ("GET", f"/api/v1/invites/{keys.invite_id}", None, None),
        ("GET", f"/api/v1/invites/{'f' * 32}", None, None),
        ("POST", f"/api/v1/invites/{'f' * 32}/redeem", None, {"key_version": 1, "member": {}}),
        ("POST", "/api/v1/teams", None, {"team_id": "0" * 32}),
        ("POST", "/api/v1/team/rotate", sb.token, {"key_version": 2, "commit": c.b64e(bytes(32)), "wraps": {},
                                                   "key_macs": {}}),
        ("POST", "/api/v1/team/leave", sa.token, None),
        ("GET", "/api/v1/keys?after=0", sb.token, None),
        ("DELETE", "/api/v1/team", sb.token, None),
        ("PUT", "/api/v1/changes", sa.token, None),
    ]:
        await raw(server, method, path, token, **({"json": body} if body is not None else {}))
    sa = await a.remove_member(sa, sb.member_id)
    await raw(server, "GET", "/api/v1/team", sb.token)  # removed: 403
    await raw(server, "DELETE", "/api/v1/team", sa.token)


def _operation(spec: dict, method: str, route: str) -> dict:
    return spec["paths"][route][method.lower()]


def _schema_of(spec: dict, operation: dict, status: int):
    content = operation["responses"][str(status)].get("content", {}).get("application/json")
    if not content or "schema" not in content:
        return None
    return {**content["schema"], "components": spec["components"]}


def test_every_answer_is_documented_with_its_status_and_shape(server):
    recorder = Recorder(server.app)
    server_app, server.app = server.app, recorder
    try:
        run(tour(server))
    finally:
        server.app = server_app
    spec = run(raw(server, "GET", "/api/v1/openapi.json")).json()
    checked = set()
    for method, route, status, body in recorder.seen:
        if route is None or route == "/api/v1/openapi.json":  # no route matched: 404/405 of the router
            assert status in (404, 405) or route == "/api/v1/openapi.json"
            continue
        if method.lower() not in spec["paths"].get(route, {}):
            assert status == 405, (method, route, status)  # the router's own answer
            continue
        operation = _operation(spec, method, route)
        assert str(status) in operation["responses"], (method, route, status, body[:200])
        schema = _schema_of(spec, operation, status)
        if schema is not None and body:
            jsonschema.validate(json.loads(body), schema)
        checked.add((method, route, status))
    routes = {(m, r) for m, r, _ in checked}
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops if p != "/api/v1/events"}
    assert documented <= routes, documented - routes  # the tour reached every call
    assert {s for _, _, s in checked} >= {200, 201, 204, 400, 401, 403, 404, 409, 410}


def test_the_document_states_statuses_and_lengths(server):
    spec = run(raw(server, "GET", "/api/v1/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "422" not in operation["responses"], (method, path)  # refusals are 400
            if path != "/api/v1/health":
                assert {"400", "413", "429"} <= set(operation["responses"]), (method, path)
    member = spec["components"]["schemas"]["NewMember"]["properties"]
    assert member["public_key"]["minLength"] == member["public_key"]["maxLength"] == 87  # 65 bytes
    assert member["key_mac"]["maxLength"] == 43 and member["display_name"]["maxLength"] == 60
    record = spec["components"]["schemas"]["NewRecord"]["properties"]
    assert record["nonce"]["maxLength"] == 16 and record["ciphertext"]["maxLength"] == b64_len(MAX_RECORD_CIPHERTEXT)
    assert f"{MAX_RECORD_CIPHERTEXT} bytes" in record["ciphertext"]["description"]
    assert "403" in spec["paths"]["/api/v1/team/rotate"]["post"]["responses"]
    assert "503" in spec["paths"]["/api/v1/events"]["get"]["responses"]
