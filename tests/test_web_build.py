"""The installable offline web app (tools/build_web.py).

One build per session, under a sub-path (``--base-path /stappenplan/``, the
parent folder served), plus one at the root; both served by a plain static
server (Python's ``http.server``).  The browser tests check what a teacher
sees: the shell at once, the app taking over, nothing asked of any other
origin, the app coming back offline with its journal, and the update prompt.
"""

from __future__ import annotations

import base64
import fnmatch
import gzip
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from content.loader import load_organisations, load_plan
from tests.support import ARTIFACTS, ROOT
from tests.web_helpers.static_server import StaticServer
from tools import web_shell

BASE = "/stappenplan/"
READY_TIMEOUT_MS = 120_000
WEB_DOC = ROOT / "docs" / "web-and-mobile.md"

# Reports Content-Security-Policy violations (requests the page tried and the CSP blocked) to the test.
CSP_PROBE = """
window.__blocked = [];
document.addEventListener('securitypolicyviolation', (e) => window.__blocked.push(e.blockedURI));
"""


def run_build(out: Path, base_path: str, report: Path) -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_web.py"), "--out", str(out), "--base-path", base_path,
         "--report", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built under /stappenplan/: ``root`` is the folder the server serves."""
    root = tmp_path_factory.mktemp("site")
    out = root / "stappenplan"
    report = run_build(out, BASE, root.parent / "site-report.json")
    return SimpleNamespace(root=root, out=out, report=report)


@pytest.fixture(scope="session")
def site_server(site):
    server = StaticServer(site.root)
    yield server
    server.stop()


# -- the files ------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.csp = None
        self.base = None
        self.scripts: list[str] = []
        self.inline: list[str] = []
        self._in_script = False
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs["content"]
        if tag == "base":
            self.base = attrs["href"]
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            else:
                self._in_script = True
                self.inline.append("")
        if tag == "link":
            self.links[attrs.get("rel")] = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline[-1] += data


def parse_index(out: Path) -> _Page:
    page = _Page()
    page.feed((out / "index.html").read_text(encoding="utf-8"))
    return page


def directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}


def test_csp_is_strict_with_script_hashes(site):
    page = parse_index(site.out)
    csp = directives(page.csp)
    assert csp["default-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"] and csp["worker-src"] == ["'self'"]
    script_src = csp["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    hashes = {s for s in script_src if s.startswith("'sha256-")}
    expected = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in page.inline}
    assert hashes == expected and len(expected) == len(page.inline) >= 2
    for name, sources in csp.items():  # only the own origin, never another host
        assert all(s.startswith("'") or s in ("data:", "blob:") for s in sources), (name, sources)


def test_page_is_dutch_with_the_shell_from_the_content(site):
    text = (site.out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in text and "<title>Stappenplan online incidenten</title>" in text
    assert web_shell.shell_html() in text  # generated from content/, not a second copy
    for action in load_plan("nl").acute_actions:
        assert html.escape(action.title) in text
    for org in load_organisations("nl").helplines:
        for phone in org.phones:
            assert f'href="{html.escape(phone.tel_uri)}"' in text


def test_the_page_lets_a_teacher_zoom(site):
    text = (site.out / "index.html").read_text(encoding="utf-8")
    viewports = re.findall(r'<meta name="viewport" content="([^"]*)"', text)
    assert viewports == [web_shell.VIEWPORT]
    assert "user-scalable" not in web_shell.VIEWPORT and "maximum-scale" not in web_shell.VIEWPORT
    scripts = parse_index(site.out).scripts  # the guard runs before Flet's client starts (boot.js)
    assert scripts.index(web_shell.PAGE_GUARD) < scripts.index("boot.js")
    assert (site.out / web_shell.PAGE_GUARD).read_bytes() == (ROOT / "assets" / web_shell.PAGE_GUARD).read_bytes()


def test_base_path_and_runtime_urls(site):
    page = parse_index(site.out)
    text = (site.out / "index.html").read_text(encoding="utf-8")
    assert page.base == BASE
    assert f'flet.pyodideUrl="{BASE}pyodide/pyodide.mjs"' in text  # Flet 1.0.5 writes a bare path
    assert f'flet.canvasKitBaseUrl="{BASE}canvaskit/"' in text
    assert 'flet.routeUrlStrategy="hash"' in text and 'flet.webRenderer="canvaskit"' in text
    assert "boot.js" in page.scripts and "flutter_bootstrap.js" not in page.scripts  # boot.js starts it
    assert page.links.get("manifest") == "manifest.json"


def test_pruned_to_what_the_page_loads(site):
    files = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file()}
    for unused in ("main.dart.wasm", "main.dart.mjs", "canvaskit/skwasm.wasm", "canvaskit/wimp.wasm",
                   "canvaskit/experimental_webparagraph/canvaskit.wasm", "flutter_service_worker.js",
                   "pyodide/python.exe", "pyodide/micropip-0.11.1-py3-none-any.whl", "flutter.js.map"):
        assert unused not in files, unused
    assert not [f for f in files if f.endswith(".symbols") or "katex" in f.lower() or "Cupertino" in f]
    fonts = json.loads((site.out / "assets" / "FontManifest.json").read_text(encoding="utf-8"))
    assert [f["family"] for f in fonts] == ["MaterialIcons", "Roboto"]
    report = site.report
    assert report["fonts"]["material_icons"]["bytes"] < 100_000  # cut to the icons in use
    # First visit (Chromebook): the page plus the service worker's precache.
    assert report["first_load_bytes"]["chromium"] <= 30_000_000
    assert report["first_load_bytes"]["chromium_uncompressed"] <= 36_000_000  # plain http, no service worker


def package_names(site, package: str = "app.tar.gz") -> set[str]:
    with tarfile.open(site.out / package) as tar:
        return set(tar.getnames())


def test_app_package_is_self_contained_and_pruned(site):
    names = package_names(site) | package_names(site, "app-later.tar.gz")
    assert {"web_main.py", "main.py", "storage/web.py", "sync/web.py", "sync/engine.py",
            "locale/nl/LC_MESSAGES/messages.mo"} <= names
    # Nothing the worker would install from the network, nothing that cannot run in Pyodide.
    assert not names & {"pyproject.toml", "requirements.txt"}
    assert not [n for n in names if n.endswith((".so", ".pyi")) or n.startswith("tests/")]
    for absent in ("cryptography", "platformdirs", "flet_web", "httpx", "storage/native.py", "server", "sync/native.py",
                   "sync/testing.py"):
        assert not [n for n in names if n == absent or n.startswith(f"{absent}/") or n.startswith(f"__pypackages__/{absent}/")]
    packages = "__pypackages__/"
    babel = {n.rsplit("/", 1)[-1][:-4] for n in names if n.startswith(packages + "babel/locale-data/") and n.endswith(".dat")}
    assert babel and babel <= {"root", "nl", "nl_NL", "en", "en_001", "en_GB", "en_US", "en_US_POSIX"}
    zones = {n[len(packages + "tzdata/zoneinfo/"):] for n in names
             if n.startswith(packages + "tzdata/zoneinfo/") and "__init__" not in n and "/" in n[len(packages) + 17:]}
    assert "Europe/Amsterdam" in zones and len(zones) < 10
    countries = {n for n in names if n.startswith(packages + "holidays/countries/") and not n.endswith("__init__.pyc")}
    assert countries == {packages + "holidays/countries/netherlands.pyc"}
    assert [n for n in names if n.startswith("__pycache__/web_main.cpython-3")]  # byte-compiled for Pyodide
    # Data the Python code reads from assets/ goes along; the server page (and its script), the server
    # mode's font (assets/assets/: the static build has its own) and icon sources do not.
    from tools.webbuild.app_package import ASSETS_NOT_PACKED

    for path in (ROOT / "assets").rglob("*"):
        inside = path.relative_to(ROOT / "assets").as_posix()
        if path.is_file() and not any(fnmatch.fnmatch(inside, g) for g in (*ASSETS_NOT_PACKED, "icon*.png", "splash*.png")):
            assert f"assets/{inside}" in names, inside
    assert not names & {"assets/index.html", "assets/icon.png", "assets/page-guard.js", "assets/assets/fonts/roboto.woff2"}


def test_the_first_app_package_holds_only_what_the_first_screen_needs(site):
    first, later = package_names(site), package_names(site, "app-later.tar.gz")
    with tarfile.open(site.out / "app-later.tar.gz") as tar:
        assert not first & {m.name for m in tar.getmembers() if m.isfile()}  # every file in one of them
    manifest = json.loads(extract(site.out / "app.tar.gz", "later_package.json"))
    # The later package is named with its content hash: a new build is never mixed with an old one's.
    digest = hashlib.sha256((site.out / "app-later.tar.gz").read_bytes()).hexdigest()[:16]
    assert manifest["url"] == f"app-later.tar.gz?v={digest}"
    assert {"fpdf", "fontTools", "zxcvbn", "segno", "yaml", "dacite", "holidays", "dateutil"} <= set(manifest["modules"])
    for module in manifest["modules"]:
        assert not [n for n in first if n.startswith((f"__pypackages__/{module}/", f"__pypackages__/{module}.py"))]
        assert [n for n in later if n.startswith((f"__pypackages__/{module}/", f"__pypackages__/{module}.py"))]
    assert "assets/fonts/DejaVuSans.ttf" in later  # embedded in PDFs only
    # Only the fontTools modules the PDFs import (tools/webbuild/pdf_modules.py), every table module.
    assert {"__pypackages__/fontTools/subset/__init__.pyc", "__pypackages__/fontTools/ttLib/tables/_k_e_r_n.pyc"} <= later
    assert not [n for n in later if n.startswith(("__pypackages__/fontTools/ufoLib/", "__pypackages__/fontTools/feaLib/parser",
                                                  "__pypackages__/fontTools/varLib/interpolatable"))]
    assert "first package" in site.report["first_screen"]  # drawn by the build in Pyodide without the later one
    assert site.report["app_package_bytes"] < 3_000_000


def extract(archive: Path, name: str) -> bytes:
    with tarfile.open(archive) as tar:
        return tar.extractfile(name).read()


PACKAGED_CONTENT = """
import sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/__pypackages__"]
from content.loader import load_organisations, load_plan
from content.opening_hours import public_holidays
print(load_plan("nl").step(1).title, "|", load_plan("en").step(1).title, "|", len(load_organisations("nl").helplines),
      "|", len(public_holidays(2026)), "|", "yaml" in sys.modules, "holidays" in sys.modules)
