"""Gettext for the UI: Dutch first.

Every user-visible string in ``screens/`` goes through ``_()``.  The msgids
are English; the Dutch catalog (``locale/nl``) is complete and is the default.
Catalogs are compiled from the ``.po`` files with Babel when the compiled
``.mo`` is missing or older (the run and test commands do this; nothing is
compiled by hand).
"""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "nl"
LANGUAGES = ("nl", "en")

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or stale; return those written."""
    written = []
    for po_path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def set_language(language: str) -> str:
    """Activate ``language`` (falling back to Dutch); return the active language."""
    global _active, _language
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    compile_catalogs()
    _active = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _language = language
    return language


def language() -> str:
    return _language


def _(message: str) -> str:
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)
