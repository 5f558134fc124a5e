"""Step 2: ``app.tar.gz``, the Python the worker unpacks and runs.

The app's own code (the packages and modules ``pyproject.toml`` declares,
compiled translations, the data under ``assets/`` the Python code reads,
``tools/web/web_main.py`` as the entry point, the school's profile when the
build has one) and its pure-Python dependencies under ``__pypackages__/``
(see ``distributions``).  A smoke test imports the staged package in an
isolated interpreter (``smoke``); then it is byte-compiled with the browser's
own Python and packed reproducibly.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import shutil
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from school import profile_file
from school.profile import SchoolProfile
from school.store import BUNDLED_FILE
from tools import web_shell
from tools.webbuild import split
from tools.webbuild.common import ROOT, WEB_TOOLS, BuildError, files_under, log, tree_size
from tools.webbuild.distributions import (
    Dist,
    holidays_countries_init,
    keep_package_file,
    metadata_headers,
    web_distributions,
)
from tools.webbuild.node import run_pyodide
from tools.webbuild.pdf_modules import fonttools_files_in_use
from tools.webbuild.precompiled import compile_content
from tools.webbuild.smoke import smoke_test

ENTRY_MODULE = "web_main"
START_MARKS = "start_marks.py"  # the Python worker's start-up marks (tools/web/start_marks.py)
LATER_LOADER = "later_package.py"  # loads the later package (tools/web/later_package.py, see split)
PACKAGE_NAME = "app.tar.gz"
# The page of the web-server mode, its script, and the files it serves over Flet's web client
# (assets/assets/: tools/server_font.py).
ASSETS_NOT_PACKED = {"index.html", web_shell.PAGE_GUARD, "assets/*"}
# The app's own code that the browser never runs: the team server (a service of
# its own), the native back ends (cryptography, httpx: sync.web and storage.web
# replace them) and the sync test double.
WEB_EXCLUDED_PACKAGES = {"server"}
NATIVE_ONLY_FILES = {"storage/native.py", "sync/native.py", "sync/testing.py"}
# Modules the smoke test (native Python) cannot import: they need Pyodide's js module.
BROWSER_ONLY_MODULES = {"storage.web", "sync.web"}


def read_pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def app_files(prune: bool) -> list[tuple[Path, str]]:
    """The app's own files, as (source, path in the package): the packages and
    modules ``pyproject.toml`` declares, compiled catalogs, the data the Python
    code reads from ``assets/`` (e.g. the fonts embedded in reports; not the
    server mode's page, nor the icon sources), the entry module, its start-up marks and the
    loader of the later package."""
    setuptools = read_pyproject()["tool"]["setuptools"]
    files = [ROOT / f"{module}.py" for module in setuptools.get("py-modules", [])]
    for package in sorted({name.split(".")[0] for name in setuptools["packages"]}):  # subpackages inside
        if prune and package in WEB_EXCLUDED_PACKAGES:
            continue
        data_globs = setuptools.get("package-data", {}).get(package, [])
        for path in files_under(ROOT / package):
            rel = path.relative_to(ROOT).as_posix()
            if "__pycache__" in rel or path.suffix == ".pyc" or (prune and rel in NATIVE_ONLY_FILES):
                continue
            is_data = any(fnmatch.fnmatch(path.relative_to(ROOT / package).as_posix(), g) for g in data_globs)
            if path.suffix == ".py" or (is_data and not path.name.endswith(".md")):
                files.append(path)
    files += [p for p in files_under(ROOT / "locale") if p.suffix == ".mo"]  # nothing is compiled in the browser
    for path in files_under(ROOT / "assets"):
        rel = path.relative_to(ROOT / "assets").as_posix()
        if not any(fnmatch.fnmatch(rel, g) for g in (*ASSETS_NOT_PACKED, "icon*.png", "splash*.png")):
            files.append(path)
    pairs = [(path, path.relative_to(ROOT).as_posix()) for path in files]
    return pairs + [(WEB_TOOLS / "web_main.py", f"{ENTRY_MODULE}.py"), (WEB_TOOLS / START_MARKS, START_MARKS),
                    (WEB_TOOLS / LATER_LOADER, LATER_LOADER)]


def copy_into(stage: Path, files: list[tuple[Path, str]]) -> None:
    for src, rel in files:
        dst = stage / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def stage_dependencies(pkgs: Path, prune: bool) -> list[Dist]:
    """The pure-Python dependencies under ``pkgs`` (pruned)."""
    dists = web_distributions(read_pyproject())
    fonttools_in_use = fonttools_files_in_use() if prune else frozenset()
    for dist in dists:
        for src, rel in dist.files:
            if prune and not keep_package_file(rel, fonttools_in_use):
                continue
            dst = pkgs / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if prune and rel.endswith(".dist-info/METADATA"):
                dst.write_bytes(metadata_headers(src.read_bytes()))
            else:
                shutil.copy2(src, dst)
    countries_init = pkgs / "holidays" / "countries" / "__init__.py"
    if prune and countries_init.exists():
        countries_init.write_bytes(holidays_countries_init(countries_init.read_text(encoding="utf-8")))
        (pkgs / "holidays" / "financial" / "__init__.py").write_bytes(
            b'"""Pruned for the web build: no financial calendars."""\n'
        )
    return dists


def stage_app(stage: Path, prune: bool, school: Optional[SchoolProfile] = None) -> list[Dist]:
    """Lay out the app package in ``stage``; returns the distributions that went in."""
    from words.i18n import compile_catalogs

    compile_catalogs()
    copy_into(stage, app_files(prune))
    if school is not None:  # read by school.store.bundled_profile()
        (stage / BUNDLED_FILE.relative_to(ROOT)).write_bytes(profile_file.encode(school))
    distributions = stage_dependencies(stage / "__pypackages__", prune)
    for forbidden in ("pyproject.toml", "requirements.txt"):
        # Flet's worker would micropip-install from the network if it found these.
        if (stage / forbidden).exists():
            raise BuildError(f"{forbidden} must not be in the app package")
    return distributions


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


@dataclass
class AppPackage:
    url: str  # relative to the site, with the content hash as cache buster
    report: dict


def build_app_package(out: Path, prune: bool, compile_python: bool, school: Optional[SchoolProfile]) -> AppPackage:
    """Stage, check, compile and pack ``out/app.tar.gz`` (and, pruned, ``out/app-later.tar.gz``: ``split``)."""
    with tempfile.TemporaryDirectory(prefix="stappenplan-app-") as tmp:
        stage = Path(tmp) / "app"
        stage.mkdir()
        dists = stage_app(stage, prune, school)
        report: dict = {"distributions": [d.name for d in dists]}
        # The entry module calls ft.run() when imported: only compile it.
        compile((stage / f"{ENTRY_MODULE}.py").read_text(), f"{ENTRY_MODULE}.py", "exec")
        smoke_test(stage, [p for p in read_pyproject()["tool"]["setuptools"]["packages"]
                           if p not in WEB_EXCLUDED_PACKAGES],
                   skip=BROWSER_ONLY_MODULES | {f.removesuffix(".py").replace("/", ".") for f in NATIVE_ONLY_FILES})
        if compile_python:
            log("  byte-compiling with Pyodide")
            report["byte_compiled"] = byte_compile(stage)
        report["compiled_content"] = compile_content(stage)
        report["app_package_unpacked_bytes"] = tree_size(stage)
        if prune:
            later, modules = Path(tmp) / "later", split.top_level_modules(dists)
            report["later_package_files"] = split.move_later(stage, later, modules)
            pack(later, out / split.LATER_PACKAGE)
            split.write_manifest(stage, split.hashed_url(out / split.LATER_PACKAGE), modules)
            log("  the first screen from the first package alone (Pyodide)")
            report["first_screen"] = split.check_first_screen(stage, modules)
            report["later_package_bytes"] = (out / split.LATER_PACKAGE).stat().st_size
            report["first_package_unpacked_bytes"] = tree_size(stage)
        target = out / PACKAGE_NAME
        pack(stage, target)
    data = target.read_bytes()
    report["app_package_bytes"] = len(data)
    return AppPackage(url=f"{PACKAGE_NAME}?v={hashlib.sha256(data).hexdigest()[:16]}", report=report)
