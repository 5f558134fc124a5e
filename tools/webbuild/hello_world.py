"""The floor the app's start is measured against: a Flet hello-world, built as
``flet publish --no-cdn`` lays out a static app.

Flet's whole web client, the app and its pure-Python dependencies (flet and
what it needs) in ``app.tar.gz``, ``patch_index_html``, plus the
``pyodideUrl`` fix without which it does not start at all (see
``index_page``).  No service worker: a later start comes from the browser's
HTTP cache, as for any app Flet publishes.

The only additions are the start-up marks, the same as the app's
(``tools/web/start-marks.js``, Flutter's loader marking its steps,
``tools/web/start_marks.py``), so ``tools/bench_web.py`` reads the same
phases from both.  ``python tools/build_web.py --hello-world --out DIR``
builds it.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import flet_web
from flet.controls.types import WebRenderer

from tools.webbuild.app_package import START_MARKS, pack
from tools.webbuild.common import FLET_WEB, WEB_TOOLS, replace_once
from tools.webbuild.distributions import web_distributions
from tools.webbuild.runtime import START_MARKS_SCRIPT, mark_flutter_phases

BUTTON = "Hello"
HELLO_WORLD = f'''import start_marks

start_marks.begin()

import flet as ft

start_marks.mark("flet-imported")
start_marks.mark("app-imported")


def main(page: ft.Page):
    start_marks.mark("python-session")
    page.add(ft.FilledButton("{BUTTON}", on_click=lambda e: None))
    start_marks.rendered()


ft.run(main)
'''


def build_hello_world(out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(FLET_WEB, out)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "app"
        (stage / "__pypackages__").mkdir(parents=True)
        (stage / "main.py").write_text(HELLO_WORLD, encoding="utf-8")
        shutil.copy2(WEB_TOOLS / START_MARKS, stage / START_MARKS)
        for dist in web_distributions({"project": {"dependencies": ["flet==1.0.5"]}}):
            for src, rel in dist.files:
                dst = stage / "__pypackages__" / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        pack(stage, out / "app.tar.gz")
    version = json.loads((FLET_WEB / "pyodide" / "package.json").read_text())["version"]
    index = out / "index.html"
    flet_web.patch_index_html(
        str(index), base_href="/", pyodide=True, pyodide_script_path="main.py",
        pyodide_version=version, app_package_url="app.tar.gz", web_renderer=WebRenderer.CANVAS_KIT, no_cdn=True,
    )
    flet_web.patch_font_manifest_json(str(out / "assets" / "FontManifest.json"))
    page = re.sub(r'flet\.pyodideUrl="pyodide/', 'flet.pyodideUrl="/pyodide/', index.read_text(encoding="utf-8"))
    page = replace_once(page, '<script src="flutter_bootstrap.js" async></script>',
                        f'<script src="{START_MARKS_SCRIPT}"></script>\n<script src="flutter_bootstrap.js" async></script>',
                        "hello-world index.html")
    index.write_text(page, encoding="utf-8")
    shutil.copy2(WEB_TOOLS / START_MARKS_SCRIPT, out / START_MARKS_SCRIPT)
    bootstrap = out / "flutter_bootstrap.js"
    bootstrap.write_text(mark_flutter_phases(bootstrap.read_text(encoding="utf-8")), encoding="utf-8")
    return {"app_package_bytes": (out / "app.tar.gz").stat().st_size}
