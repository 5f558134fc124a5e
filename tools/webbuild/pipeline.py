"""The whole build, step by step (see ``tools/webbuild/__init__.py``), and whether a built site is stale."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Optional

from school.profile import SchoolProfile
from tools import web_shell
from tools.school_yaml import ProfileYamlError, explained, read_profile_source
from tools.webbuild.app_package import WEB_EXCLUDED_PACKAGES, app_files, build_app_package, read_pyproject
from tools.webbuild.common import (
    DEFAULT_OUT,
    FLET_WEB,
    ROOT,
    WEB_TOOLS,
    BuildError,
    files_under,
    log,
    normalise_base_path,
    tree_size,
)
from tools.webbuild.fonts import write_font_manifest
from tools.webbuild.index_page import write_index
from tools.webbuild.node import npm_install
from tools.webbuild.runtime import (
    START_MARKS_SCRIPT,
    copy_runtime,
    patch_flutter_bootstrap,
    patch_python_js,
    patch_python_worker,
)
from tools.webbuild.service_worker import build_service_worker, write_gzip_twins
from tools.webbuild.site_report import first_load_bytes
from tools.webbuild.web_manifest import write_icons, write_manifest


def read_school(school_profile: Optional[Path]) -> Optional[SchoolProfile]:
    if school_profile is None:
        return None
    try:
        return read_profile_source(school_profile)
    except ProfileYamlError as exc:
        raise BuildError(explained(exc)) from None


def clear(out: Path) -> Path:
    out = out.resolve()
    if out == ROOT or ROOT.is_relative_to(out):
        raise BuildError(f"refusing to clear {out}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    return out


def site_id(out: Path) -> str:
    """A hash of every file of the site: the service worker's build id."""
    return hashlib.sha256(
        "".join(f"{p.relative_to(out)}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in files_under(out)).encode()
    ).hexdigest()[:16]


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
    school = read_school(school_profile)
    out = clear(out)
    version = read_pyproject()["project"]["version"]
    pyodide_version = json.loads((FLET_WEB / "pyodide" / "package.json").read_text())["version"]
    report: dict = {"base_path": base_path, "pruned": prune, "version": version, "flet_web": str(FLET_WEB),
                    "school": school.school_name if school else None}

    log(f"1/7 Flet web client ({'pruned' if prune else 'everything'})")
    copy_runtime(out, prune)
    if service_worker or compile_python:
        npm_install()

    log("2/7 app package")
    package = build_app_package(out, prune, compile_python, school)
    report.update(package.report)

    log("3/7 fonts")
    app_sources = [src for src, rel in app_files(prune) if rel.endswith(".py")]
    report["fonts"] = write_font_manifest(out, app_sources, prune, school)

    log("4/7 index.html (CSP with script hashes, Dutch, static shell)")
    patch_flutter_bootstrap(out)
    patch_python_js(out)
    patch_python_worker(out)
    for script in ("boot.js", START_MARKS_SCRIPT):
        shutil.copy2(WEB_TOOLS / script, out / script)
    shutil.copy2(ROOT / "assets" / web_shell.PAGE_GUARD, out / web_shell.PAGE_GUARD)
    report["csp"] = write_index(out, base_path, package.url, pyodide_version, school)

    log("5/7 manifest and icons")
    write_manifest(out, write_icons(out), version)

    report["build_id"] = build_id = site_id(out)
    if service_worker:
        log("6/7 service worker (Workbox), gzip twins")
        report["gzip"] = write_gzip_twins(out)
        report["precache"] = build_service_worker(out, build_id, report["gzip"]["files"])
    else:
        log("6/7 service worker: skipped (--no-service-worker)")

    log("7/7 report")
    report["site_bytes"] = tree_size(out)
    report["site_files"] = len(files_under(out))
    report["first_load_bytes"] = first_load_bytes(out, service_worker)
    report["flet_web_bytes"] = tree_size(FLET_WEB)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def build_sources() -> list[Path]:
    """What a build reads: a file newer than the built index.html makes the build stale."""
    setuptools = read_pyproject()["tool"]["setuptools"]
    names = [f"{m}.py" for m in setuptools.get("py-modules", [])]
    names += sorted({p.split(".")[0] for p in setuptools["packages"]} - WEB_EXCLUDED_PACKAGES)
    names += ["pyproject.toml", "locale", "assets", "tools/build_web.py", "tools/web_shell.py",
              "tools/web_shell_plan.py", "tools/school_yaml.py", "tools/webbuild", "tools/web"]
    return [ROOT / name for name in names]


def is_stale(out: Path = DEFAULT_OUT) -> bool:
    """True when ``out`` has no site, or a source file changed after it was built."""
    index = out / "index.html"
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    for path in build_sources():
        paths = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()
                                               and "node_modules" not in p.parts and "__pycache__" not in p.parts
                                               and p.suffix not in (".pyc", ".mo")]
        if any(p.stat().st_mtime > built for p in paths):
            return True
    return False
