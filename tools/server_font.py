"""Write the text font of the web-server mode (``tools/run``): Roboto with the glyphs the
app's texts need beyond it (e.g. "⇒" in "Zie ⇒ Overzicht organisaties").

Flet's server serves ``assets/fonts/roboto.woff2`` from the app's assets folder before its
own web client, so the completed font lives at ``assets/assets/fonts/roboto.woff2``.
Without it Flutter draws a box for a missing glyph and asks the server for a Noto fallback
font it does not have (404s; offline nothing).  The static build completes its own copy
(tools/webbuild/fonts.py), with a built-in school profile's texts too.

Run after changing a text with a new character (tests/test_server_font.py says when):

    .venv/bin/python -m tools.server_font
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tools.webbuild.common import FLET_WEB, ROOT
from tools.webbuild.fonts import GLYPH_SOURCES, app_texts, complete_text_font

SERVER_FONT = ROOT / "assets" / "assets" / "fonts" / "roboto.woff2"


def write_server_font(target: Path = SERVER_FONT) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FLET_WEB / "assets" / "fonts" / "roboto.woff2", target)
    return complete_text_font(target, app_texts(), GLYPH_SOURCES)


def main() -> int:
    report = write_server_font()
    print(f"{SERVER_FONT.relative_to(ROOT)}: {SERVER_FONT.stat().st_size:,} bytes, added {' '.join(report['added'])}")
    if report.get("missing"):
        print(f"no glyph anywhere for {' '.join(report['missing'])}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
