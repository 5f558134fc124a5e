"""Which of fontTools' modules the app's PDFs use.

fpdf2 parses, subsets and embeds the DejaVu fonts with fontTools, which is
5 MB of Python in the later package; the PDFs import about a third of it.
The build makes the report's PDF and a letter's PDF (regular and bold) in a
separate interpreter of the full environment and keeps the fontTools modules
that were imported, plus every table module (``fontTools/ttLib/tables/``:
fontTools imports a table's module when a font has that table); fontTools is
imported from its Python sources there, as in the browser, where its compiled
modules (bezierTools, iup) do not exist.  The smoke test
(``tools/webbuild/smoke.py``) then makes the same PDFs (``MAKE_PDFS``) from the
pruned package: a module missed here fails the build, not the teacher's browser.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tools.webbuild.common import ROOT, BuildError

TABLES = "fontTools/ttLib/tables/"

#: The PDFs the app makes: the report (anonymised and not) and a letter, in
#: ``report_pdfs`` and ``letter_pdf_bytes``.  The smoke test runs the same code,
#: so the modules kept here are the ones it checks.
MAKE_PDFS = r"""
import warnings
from datetime import datetime, timezone
warnings.simplefilter("ignore")  # fpdf2 notes that it cannot add images without Pillow
from content.loader import load_plan
from letters.export import letter_pdf
from letters.render import render_letter
from letters.templates import load_letters
from report import incident_pdf
from storage import incidents as inc
pdf_now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
pdf_incident = inc.add_note(inc.new_incident("Zoë – rapport", "anders", now=pdf_now), "Notitie ’ · ë ⇒ ☑", at=pdf_now)
report_pdfs = [incident_pdf(pdf_incident, load_plan("nl"), anonymised=anonymised, now=pdf_now)
               for anonymised in (True, False)]
pdf_letter = render_letter(load_letters("nl"), "alle-ouders", profile=None, incident=None, now=pdf_now)
letter_pdf_bytes = letter_pdf(pdf_letter.subject, pdf_letter.body, language="nl", now=pdf_now)
"""

# fontTools from its Python sources, as in the browser, then the PDFs, then the modules they imported.
_PURE_FONTTOOLS = r"""
import importlib.machinery as machinery
import sys


class PureFontTools:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if not name.startswith("fontTools.") or not path:
            return None
        for entry in path:
            spec = machinery.FileFinder(entry, (machinery.SourceFileLoader, machinery.SOURCE_SUFFIXES)).find_spec(name)
            if spec is not None:
                return spec
        return None


sys.meta_path.insert(0, PureFontTools)
"""
_LIST_FONTTOOLS = r"""
import json
from pathlib import Path
import fontTools
root = Path(fontTools.__file__).parent.parent
print(json.dumps(sorted(Path(m.__file__).relative_to(root).as_posix() for name, m in list(sys.modules.items())
                        if name.split(".")[0] == "fontTools" and getattr(m, "__file__", None))))
"""


def fonttools_files_in_use() -> frozenset[str]:
    """Paths (``fontTools/...py``, as in a distribution) of the modules the app's PDFs import."""
    script = _PURE_FONTTOOLS + MAKE_PDFS + _LIST_FONTTOOLS
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise BuildError(f"making the PDFs to find the fontTools modules they use failed:\n{done.stderr[-3000:]}")
    return frozenset(json.loads(done.stdout.splitlines()[-1]))


def keep_fonttools_file(rel: str, in_use: frozenset[str]) -> bool:
    """Keep a fontTools source the PDFs import (or a table module); its data files stay."""
    return not rel.endswith(".py") or rel in in_use or rel.startswith(TABLES)
