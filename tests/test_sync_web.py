"""The browser side of team sharing (sync/web.py) under Pyodide, and the same
bytes on both sides: records and wrapped keys made natively open with
WebCrypto and the reverse; the protocol's test vectors come out of WebCrypto
byte for byte; a client in Pyodide joins a team made natively and syncs with
it through ``fetch`` against a real server process.

The checks (tests/web_helpers/sync_web_checks.py) run in the site's own
Pyodide under Node, with Node's WebCrypto and ``fetch``.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sync import crypto as c
from sync.client import OutgoingRecord
from sync.engine import SyncEngine
from sync.native import NativeSyncCrypto
from sync.testing import MemoryJournal
from tests.sync_helpers.servers import FAST_INVITES, ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "tests" / "web_helpers"
CHECK_NAMES = re.findall(r"^async def check_(\w+)\(", (HELPERS / "sync_web_checks.py").read_text(encoding="utf-8"),
                         flags=re.MULTILINE)
CRYPTO = NativeSyncCrypto()
TEAM, MEMBER = "ab" * 16, "cd" * 16

pytestmark = pytest.mark.slow


async def native_inputs() -> tuple[dict, c.DeviceKey]:
    device = await c.new_device_key(CRYPTO)
    key = c.new_team_key(CRYPTO)
    wrapped = await c.wrap_team_key(CRYPTO, key, TEAM, MEMBER, 3, device.public)
    plaintext = '{"title":"Gemaakt op een telefoon","é":"ë"}'
    sealed = await c.seal_record(CRYPTO, key, TEAM, "rec-native", "incident", 3, plaintext.encode())
    return {
        "team_id": TEAM, "member_id": MEMBER, "member_jwk": device.to_jwk(), "member_public_hex": device.public.hex(),
        "team_key_hex": key.hex(), "wrapped_hex": wrapped.hex(), "nonce_hex": sealed.nonce.hex(),
        "ciphertext_hex": sealed.ciphertext.hex(), "plaintext": plaintext,
    }, device


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory):
    if shutil.which("node") is None:
        pytest.fail("Node.js not found: these tests need node >= 18 (Debian: nodejs)")
    import tinydb

    from tools.webbuild.common import FLET_WEB

    tmp = tmp_path_factory.mktemp("sync-web")
    server = ServerProcess(tmp / "server-data")
    try:
        async def prepare():
            client = server.client()
            state = await client.create_team("Actieteam", "Directie", "coordinator", "laptop", server.url)
            journal = MemoryJournal("native")
            await journal.save_team_state(state)
            journal.put("inc-native", {"updated": "2025-03-14T09:00:00Z", "title": "Gedeeld vanaf de laptop"})
            await SyncEngine(journal, client).sync()
            invite = await client.create_invite(state)
            native, device = await native_inputs()
            return state, native, device, invite.code

        state, native, device, code = asyncio.run(prepare())
        io_dir = tmp / "io"
        io_dir.mkdir()
        config = {
            "vectors": json.loads((ROOT / "tests" / "sync_helpers" / "protocol_vectors.json").read_text()),
            "native": native,
            "server": {"url": server.url, "code": code, "iterations": FAST_INVITES, "title": "Gedeeld vanaf de laptop"},
            "closed_url": f"http://127.0.0.1:{free_port()}",
        }
        (io_dir / "config.json").write_text(json.dumps(config), encoding="utf-8")
        (io_dir / "driver.py").write_text(
            "import json\nfrom sync_web_checks import run_checks\n"
            "_config = json.load(open('/io/config.json'))\n"
            "json.dump(await run_checks(_config), open('/io/results.json', 'w'))\n", encoding="utf-8")
        done = subprocess.run(
            ["node", str(ROOT / "tools" / "web" / "run-pyodide.mjs"), str(FLET_WEB / "pyodide"),
             str(io_dir / "driver.py"),
             "--mount", f"{ROOT / 'storage'}=/app/storage", "--mount", f"{ROOT / 'sync'}=/app/sync",
             "--mount", f"{HELPERS}=/helpers", "--mount", f"{io_dir}=/io",
             "--mount", f"{Path(tinydb.__file__).parent}=/deps/tinydb",  # storage's own dependency
             "--path", "/app", "--path", "/helpers", "--path", "/deps"],
            capture_output=True, text=True, timeout=600,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        results = {r["name"]: r for r in json.loads((io_dir / "results.json").read_text(encoding="utf-8"))}

        async def pulled():  # what the browser pushed, as the laptop sees it
            journal = MemoryJournal("native-again")
            await journal.save_team_state(state)
            await SyncEngine(journal, server.client()).sync()  # a new HTTP client for this event loop
            return journal.visible()

        yield {"results": results, "device": device, "native": native, "laptop_sees": asyncio.run(pulled())}
    finally:
        server.stop()


def test_every_check_ran(pyodide_run):
    assert sorted(pyodide_run["results"]) == sorted(CHECK_NAMES)


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_check_under_pyodide(pyodide_run, name):
    result = pyodide_run["results"][name]
    assert result["ok"], result["error"]


def test_record_and_wrap_made_with_webcrypto_open_natively(pyodide_run):
    made = pyodide_run["results"]["browser_made_record_and_wrap_for_native"]
    key = asyncio.run(c.unwrap_team_key(CRYPTO, bytes.fromhex(made["wrapped_hex"]), TEAM, MEMBER, 5,
                                        pyodide_run["device"]))
    assert key.hex() == made["team_key_hex"]
    sealed = c.SealedRecord("rec-browser", "policy", 5, bytes.fromhex(made["nonce_hex"]), bytes.fromhex(made["ciphertext_hex"]))
    assert asyncio.run(c.open_record(CRYPTO, {5: key}, TEAM, sealed)) == b'{"van":"browser"}'
    browser_device = c.DeviceKey.from_jwk(made["device_jwk"])  # a WebCrypto key pair works natively
    wrapped = asyncio.run(c.wrap_team_key(CRYPTO, key, TEAM, MEMBER, 6, browser_device.public))
    assert asyncio.run(c.unwrap_team_key(CRYPTO, wrapped, TEAM, MEMBER, 6, browser_device)) == key


def test_what_the_browser_pushed_reaches_the_native_device(pyodide_run):
    assert pyodide_run["laptop_sees"]["inc-browser"]["title"] == "Uit de browser"
    assert OutgoingRecord  # the record went through the same OutgoingRecord path natively
