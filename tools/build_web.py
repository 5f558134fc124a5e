"""Build the installable, offline web app: a folder of static files.

    python tools/build_web.py [--out build/web] [--base-path /stappenplan/] [--school-profile school.yaml]

The result runs entirely in the browser (Python in Pyodide, in a Web Worker)
and asks nothing of any other origin; put the folder on any static web server
(sub-path: ``--base-path``).  Flet's ``flet publish`` needs the network, so
this builds on Flet's own pieces instead, step by step:

1. the prebuilt Flutter web client of ``flet_web`` (CanvasKit renderer, the
   dart2js build), Pyodide's core files and Flet's ``python.js`` /
   ``python-worker.js`` — only what the page loads (pruned: the skwasm/wimp
   renderers, the dart2wasm build, debug symbols, unused fonts and assets);
2. ``app.tar.gz``: the app's Python (``main.py``, the packages from
   ``pyproject.toml``, compiled translations, ``tools/web/web_main.py`` as
   the entry point) and its pure-Python dependencies under
   ``__pypackages__/`` (pruned: Babel locales other than nl/en, time zones,
   holiday countries, compiled extensions, stubs, the long descriptions in
   the distributions' METADATA).  With ``--school-profile``
   (a YAML file, see ``docs/schoolprofiel.voorbeeld.yaml``, or a
   ``.stappenplan-school`` file exported from the app) the school's profile
   goes in too (``school/bundled.stappenplan-school``), so the school's
   Chromebooks start with it.  A smoke test imports the pruned package in
   an isolated interpreter before it is packed;
3. fonts: Roboto (bundled with Flet) registered in ``FontManifest.json`` with
   Flet's ``patch_font_manifest_json``; Material Icons cut down to the icons
   the app uses (plus those Flutter and Flet draw themselves);
4. ``index.html`` from Flet's template, patched by Flet's
   ``patch_index_html`` (Pyodide mode, no CDN, base path, hash routing) and
   by ``tools/web_shell.render_index`` (CSP, Dutch, the static shell of acute
   actions and help lines from ``content/``, the school's own contacts first
   when there is a school profile, ``assets/page-guard.js``), with a CSP whose inline scripts
   are allowed by their SHA-256 hashes; the ``pyodideUrl`` of Flet 1.0.5
   (relative, which a module worker cannot import) is made absolute;
5. ``flutter_bootstrap.js`` patched so the shell stays until the Python app
   has rendered, without Flutter's own (self-removing) service worker, and
   with the CanvasKit build chosen by ``tools/web/boot.js``; ``python.js``
   patched to pass the app's "rendered" event to the page;
6. the web app manifest and icons, generated from ``assets/icon.png``;
7. ``sw.js``: a Workbox service worker (``tools/web``, npm, pinned in
   ``package-lock.json``) that precaches the site.

It prints what the first visit downloads; ``--report FILE`` writes the same
figures as JSON.  Needs Node.js (>= 18) and npm for step 7.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import gzip
import hashlib
import html
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flet_web  # noqa: E402
from flet.controls.types import RouteUrlStrategy, WebRenderer  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402

from school import profile_file  # noqa: E402
from school.profile import SchoolProfile  # noqa: E402
from school.store import BUNDLED_FILE  # noqa: E402
from tools.school_yaml import ProfileYamlError, explained, read_profile_source  # noqa: E402
from tools import web_shell  # noqa: E402

FLET_WEB = Path(flet_web.__file__).parent / "web"
WEB_TOOLS = ROOT / "tools" / "web"
ICON_SOURCE = ROOT / "assets" / "icon.png"
DEFAULT_OUT = ROOT / "build" / "web"

APP_SHORT_NAME = "Stappenplan"
THEME_COLOR = "#1f5f8b"
BACKGROUND_COLOR = "#f8f9ff"  # the shell's background (tools/web_shell.py)
ENTRY_MODULE = "web_main"
# The page of the web-server mode, its script, and the files it serves over Flet's web client
# (assets/assets/: tools/server_font.py).
ASSETS_NOT_PACKED = {"index.html", web_shell.PAGE_GUARD, "assets/*"}

# --- what the page loads from Flet's web client ----------------------------------------

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
    "python-worker.js",
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
# --no-prune: also Flet's fonts for KaTeX and Cupertino icons and the rest.
UNPRUNED_EXTRA_DIRS = ["assets/packages", "assets/fonts"]

NOT_PRECACHED = ["assets/NOTICES"]

KATEX_PREFIX = "packages/flutter_math_fork/"
CUPERTINO_FAMILY = "packages/cupertino_icons/CupertinoIcons"

# Material icons that Flutter's and Flet's own widgets draw (back arrow,
# close, expansion tiles, dropdowns, menus, pickers, search, error screens).
FRAMEWORK_ICONS = """
arrow_back arrow_back_ios arrow_back_ios_new arrow_forward arrow_forward_ios close cancel clear
expand_more expand_less arrow_drop_down arrow_drop_up more_vert more_horiz menu search check
check_box check_box_outline_blank radio_button_checked radio_button_unchecked edit calendar_today
chevron_left chevron_right keyboard keyboard_arrow_up keyboard_arrow_down keyboard_arrow_left
keyboard_arrow_right access_time schedule visibility visibility_off arrow_upward arrow_downward
drag_handle error error_outline warning info info_outline done add remove navigate_next
navigate_before first_page last_page date_range content_copy content_cut content_paste select_all
refresh open_in_new
""".split()
ICON_STYLES = ("baseline", "outlined", "rounded", "sharp")

# --- pure-Python dependencies in the browser ---------------------------------------------

# Not packed: the web path never imports them (storage.web replaces
# cryptography; platformdirs is only used natively; flet-web is this
# folder's source, not a run-time dependency; Pillow is a C extension that
# fpdf2 only needs for images, which the report never contains; python-docx
# needs lxml, a C extension with no wheel for this Pyodide: the browser
# offers a letter as PDF and as text instead, see letters/export.py).
# filelock is the native journal's OS lock; the browser has the Web Locks API.
WEB_EXCLUDED_DISTRIBUTIONS = {"cryptography", "platformdirs", "flet-web", "pillow", "python-docx", "lxml", "filelock"}
# The app's own code that the browser never runs: the team server (a service of
# its own), the native back ends (cryptography, httpx: sync.web and storage.web
# replace them) and the sync test double.
WEB_EXCLUDED_PACKAGES = {"server"}
NATIVE_ONLY_FILES = {"storage/native.py", "sync/native.py", "sync/testing.py"}
# Modules the smoke test (native Python) cannot import: they need Pyodide's js module.
BROWSER_ONLY_MODULES = {"storage.web", "sync.web"}
MARKER_ENV = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "os_name": "posix",
    "platform_machine": "wasm32",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": "3.14",
    "python_full_version": "3.14.2",
    "extra": "",
}
PACKAGE_FILE_EXCLUDES = [
    "*/__pycache__/*", "*.pyc", "*.so", "*.pyd", "*.dylib", "*.pyi", "*.c", "*.h", "*.pxd", "*.pyx",
    "*.dist-info/RECORD", "*.dist-info/INSTALLER", "*.dist-info/REQUESTED", "*.dist-info/direct_url.json",
    "*.dist-info/entry_points.txt",
    "flet/testing/*", "flet/pytest_plugin.py",
]
BABEL_LOCALES = {"root", "nl", "nl_NL", "en", "en_001", "en_GB", "en_US", "en_US_POSIX"}
TZ_KEEP = {"UTC", "GMT", "Etc/UTC", "Etc/GMT", "Europe/Amsterdam", "Europe/Brussels"}
HOLIDAY_COUNTRIES = {"netherlands": "NL"}  # module in holidays/countries -> ISO code
# fontTools sub-packages the report's PDF (fpdf2: parse, subset, embed a TTF)
# never imports; the smoke test makes a PDF from the pruned package.
FONTTOOLS_UNUSED = {"cu2qu", "qu2cu", "ufoLib", "voltLib", "mtiLib", "merge", "t1Lib", "afmLib", "tfmLib",
                    "fontBuilder", "help", "ttx"}
HOLIDAY_LANGUAGES = {"nl", "en_US"}

CSP_TEMPLATE = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' {hashes}",
    # Flutter writes <style> elements and style attributes at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
])
CSP_PLACEHOLDER = "__STAPPENPLAN_CSP__"

HEAD_EXTRA = f"""  <meta name="theme-color" content="{THEME_COLOR}">
  <style>
    #loading {{ z-index: 2147483000; }}
    #update-banner {{ position: fixed; left: 50%; bottom: 1rem; transform: translateX(-50%); z-index: 2147483001;
      box-sizing: border-box; width: calc(100% - 2rem); max-width: 30rem; display: flex; align-items: center;
      justify-content: space-between; gap: .75rem; padding: .5rem .5rem .5rem 1rem; border-radius: 12px;
      background: #2e3135; color: #eff0f7; box-shadow: 0 2px 8px rgba(0,0,0,.3);
      font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
    #update-banner button {{ flex: none; white-space: nowrap; min-height: 48px; padding: 0 1rem; border: 0;
      border-radius: 24px; background: #9ccbfb; color: #003352; font: inherit; font-weight: 600; cursor: pointer; }}
    #update-banner button:focus-visible {{ outline: 3px solid #fff; outline-offset: 2px; }}
  </style>
  <script src="boot.js" defer></script>"""


class BuildError(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, flush=True)


# --- small helpers ---------------------------------------------------------------------


def normalise_base_path(base_path: str) -> str:
    parts = [p for p in base_path.strip().split("/") if p]
    for p in parts:
        if p in (".", "..") or not re.fullmatch(r"[A-Za-z0-9._~!$&'()*+,;=:@%-]+", p):
            raise BuildError(f"invalid base path segment: {p!r}")
    return "/" + "".join(f"{p}/" for p in parts)


def sha256_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def replace_once(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        raise BuildError(f"cannot patch {what}: Flet's file changed (expected one {old[:60]!r})")
    return text.replace(old, new, 1)


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def tree_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in files_under(directory))


# --- 1. Flet's web client ----------------------------------------------------------------


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


# --- 2. the app package ------------------------------------------------------------------


@dataclass
class Dist:
    name: str
    files: list[tuple[Path, str]] = field(default_factory=list)  # (source, path in package)


def _requirements_of(dist: metadata.Distribution) -> list[Requirement]:
    out = []
    for spec in dist.requires or []:
        req = Requirement(spec)
        if req.marker is not None and not req.marker.evaluate(MARKER_ENV):
            continue
        out.append(req)
    return out


def web_distributions(pyproject: dict) -> list[Dist]:
    """The app's dependencies for the browser (transitively), with their files."""
    wanted = []
    for spec in pyproject["project"]["dependencies"]:
        req = Requirement(spec)
        if canonicalize_name(req.name) in WEB_EXCLUDED_DISTRIBUTIONS:
            continue
        if req.marker is None or req.marker.evaluate(MARKER_ENV):
            wanted.append(req.name)
    seen: dict[str, Dist] = {}
    while wanted:
        name = canonicalize_name(wanted.pop())
        if name in seen or name in WEB_EXCLUDED_DISTRIBUTIONS:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise BuildError(f"{name} is not installed: pip install -e '.[test]'") from None
        entry = Dist(name)
        for f in dist.files or []:
            rel = PurePosixPath(str(f))
            if rel.parts and rel.parts[0] == "..":  # console scripts etc.
                continue
            if any(fnmatch.fnmatch(str(rel), pat) for pat in PACKAGE_FILE_EXCLUDES):
                continue
            src = Path(dist.locate_file(f))
            if src.is_file():
                entry.files.append((src, str(rel)))
        seen[name] = entry
        wanted.extend(r.name for r in _requirements_of(dist))
    return sorted(seen.values(), key=lambda d: d.name)


