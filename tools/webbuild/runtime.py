"""Step 1: Flet's prebuilt web client, pruned to what the page loads, and its two patched scripts."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tools.webbuild.common import FLET_WEB, WEB_TOOLS, BuildError, replace_once

# Files copied from flet_web/web.  Everything else there is never requested by
# this page: the skwasm/wimp renderers and the dart2wasm build (we use
# CanvasKit, the dart2js build), CanvasKit's experimental variant, debug
# symbols, Flutter's deprecated service worker, the loading animation (the
# shell replaces it), Pyodide's Node/CLI files and typings, and micropip and
# packaging (nothing is installed at run time).
RUNTIME_FILES = [
    "flutter_bootstrap.js",  # patched
    "main.dart.js",
    "python.js",  # patched
    "python-worker.js",  # patched
    "canvaskit/canvaskit.js",  # "full" CanvasKit: browsers other than Chromium
    "canvaskit/canvaskit.wasm",
    "canvaskit/chromium/canvaskit.js",  # Chromium (Chromebooks): smaller, uses the browser's ICU
    "canvaskit/chromium/canvaskit.wasm",
    "pyodide/pyodide.mjs",
    "pyodide/pyodide.asm.mjs",
    "pyodide/pyodide.asm.wasm",
    "pyodide/python_stdlib.zip",
    "pyodide/pyodide-lock.json",
    "assets/AssetManifest.bin",
    "assets/AssetManifest.bin.json",
    "assets/FontManifest.json",  # rewritten
    "assets/fonts/MaterialIcons-Regular.otf",  # subset
    "assets/fonts/roboto.woff2",
    "assets/shaders/ink_sparkle.frag",
    "assets/shaders/stretch_effect.frag",
    "assets/packages/wakelock_plus/assets/no_sleep.js",
    "assets/NOTICES",  # licences of the bundled software; kept, not precached
]


def copy_runtime(out: Path, prune: bool) -> None:
    for rel in RUNTIME_FILES:
        src = FLET_WEB / rel
        if not src.exists():
            raise BuildError(f"flet_web is missing {rel}")
        dst = out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    if not prune:  # everything Flet ships, as `flet publish` would
        shutil.copytree(FLET_WEB, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns("index.html", "manifest.json"))
    else:
        trim_pyodide_lock(out / "pyodide" / "pyodide-lock.json")


def trim_pyodide_lock(path: Path) -> None:
    """Pyodide's package list without the packages (119 kB -> a few bytes).

    ``loadPyodide`` reads it at every start, but the list only serves
    ``loadPackage``, which nothing here calls: the app's packages come in
    app.tar.gz, and the ``micropip`` and ``packaging`` wheels are not shipped.
    """
    lock = json.loads(path.read_text(encoding="utf-8"))
    lock["packages"] = {}
    path.write_text(json.dumps(lock, separators=(",", ":")), encoding="utf-8")


def patch_flutter_bootstrap(out: Path) -> None:
    path = out / "flutter_bootstrap.js"
    js = path.read_text(encoding="utf-8")
    # The shell stays until the Python app has rendered (tools/web/boot.js removes it).
    js = replace_once(
        js,
        "window.addEventListener('flutter-first-frame', () => {\n    document.getElementById('loading')?.remove();\n}, { once: true });",
        "// Stappenplan: #loading (the static shell) is removed by boot.js once the Python app has rendered.",
        "flutter_bootstrap.js (first frame)",
    )
    # Our own (Workbox) service worker; Flutter's deprecated one would replace it.
    js, n = re.subn(r"\n\s*serviceWorkerSettings: \{[^{}]*\},", "", js, count=1)
    if n != 1:
        raise BuildError("cannot patch flutter_bootstrap.js (serviceWorkerSettings): Flet's file changed")
    # The CanvasKit build boot.js chose (and the service worker precached).
    js = replace_once(
        js,
        "if (flet.webRenderer != \"auto\") {",
        "if (flet.canvasKitVariant) {\n    flutterConfig.canvasKitVariant = flet.canvasKitVariant;\n}\n"
        "if (flet.webRenderer != \"auto\") {",
        "flutter_bootstrap.js (canvasKitVariant)",
    )
    path.write_text(mark_flutter_phases(js), encoding="utf-8")


START_MARKS_SCRIPT = "start-marks.js"  # tools/web/start-marks.js: records the marks in the page


def mark_flutter_phases(js: str) -> str:
    """Flutter's loader in ``flutter_bootstrap.js`` records its steps as start-up
    marks (``tools/web/start-marks.js``): main.dart.js evaluated, the engine
    and CanvasKit ready, the app running."""
    mark = "globalThis.stappenplanMark?.({!r});".format
    js = replace_once(
        js,
        "    onEntrypointLoaded: async function (engineInitializer) {\n",
        "    onEntrypointLoaded: async function (engineInitializer) {\n        " + mark("flutter-entrypoint-loaded") + "\n",
        "flutter_bootstrap.js (entrypoint mark)",
    )
    js = replace_once(
        js,
        "        const engine = await engineInitializer.initializeEngine(flutterConfig);\n",
        "        const engine = await engineInitializer.initializeEngine(flutterConfig);\n        "
        + mark("flutter-engine-ready") + "\n",
        "flutter_bootstrap.js (engine mark)",
    )
    return replace_once(
        js,
        "        flet.flutterApp = await engine.runApp();\n",
        "        flet.flutterApp = await engine.runApp();\n        " + mark("flutter-app-running") + "\n",
        "flutter_bootstrap.js (app mark)",
    )


SNAPSHOT_WORKER = "python-snapshot-worker.js"  # makes the Python start snapshot (tools/web/boot.js starts it)


def patch_python_worker(out: Path) -> None:
    """Flet's worker starts Pyodide from this build's memory snapshot when the
    browser has one (``tools/web/python-snapshot.js``; ``SNAPSHOT_WORKER`` makes
    it), and unpacks the app package with ``tools/web/untar.js`` instead of
    Python's tarfile (about a millisecond per file in Pyodide)."""
    path = out / "python-worker.js"
    js = replace_once(
        path.read_text(encoding="utf-8"),
        "        self.pyodide = await loadPyodide({\n",
        "        self.pyodide = await self.stappenplanLoadPyodide(loadPyodide, {  // Stappenplan: python-snapshot.js\n",
        "python-worker.js (loadPyodide)",
    )
    js = replace_once(
        js,
        "            await response.unpack_archive(format=_archive_format)\n",
        "            # Stappenplan: unpacked with Pyodide's start (tools/web/python-snapshot.js)\n"
        "            await flet_js.appPackageUnpacked(response.js_response)\n",
        "python-worker.js (unpack)",
    )
    shared = [(WEB_TOOLS / name).read_text(encoding="utf-8") for name in ("untar.js", "python-snapshot.js")]
    path.write_text("\n".join([js, *shared]), encoding="utf-8")
    maker = [
        "// Makes the Python start snapshot of this build (tools/web/python-snapshot.js), then ends.",
        "self.flet_js = {};",
        *shared,
        "self.onmessage = async (event) => {",
        "  try {",
        "    await self.stappenplanMakeSnapshot(event.data);",
        "  } catch (error) {",
        "    console.warn(\"No Python start snapshot:\", error);",
        "  }",
        "  self.close();",
        "};",
    ]
    (out / SNAPSHOT_WORKER).write_text("\n".join(maker) + "\n", encoding="utf-8")