"""


def test_the_packaged_content_loads_compiled_and_is_refused_once_edited(site, tmp_path):
    from content.opening_hours import public_holidays

    with tarfile.open(site.out / "app.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    # Only the standard library (-S): no YAML parser, no holidays library to fall back on.
    run = lambda: subprocess.run([sys.executable, "-I", "-S", "-c", PACKAGED_CONTENT, str(tmp_path)],  # noqa: E731
                                 capture_output=True, text=True, cwd=tmp_path)
    done = run()
    assert done.returncode == 0, done.stderr[-2000:]
    plan_nl, plan_en = load_plan("nl"), load_plan("en")
    assert [part.strip() for part in done.stdout.split("|")] == [
        plan_nl.step(1).title, plan_en.step(1).title, str(len(load_organisations("nl").helplines)),
        str(len(public_holidays(2026))), "False False"]
    content = tmp_path / "content" / "data" / "stappenplan.nl.yaml"
    content.write_text(content.read_text(encoding="utf-8") + "\n# edited after the build\n", encoding="utf-8")
    refused = run()  # the stale compiled plan is refused: it would have to be parsed again
    assert refused.returncode != 0 and re.search(r"No module named '(yaml|dacite)'", refused.stderr)


def test_manifest_and_icons(site):
    from PIL import Image

    manifest = json.loads((site.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "Stappenplan online incidenten"
    assert manifest["short_name"] and len(manifest["short_name"]) <= 12
    assert "leerlingen" in manifest["description"] and manifest["lang"] == "nl-NL"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "." and manifest["scope"] == "."
    assert manifest["theme_color"] == "#1f5f8b" and manifest["background_color"]
    seen = set()
    for icon in manifest["icons"]:
        with Image.open(site.out / icon["src"]) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            if icon["purpose"] == "maskable":  # full bleed: opaque corners
                assert image.convert("RGBA").getpixel((0, 0))[3] == 255
        seen.add((icon["sizes"], icon["purpose"]))
    assert seen == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}


def test_service_worker_precaches_the_site(site):
    sw = (site.out / "sw.js").read_text(encoding="utf-8")
    entries = json.loads(re.search(r"(\[\{\"revision\".*?\}\])", sw).group(1))
    urls = {e["url"] for e in entries}
    files = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file()}
    twins = {f for f in files if f.endswith(".gz") and f[:-3] in files}
    assert urls == files - twins - {"sw.js", "assets/NOTICES"}
    for entry in entries:
        data = (site.out / entry["url"]).read_bytes()
        assert entry["revision"] == hashlib.md5(data).hexdigest()
        if entry.get("z"):  # downloaded as FILE.gz and unpacked by the worker
            assert gzip.decompress((site.out / (entry["url"] + ".gz")).read_bytes()) == data
    assert "skipWaiting" in sw and "SKIP_WAITING" in sw  # the update waits for the user


def test_every_character_of_the_app_is_in_the_bundled_font(site):
    from fontTools.ttLib import TTFont

    from tools.webbuild.fonts import app_texts

    have = set(TTFont(str(site.out / "assets" / "fonts" / "roboto.woff2")).getBestCmap())
    missing = sorted({c for c in app_texts() if ord(c) >= 0x20 and ord(c) not in have})
    assert not missing, f"Flutter would fetch a fallback font (404 offline) for {missing}"


def test_every_icon_of_the_app_is_in_the_subset_font(site):
    from fontTools.ttLib import TTFont

    from tools.webbuild.fonts import used_icon_names

    glyphs = set(TTFont(str(site.out / "assets" / "fonts" / "MaterialIcons-Regular.otf")).getBestCmap().values())
    sources = [ROOT / "main.py", *ROOT.glob("screens/**/*.py")]
    for name in used_icon_names(sources):
        lower = name.lower()
        glyph = lower if lower.rsplit("_", 1)[-1] in ("outlined", "rounded", "sharp") else f"{lower}_baseline"
        assert glyph in glyphs, name


# -- in the browser ----------------------------------------------------------------------------


def new_session(browser, base_url: str):
    from tests.browser import open_session

    session = open_session(browser, base_url, viewport={"width": 412, "height": 915})
    session.context.add_init_script(CSP_PROBE)
    return session


def wait_until_ready(page) -> None:
    """The Python app has rendered: the shell (#loading) is gone."""
    page.wait_for_selector("#loading", state="detached", timeout=READY_TIMEOUT_MS)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def failed_requests(server: StaticServer) -> list:
    return [s for s in server.served if s.status >= 400]


@pytest.mark.browser
def test_first_visit_shows_the_shell_then_the_app_without_other_origins(browser, site_server):
    session = new_session(browser, site_server.url + BASE)
    page = session.page
    try:
        page.goto(session.base_url)
        shell = page.locator("#shell")
        shell.wait_for(state="visible", timeout=10_000)
        assert shell.get_by_role("heading", name="Acuut incident").is_visible()
        calls = shell.locator('a[href^="tel:"]')
        assert calls.count() >= 4 and calls.first.is_visible()
        assert shell.get_by_role("link", name="Bel 112").is_visible()
        paint = page.evaluate(
            "performance.getEntriesByType('paint').filter(e => e.name === 'first-contentful-paint')"
            ".map(e => e.startTime)[0] || null"
        )
        assert paint is not None and paint < 3000, paint  # goal 0.3 s: see tools/bench.py web
        shot(page, "web-shell")

        wait_until_ready(page)
        assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
        session.enable_semantics()
        session.tap("Acuut incident")
        page.wait_for_function("() => location.hash === '#/acuut'", timeout=20_000)
        session.see(load_plan("nl").acute_actions[0].title)
        shot(page, "web-app-acute")

        assert session.outside_requests == []
        assert page.evaluate("window.__blocked") == []  # not even attempted (Flet's Rive runtime included)
        assert session.console_errors == []
        assert page.evaluate("document.querySelector('meta[name=viewport]').content") == web_shell.VIEWPORT
        assert failed_requests(site_server) == []
    finally:
        session.close("web-first-visit")


def documented_best_practice_failures() -> set[str]:
    """The audit ids in the table of docs/web-and-mobile.md's Lighthouse section."""
    text = WEB_DOC.read_text(encoding="utf-8")
    section = text[text.index("### Lighthouse"):]
    section = section[: section.find("\n#", 1)] if "\n#" in section[1:] else section
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M))