def _metadata_headers(metadata_file: bytes) -> bytes:
    """A distribution's METADATA without its long description (the README
    after the first blank line): ``importlib.metadata`` reads only the
    headers (name, version, requirements), and the descriptions were over
    100 kB of the compressed app package."""
    headers, _, _ = metadata_file.partition(b"\n\n")
    return headers + b"\n"


def _keep_package_file(rel: str) -> bool:
    """Pruning of data the app never reads (see the module docstring)."""
    if rel.startswith("babel/locale-data/") and rel.endswith(".dat"):
        return rel[len("babel/locale-data/"):-len(".dat")] in BABEL_LOCALES
    if rel.startswith("tzdata/zoneinfo/"):
        zone = rel[len("tzdata/zoneinfo/"):]
        if zone.endswith("__init__.py"):
            parent = zone[: -len("__init__.py")].rstrip("/")
            return parent == "" or any(z.startswith(parent + "/") for z in TZ_KEEP)
        return zone in TZ_KEEP
    if rel.startswith("fontTools/"):
        first = rel.split("/")[1].removesuffix(".py")
        if first in FONTTOOLS_UNUSED:
            return False
    if rel == "dateutil/zoneinfo/dateutil-zoneinfo.tar.gz":
        return False  # dateutil's own copy of the time zones; zoneinfo + tzdata serve them
    if rel.startswith("holidays/countries/"):
        name = rel[len("holidays/countries/"):]
        return name == "__init__.py" or name.removesuffix(".py") in HOLIDAY_COUNTRIES
    if rel.startswith("holidays/financial/"):
        return rel == "holidays/financial/__init__.py"
    if rel.startswith("holidays/locale/"):
        lang, _, rest = rel[len("holidays/locale/"):].partition("/")
        codes = set(HOLIDAY_COUNTRIES.values())
        return lang in HOLIDAY_LANGUAGES and any(rest.endswith(f"/{code}.mo") for code in codes)
    return True


