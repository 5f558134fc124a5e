"""Start-up marks of the Python worker, for the page's performance timeline.

The static build ships this next to the entry module (and the benchmark's
hello-world does the same), so both record the same phases:

* from the worker's own resource timing: the worker started, Pyodide's
  files were loaded, Pyodide was ready (the app package's download began),
  the app package was loaded;
* then what the entry module reports: Python started it (the package is
  unpacked), Flet imported, the app imported, Flet's session began, the
  first page was sent;
* with ``?profile-imports`` in the page's address, the import time of every
  module (``-X importtime`` style: self and cumulative), the slowest ones
  sent with the "python-rendered" mark.

Marks travel over a ``BroadcastChannel`` to ``start-marks.js`` in the page,
which records them with ``performance.mark``: nothing is shown, logged or
sent anywhere, and the Content-Security-Policy needs no exception.
``tools/bench_web.py`` reads them at the end of a run.  Outside Pyodide
(the smoke test, native runs) every function does nothing.
"""

from __future__ import annotations

import sys
import time

CHANNEL = "stappenplan-start-marks"
PROFILE_FLAG = "profile-imports"
SLOWEST = 10

#: Pyodide's own files, by when each was loaded (from the service worker or the cache).
PYODIDE_FILES = {"pyodide.asm.mjs": "pyodide-script-loaded", "pyodide.asm.wasm": "pyodide-wasm-loaded",
                 "python_stdlib.zip": "pyodide-stdlib-loaded"}

_imports: list[tuple[str, float, float]] = []  # (module, self ms, cumulative ms)


def _in_browser() -> bool:
    return sys.platform == "emscripten"


def _now() -> float:
    import js

    return js.performance.timeOrigin + js.performance.now()


def _post(marks: list) -> None:
    import js
    from pyodide.ffi import to_js

    channel = js.BroadcastChannel.new(CHANNEL)
    channel.postMessage(to_js(marks, dict_converter=js.Object.fromEntries))
    channel.close()


def mark(name: str, detail: object = None) -> None:
    """Record that ``name`` happened now."""
    if _in_browser():
        _post([[name, _now(), detail]])


def begin() -> None:
    """Called first thing by the entry module: the marks of what came before it,
    and the import timer when the page asked for it."""
    if not _in_browser():
        return
    import flet_js
    import js

    origin = js.performance.timeOrigin
    marks = [["python-worker-start", origin, None]]
    for entry in js.performance.getEntriesByType("resource"):
        path = entry.name.split("?")[0]
        if path.endswith(tuple(PYODIDE_FILES)):
            marks.append([PYODIDE_FILES[path.rsplit("/", 1)[-1]], origin + entry.responseEnd, None])
        elif path.endswith((".tar.gz", ".zip")) and "app-package-loaded" not in [m[0] for m in marks]:
            # Flet's worker asks for the package once Pyodide is ready; this
            # app's worker fetches it while Pyodide loads and says when Pyodide was ready.
            ready = getattr(js, "stappenplanPyodideReady", None) or origin + entry.startTime
            marks += [["pyodide-ready", ready, None], ["app-package-loaded", origin + entry.responseEnd, None]]
    marks.append(["python-entry", _now(), None])
    _post(marks)
    if PROFILE_FLAG in str(getattr(flet_js, "documentUrl", "")):
        _time_imports()


def rendered() -> None:
    """The first page has been sent to Flutter (with the slowest imports, when timed)."""
    slowest = sorted(_imports, key=lambda r: -r[1])[:SLOWEST]
    mark("python-rendered", [list(r) for r in slowest] if slowest else None)


def _time_imports() -> None:
    """Time every module import, as ``-X importtime`` does: it wraps the one
    function the interpreter calls for a module not in ``sys.modules`` yet."""
    import _frozen_importlib as bootstrap

    original = bootstrap._find_and_load
    children: list[float] = []

    def timed(name, import_):
        start = time.perf_counter()
        children.append(0.0)
        try:
            return original(name, import_)
        finally:
            elapsed = time.perf_counter() - start
            own = elapsed - children.pop()
            if children:
                children[-1] += elapsed
            _imports.append((name, round(own * 1000, 1), round(elapsed * 1000, 1)))

    bootstrap._find_and_load = timed
