"""Run Python inside the static web app's own Python worker (test helpers).

The static build runs the app in Pyodide in a Web Worker (Flet's
``python-worker.js``).  Playwright can evaluate JavaScript in that worker,
and the worker keeps its Pyodide instance in ``self.pyodide``, so a test can
run Python next to the app: same interpreter, same modules, same IndexedDB
database, same WebCrypto.  It works offline (nothing is loaded) and is not
subject to the page's Content-Security-Policy.

For the lead's UI tests of the journal in the browser::

    from tests.web_journal import create_journal_entry, journal_titles

    create_journal_entry(page, "lang wachtwoord 123", "Nepaccount op Instagram")
    # ... reload offline, unlock in the UI with the same passphrase, see the title ...
    assert journal_titles(page, "lang wachtwoord 123") == ["Nepaccount op Instagram"]

``create_journal_entry`` creates the journal if there is none (with the
app's default PBKDF2 count, so the UI can unlock it) and saves one incident.
"""

from __future__ import annotations

import json
import textwrap
import time
from typing import Any, Optional

WORKER_SCRIPT = "python-worker.js"


class WorkerPythonError(AssertionError):
    """The Python code raised inside the browser worker (carries its traceback)."""


def app_python_worker(page, timeout_s: float = 60.0):
    """The app's Python worker, once its Pyodide has loaded."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for worker in page.workers:
            if worker.url.split("?")[0].endswith(WORKER_SCRIPT):
                try:
                    if worker.evaluate("() => Boolean(self.pyodide)"):
                        return worker
                except Exception:  # the worker is still starting (or was replaced by a reload)
                    pass
        page.wait_for_timeout(100)
    raise TimeoutError("the app's Python worker did not start (is this the static web build?)")


def run_in_app_worker(page, body: str, timeout_s: float = 60.0) -> Any:
    """Run ``body`` (the body of an ``async def``; ``return`` a JSON-able value)
    in the app's Pyodide and return its result."""
    worker = app_python_worker(page, timeout_s)
    code = (
        "import json as _json, traceback as _traceback\n"
        "async def _probe():\n"
        f"{textwrap.indent(textwrap.dedent(body), '    ')}\n"
        "try:\n"
        "    _out = _json.dumps({'ok': True, 'value': await _probe()})\n"
        "except BaseException:\n"
        "    _out = _json.dumps({'ok': False, 'error': _traceback.format_exc()})\n"
        "_out\n"
    )
    raw = worker.evaluate(
        "code => self.pyodide.runPythonAsync(code, { globals: self.pyodide.toPy({}) })", code
    )
    result = json.loads(raw)
    if not result["ok"]:
        raise WorkerPythonError(result["error"])
    return result["value"]


def create_journal_entry(
    page, passphrase: str, title: str, note: str = "", database: Optional[str] = None
) -> str:
    """Create (or unlock) the browser journal and save one incident; returns its id."""
    return run_in_app_worker(
        page,
        f"""
        from storage import incidents as inc
        from storage.errors import JournalExistsError
        from storage.paths import open_store
        store = open_store({database!r})
        if await store.exists():
            journal = await store.unlock({passphrase!r})
        else:
            journal = await store.create({passphrase!r})
        item = inc.new_incident({title!r}, "nepaccount", reported_by="test")
        if {note!r}:
            item = inc.add_note(item, {note!r}, by="test")
        item = await journal.save(item)
        return item.id
        """,
    )


def journal_titles(page, passphrase: str, database: Optional[str] = None) -> list[str]:
    """Unlock the browser journal and return the titles of its incidents."""
    return run_in_app_worker(
        page,
        f"""
        from storage.paths import open_store
        journal = await open_store({database!r}).unlock({passphrase!r})
        return [i.title for i in journal.incidents()]
        """,
    )
