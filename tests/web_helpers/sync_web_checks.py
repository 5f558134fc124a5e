"""Checks of the browser side of team sharing (sync/web.py), run inside Pyodide.

Run under Node by tests/test_sync_web.py with the site's own Pyodide, Node's
WebCrypto and Node's ``fetch`` against a real team server process. Each
check returns a dict (extra output for the pytest side to verify natively);
``run_checks`` reports one result per check.
"""

from __future__ import annotations

import asyncio
import json
import traceback

from sync import crypto as c
from sync.backends import InvalidPublicKey
from sync.client import TeamClient
from sync.engine import SyncEngine, SyncState
from sync.errors import IntegrityError, RefusedError, ServerUnreachableError
from sync.stream import TeamStream
from sync.testing import MemoryJournal
from sync.web import FetchTransport, WebSyncCrypto

CRYPTO = WebSyncCrypto()


def h(text: str) -> bytes:
    return bytes.fromhex(text)


async def check_vectors_reproduced_by_webcrypto(config: dict) -> dict:
    v = config["vectors"]
    r, w, i = v["record"], v["wrap"], v["invite"]
    sealed = await c.seal_record(CRYPTO, h(r["team_key_hex"]), v["team_id"], r["record_id"], r["kind"], 1,
                                 h(r["plaintext_hex"]), h(r["nonce_hex"]))
    assert sealed.ciphertext.hex() == r["ciphertext_hex"], "record ciphertext differs"
    assert await c.open_record(CRYPTO, {1: h(r["team_key_hex"])}, v["team_id"], sealed) == h(r["plaintext_hex"])

    member = c.DeviceKey.from_jwk(w["member_jwk"])
    ephemeral = c.DeviceKey(h(w["ephemeral_d_hex"]), h(w["ephemeral_public_hex"]))
    shared = await CRYPTO.ecdh_p256(ephemeral.d, ephemeral.public, member.public)
    assert shared.hex() == w["shared_hex"], "ECDH differs"
    kek = await CRYPTO.hkdf_sha256(shared, ephemeral.public + member.public, h(w["context_hex"]))
    assert kek.hex() == w["kek_hex"], "HKDF differs"
    wrapped = await c.wrap_team_key(CRYPTO, h(w["team_key_hex"]), v["team_id"], v["member_id"], 2, member.public,
                                    ephemeral, h(w["nonce_hex"]))
    assert wrapped.hex() == w["wrapped_hex"], "wrapped key differs"
    unwrapped = await c.unwrap_team_key(CRYPTO, h(w["wrapped_hex"]), v["team_id"], v["member_id"], 2, member)
    assert unwrapped.hex() == w["team_key_hex"]

    invite = await c.derive_invite_keys(CRYPTO, c.parse_invite_code(i["code"]), i["iterations"])
    assert (invite.invite_id, invite.key.hex()) == (i["invite_id"], i["key_hex"]), "invite derivation differs"
    bundle = await c.seal_invite_bundle(CRYPTO, invite, json.loads(i["bundle_json"]), h(i["nonce_hex"]))
    assert bundle.hex() == i["sealed_hex"], "invite bundle differs"
    return {}


async def check_native_made_record_and_wrap_open(config: dict) -> dict:
    n = config["native"]
    device = c.DeviceKey.from_jwk(n["member_jwk"])
    key = await c.unwrap_team_key(CRYPTO, h(n["wrapped_hex"]), n["team_id"], n["member_id"], 3, device)
    assert key.hex() == n["team_key_hex"]
    sealed = c.SealedRecord("rec-native", "incident", 3, h(n["nonce_hex"]), h(n["ciphertext_hex"]))
    assert await c.open_record(CRYPTO, {3: key}, n["team_id"], sealed) == n["plaintext"].encode()
    ciphertext = h(n["ciphertext_hex"])
    tampered = c.SealedRecord("rec-native", "incident", 3, h(n["nonce_hex"]), ciphertext[:-1] + bytes([ciphertext[-1] ^ 1]))
    try:
        await c.open_record(CRYPTO, {3: key}, n["team_id"], tampered)
    except IntegrityError:
        return {}
    raise AssertionError("tampered record opened")