def _holidays_countries_init(original: str) -> bytes:
    """holidays/countries/__init__.py imports every country: keep the kept ones' lines."""
    lines = ['"""Pruned for the web build: only the countries the app uses."""']
    for line in original.splitlines():
        match = re.match(r"from holidays\.countries\.(\w+) import ", line)
        if match and match[1] in HOLIDAY_COUNTRIES:
            lines.append(line)
    if len(lines) != len(HOLIDAY_COUNTRIES) + 1:
        raise BuildError("holidays/countries/__init__.py has changed; update HOLIDAY_COUNTRIES pruning")
    return ("\n".join(lines) + "\n").encode()


def stage_app(stage: Path, prune: bool, school: Optional[SchoolProfile] = None) -> dict:
    """Lay out the app package in ``stage``; returns what went in."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    from words.i18n import compile_catalogs

    compile_catalogs()

    # The app itself: the packages and modules pyproject.toml declares.
    setuptools = pyproject["tool"]["setuptools"]
    app_files: list[Path] = []
    for module in setuptools.get("py-modules", []):
        app_files.append(ROOT / f"{module}.py")
    for package in sorted({name.split(".")[0] for name in setuptools["packages"]}):  # subpackages inside
        if prune and package in WEB_EXCLUDED_PACKAGES:
            continue
        for path in files_under(ROOT / package):
            rel = path.relative_to(ROOT).as_posix()
            if "__pycache__" in rel or path.suffix in (".pyc",):
                continue
            data_globs = setuptools.get("package-data", {}).get(package, [])
            is_data = any(fnmatch.fnmatch(path.relative_to(ROOT / package).as_posix(), g) for g in data_globs)
            if path.suffix == ".py" or (is_data and not path.name.endswith(".md")):
                if prune and rel in NATIVE_ONLY_FILES:
                    continue
                app_files.append(path)
    for path in files_under(ROOT / "locale"):
        if path.suffix == ".mo":  # compiled catalogs only: nothing is compiled in the browser
            app_files.append(path)
    # Data files the Python code reads from assets/ (e.g. the fonts embedded in
    # reports).  Not the server mode's page, nor the icon sources (made into
    # the site's icons above).
    for path in files_under(ROOT / "assets"):
        rel = path.relative_to(ROOT / "assets").as_posix()
        if any(fnmatch.fnmatch(rel, g) for g in (*ASSETS_NOT_PACKED, "icon*.png", "splash*.png")):
            continue
        app_files.append(path)
    for path in app_files:
        dst = stage / path.relative_to(ROOT)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dst)
    shutil.copy2(WEB_TOOLS / "web_main.py", stage / f"{ENTRY_MODULE}.py")
    if school is not None:  # read by school.store.bundled_profile()
        (stage / BUNDLED_FILE.relative_to(ROOT)).write_bytes(profile_file.encode(school))

    # Dependencies, pure Python, under __pypackages__ (the worker puts it on sys.path).
    pkgs = stage / "__pypackages__"
    dists = web_distributions(pyproject)
    for dist in dists:
        for src, rel in dist.files:
            if prune and not _keep_package_file(rel):
                continue
            dst = pkgs / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if prune and rel.endswith(".dist-info/METADATA"):
                dst.write_bytes(_metadata_headers(src.read_bytes()))
            else:
                shutil.copy2(src, dst)
    countries_init = pkgs / "holidays" / "countries" / "__init__.py"
    if prune and countries_init.exists():
        countries_init.write_bytes(_holidays_countries_init(countries_init.read_text(encoding="utf-8")))
        (pkgs / "holidays" / "financial" / "__init__.py").write_bytes(
            b'"""Pruned for the web build: no financial calendars."""\n'
        )
    for forbidden in ("pyproject.toml", "requirements.txt"):
        # Flet's worker would micropip-install from the network if it found these.
        if (stage / forbidden).exists():
            raise BuildError(f"{forbidden} must not be in the app package")
    return {"distributions": [d.name for d in dists]}


SMOKE = r"""
import json, sys
sys.path[:0] = [{pkgs!r}, {app!r}]
sys.dont_write_bytecode = True
import zoneinfo
zoneinfo.reset_tzpath([])  # as in the browser: time zones only from the tzdata package
import importlib, pkgutil
from datetime import date, datetime, timezone
importlib.import_module("main")
for package in {packages!r}:
    mod = importlib.import_module(package)
    for info in pkgutil.walk_packages(mod.__path__, package + "."):
        if info.name not in {skip!r}:  # native only (not packed), or needs Pyodide
            importlib.import_module(info.name)