@pytest.mark.browser
def test_lighthouse_on_a_phone(site_server):
    """Lighthouse's phone emulation on the static build: accessible, a clean console, and
    every best-practices audit that fails is explained in the docs."""
    from tools import lighthouse

    report = lighthouse.run(site_server.url + BASE, ("accessibility", "best-practices"))
    assert report["configSettings"]["formFactor"] == "mobile"
    assert lighthouse.score(report, "accessibility") >= 0.95, lighthouse.failing_audits(report, "accessibility")
    assert "meta-viewport" not in lighthouse.failing_audits(report, "accessibility")  # pinch-zoom allowed
    assert lighthouse.console_errors(report) == []
    undocumented = set(lighthouse.failing_audits(report, "best-practices")) - documented_best_practice_failures()
    details = {a: report["audits"][a].get("details", {}).get("items") for a in undocumented}
    assert not undocumented, f"failing best-practices audits not in {WEB_DOC.name}: {json.dumps(details)[:3000]}"


@pytest.fixture
def own_origin(browser, site, request):
    """The site on an origin of its own (a fresh service worker and IndexedDB):
    its server, and a phone-sized session on it."""
    server = StaticServer(site.root)
    session = new_session(browser, server.url + BASE)
    yield server, session
    session.close(request.node.name)
    server.stop()


