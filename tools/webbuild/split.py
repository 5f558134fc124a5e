"""The app package in two: what the first screen needs, and the rest, loaded after it.

``app.tar.gz`` is unpacked before the app starts, so every file in it delays
the first screen.  The distributions below are not needed to draw it: the
PDF writers (fpdf2, fontTools, defusedxml) and the fonts they embed, the
passphrase checker (zxcvbn), the QR codes (segno), the YAML parser and dacite
(the content comes compiled: ``tools/webbuild/precompiled.py``), the holidays
library (the years around now come compiled too) and dateutil.  They go into
``app-later.tar.gz``, which ``tools/web/later_package.py`` unpacks once the
first page is drawn, or at once when one of them is imported earlier.  The
service worker precaches both, so the app still starts offline.

The build checks, in the browser's own Python, that the first screen draws in
Dutch and in English from the first package alone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tools.webbuild.common import WEB_TOOLS, BuildError, files_under
from tools.webbuild.distributions import Dist
from tools.webbuild.node import run_pyodide

LATER_DISTRIBUTIONS = {"fonttools", "fpdf2", "defusedxml", "zxcvbn", "segno", "pyyaml", "dacite", "holidays",
                       "python-dateutil", "six"}
LATER_APP_DATA = ("assets/fonts/",)  # the fonts the PDFs embed
LATER_PACKAGE = "app-later.tar.gz"
LATER_MANIFEST = "later_package.json"  # read by tools/web/later_package.py


def top_level_modules(dists: list[Dist]) -> list[str]:
    """The import names of ``dists`` that go into the later package."""
    names = set()
    for dist in dists:
        if dist.name in LATER_DISTRIBUTIONS:
            for _, rel in dist.files:
                first = rel.split("/")[0]
                if not first.endswith(".dist-info"):  # kept in the first package: metadata stays findable
                    names.add(first.removesuffix(".py"))
    return sorted(names)


def move_later(stage: Path, later: Path, modules: list[str]) -> int:
    """Move the later modules (sources or compiled) and data from ``stage`` to ``later``; returns the file count."""
    pkgs = stage / "__pypackages__"
    moved = 0
    for path in files_under(stage):
        rel = path.relative_to(stage).as_posix()
        in_module = path.is_relative_to(pkgs) and path.relative_to(pkgs).parts[0].split(".")[0] in modules \
            and not path.relative_to(pkgs).parts[0].endswith(".dist-info")
        if in_module or rel.startswith(LATER_APP_DATA):
            (later / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, later / rel)
            moved += 1
    for folder in sorted((p for p in stage.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):  # emptied: the later package has it
            folder.rmdir()
    return moved


def write_manifest(stage: Path, url: str, modules: list[str]) -> None:
    (stage / LATER_MANIFEST).write_text(json.dumps({"url": url, "modules": modules}, indent=1) + "\n", encoding="utf-8")


def hashed_url(package: Path) -> str:
    return f"{package.name}?v={hashlib.sha256(package.read_bytes()).hexdigest()[:16]}"


def check_first_screen(stage: Path, later: list[str]) -> str:
    """Draw the first screen from the first package alone, in the site's Pyodide (Node)."""
    done = run_pyodide(WEB_TOOLS / "check_first_screen.py", "--mount", f"{stage}=/app")
    if done.returncode != 0:
        raise BuildError("the first screen does not draw from the first app package alone "
                         f"(later: {', '.join(later)}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]