from babel.dates import format_date, format_time
from zoneinfo import ZoneInfo
from content.loader import load_organisations, load_plan
from content.opening_hours import public_holidays
from words.i18n import _, set_language
out = {{}}
for lang in ("nl", "en"):
    set_language(lang)
    out[lang] = [_("Online incidents step plan"), format_date(date(2025, 3, 14), "EEEE d MMMM y", locale=lang),
                 format_time(datetime(2025, 3, 14, 9, 5, tzinfo=timezone.utc), "HH:mm", locale=lang)]
out["holidays"] = {{str(y): sorted((d.isoformat(), n) for d, n in public_holidays(y).items()) for y in range(2024, 2032)}}
out["tz"] = str(datetime(2025, 7, 1, 12, tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Amsterdam")))
out["plan"] = load_plan("nl").step(1).title
out["organisations"] = len(load_organisations("nl").helplines)
import warnings
warnings.simplefilter("ignore")  # fpdf2 notes that it cannot add images without Pillow
from content.loader import load_plan as _plan
from report import incident_pdf
from storage import incidents as inc
_now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
_pdf = incident_pdf(inc.add_note(inc.new_incident("Zoë – rapport", "anders", now=_now), "Notitie ’ · ë", at=_now),
                    _plan("nl"), anonymised=True, now=_now)
out["pdf"] = [_pdf[:5].decode(), len(_pdf) > 5000]
from letters.export import docx_available, letter_pdf, plain_text
from letters.render import render_letter
from letters.templates import load_letters
_letter = render_letter(load_letters("nl"), "alle-ouders", profile=None, incident=None, now=_now)
out["letter"] = plain_text(_letter.subject, _letter.body)
_letter_pdf = letter_pdf(_letter.subject, _letter.body, language="nl", now=_now)
out["letter_pdf"] = [_letter_pdf[:5].decode(), len(_letter_pdf) > 5000]
out["docx"] = docx_available()  # False in the browser package (no lxml): checked, then left out of the comparison
import flet
out["flet"] = flet.__version__ if hasattr(flet, "__version__") else "?"
print(json.dumps(out, sort_keys=True))
"""


def smoke_test(stage: Path, packages: list[str]) -> None:
    """Import every app module from the staged (pruned) package alone and
    compare dates, holidays and translations with the full environment."""
    skip = sorted(BROWSER_ONLY_MODULES | {f.removesuffix(".py").replace("/", ".") for f in NATIVE_ONLY_FILES})
    packages = [p for p in packages if p not in WEB_EXCLUDED_PACKAGES]
    code = SMOKE.format(pkgs=str(stage / "__pypackages__"), app=str(stage), packages=packages, skip=skip)
    staged = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, cwd=stage)
    if staged.returncode != 0:
        raise BuildError(f"the pruned app package does not import:\n{staged.stderr[-3000:]}")
    full = subprocess.run(
        [sys.executable, "-c", code.replace(repr(str(stage / "__pypackages__")), repr(str(ROOT))).replace(
            repr(str(stage)), repr(str(ROOT)))],
        capture_output=True, text=True, cwd=ROOT,
    )
    if full.returncode != 0:
        raise BuildError(f"smoke test failed in the full environment:\n{full.stderr[-3000:]}")
    staged_out, full_out = json.loads(staged.stdout), json.loads(full.stdout)
    if staged_out.pop("docx") is not False:
        raise BuildError("python-docx must not be in the browser package (it needs lxml, a C extension)")
    full_out.pop("docx")
    if staged_out != full_out:
        raise BuildError(f"the pruned app package behaves differently:\n{staged.stdout}\n{full.stdout}")


def run_pyodide(script: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``script`` in the site's own Pyodide under Node (tools/web/run-pyodide.mjs)."""
    return subprocess.run(
        ["node", str(WEB_TOOLS / "run-pyodide.mjs"), str(FLET_WEB / "pyodide"), str(script), *args],
        capture_output=True, text=True, timeout=timeout,
    )


def byte_compile(stage: Path) -> str:
    """Byte-compile the package with the browser's own Python (see tools/web/compile_app.py)."""
    done = run_pyodide(WEB_TOOLS / "compile_app.py", "--mount", f"{stage}=/app")
    if done.returncode != 0:
        raise BuildError(f"byte-compiling the app package failed:\n{done.stdout[-3000:]}\n{done.stderr[:500]}")
    return done.stdout.strip().splitlines()[-1]


def pack(stage: Path, target: Path) -> None:
    """A reproducible tar.gz (sorted, fixed times and owners)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in [stage] + sorted(stage.rglob("*")):
            rel = path.relative_to(stage).as_posix()
            if rel == ".":
                continue
            info = tar.gettarinfo(str(path), arcname=rel)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o755 if path.is_dir() else 0o644
            if path.is_file():
                with path.open("rb") as fh:
                    tar.addfile(info, fh)
            else:
                tar.addfile(info)
    with target.open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(raw.getvalue())


# --- 3. fonts ----------------------------------------------------------------------------


def used_icon_names(sources: Iterable[Path]) -> set[str]:
    names = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"(?<![A-Za-z])Icons\.([A-Z][A-Z0-9_]*)", text))
    return names


def subset_material_icons(font_path: Path, flet_names: set[str]) -> dict:
    """Keep only the glyphs the app (and Flutter/Flet themselves) use.

    Flet's icon names map to the font's glyph names: ``PHONE`` ->
    ``phone_baseline``, ``PHONE_OUTLINED`` -> ``phone_outlined``.  If one
    cannot be mapped, the font is left whole (and a warning printed).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path))
    cmap = font.getBestCmap()
    by_glyph: dict[str, int] = {glyph: code for code, glyph in cmap.items()}
    wanted: set[str] = set()
    missing = []
    for name in sorted(flet_names):
        lower = name.lower()
        glyph = lower if lower.rsplit("_", 1)[-1] in ICON_STYLES[1:] else f"{lower}_baseline"
        if glyph in by_glyph:
            wanted.add(glyph)
        else:
            missing.append(name)
    for base in FRAMEWORK_ICONS:
        wanted |= {f"{base}_{style}" for style in ICON_STYLES if f"{base}_{style}" in by_glyph}
    before = font_path.stat().st_size
    if missing:
        log(f"  warning: icons not found in the font, kept it whole: {', '.join(missing)}")
        return {"icons": len(flet_names), "glyphs": len(cmap), "bytes_before": before, "bytes": before, "missing": missing}
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({by_glyph[g] for g in wanted} | {0x20}))
    subsetter.subset(font)
    font.save(str(font_path))
    return {"icons": len(flet_names), "glyphs": len(wanted), "bytes_before": before, "bytes": font_path.stat().st_size}


