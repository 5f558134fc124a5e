"""The staged app package, imported by an isolated interpreter before it is packed.

Every app module must import from the pruned package alone, and dates,
holidays, translations, the report's PDF and a letter must come out the same
as in the full environment: pruning that removed something the app reads
fails the build, not the teacher's browser.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tools.webbuild.common import ROOT, BuildError
from tools.webbuild.pdf_modules import MAKE_PDFS

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
"""
# The report's and a letter's PDF (tools/webbuild/pdf_modules.py), then what they came out as.
SMOKE_PDFS_CHECKED = r"""
from letters.export import docx_available, plain_text
out["pdf"] = [report_pdfs[0][:5].decode(), len(report_pdfs[0]) > 5000]
out["letter"] = plain_text(pdf_letter.subject, pdf_letter.body)
out["letter_pdf"] = [letter_pdf_bytes[:5].decode(), len(letter_pdf_bytes) > 5000]
out["docx"] = docx_available()  # False in the browser package (no lxml): checked, then left out of the comparison
import flet
out["flet"] = flet.__version__ if hasattr(flet, "__version__") else "?"
print(json.dumps(out, sort_keys=True))
"""


def smoke_test(stage: Path, packages: list[str], skip: set[str]) -> None:
    """Import every module of ``packages`` (but ``skip``: native only, or needing
    Pyodide) from the staged package alone and compare dates, holidays and
    translations with the full environment."""
    code = (SMOKE.format(pkgs=str(stage / "__pypackages__"), app=str(stage), packages=packages, skip=sorted(skip))
            + MAKE_PDFS + SMOKE_PDFS_CHECKED)
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