@pytest.mark.browser
def test_offline_reload_brings_the_app_back_with_its_journal(own_origin):
    from tests.web_journal import create_journal_entry, journal_titles, run_in_app_worker

    server, session = own_origin
    page = session.page
    page.goto(session.base_url)
    wait_until_ready(page)
    create_journal_entry(page, "paard batterij nietje 42", "Nepaccount op Instagram", "Gesprek met de melder")

    session.context.set_offline(True)
    server.stop()  # and the server is gone, too
    page.reload()
    page.locator("#shell").wait_for(state="visible", timeout=10_000)
    wait_until_ready(page)
    assert journal_titles(page, "paard batterij nietje 42") == ["Nepaccount op Instagram"]
    stored = run_in_app_worker(page, """
        from storage.web import IndexedDBBlobStore, list_keys
        values = [await IndexedDBBlobStore(k).read() for k in await list_keys()]
        return [b"Nepaccount" in v or b"Gesprek met" in v for v in values]
    """)
    assert stored and not any(stored)  # never plaintext in browser storage

    page.goto(session.base_url + "#/acuut")  # a route, offline
    session.enable_semantics()
    session.see(load_plan("nl").acute_actions[0].title)
    shot(page, "web-offline-acute")
    assert session.outside_requests == []


@pytest.mark.browser
def test_offline_a_step_is_readable_at_once_and_the_app_opens_at_it(own_origin):
    """The installed app started again without network, at a step (a bookmark, the address of
    the last visit): the shell shows the step before Python has started, the app takes over there."""
    server, session = own_origin
    page = session.page
    page.goto(session.base_url)
    wait_until_ready(page)  # installed: the service worker holds the whole app
    session.context.set_offline(True)
    server.stop()
    step = load_plan("nl").step(4)
    title = f"Stap {step.number}: {step.title}"
    page.close()
    session.page = page = session.context.new_page()  # started again, from the shelf
    page.goto(session.base_url + "#/stap/4")
    assert page.locator("#shell h1:visible").inner_text() == title
    assert page.locator("#shell h2:visible", has_text=step.checklist[0].title).is_visible()
    shot(page, "web-offline-shell-step")
    wait_until_ready(page)
    session.enable_semantics()
    session.see(title)
    assert page.evaluate("location.hash") == "#/stap/4"
    assert session.outside_requests == []