# Fonts to take glyphs from that Roboto lacks (the reports' DejaVu Sans; same 2048 units per em).
GLYPH_SOURCES = [ROOT / "assets" / "fonts" / "DejaVuSans.ttf"]


def app_texts(school: Optional[SchoolProfile] = None) -> str:
    """Every text the app can show: content (all languages), translations, UI code,
    the school profile built in."""
    parts = []
    for pattern in ("content/data/*.yaml", "locale/*/LC_MESSAGES/*.po", "screens/**/*.py", "words/**/*.py",
                    "report/**/*.py", "main.py", "storage/errors.py"):
        parts += [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob(pattern))]
    if school is not None:
        parts.append(profile_file.canonical_json(school).decode("utf-8"))
    return "".join(parts)


def complete_text_font(font_path: Path, texts: str, glyph_sources: list[Path]) -> dict:
    """Add the glyphs the app's texts need and Roboto lacks (e.g. "⇒").

    Flutter would otherwise fetch a Noto fallback font from
    ``assets/fonts/`` (a 404 here, and offline), again on every frame, and
    draw a box.  The glyphs are copied from a fallback source font into
    Roboto (fontTools), so the page keeps one text font.
    """
    import io

    from fontTools import subset
    from fontTools.merge import Merger
    from fontTools.merge import Options as MergeOptions
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path))
    have = set(font.getBestCmap())
    missing = sorted({ord(c) for c in texts if ord(c) >= 0x20 and ord(c) not in (0x7F,)} - have)
    missing = [c for c in missing if not (0xD800 <= c <= 0xDFFF) and c not in (0xFEFF,)]
    if not missing:
        return {"added": []}
    source = next((p for p in glyph_sources if p.exists()), None)
    if source is None:
        log(f"  warning: no font to take {''.join(map(chr, missing))!r} from; restore assets/fonts/DejaVuSans.ttf")
        return {"added": [], "missing": [f"U+{c:04X}" for c in missing]}
    extra = TTFont(str(source))
    available = [c for c in missing if c in extra.getBestCmap()]
    if extra["head"].unitsPerEm != font["head"].unitsPerEm or "glyf" not in extra:
        raise BuildError(f"{source} cannot be merged into Roboto (units per em / outlines differ)")
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = []
    options.notdef_outline = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "MATH", "kern", "hdmx", "VDMX", "LTSH", "vhea", "vmtx", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=available)
    subsetter.subset(extra)
    font.flavor = None
    base, addition = io.BytesIO(), io.BytesIO()
    font.save(base)
    extra.save(addition)
    base.seek(0)
    addition.seek(0)
    merged = Merger(MergeOptions(drop_tables=["MATH"])).merge([base, addition])
    merged.flavor = "woff2"
    merged.save(str(font_path))
    still = [c for c in missing if c not in available]
    if still:
        log(f"  warning: no glyph anywhere for {''.join(map(chr, still))!r}")
    return {"added": [f"U+{c:04X}" for c in available], "from": source.name, "missing": [f"U+{c:04X}" for c in still]}


