"""Entry point of the static web build: the app's ``main`` in Pyodide.

``tools/build_web.py`` packs this file next to ``main.py`` in ``app.tar.gz``
and names it as the module Flet's Python worker runs.  It runs the same
``main(page)`` as every other platform, then tells the page that the first
view has been sent to Flutter, so the static shell (acute actions and help
lines in ``index.html``) can give way to the app: see ``tools/web/boot.js``.
Then it loads the rest of the app package (``later_package``).  Each phase of
the start is recorded as a mark (``start_marks``).
"""

import start_marks

start_marks.begin()

import inspect  # noqa: E402

import later_package  # noqa: E402

later_package.install()

import flet as ft  # noqa: E402

start_marks.mark("flet-imported")

import main as app  # noqa: E402

start_marks.mark("app-imported")


def _refuse_start_snapshot() -> None:
    """After a start from the Python start snapshot that failed, the next starts
    go without it (``tools/web/python-snapshot.js``)."""
    import flet_js

    refuse = getattr(flet_js, "refusePythonSnapshot", None)
    if refuse is not None:
        refuse()


def _announce(event: str) -> None:
    """Post ``{"fletAppEvent": event}`` from the worker to the page."""
    import js  # Pyodide: the worker's global scope
    from pyodide.ffi import to_js

    js.postMessage(to_js({"fletAppEvent": event}, dict_converter=js.Object.fromEntries))


async def web_main(page: ft.Page) -> None:
    start_marks.mark("python-session")
    try:
        result = app.main(page)
        if inspect.isawaitable(result):
            await result
        page.update()  # the first view, if main() left it to Flet's auto-update
    except Exception:
        _announce("failed")  # the shell stays, and says so
        _refuse_start_snapshot()
        raise
    # Messages keep their order: this reaches the page after the view.
    _announce("rendered")
    start_marks.rendered()
    await later_package.load_in_background()
    start_marks.mark("later-package-loaded")


ft.run(web_main)
