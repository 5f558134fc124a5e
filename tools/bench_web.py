"""Benchmark of the static web build: this app vs a Flet hello-world static build.

    python tools/bench.py web [--runs 9]
    python tools/bench_web.py [--runs 5] [--keep DIR]

Both sites are served by the same plain static server (Python's http.server,
no compression) and opened in headless Chromium, alternating, each run in a
fresh browser context (a first visit: empty caches, no service worker), then
started once more in a new page of the same context (a later start).  Per run:

* time to shell: navigation to the first contentful paint (this app: the
  acute actions and help lines; hello-world: Flet's loading animation);
* time to interactive: navigation until the app's button can be clicked
  ("Acuut incident" / "Hello"), the click included;
* bytes transferred: everything the server sent for that visit, the service
  worker's precache included (counted by the server).

Then Lighthouse (``tools/lighthouse.py``, phone emulation) measures each site
once more: its time to interactive and total blocking time, side by side.

The hello-world is built the way Flet publishes a static app
(``flet publish --no-cdn``): Flet's whole web client, the app and its
pure-Python dependencies in app.tar.gz, ``patch_index_html``; plus the
``pyodideUrl`` fix without which it does not start at all.  Goals (issue):
shell <= 0.3 s, first load <= 30 MB, time-to-interactive ratio <= 1.15.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import lighthouse  # noqa: E402
from tools.webbuild.app_package import pack  # noqa: E402
from tools.webbuild.common import FLET_WEB  # noqa: E402
from tools.webbuild.distributions import web_distributions  # noqa: E402
from tools.webbuild.pipeline import build  # noqa: E402
from tools.webbuild.site_report import print_report  # noqa: E402

HELLO_WORLD = """import flet as ft


def main(page: ft.Page):
    page.add(ft.FilledButton("Hello", on_click=lambda e: None))