def write_font_manifest(out: Path, app_sources: list[Path], prune: bool, school: Optional[SchoolProfile] = None) -> dict:
    manifest_path = out / "assets" / "FontManifest.json"
    report: dict = {}
    if prune:
        text = "\n".join(p.read_text(encoding="utf-8") for p in app_sources)
        families = json.loads(manifest_path.read_text(encoding="utf-8"))
        keep = []
        for family in families:
            name = family["family"]
            if name.startswith(KATEX_PREFIX):
                continue  # math fonts of ft.Markdown's LaTeX; the app shows no formulas
            if name == CUPERTINO_FAMILY and "CupertinoIcons." not in text:
                continue
            keep.append(family)
        manifest_path.write_text(json.dumps(keep), encoding="utf-8")
        for family in keep:
            for font in family["fonts"]:
                if not (out / "assets" / font["asset"]).exists():
                    shutil.copy2(FLET_WEB / "assets" / font["asset"], out / "assets" / font["asset"])
        report["material_icons"] = subset_material_icons(
            out / "assets" / "fonts" / "MaterialIcons-Regular.otf", used_icon_names(app_sources)
        )
    # Roboto, the one text font, registered the way Flet's server does it (no_cdn),
    # completed with the few glyphs the app's texts need beyond it.
    flet_web.patch_font_manifest_json(str(manifest_path))
    report["text_font"] = complete_text_font(out / "assets" / "fonts" / "roboto.woff2", app_texts(school), GLYPH_SOURCES)
    report["families"] = [f["family"] for f in json.loads(manifest_path.read_text(encoding="utf-8"))]
    return report


# --- 4./5. index.html and Flet's scripts ---------------------------------------------------


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
    path.write_text(js, encoding="utf-8")


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


def write_index(out: Path, base_path: str, app_url: str, pyodide_version: str,
                school: Optional[SchoolProfile] = None) -> str:
    index = out / "index.html"
    shutil.copy2(FLET_WEB / "index.html", index)
    flet_web.patch_index_html(
        str(index),
        base_href=base_path,
        app_name=web_shell.APP_NAME,
        app_description=web_shell.APP_DESCRIPTION,
        pyodide=True,
        pyodide_script_path=f"{ENTRY_MODULE}.py",
        pyodide_version=pyodide_version,
        app_package_url=app_url,
        web_renderer=WebRenderer.CANVAS_KIT,
        route_url_strategy=RouteUrlStrategy.HASH,
        no_cdn=True,
    )
    page = index.read_text(encoding="utf-8")
    # Flet 1.0.5 writes a bare "pyodide/pyodide.mjs", which the module worker
    # cannot import ("Failed to resolve module specifier"): make it absolute.
    page, n = re.subn(
        r'flet\.pyodideUrl="(?![./]|https?:)([^"]*)"', lambda m: f'flet.pyodideUrl="{base_path}{m[1]}"', page
    )
    if n != 1 and f'flet.pyodideUrl="{base_path}pyodide/pyodide.mjs"' not in page:
        raise BuildError("cannot find flet.pyodideUrl in the patched index.html")
    # boot.js starts Flutter (after the service worker is ready on a first visit).
    page = replace_once(page, '<script src="flutter_bootstrap.js" async></script>', "", "index.html (bootstrap)")
    page = web_shell.render_index(page, csp=CSP_PLACEHOLDER, shell=web_shell.shell_html(school), head_extra=HEAD_EXTRA)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    hashes = " ".join(f"'sha256-{sha256_b64(s)}'" for s in scripts)
    csp = CSP_TEMPLATE.format(hashes=hashes)
    page = replace_once(page, CSP_PLACEHOLDER, html.escape(csp, quote=True), "index.html (CSP)")
    index.write_text(page, encoding="utf-8")
    return csp


# --- 6. manifest and icons ------------------------------------------------------------------


