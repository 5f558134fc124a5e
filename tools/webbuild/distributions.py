"""The app's pure-Python dependencies for the browser, and what of them is pruned.

Which distributions (``pyproject.toml``'s dependencies, transitively, as
Pyodide's markers select them, minus those the browser never imports), which
of their files (no compiled extensions, stubs, caches), and which data the app
never reads (Babel locales other than nl/en, time zones, holiday countries,
the fontTools modules the PDFs do not import, the long descriptions in the METADATA files).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.webbuild.common import BuildError
from tools.webbuild.pdf_modules import keep_fonttools_file

# Not packed: the web path never imports them (storage.web replaces
# cryptography; platformdirs is only used natively; flet-web is this
# folder's source, not a run-time dependency; Pillow is a C extension that
# fpdf2 only needs for images, which the report never contains; python-docx
# needs lxml, a C extension with no wheel for this Pyodide: the browser
# offers a letter as PDF and as text instead, see letters/export.py).
# filelock is the native journal's OS lock; the browser has the Web Locks API.
WEB_EXCLUDED_DISTRIBUTIONS = {"cryptography", "platformdirs", "flet-web", "pillow", "python-docx", "lxml", "filelock"}
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
HOLIDAY_LANGUAGES = {"nl", "en_US"}


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


def metadata_headers(metadata_file: bytes) -> bytes:
    """A distribution's METADATA without its long description (the README
    after the first blank line): ``importlib.metadata`` reads only the
    headers (name, version, requirements), and the descriptions were over
    100 kB of the compressed app package."""
    headers, _, _ = metadata_file.partition(b"\n\n")
    return headers + b"\n"


def keep_package_file(rel: str, fonttools_in_use: frozenset[str]) -> bool:
    """Pruning of data and code the app never reads (see the module docstring);
    ``fonttools_in_use``: see ``tools/webbuild/pdf_modules.py``."""
    if rel.startswith("babel/locale-data/") and rel.endswith(".dat"):
        return rel[len("babel/locale-data/"):-len(".dat")] in BABEL_LOCALES
    if rel.startswith("tzdata/zoneinfo/"):
        zone = rel[len("tzdata/zoneinfo/"):]
        if zone.endswith("__init__.py"):
            parent = zone[: -len("__init__.py")].rstrip("/")
            return parent == "" or any(z.startswith(parent + "/") for z in TZ_KEEP)
        return zone in TZ_KEEP
    if rel.startswith("fontTools/"):
        return keep_fonttools_file(rel, fonttools_in_use)
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


def holidays_countries_init(original: str) -> bytes:
    """holidays/countries/__init__.py imports every country: keep the kept ones' lines."""
    lines = ['"""Pruned for the web build: only the countries the app uses."""']
    for line in original.splitlines():
        match = re.match(r"from holidays\.countries\.(\w+) import ", line)
        if match and match[1] in HOLIDAY_COUNTRIES:
            lines.append(line)
    if len(lines) != len(HOLIDAY_COUNTRIES) + 1:
        raise BuildError("holidays/countries/__init__.py has changed; update HOLIDAY_COUNTRIES pruning")
    return ("\n".join(lines) + "\n").encode()
