"""Shared fixtures: the app served in the browser, and headless Chromium (see ``tests/support.py``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import CHROMIUM, CHROMIUM_ARGS, ROOT, AppServer


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    server = AppServer(tmp_path_factory.mktemp("data"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_server_at(tmp_path_factory):
    """``app_server_at("2026-11-24T23:30:00+01:00")``: an app whose clock starts at that moment."""
    servers: dict[str, AppServer] = {}

    def start(instant: str) -> AppServer:
        if instant not in servers:
            servers[instant] = AppServer(tmp_path_factory.mktemp("data"), {"STAPPENPLAN_NOW": instant})
        return servers[instant]

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def school_site(tmp_path_factory):
    """The static web build with the example school profile (docs/schoolprofiel.voorbeeld.yaml),
    without service worker and byte-compiling (a quicker build): its folder and its report."""
    out = tmp_path_factory.mktemp("school-site") / "web"
    report = out.parent / "report.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_web.py"), "--out", str(out), "--no-service-worker",
         "--no-compile", "--school-profile", str(ROOT / "docs" / "schoolprofiel.voorbeeld.yaml"),
         "--report", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test file.  Not for the whole session: while Playwright's sync API
    is started, its event loop counts as running in this thread, so every later ``asyncio.run`` in
    the same pytest worker (the journal's and the server's tests) would fail."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, app_server, request):
    """A fresh session on a 412×915 phone; requests leaving localhost are recorded and blocked."""
    from tests.browser import open_session

    app_server.new_errors()
    session = open_session(browser, app_server.url, viewport={"width": 412, "height": 915})
    yield session
    session.close(request.node.name)
    assert app_server.new_errors() == [], "the app raised an exception"
    assert session.failed_requests == [], "a request of the page failed"


@pytest.fixture
def chromebook(browser, app_server, request):
    from tests.browser import open_session

    app_server.new_errors()
    session = open_session(browser, app_server.url, viewport={"width": 1366, "height": 768})
    yield session
    session.close(request.node.name)
    assert app_server.new_errors() == [], "the app raised an exception"
    assert session.failed_requests == [], "a request of the page failed"
