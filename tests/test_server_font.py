"""The web-server mode's text font covers every character the app can show (tools/server_font.py)."""

from __future__ import annotations

from fontTools.ttLib import TTFont

from tools.server_font import SERVER_FONT
from tools.webbuild.fonts import app_texts


def test_the_served_font_has_a_glyph_for_every_character_of_the_apps_texts():
    cmap = set(TTFont(str(SERVER_FONT)).getBestCmap())
    needed = {ord(c) for c in app_texts() if ord(c) >= 0x20 and ord(c) not in (0x7F, 0xFEFF)}
    missing = sorted(needed - cmap)
    assert not missing, ("no glyph for " + " ".join(f"U+{c:04X} {chr(c)!r}" for c in missing)
                         + ": run .venv/bin/python -m tools.server_font")
    assert 0x21D2 in cmap  # "Zie ⇒ Overzicht organisaties" in steps 1 and 5
