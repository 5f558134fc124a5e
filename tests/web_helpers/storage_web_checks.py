"""Checks of the browser journal backends (storage/web.py), run inside Pyodide.

The same checks run in two places:

* under Node (tests/test_storage_web.py): Node's WebCrypto and an in-memory
  IndexedDB (fake-indexeddb); fast, and every check is reported on its own;
* in headless Chromium, in a Web Worker of the built site (python-worker.js,
  the site's own Pyodide and app package): the real browser APIs.

``run_checks(config)`` returns one dict per check: ``{"name", "ok", "error"}``
plus, for some, base64 output that the pytest side verifies with the native
backend.  ``config`` holds the format's test vector and files made natively
(all bytes as base64).  Nothing here is part of the app.
"""

from __future__ import annotations

import base64
import json
import time
import traceback
from datetime import datetime, timezone

from storage import container as fmt
from storage import incidents as inc
from storage.errors import StorageFullError, WrongPassphraseError
from storage.paths import ATTEMPTS_FILE, JOURNAL_FILE, open_store
from storage.web import IndexedDBBlobStore, WebCrypto, _Database, list_keys

FAST = {"iterations": 100_000, "insecure_min_iterations": 1_000}
NATIVE_FAST = {"iterations": 1_000, "insecure_min_iterations": 1_000}
T0 = datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def _db(tag: str, config: dict) -> str:
    return f"{config.get('db_prefix', 'checks')}-{tag}"


def _incident(title: str, note: str) -> inc.Incident:
    item = inc.new_incident(title, "nepaccount", reported_at=T0, reported_by="mentor 2b", now=T0)
    return inc.add_note(item, note, by="mentor", at=T0)


async def _raw_values(database: str) -> list[bytes]:
    """Every stored value, as the browser keeps it (to look for plaintext)."""
    values = []
    for key in await list_keys(database):
        data = await IndexedDBBlobStore(key, database).read()
        values.append(data or b"")
    return values


# -- the checks ----------------------------------------------------------------------


async def check_webcrypto_matches_test_vector(config: dict) -> dict:
    v = config["vector"]
    crypto = WebCrypto()
    kek = await crypto.pbkdf2_sha256(
        bytes.fromhex(v["passphrase_utf8_hex"]), bytes.fromhex(v["salt_hex"]), v["iterations"]
    )
    assert kek.hex() == v["kek_hex"], "KEK differs"
    header = bytes.fromhex(v["header_hex"])
    data_key = bytes.fromhex(v["data_key_hex"])
    wrapped = await crypto.aes_gcm_encrypt(kek, bytes.fromhex(v["wrap_nonce_hex"]), data_key, header[:36])
    assert wrapped.hex() == v["wrapped_key_hex"], "wrapped key differs"
    file = unb64(v["file_b64"])
    body = await crypto.aes_gcm_encrypt(data_key, bytes.fromhex(v["body_nonce_hex"]), unb64(v["plaintext_b64"]), header)
    assert header + body == file, "re-encrypted file differs from the vector"
    assert await crypto.aes_gcm_decrypt(data_key, bytes.fromhex(v["body_nonce_hex"]), file[128:], header) == unb64(
        v["plaintext_b64"]
    )
    return {}


async def check_vector_file_unlocks_in_the_browser(config: dict) -> dict:
    v = config["vector"]
    db = _db("vector", config)
    await IndexedDBBlobStore(JOURNAL_FILE, db).write(unb64(v["file_b64"]))
    journal = await open_store(db).unlock(v["passphrase"])
    titles = [i.title for i in journal.incidents()]
    assert titles == ["Nepaccount op Instagram"], titles
    note = journal.incidents()[0].notes[0].versions[-1].text
    assert note == "Gesprek met de melder, één screenshot bewaard.", note
    return {}


async def check_wrong_passphrase_is_refused_and_changes_nothing(config: dict) -> dict:
    v = config["vector"]
    db = _db("wrong", config)
    blob = IndexedDBBlobStore(JOURNAL_FILE, db)
    await blob.write(unb64(v["file_b64"]))
    try:
        await open_store(db).unlock("niet het wachtwoord")
    except WrongPassphraseError:
        pass
    else:
        raise AssertionError("a wrong passphrase unlocked the journal")
    assert await blob.read() == unb64(v["file_b64"]), "the journal changed"
    attempts = await IndexedDBBlobStore(ATTEMPTS_FILE, db).read()
    assert attempts and json.loads(attempts)["failures"] == 1, attempts
    return {}


async def check_native_journal_unlocks_in_the_browser(config: dict) -> dict:
    native = config["native"]
    db = _db("native-journal", config)
    await IndexedDBBlobStore(JOURNAL_FILE, db).write(unb64(native["journal_b64"]))
    journal = await open_store(db, **NATIVE_FAST).unlock(native["passphrase"])
    titles = sorted(i.title for i in journal.incidents())
    assert titles == sorted(native["titles"]), titles
    # A change made in the browser is written back in the same format.
    item = journal.incidents()[0]
    await journal.save(inc.add_note(item, "Vervolg in de browser", by="mentor"))
    return {"journal_b64": b64(await IndexedDBBlobStore(JOURNAL_FILE, db).read())}