async def check_browser_made_record_and_wrap_for_native(config: dict) -> dict:
    n = config["native"]
    device = await c.new_device_key(CRYPTO)
    key = c.new_team_key(CRYPTO)
    wrapped = await c.wrap_team_key(CRYPTO, key, n["team_id"], n["member_id"], 5, h(n["member_public_hex"]))
    sealed = await c.seal_record(CRYPTO, key, n["team_id"], "rec-browser", "policy", 5, b'{"van":"browser"}')
    return {"device_jwk": device.to_jwk(), "wrapped_hex": wrapped.hex(), "team_key_hex": key.hex(),
            "nonce_hex": sealed.nonce.hex(), "ciphertext_hex": sealed.ciphertext.hex()}


async def check_ecdh_refuses_points_off_the_curve(config: dict) -> dict:
    device = await c.new_device_key(CRYPTO)
    for bad in (b"\x04" + bytes(64), b"\x04" + b"\x01" * 64):
        try:
            await CRYPTO.ecdh_p256(device.d, device.public, bad)
        except InvalidPublicKey:
            continue
        raise AssertionError("point off the curve accepted")
    return {}


async def check_joins_and_syncs_through_fetch(config: dict) -> dict:
    s = config["server"]
    client = TeamClient(FetchTransport(s["url"]), CRYPTO, invite_iterations=s["iterations"])
    journal = MemoryJournal("browser")
    await journal.save_team_state(await client.redeem_invite(s["code"], "Chromebook", "mentor", "Chromebook"))
    engine = SyncEngine(journal, client)
    status = await engine.sync()
    assert status.state is SyncState.SYNCED, status
    assert journal.visible()["inc-native"]["title"] == s["title"], journal.visible()
    # The team's event stream over fetch + ReadableStream: its first event at once,
    # then one for the browser's own push.
    events: asyncio.Queue = asyncio.Queue()
    stream = TeamStream(client.transport, (await journal.team_state()).token, events.put_nowait)
    task = asyncio.ensure_future(stream.run())
    first = await asyncio.wait_for(events.get(), 10)
    assert stream.live and first.head == (await journal.team_state()).cursor, first
    journal.put("inc-browser", {"updated": "2025-03-14T10:00:00Z", "title": "Uit de browser"})
    status = await engine.sync()
    assert status.state is SyncState.SYNCED and status.pending == 0, status
    later = await asyncio.wait_for(events.get(), 10)
    assert later.head == first.head + 1, later
    task.cancel()
    try:
        await client.redeem_invite(s["code"], "Nog een", "mentor", "Chromebook")
    except RefusedError as exc:
        assert exc.reason == "invite_used", exc.reason
    else:
        raise AssertionError("invite used twice")
    return {}


async def check_fetch_failures_are_typed(config: dict) -> dict:
    closed = FetchTransport(config["closed_url"], timeout_s=5)
    try:
        await closed.request("GET", "/api/v1/health")
    except ServerUnreachableError:
        pass
    else:
        raise AssertionError("a closed port answered")
    live = FetchTransport(config["server"]["url"])
    assert (await live.request("GET", "/api/v1/health"))["status"] == "ok"
    try:
        await live.request("GET", "/api/v1/changes", token="x" * 43)
    except Exception as exc:  # AccessRevokedError
        assert type(exc).__name__ == "AccessRevokedError", type(exc)
    else:
        raise AssertionError("a wrong token was accepted")
    return {}


CHECKS = [
    check_vectors_reproduced_by_webcrypto,
    check_native_made_record_and_wrap_open,
    check_browser_made_record_and_wrap_for_native,
    check_ecdh_refuses_points_off_the_curve,
    check_joins_and_syncs_through_fetch,
    check_fetch_failures_are_typed,
]


async def run_checks(config: dict) -> list[dict]:
    results = []
    for check in CHECKS:
        name = check.__name__[len("check_"):]
        try:
            extra = await check(config)
            results.append({"name": name, "ok": True, "error": "", **extra})
        except Exception:  # reported to pytest, which fails that check's test
            results.append({"name": name, "ok": False, "error": traceback.format_exc()})
    return results