def write_icons(out: Path) -> list[dict]:
    from PIL import Image

    source = Image.open(ICON_SOURCE).convert("RGBA")
    if source.size != (1024, 1024):
        raise BuildError(f"{ICON_SOURCE.relative_to(ROOT)} must be 1024×1024, is {source.size}")
    icons = out / "icons"
    icons.mkdir(parents=True, exist_ok=True)

    def plain(size: int) -> Image.Image:
        return source.resize((size, size), Image.LANCZOS)

    def maskable(size: int) -> Image.Image:
        # Full bleed: the platform cuts its own shape; the motif sits in the safe zone.
        tile = Image.new("RGBA", (size, size), THEME_COLOR)
        tile.alpha_composite(plain(size))
        return tile

    def opaque(size: int) -> Image.Image:  # iOS shows transparency as black
        return maskable(size).convert("RGB")

    images = {
        "icons/icon-192.png": plain(192),
        "icons/icon-512.png": plain(512),
        "icons/icon-maskable-192.png": maskable(192),
        "icons/icon-maskable-512.png": maskable(512),
        "icons/apple-touch-icon-192.png": opaque(192),
        "favicon.png": plain(64),
    }
    for rel, image in images.items():
        image.save(out / rel, optimize=True)
    return [
        {"src": "icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": "icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": "icons/icon-maskable-192.png", "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
        {"src": "icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]


def write_manifest(out: Path, icons: list[dict], version: str) -> None:
    path = out / "manifest.json"
    shutil.copy2(FLET_WEB / "manifest.json", path)
    flet_web.patch_manifest_json(
        str(path),
        app_name=web_shell.APP_NAME,
        app_short_name=APP_SHORT_NAME,
        app_description=web_shell.APP_DESCRIPTION,
        background_color=BACKGROUND_COLOR,
        theme_color=THEME_COLOR,
    )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(
        {
            "lang": "nl-NL",
            "dir": "ltr",
            "start_url": ".",
            "scope": ".",
            "display": "standalone",
            "orientation": "any",
            "categories": ["education", "productivity"],
            "icons": icons,
            "version": version,
        }
    )
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- 7. the service worker ---------------------------------------------------------------------

GZIP_MIN_BYTES = 16 * 1024
GZIP_MIN_SAVING = 0.15
ALREADY_COMPRESSED = {".gz", ".zip", ".woff2", ".png", ".otf"}


def write_gzip_twins(out: Path) -> dict:
    """``FILE.gz`` next to every large file that compresses well.

    The service worker downloads these and unpacks them itself
    (``DecompressionStream``), so the first visit transfers about half the
    bytes even from a server that does not compress.  The plain files stay:
    browsers without a service worker (plain http) load those.
    """
    saved = 0
    twins = []
    for path in files_under(out):
        rel = path.relative_to(out).as_posix()
        if path.suffix in ALREADY_COMPRESSED or rel in NOT_PRECACHED or path.stat().st_size < GZIP_MIN_BYTES:
            continue
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) > len(data) * (1 - GZIP_MIN_SAVING):
            continue
        path.with_name(path.name + ".gz").write_bytes(packed)
        saved += len(data) - len(packed)
        twins.append(rel)
    return {"files": twins, "bytes_saved": saved}



def npm_install() -> None:
    """Install tools/web's pinned packages when node_modules does not match package-lock.json.

    ``npm install --no-save`` rather than ``npm ci``: npm 11 writes lock files
    without the optional native Rollup builds of other platforms, which
    ``npm ci`` then refuses; the versions still come from package-lock.json.
    """
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool} not found: install Node.js >= 18 (Debian: apt-get install nodejs npm)")
    import fcntl

    lock = WEB_TOOLS / "package-lock.json"
    stamp = WEB_TOOLS / "node_modules" / ".stappenplan-lock.sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    # One install at a time (parallel test workers build too).
    stamp.parent.mkdir(exist_ok=True)
    with open(stamp.parent / ".stappenplan-install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == digest:
            return
        log("  npm install (tools/web, versions from package-lock.json)")
        subprocess.run(
            ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB_TOOLS, check=True,
            stdout=subprocess.DEVNULL,
        )
        stamp.write_text(digest)


def build_service_worker(out: Path, build_id: str, twins: list[str]) -> dict:
    npm_install()
    # The .gz twins are not entries of their own: the worker fetches them in place of the plain files.
    config = {"outDir": str(out), "buildId": build_id, "globIgnores": NOT_PRECACHED + [f"{t}.gz" for t in twins]}
    done = subprocess.run(
        ["node", str(WEB_TOOLS / "build-sw.mjs"), json.dumps(config)], capture_output=True, text=True, cwd=WEB_TOOLS
    )
    if done.returncode != 0:
        raise BuildError(f"building the service worker failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("warnings"):
        log("  workbox: " + "; ".join(result["warnings"]))
    return result


# --- the report ----------------------------------------------------------------------------------


# What the page itself loads before its service worker takes over (first visit).
PAGE_BEFORE_SW = ["index.html", web_shell.PAGE_GUARD, "python.js", "boot.js", "manifest.json", "favicon.png", "sw.js"]


def first_load(out: Path, variant: str, compressed: bool = True) -> int:
    """Bytes a first visit downloads: the page, then the service worker's
    precache for this browser's CanvasKit build (the .gz twins where there
    are some).  Without a service worker (``compressed=False``, plain
    files) it is what the page loads itself."""
    other = "canvaskit/canvaskit." if variant == "chromium" else "canvaskit/chromium/"
    total = sum((out / rel).stat().st_size for rel in PAGE_BEFORE_SW if (out / rel).exists())
    for path in files_under(out):
        rel = path.relative_to(out).as_posix()
        is_twin = rel.endswith(".gz") and (out / rel[:-3]).is_file()
        if rel in NOT_PRECACHED or rel.startswith(other) or rel == "sw.js" or is_twin:
            continue
        twin = path.with_name(path.name + ".gz")
        total += (twin if compressed and twin.exists() else path).stat().st_size
    return total


# --- main ----------------------------------------------------------------------------------------


def build(
    out: Path = DEFAULT_OUT,
    base_path: str = "/",
    prune: bool = True,
    service_worker: bool = True,
    compile_python: bool = True,
    school_profile: Optional[Path] = None,
) -> dict:
    started = time.perf_counter()
    base_path = normalise_base_path(base_path)
    school = None
    if school_profile is not None:
        try:
            school = read_profile_source(school_profile)
        except ProfileYamlError as exc:
            raise BuildError(explained(exc)) from None
    out = out.resolve()
    if out == ROOT or ROOT.is_relative_to(out):
        raise BuildError(f"refusing to clear {out}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    version = pyproject["project"]["version"]
    pyodide_version = json.loads((FLET_WEB / "pyodide" / "package.json").read_text())["version"]
    report: dict = {"base_path": base_path, "pruned": prune, "version": version, "flet_web": str(FLET_WEB),
                    "school": school.school_name if school else None}

    log(f"1/7 Flet web client ({'pruned' if prune else 'everything'})")
    copy_runtime(out, prune)

    if service_worker or compile_python:
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise BuildError(f"{tool} not found: install Node.js >= 18 with npm (Debian: apt-get install nodejs npm)")
        npm_install()

    log("2/7 app package")
    with tempfile.TemporaryDirectory(prefix="stappenplan-app-") as tmp:
        stage = Path(tmp) / "app"
        stage.mkdir()
        report.update(stage_app(stage, prune, school))
        packages = pyproject["tool"]["setuptools"]["packages"]
        # The entry module calls ft.run() when imported: only compile it.
        compile((stage / f"{ENTRY_MODULE}.py").read_text(), f"{ENTRY_MODULE}.py", "exec")
        smoke_test(stage, packages)
        app_sources = sorted(p for p in stage.rglob("*.py") if "__pypackages__" not in p.parts)
        if compile_python:
            report["byte_compiled"] = byte_compile(stage)
        report["app_package_unpacked_bytes"] = tree_size(stage)
        pack(stage, out / "app.tar.gz")
        app_bytes = (out / "app.tar.gz").stat().st_size
        app_hash = hashlib.sha256((out / "app.tar.gz").read_bytes()).hexdigest()[:16]
        report["app_package_bytes"] = app_bytes

        log("3/7 fonts")
        report["fonts"] = write_font_manifest(out, app_sources, prune, school)

    log("4/7 index.html (CSP with script hashes, Dutch, static shell)")
    patch_flutter_bootstrap(out)
    patch_python_js(out)
    shutil.copy2(WEB_TOOLS / "boot.js", out / "boot.js")
    shutil.copy2(ROOT / "assets" / web_shell.PAGE_GUARD, out / web_shell.PAGE_GUARD)
    report["csp"] = write_index(out, base_path, f"app.tar.gz?v={app_hash}", pyodide_version, school)

    log("5/7 manifest and icons")
    write_manifest(out, write_icons(out), version)

    build_id = hashlib.sha256(
        "".join(f"{p.relative_to(out)}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in files_under(out)).encode()
    ).hexdigest()[:16]
    report["build_id"] = build_id
    if service_worker:
        log("6/7 service worker (Workbox), gzip twins")
        report["gzip"] = write_gzip_twins(out)
        report["precache"] = build_service_worker(out, build_id, report["gzip"]["files"])
    else:
        log("6/7 service worker: skipped (--no-service-worker)")

    log("7/7 report")
    report["site_bytes"] = tree_size(out)
    report["site_files"] = len(files_under(out))
    report["first_load_bytes"] = {
        "chromium": first_load(out, "chromium", service_worker),
        "other_browsers": first_load(out, "full", service_worker),
        "chromium_uncompressed": first_load(out, "chromium", False),
    }
    report["flet_web_bytes"] = tree_size(FLET_WEB)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def print_report(report: dict, out: Path) -> None:
    mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
    fl = report["first_load_bytes"]
    log(textwrap.dedent(f"""
        Built {out} ({report['site_files']} files, {mb(report['site_bytes'])}) in {report['seconds']} s
          base path            {report['base_path']}
          first visit loads    {mb(fl['chromium'])} (Chrome/Chromebook), {mb(fl['other_browsers'])} (other browsers)
          without a service worker (plain http): {mb(fl['chromium_uncompressed'])} (Chrome)
          app package          {mb(report['app_package_bytes'])} (unpacked {mb(report['app_package_unpacked_bytes'])})
          Flet's web client    {mb(report['flet_web_bytes'])} as shipped
          school profile       {report['school'] or '(none)'}
    """).rstrip())
    icons = report.get("fonts", {}).get("material_icons")
    if icons:
        log(f"  Material Icons       {icons['bytes_before'] // 1000} kB -> {icons['bytes'] // 1000} kB "
            f"({icons['glyphs']} glyphs for {icons['icons']} icons in the app)")


# What a build reads: newer than the built index.html means the build is stale.
BUILD_SOURCES = ["main.py", "pyproject.toml", "content", "screens", "words", "storage", "school", "sync", "report",
                 "letters", "locale", "assets", "tools/build_web.py", "tools/web_shell.py", "tools/web"]


def is_stale(out: Path = DEFAULT_OUT) -> bool:
    """True when ``out`` has no site, or a source file changed after it was built."""
    index = out / "index.html"
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    for name in BUILD_SOURCES:
        path = ROOT / name
        paths = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()
                                               and "node_modules" not in p.parts and "__pycache__" not in p.parts
                                               and p.suffix not in (".pyc", ".mo")]
        if any(p.stat().st_mtime > built for p in paths):
            return True
    return False


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/web)")
    parser.add_argument("--base-path", default="/", help="URL path the site is served under, e.g. /stappenplan/")
    parser.add_argument("--no-prune", dest="prune", action="store_false",
                        help="keep everything Flet and the packages ship (for comparison)")
    parser.add_argument("--no-service-worker", dest="service_worker", action="store_false",
                        help="skip the Workbox service worker (no offline use, no npm needed)")
    parser.add_argument("--no-compile", dest="compile_python", action="store_false",
                        help="ship Python sources only (Pyodide then compiles them at every start)")
    parser.add_argument("--report", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--school-profile", type=Path, metavar="FILE",
                        help="build the school's profile in (YAML, or a .stappenplan-school file from the app)")
    parser.add_argument("--if-stale", action="store_true",
                        help="build only if the output is missing or older than a source file (tools/serve)")
    args = parser.parse_args(argv)
    if args.if_stale and not is_stale(args.out):
        print(f"build_web: {args.out} is up to date")
        return 0
    try:
        report = build(args.out, args.base_path, args.prune, args.service_worker, args.compile_python,
                       args.school_profile)
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"build_web: {exc}", file=sys.stderr)
        return 1
    print_report(report, args.out)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