async def check_native_backup_imports_in_the_browser(config: dict) -> dict:
    native = config["native"]
    db = _db("native-backup", config)
    journal = await open_store(db, **FAST).create("browser wachtwoord")
    report = await journal.import_backup(unb64(native["backup_b64"]), native["backup_passphrase"])
    titles = sorted(i.title for i in journal.incidents())
    assert titles == sorted(native["titles"]), (titles, report)
    return {}


async def check_browser_backup_and_journal_for_native(config: dict) -> dict:
    db = _db("browser-made", config)
    journal = await open_store(db, **FAST).create("browser wachtwoord")
    await journal.save_many([_incident("Browser incident één", "Notitie uit de browser"), _incident("Browser twee", "x")])
    backup = await journal.export_backup("back-up uit de browser")
    return {
        "backup_b64": b64(backup),
        "backup_passphrase": "back-up uit de browser",
        "journal_b64": b64(await IndexedDBBlobStore(JOURNAL_FILE, db).read()),
        "journal_passphrase": "browser wachtwoord",
        "titles": ["Browser incident één", "Browser twee"],
    }


async def check_journal_survives_a_new_connection(config: dict) -> dict:
    db = _db("restart", config)
    journal = await open_store(db, **FAST).create("herstart wachtwoord")
    await journal.save(_incident("Blijft bewaard", "Na herstart"))
    _Database._open.pop(db, None)  # as after a reload: a fresh connection
    again = await open_store(db, **FAST).unlock("herstart wachtwoord")
    assert [i.title for i in again.incidents()] == ["Blijft bewaard"]
    return {}


async def check_no_plaintext_in_browser_storage(config: dict) -> dict:
    db = _db("plaintext", config)
    journal = await open_store(db, **FAST).create("geheim wachtwoord")
    await journal.save(_incident("Zichtbaar-in-klare-tekst-titel", "Gevoelige-notitie-inhoud"))
    values = await _raw_values(db)
    assert values, "nothing stored"
    for needle in ("Zichtbaar-in-klare-tekst-titel", "Gevoelige-notitie-inhoud", "geheim wachtwoord"):
        for value in values:
            assert needle.encode() not in value, f"{needle!r} stored in plaintext"
    return {}


async def check_move_aside_keeps_the_file(config: dict) -> dict:
    db = _db("aside", config)
    blob = IndexedDBBlobStore(JOURNAL_FILE, db)
    assert await blob.move_aside("damaged-x") is None
    await blob.write(b"first")
    assert await blob.move_aside("damaged-x") == "journal.damaged-x"
    assert await blob.read() is None
    await blob.write(b"second")
    assert await blob.move_aside("damaged-x") == "journal.damaged-x-2"
    assert await IndexedDBBlobStore("journal.damaged-x", db).read() == b"first"
    assert await IndexedDBBlobStore("journal.damaged-x-2", db).read() == b"second"
    await IndexedDBBlobStore("journal.damaged-x", db).delete()
    assert await IndexedDBBlobStore("journal.damaged-x", db).read() is None
    return {}


async def check_blob_round_trip(config: dict) -> dict:
    db = _db("blob", config)
    blob = IndexedDBBlobStore("x.bin", db)
    assert await blob.read() is None
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    await blob.write(data)
    assert await blob.read() == data
    await blob.write(b"")
    assert await blob.read() == b""
    await blob.delete()
    await blob.delete()  # no error when it is already gone
    assert await blob.read() is None
    return {}


async def check_quota_error_becomes_storage_full(config: dict) -> dict:
    from pyodide.code import run_js
    from pyodide.ffi import JsException

    from storage.web import _map_error

    thrower = run_js("() => { throw new DOMException('full', 'QuotaExceededError'); }")
    try:
        thrower()
    except JsException as exc:
        assert isinstance(_map_error(exc, "write"), StorageFullError)
    else:
        raise AssertionError("no exception")
    return {}


async def check_random_bytes(config: dict) -> dict:
    crypto = WebCrypto()
    a, b = crypto.random_bytes(100_000), crypto.random_bytes(100_000)
    assert len(a) == len(b) == 100_000 and a != b
    assert crypto.random_bytes(0) == b""
    return {}


async def check_default_iterations_timing(config: dict) -> dict:
    """PBKDF2 with the app's default count, through WebCrypto (reported, not asserted)."""
    crypto = WebCrypto()
    start = time.perf_counter()
    await crypto.pbkdf2_sha256(b"wachtwoord", b"\0" * 16, fmt.DEFAULT_ITERATIONS)
    return {"pbkdf2_ms": round((time.perf_counter() - start) * 1000, 1)}


CHECKS = [value for name, value in sorted(globals().items()) if name.startswith("check_")]


async def run_checks(config: dict, only: "list[str] | None" = None) -> list[dict]:
    results = []
    for check in CHECKS:
        name = check.__name__[len("check_"):]
        if only and name not in only:
            continue
        try:
            extra = await check(config)
            results.append({"name": name, "ok": True, "error": "", **extra})
        except Exception:  # reported to pytest, which fails that check's test
            results.append({"name": name, "ok": False, "error": traceback.format_exc()})
    return results
