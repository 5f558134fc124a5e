"""Gettext for the UI: Dutch first, English second.

Every user-visible string in ``screens/`` goes through ``_()``.  The msgids
are English; the Dutch catalog (``locale/nl``) is the default.  Catalogs are
compiled from the ``.po`` files with Babel when the compiled ``.mo`` is
missing or older (the run and test commands do this; nothing is compiled by
hand).

The language belongs to a user session: in web-server mode one Python process
serves several browsers, so the active language is looked up through Flet's
current page (``ft.context.page``), not kept in a global.
"""

from __future__ import annotations

import gettext
import weakref
from functools import lru_cache
from pathlib import Path

import flet as ft

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "nl"
LANGUAGES = ("nl", "en")

_by_session: "weakref.WeakKeyDictionary[object, str]" = weakref.WeakKeyDictionary()
_outside_sessions = DEFAULT_LANGUAGE  # tests and tools, where no page is current


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or stale; return those written."""
    written = []
    for po_path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        # Babel's message tools only when there is something to compile (never in the web build).
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


@lru_cache(maxsize=None)
def _translations(language: str) -> gettext.NullTranslations:
    compile_catalogs()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _session():
    try:
        return ft.context.page.session
    except RuntimeError:  # no app callback is running
        return None


def set_language(language: str) -> str:
    """Activate ``language`` (falling back to Dutch) for this session; return it."""
    global _outside_sessions
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    _translations(language)
    session = _session()
    if session is None:
        _outside_sessions = language
    else:
        _by_session[session] = language
    return language


def language() -> str:
    session = _session()
    return _outside_sessions if session is None else _by_session.get(session, DEFAULT_LANGUAGE)


def device_language(codes: list[str]) -> str:
    """The first of the device's languages the app speaks; Dutch if none."""
    for code in codes:
        base = code.split("_")[0].split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


def _(message: str) -> str:
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(language()).ngettext(singular, plural, n)
