"""The first screen does not wait for code it does not use.

In a fresh interpreter (as ``tools/run`` starts): import the app and draw its
first screen, then look at what was imported.  The journal's code (until it
is opened), its forms and unlock screen, the team's sync protocol, the letters, the report and its PDF writer,
the passphrase checker and Babel's message tools are imported only when a
screen needs them.  (The web build checks the same in the browser's Python,
without those modules in its first package: ``tools/webbuild/split.py``.)
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT

FIRST_SCREEN = """
import json, sys
import flet as ft
import main
from screens.app import App

class Page:
    def __init__(self):
        self.views, self.route, self.web, self.title = [], "/", True, ""
        self.platform, self.locale_configuration = ft.PagePlatform.LINUX, None
    def update(self, *controls):
        pass

ft.BaseControl.update = lambda self: None
app = App(Page())
app.show("/")
assert app.page.views[-1].route == "/"
print(json.dumps(sorted(sys.modules)))
"""

NOT_AT_START = [
    "zxcvbn",  # the passphrase checker: its word lists take seconds to load in the browser
    "babel.messages",  # compiling catalogs: never at run time
    "sync.client", "sync.crypto", "sync.engine", "sync.stream", "sync.journal",  # the team
    "screens.team.syncing", "screens.journal.gate", "screens.journal.incident_forms",
    "screens.journal.letters", "storage.followups",
    "storage.journal", "storage.incidents", "storage.codec", "storage.merge", "tinydb",  # the journal, until opened
    "letters", "report", "fpdf", "fontTools", "segno", "docx",
]


def test_the_first_screen_does_not_import_what_it_does_not_need(tmp_path):
    done = subprocess.run([sys.executable, "-c", FIRST_SCREEN], capture_output=True, text=True, cwd=ROOT,
                          env={"FLET_APP_STORAGE_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    imported = set(json.loads(done.stdout.splitlines()[-1]))
    early = sorted(name for name in imported if name.split(".")[0] in NOT_AT_START or name in NOT_AT_START
                   or any(name.startswith(f"{lazy}.") for lazy in NOT_AT_START))
    assert not early, f"imported before they are needed: {early}"