@pytest.mark.browser
def test_a_journal_kept_in_the_ui_opens_offline_after_a_reload(own_origin):
    """What a teacher does: log an incident, lose the network, reopen the app, unlock, read it."""
    from tests.test_ui_journal import PASSPHRASE, new_incident, unlock

    server, session = own_origin
    page = session.page
    page.goto(session.base_url)
    wait_until_ready(page)
    session.enable_semantics()
    session.tap("Logboek")
    session.type_into("Je naam of rol in het logboek, bijvoorbeeld mentor 3B", "mentor 3B")
    session.type_into("Kies een wachtwoordzin", PASSPHRASE)
    session.type_into("Herhaal de wachtwoordzin", PASSPHRASE)
    session.tap("Logboek aanmaken")
    new_incident(session, "Bangalijst in de brugklas")

    session.context.set_offline(True)
    server.stop()
    page.reload()  # back on the incident's route, locked
    wait_until_ready(page)
    session.enable_semantics()
    unlock(session)
    session.see("Bangalijst in de brugklas")
    session.see("Voortgang per stap")
    shot(page, "web-offline-journal")
    assert session.outside_requests == []


SNAPSHOT_CACHE = "stappenplan-python-snapshot"  # tools/web/python-snapshot.js


def snapshot_keys(page) -> list[str]:
    """The Python start snapshots the browser keeps (their cache keys)."""
    return page.evaluate(f"caches.open({SNAPSHOT_CACHE!r}).then((c) => c.keys()).then((k) => k.map((r) => r.url))")


def wait_for_snapshot(page, timeout_s: float = 180) -> list[str]:
    """Until the snapshot the first start makes in the background is stored."""
    deadline = time.monotonic() + timeout_s
    while not (keys := snapshot_keys(page)) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    return keys


def start_marks(page) -> set[str]:
    return set(page.evaluate("performance.getEntriesByType('mark').map((m) => m.name)"))


