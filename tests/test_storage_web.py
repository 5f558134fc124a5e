"""The browser journal backends (storage/web.py) under Pyodide, and the same
files on both sides: a journal or backup made natively opens in the browser,
and one made in the browser opens natively.

The checks (tests/web_helpers/storage_web_checks.py) run in the site's own
Pyodide under Node, with Node's WebCrypto and an in-memory IndexedDB
(fake-indexeddb, pinned in tools/web).  test_web_build.py runs the same checks
in headless Chromium, inside the built app's Python worker.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "tests" / "web_helpers"
sys.path.insert(0, str(ROOT / "tests" / "storage_helpers"))

from storage_testkit import fast_store, rich_incident  # noqa: E402

from storage import incidents as inc  # noqa: E402
from storage.paths import JOURNAL_FILE, open_store  # noqa: E402

CHECKS_SOURCE = (HELPERS / "storage_web_checks.py").read_text(encoding="utf-8")
CHECK_NAMES = re.findall(r"^async def check_(\w+)\(", CHECKS_SOURCE, flags=re.MULTILINE)

NATIVE_PASS = "native wachtwoord"
NATIVE_BACKUP_PASS = "native back-up wachtwoord"


def run_async(coro) -> object:
    """``asyncio.run`` in its own thread: also callable from tests that drive
    Playwright's sync API (which keeps an event loop running in this thread)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def native_inputs(tmp_path: Path) -> dict:
    """A journal and a backup made by the native backend (cryptography + files)."""

    async def make():
        journal = await fast_store(tmp_path / "native").create(NATIVE_PASS)
        saved = await journal.save_many([rich_incident("Native een"), rich_incident("Native twee")])
        backup = await journal.export_backup(NATIVE_BACKUP_PASS)
        return saved, backup

    saved, backup = run_async(make())
    return {
        "passphrase": NATIVE_PASS,
        "journal_b64": base64.b64encode((tmp_path / "native" / JOURNAL_FILE).read_bytes()).decode(),
        "backup_b64": base64.b64encode(backup).decode(),
        "backup_passphrase": NATIVE_BACKUP_PASS,
        "titles": sorted(i.title for i in saved),
    }


def checks_config(tmp_path: Path, db_prefix: str) -> dict:
    vector = json.loads((ROOT / "tests" / "storage_helpers" / "format_vector.json").read_text(encoding="utf-8"))
    return {"vector": vector, "native": native_inputs(tmp_path), "db_prefix": db_prefix}


@pytest.fixture(scope="session")
def node_results(tmp_path_factory) -> dict:
    if shutil.which("node") is None:
        pytest.fail("Node.js not found: the web build and these tests need node >= 18 (Debian: nodejs)")
    from tools.webbuild.common import FLET_WEB
    from tools.webbuild.node import npm_install

    npm_install()  # fake-indexeddb, pinned in tools/web/package-lock.json
    tmp = tmp_path_factory.mktemp("storage-web")
    io_dir = tmp / "io"
    io_dir.mkdir()
    (io_dir / "config.json").write_text(json.dumps(checks_config(tmp, "node")), encoding="utf-8")
    import tinydb

    done = subprocess.run(
        [
            "node", str(ROOT / "tools" / "web" / "run-pyodide.mjs"), str(FLET_WEB / "pyodide"),
            str(HELPERS / "run_storage_checks.py"),
            "--mount", f"{ROOT / 'storage'}=/app/storage",
            "--mount", f"{HELPERS}=/helpers",
            "--mount", f"{Path(tinydb.__file__).parent}=/deps/tinydb",
            "--mount", f"{io_dir}=/io",
            "--path", "/app", "--path", "/helpers", "--path", "/deps",
            "--fake-indexeddb",
            "--preload",
            str(HELPERS / "fake-web-locks.mjs"),
        ],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {r["name"]: r for r in json.loads((io_dir / "results.json").read_text(encoding="utf-8"))}


def test_every_check_ran(node_results):
    assert sorted(node_results) == sorted(CHECK_NAMES)


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_check_under_pyodide(node_results, name):
    result = node_results[name]
    assert result["ok"], result["error"]


# -- what the browser wrote opens natively --------------------------------------------------


def verify_browser_made_files(made: dict, tmp_path: Path) -> None:
    """Shared with test_web_build.py: files written in a browser open natively."""
    journal_dir = tmp_path / "from-browser"
    journal_dir.mkdir()
    (journal_dir / JOURNAL_FILE).write_bytes(base64.b64decode(made["journal_b64"]))

    async def check():
        journal = await open_store(journal_dir).unlock(made["journal_passphrase"])
        assert sorted(i.title for i in journal.incidents()) == sorted(made["titles"])
        other = await fast_store(tmp_path / "importer").create("iets anders")
        report = await other.import_backup(base64.b64decode(made["backup_b64"]), made["backup_passphrase"])
        assert len(report.added) == len(made["titles"])
        assert sorted(i.title for i in other.incidents()) == sorted(made["titles"])

    run_async(check())


def verify_browser_edit_of_native_journal(edited_b64: str, tmp_path: Path) -> None:
    journal_dir = tmp_path / "edited"
    journal_dir.mkdir()
    (journal_dir / JOURNAL_FILE).write_bytes(base64.b64decode(edited_b64))

    async def check():
        journal = await fast_store(journal_dir).unlock(NATIVE_PASS)
        notes = [v.text for i in journal.incidents() for n in i.notes for v in n.versions]
        assert "Vervolg in de browser" in notes

    run_async(check())


def test_journal_and_backup_made_under_pyodide_open_natively(node_results, tmp_path):
    verify_browser_made_files(node_results["browser_backup_and_journal_for_native"], tmp_path)


def test_native_journal_edited_under_pyodide_still_opens_natively(node_results, tmp_path):
    verify_browser_edit_of_native_journal(node_results["native_journal_unlocks_in_the_browser"]["journal_b64"], tmp_path)


def test_open_store_picks_the_web_backends_on_emscripten(monkeypatch):
    """storage.paths.open_store() on sys.platform == "emscripten" (module swapped in)."""
    import types

    calls = []
    fake = types.ModuleType("storage.web")
    fake.open_web_store = lambda database=None, **options: calls.append((database, options)) or "web store"
    monkeypatch.setitem(sys.modules, "storage.web", fake)
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert open_store() == "web store"
    assert open_store("andere-database", iterations=200_000) == "web store"
    assert calls == [(None, {}), ("andere-database", {"iterations": 200_000})]


def test_native_open_store_is_unchanged(tmp_path):
    from storage.native import FileBlobStore, NativeCrypto

    store = open_store(tmp_path)
    assert isinstance(store._blob, FileBlobStore) and isinstance(store._crypto, NativeCrypto)
    assert inc  # the incidents module stays importable without Pyodide