ft.run(main)
"""


def build_hello_world(out: Path) -> None:
    """A Flet hello-world as ``flet publish --no-cdn`` lays it out (no service worker)."""
    import re

    import flet_web
    from flet.controls.types import WebRenderer

    shutil.copytree(FLET_WEB, out)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "app"
        (stage / "__pypackages__").mkdir(parents=True)
        (stage / "main.py").write_text(HELLO_WORLD, encoding="utf-8")
        pyproject = {"project": {"dependencies": ["flet==1.0.5"]}}
        for dist in web_distributions(pyproject):
            for src, rel in dist.files:
                dst = stage / "__pypackages__" / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        pack(stage, out / "app.tar.gz")
    version = json.loads((FLET_WEB / "pyodide" / "package.json").read_text())["version"]
    flet_web.patch_index_html(
        str(out / "index.html"), base_href="/", pyodide=True, pyodide_script_path="main.py",
        pyodide_version=version, app_package_url="app.tar.gz", web_renderer=WebRenderer.CANVAS_KIT, no_cdn=True,
    )
    flet_web.patch_font_manifest_json(str(out / "assets" / "FontManifest.json"))
    index = out / "index.html"
    index.write_text(
        re.sub(r'flet\.pyodideUrl="pyodide/', 'flet.pyodideUrl="/pyodide/', index.read_text(encoding="utf-8")),
        encoding="utf-8",
    )


def _visit(session, server, button: str, restart: bool = False) -> dict:
    if restart:  # the app started again (from the shelf): a new page, same browser profile
        session.page.close()
        session.page = session.context.new_page()
    page = session.page
    server.reset_counts()
    start = time.perf_counter()
    page.goto(session.base_url)
    session.enable_semantics()
    page.get_by_role("button", name=button).first.click(timeout=180_000)
    interactive = time.perf_counter() - start
    paint = page.evaluate(
        "performance.getEntriesByType('paint').filter(e => e.name === 'first-contentful-paint')"
        ".map(e => e.startTime)[0] || null"
    )
    # Let a service worker finish its precache: its bytes belong to the first visit.
    page.wait_for_timeout(1000)
    return {"shell": (paint or 0) / 1000, "interactive": interactive, "bytes": server.bytes_sent()}


def _run(browser, server, button: str) -> tuple[dict, dict]:
    from tests.browser import Session

    # No request interception here: Playwright turns the HTTP cache off when
    # routing, which would make every later start of the hello-world a first one.
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    session = Session(context=context, page=context.new_page(), base_url=server.url + "/")
    try:
        first = _visit(session, server, button)
        later = _visit(session, server, button, restart=True)
        return first, later
    finally:
        session.close("bench-web")


def bench_web(runs: int, keep: Optional[Path] = None) -> int:
    from playwright.sync_api import sync_playwright

    from tests.support import CHROMIUM, CHROMIUM_ARGS
    from tests.web_helpers.static_server import StaticServer

    work = Path(tempfile.mkdtemp(prefix="bench-web-")) if keep is None else keep
    try:
        print("building this app (tools/build_web.py) and a Flet hello-world static build ...", flush=True)
        report = build(work / "app")
        print_report(report, work / "app")
        build_hello_world(work / "hello")
        sites = {"app": (StaticServer(work / "app"), "Acuut incident"), "hello-world": (StaticServer(work / "hello"), "Hello")}
        results: dict[str, dict[str, list[dict]]] = {name: {"first": [], "later": []} for name in sites}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for server, button in sites.values():  # warm-up: the first sessions compile
                    _run(browser, server, button)
                for run in range(runs):
                    for name in (list(sites) if run % 2 == 0 else list(reversed(sites))):
                        first, later = _run(browser, *sites[name])
                        results[name]["first"].append(first)
                        results[name]["later"].append(later)
                        print(f"  run {run + 1} {name:<12} first visit {first['interactive']:.2f} s, "
                              f"{first['bytes'] / 1e6:.1f} MB; later start {later['interactive']:.2f} s", flush=True)
                browser.close()
            figures = {name: lighthouse_figures(server) for name, (server, _) in sites.items()}
        finally:
            for server, _ in sites.values():
                server.stop()
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)

    def median(name: str, visit: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name][visit])

    print(f"\nstatic web build, {runs} alternating runs (medians; fresh context = first visit)")
    print(f"  {'':<12} {'shell':>8} {'interactive':>12} {'bytes':>10}   {'later: interactive':>18} {'bytes':>9}")
    for name in sites:
        print(f"  {name:<12} {median(name, 'first', 'shell'):>7.2f}s {median(name, 'first', 'interactive'):>11.2f}s "
              f"{median(name, 'first', 'bytes') / 1e6:>8.1f}MB   {median(name, 'later', 'interactive'):>17.2f}s "
              f"{median(name, 'later', 'bytes') / 1e6:>7.2f}MB")
    for visit in ("first", "later"):
        ratio = median("app", visit, "interactive") / median("hello-world", visit, "interactive")
        print(f"  ratio app / hello-world, time to interactive ({visit} visit): {ratio:.2f}  (goal <= 1.15)")
    ratio = median("app", "first", "bytes") / median("hello-world", "first", "bytes")
    print(f"  ratio app / hello-world, bytes of the first visit: {ratio:.2f}")

    print("\nLighthouse, phone emulation (4x CPU slowdown, simulated slow 4G), first visit")
    print(f"  {'':<12} {'interactive':>12} {'total blocking':>15} {'performance':>12}")
    for name, (tti, tbt, score) in figures.items():
        print(f"  {name:<12} {tti:>11.1f}s {tbt:>14.1f}s {score:>12.2f}")
    for index, metric in enumerate(("time to interactive", "total blocking time")):
        ratio = figures["app"][index] / figures["hello-world"][index]
        print(f"  ratio app / hello-world, {metric}: {ratio:.2f}")
    return 0


def lighthouse_figures(server) -> tuple[float, float, float]:
    """Lighthouse's time to interactive and total blocking time (seconds), and its performance score."""
    report = lighthouse.run(server.url + "/", ("performance",))
    return (lighthouse.metric_seconds(report, "interactive"), lighthouse.metric_seconds(report, "total-blocking-time"),
            lighthouse.score(report, "performance"))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per site")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    args = parser.parse_args(argv)
    return bench_web(args.runs, args.keep)


if __name__ == "__main__":
    raise SystemExit(main())