def test_the_python_start_snapshot_is_kept_per_build_and_refused_when_it_does_not_restore(site):
    """tools/web/python-snapshot.js under Node, with this build's Pyodide and app package:
    a first start reports the snapshot missing; the maker stores one under this app package
    (a stale one of another build goes) and only once; later starts restore it, with Flet and
    the app imported and a random state each of their own; a snapshot of another Pyodide
    build is refused, marked, and not made again; so is one the app failed to start from,
    and one whose making failed is not tried again."""
    done = subprocess.run(["node", str(ROOT / "tests" / "web_helpers" / "python_snapshot_checks.mjs"), str(site.out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    first = seen["first"]
    assert first["messages"] == [{"fletAppEvent": "python-snapshot-missing"}]
    assert first["marks"] == ["python-snapshot-missing"] and first["unpacked"] and not first["imported"]
    assert seen["made"] == "stored" and seen["keysAfterMaking"] == [seen["expectedKey"]]
    assert seen["madeAgain"] == "present"
    for start in (seen["restored"], seen["restoredAgain"]):
        assert start["marks"] == ["python-snapshot-restored"] and start["messages"] == []
        assert start["imported"] and start["unpacked"]
    assert seen["restored"]["random"] != seen["restoredAgain"]["random"]
    # Only a restored start can refuse its snapshot; the app failing to start from it does.
    assert [seen[s]["refusable"] for s in ("first", "restored", "damaged")] == [False, True, False]
    assert seen["keysAfterAppFailed"] == [seen["expectedKey"] + "&refused"]
    after = seen["afterAppFailed"]
    assert after["marks"] == [] and after["messages"] == [] and not after["imported"]
    for start in (seen["damaged"], seen["afterRefused"]):
        assert start["marks"] == [] and start["messages"] == [] and start["unpacked"] and not start["imported"]
    assert seen["keysAfterDamaged"] == [seen["expectedKey"] + "&refused"]
    assert seen["makeAfterRefused"] == "present"
    assert (seen["makeFailed"], seen["makeFailedAgain"]) == ("failed", "present")
    assert sorted(seen["keysAfterFailed"]) == sorted([seen["expectedKey"] + "&refused", seen["failedKey"] + "&refused"])


@pytest.mark.browser
def test_later_starts_restore_python_from_the_snapshot_the_first_start_made(own_origin):
    """Installed and started again: Python comes from the snapshot the first start made in
    the background (Flet and the app already imported), each start with a random state of
    its own, and the app works as before; the snapshot belongs to this build's app package
    and holds nothing the user wrote in the first start."""
    from urllib.parse import unquote

    from tests.web_journal import create_journal_entry, run_in_app_worker

    server, session = own_origin
    page = session.page
    page.goto(session.base_url)
    wait_until_ready(page)
    assert "python-snapshot-missing" in start_marks(page)
    written = ["kwal fietsbel regenjas 77", "Naaktfoto van Noor Jansen gedeeld"]
    create_journal_entry(page, *written)  # a passphrase and an incident, before the snapshot is made
    package = re.search(r'flet\.appPackageUrl = "([^"]+)"', page.content()).group(1)
    keys = wait_for_snapshot(page)
    assert [unquote(k.split("package=", 1)[1]) for k in keys] == [session.base_url + package]
    found = page.evaluate(
        """([name, key, words]) => caches.open(name).then((c) => c.match(key)).then((r) => r.arrayBuffer())
             .then((bytes) => { const text = new TextDecoder("latin1").decode(bytes);
                                return [bytes.byteLength, words.filter((w) => text.includes(w))]; })""",
        [SNAPSHOT_CACHE, keys[0], written])
    assert found[0] > 1_000_000 and found[1] == []

    draws = []
    for _ in range(2):
        page.reload()
        wait_until_ready(page)
        assert {"python-snapshot-restored"} <= start_marks(page) and "python-snapshot-missing" not in start_marks(page)
        draws.append(run_in_app_worker(page, """
            import random, sys
            return [random.random(), "main" in sys.modules and "flet" in sys.modules]
        """))
    assert draws[0][1] and draws[1][1]
    assert draws[0][0] != draws[1][0]  # not the state frozen in the snapshot

    session.enable_semantics()
    session.tap("Acuut incident")
    page.wait_for_function("() => location.hash === '#/acuut'", timeout=20_000)
    session.see(load_plan("nl").acute_actions[0].title)
    assert session.console_errors == []
    assert snapshot_keys(page) == keys  # made once


@pytest.mark.browser
def test_a_snapshot_that_does_not_restore_is_refused_and_the_app_starts_without_it(own_origin):
    """A damaged snapshot (or one Pyodide refuses): the start goes on without it, the app
    works, and this build does not keep making new ones."""
    server, session = own_origin
    page = session.page
    page.goto(session.base_url)
    wait_until_ready(page)
    [key] = wait_for_snapshot(page)
    page.evaluate("([name, key]) => caches.open(name).then((c) => c.put(key, new Response(new Uint8Array(4096))))",
                  [SNAPSHOT_CACHE, key])
    page.reload()
    wait_until_ready(page)
    assert not {"python-snapshot-restored", "python-snapshot-missing"} & start_marks(page)
    session.enable_semantics()
    session.tap("Acuut incident")
    session.see(load_plan("nl").acute_actions[0].title)
    assert sorted(snapshot_keys(page)) == [key + "&refused"]
    page.reload()
    wait_until_ready(page)
    assert not {"python-snapshot-restored", "python-snapshot-missing"} & start_marks(page)
    assert session.console_errors == []


def _deploy_new_version(out: Path) -> None:
    """What a school's new deployment changes: a file, and the precache list in sw.js."""
    index = out / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace("</body>", "<!-- nieuwe versie -->\n</body>"), "utf-8")
    twin = out / "index.html.gz"
    if twin.exists():  # what the service worker downloads (build_web.write_gzip_twins)
        twin.write_bytes(gzip.compress(index.read_bytes(), mtime=0))
    revision = hashlib.md5(index.read_bytes()).hexdigest()
    sw = out / "sw.js"
    text, n = re.subn(r'"revision":"[0-9a-f]+"(,"s":\d+,"url":"index.html")', f'"revision":"{revision}"\\1',
                      sw.read_text(encoding="utf-8"))
    assert n == 1
    sw.write_text(text, encoding="utf-8")


@pytest.mark.browser
def test_new_deployment_offers_to_reload(browser, site, tmp_path):
    root = tmp_path / "deployed"
    shutil.copytree(site.out, root / "stappenplan")
    server = StaticServer(root)
    session = new_session(browser, server.url + BASE)
    page = session.page
    try:
        page.goto(session.base_url)
        wait_until_ready(page)
        _deploy_new_version(root / "stappenplan")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.locator("#update-banner")
        banner.wait_for(state="visible", timeout=60_000)
        assert banner.inner_text().replace("\n", " ").strip() == "Nieuwe versie beschikbaar — opnieuw laden"
        assert banner.get_attribute("role") == "alert"
        shot(page, "web-update-banner")
        with page.expect_navigation(timeout=60_000):
            banner.get_by_role("button", name="opnieuw laden").click()
        wait_until_ready(page)
        assert "<!-- nieuwe versie -->" in page.content()
    finally:
        session.close("web-update")
        server.stop()


@pytest.mark.browser
def test_a_pdf_made_before_the_later_package_is_unpacked_fetches_it_first(browser, site_server):
    """Exporting a report right after the start: the PDF writer is in app-later.tar.gz,
    which the app normally unpacks in the background; an import that comes first
    fetches and unpacks it at once (through the service worker)."""
    from tests.web_journal import run_in_app_worker

    session = new_session(browser, site_server.url + BASE)
    page = session.page
    try:
        page.goto(session.base_url)
        wait_until_ready(page)
        result = run_in_app_worker(page, """
            import shutil, sys
            import later_package
            # As just after the first page: the later package not unpacked yet.
            later_package._State.done = False
            for name in [n for n in sys.modules if n.split(".")[0] in ("fpdf", "fontTools")]:
                del sys.modules[name]
            for folder in ("fpdf", "fontTools"):
                shutil.rmtree(later_package.HERE / "__pypackages__" / folder)
            from datetime import datetime, timezone
            from content.loader import load_plan
            from report import incident_pdf
            from storage import incidents as inc
            now = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
            pdf = incident_pdf(inc.new_incident("Bangalijst", "anders", now=now), load_plan("nl"), anonymised=True,
                               now=now)
            return [pdf[:5].decode(), len(pdf) > 5000, later_package._State.done]
        """)
        assert result == ["%PDF-", True, True]
    finally:
        session.close("web-later-package")


@pytest.mark.browser
def test_journal_backends_in_the_browser_worker(browser, site_server, tmp_path):
    """The storage checks of test_storage_web.py, in Chromium's worker: real IndexedDB and WebCrypto."""
    from tests.test_storage_web import (
        CHECK_NAMES,
        checks_config,
        verify_browser_edit_of_native_journal,
        verify_browser_made_files,
    )
    from tests.web_journal import run_in_app_worker

    session = new_session(browser, site_server.url + BASE)
    page = session.page
    try:
        page.goto(session.base_url)
        wait_until_ready(page)
        source = (ROOT / "tests" / "web_helpers" / "storage_web_checks.py").read_text(encoding="utf-8")
        config = checks_config(tmp_path, "browser-checks")
        results = run_in_app_worker(page, f"""
            import sys
            with open("/tmp/storage_web_checks.py", "w", encoding="utf-8") as fh:
                fh.write({source!r})
            sys.path.insert(0, "/tmp")
            import json, storage_web_checks
            return await storage_web_checks.run_checks(json.loads({json.dumps(config)!r}))
        """, timeout_s=120)
        by_name = {r["name"]: r for r in results}
        assert sorted(by_name) == sorted(CHECK_NAMES)
        failed = {name: r["error"] for name, r in by_name.items() if not r["ok"]}
        assert not failed, failed
        verify_browser_made_files(by_name["browser_backup_and_journal_for_native"], tmp_path)
        verify_browser_edit_of_native_journal(by_name["native_journal_unlocks_in_the_browser"]["journal_b64"], tmp_path)
        print("PBKDF2-SHA256, 600,000 iterations, WebCrypto in the worker:",
              by_name["default_iterations_timing"]["pbkdf2_ms"], "ms")
    finally:
        session.close("web-storage-checks")


@pytest.fixture(scope="session")
def root_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site-root")
    run_build(root, "/", root.parent / "site-root-report.json")
    return root


@pytest.mark.browser
def test_build_at_the_root_works_too(browser, root_site):
    server = StaticServer(root_site)
    session = new_session(browser, server.url + "/")
    try:
        session.page.goto(session.base_url)
        session.page.locator("#shell").wait_for(state="visible", timeout=10_000)
        wait_until_ready(session.page)
        session.enable_semantics()
        session.tap("Hulplijnen")
        session.page.wait_for_function("() => location.hash === '#/hulplijnen'", timeout=20_000)
        shot(session.page, "web-root-helplines")
        assert session.outside_requests == [] and failed_requests(server) == []
    finally:
        session.close("web-root")
        server.stop()


# -- two tabs of the installed app write one journal ---------------------------------------------

_START_SAVES = """
import asyncio, builtins, dataclasses
from storage import incidents as inc
from storage.errors import JournalRekeyedError, StorageError
from storage.paths import open_store

async def saves():
    journal = await open_store().unlock({passphrase!r})
    saved = builtins._race_saved = []
    for n in range({count}):
        item = inc.new_incident(f"{prefix}-{{n}}", "bangalijst", reported_by="test")
        item = inc.add_note(item, f"notitie {{n}} van {prefix}", by="test")
        try:
            saved.append((await journal.save(item)).id)
        except JournalRekeyedError:
            break  # the passphrase changed in the other tab: this tab locked itself
        except StorageError as exc:
            builtins._race_errors = getattr(builtins, "_race_errors", []) + [repr(exc)]
    return saved

builtins._race = asyncio.ensure_future(saves())
return True
"""

_RACE_RESULT = """
import builtins
task = builtins._race
if not task.done():
    return None
return {"saved": task.result(), "errors": getattr(builtins, "_race_errors", [])}
"""


def _start_in_tab(page, passphrase: str, prefix: str, count: int) -> None:
    from tests.web_journal import run_in_app_worker

    run_in_app_worker(page, _START_SAVES.format(passphrase=passphrase, prefix=prefix, count=count))


def _wait_for_saves(page, at_least: int, timeout_s: float = 120) -> None:
    import time

    from tests.web_journal import run_in_app_worker

    deadline = time.monotonic() + timeout_s
    while run_in_app_worker(page, "import builtins\nreturn len(getattr(builtins, '_race_saved', []))") < at_least:
        if time.monotonic() > deadline:
            raise TimeoutError("the tab did not save")
        page.wait_for_timeout(100)


def _race_result(page, timeout_s: float = 300) -> dict:
    import time

    from tests.web_journal import run_in_app_worker

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = run_in_app_worker(page, _RACE_RESULT)
        if result is not None:
            return result
        page.wait_for_timeout(250)
    raise TimeoutError("the saves in the tab did not finish")


@pytest.fixture
def two_tabs(browser, site):
    """Two tabs of the app on one origin of its own: one IndexedDB, one set of
    Web Locks, and a Python worker each (each with its own journal object)."""
    server = StaticServer(site.root)
    first = new_session(browser, server.url + BASE)
    second = first.context.new_page()
    yield server, first, second
    first.close("web-two-tabs")
    server.stop()


@pytest.mark.browser
def test_two_tabs_of_the_installed_app_keep_every_save(two_tabs):
    from tests.web_journal import journal_titles, run_in_app_worker

    server, first, second = two_tabs
    passphrase = "twee tabbladen, een logboek"
    for page in (first.page, second):
        page.goto(first.base_url)
        wait_until_ready(page)
    run_in_app_worker(first.page, f"""
        from storage.paths import open_store
        await open_store().create({passphrase!r})
        return True
    """)
    _start_in_tab(first.page, passphrase, "tab-a", 150)
    _start_in_tab(second, passphrase, "tab-b", 150)
    a, b = _race_result(first.page), _race_result(second)
    assert a["errors"] == [] and b["errors"] == []
    assert len(a["saved"]) == len(b["saved"]) == 150
    titles = journal_titles(second, passphrase)
    assert sorted(titles) == sorted([f"tab-a-{n}" for n in range(150)] + [f"tab-b-{n}" for n in range(150)])


@pytest.mark.browser
def test_a_passphrase_changed_in_one_tab_stays_while_the_other_saves(two_tabs):
    from tests.web_journal import journal_titles, run_in_app_worker

    server, first, second = two_tabs
    old, new = "eerste wachtzin voor dit logboek", "tweede wachtzin voor dit logboek"
    for page in (first.page, second):
        page.goto(first.base_url)
        wait_until_ready(page)
    run_in_app_worker(first.page, f"""
        from storage.paths import open_store
        await open_store().create({old!r})
        return True
    """)
    planned = 5000  # far more than fit in the test: the tab must still be saving when the passphrase changes
    _start_in_tab(second, old, "tijdens", planned)
    _wait_for_saves(second, 5)
    run_in_app_worker(first.page, f"""
        from storage.paths import open_store
        journal = await open_store().unlock({old!r})
        await journal.change_passphrase({old!r}, {new!r})
        return True
    """)
    result = _race_result(second)
    assert result["errors"] == [] and 5 <= len(result["saved"]) < planned  # stopped: the tab locked itself
    titles = journal_titles(first.page, new)
    assert sorted(titles) == sorted(f"tijdens-{n}" for n in range(len(result["saved"])))
    refused = run_in_app_worker(first.page, f"""
        from storage.errors import WrongPassphraseError
        from storage.paths import open_store
        try:
            await open_store().unlock({old!r})
        except WrongPassphraseError:
            return True
        return False
    """)
    assert refused