def patch_python_js(out: Path) -> None:
    path = out / "python.js"
    js = path.read_text(encoding="utf-8")
    # Take over the Python worker boot.js started early (if any).
    js = replace_once(
        js,
        "    app.worker = new Worker(",
        "    // Stappenplan: boot.js may have started this worker already (tools/web/boot.js).\n"
        "    const prewarmed = globalThis.stappenplanTakePythonWorker ? globalThis.stappenplanTakePythonWorker(args) : null;\n"
        "    app.worker = prewarmed ? prewarmed.worker : new Worker(",
        "python.js (worker)",
    )
    js = replace_once(
        js,
        "    app.worker.postMessage({\n        // `.mjs`",
        "    if (prewarmed) prewarmed.attach(app.worker.onmessage);\n"
        "    else app.worker.postMessage({\n        // `.mjs`",
        "python.js (init message)",
    )
    js = replace_once(
        js,
        "    app.worker.onmessage = (event) => {\n",
        "    app.worker.onmessage = (event) => {\n"
        "        // Stappenplan: events of the app for the page (tools/web/web_main.py, boot.js).\n"
        "        if (event.data && event.data.fletAppEvent) {\n"
        "            window.dispatchEvent(new CustomEvent(\"flet-app-event\", { detail: event.data.fletAppEvent }));\n"
        "            return;\n"
        "        }\n"
        "        if (typeof event.data === \"string\" && event.data != \"initialized\") {\n"
        "            window.dispatchEvent(new CustomEvent(\"flet-python-error\", { detail: event.data }));\n"
        "        }\n",
        "python.js",
    )
    path.write_text(js, encoding="utf-8")
