# Draws the app's first screen from the staged first app package alone (mounted
# at /app), in the Pyodide the site ships: run by tools/web/run-pyodide.mjs from
# tools/webbuild/split.py.  Without the later package's finder, importing any
# module that went into app-later.tar.gz fails here, as does content or a
# holiday list that would have to be worked out again (no YAML parser, no
# holidays library in this package).
import os
import sys

os.chdir("/app")
sys.path[:0] = ["/app/__pypackages__", "/app"]

import flet as ft  # noqa: E402

import main  # noqa: E402,F401
from screens.app import App  # noqa: E402


class Page:
    """What App uses of ``ft.Page`` to draw a screen."""

    def __init__(self):
        self.views, self.route, self.web, self.title = [], "/", True, ""
        self.platform = ft.PagePlatform.LINUX
        self.locale_configuration = None

    def update(self, *controls):
        pass


ft.BaseControl.update = lambda self: None
app = App(Page())
for language in ("nl", "en"):
    app._use_language(language)
    app.show("/")
    assert app.page.views and app.page.views[-1].route == "/", app.page.views
print(f"first screen drawn in nl and en from the first package ({len(sys.modules)} modules)")
