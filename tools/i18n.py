"""Babel workflow for the UI catalogs: extract, update, compile.

    python tools/i18n.py update    # extract _() strings into locale/messages.pot
                                   # and merge them into every language's .po
    python tools/i18n.py compile   # .po -> .mo (the app also does this on start)

A new language is added with ``pybabel init -i locale/messages.pot -d locale -l XX``.

The msgids are English, so ``update`` fills the English catalog's empty
entries with the msgid itself (a copy editor may still change them there);
the Dutch catalog is translated by hand, and a test keeps it complete.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from words.i18n import LOCALE_DIR, compile_catalogs  # noqa: E402

POT = LOCALE_DIR / "messages.pot"
SOURCE_LANGUAGE = "en"


def extract() -> None:
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(POT),
        "--no-location", "--sort-output", "--project", "stappenplan-online-incidenten",
        "-k", "_", "-k", "ngettext:1,2", str(ROOT),
    ])


def update() -> None:
    extract()
    CommandLineInterface().run([
        "pybabel", "-q", "update", "-i", str(POT), "-d", str(LOCALE_DIR), "--no-fuzzy-matching",
        "--ignore-obsolete",
    ])
    fill_source_catalog()


def fill_source_catalog() -> None:
    """English msgids: the English catalog's empty entries are the msgids themselves."""
    path = LOCALE_DIR / SOURCE_LANGUAGE / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=SOURCE_LANGUAGE)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = message.id
        elif not message.string:
            message.string = message.id
    with path.open("wb") as po:
        write_po(po, catalog, width=100)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        for path in compile_catalogs():
            print(f"compiled {path.relative_to(ROOT)}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
