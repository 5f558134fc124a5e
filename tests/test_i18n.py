"""The UI speaks Dutch: every string in the screens is in a complete catalog."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from words import i18n

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def extracted_msgids() -> set[str]:
    """Every msgid in the files ``babel.cfg`` names (as ``tools/i18n.py update`` extracts them)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    assert ("report/**.py", "python") in method_map and ("screens/**.py", "python") in method_map
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map=method_map, options_map=options_map):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(language: str):
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalog_translates_every_ui_string(language):
    cat = catalog(language)
    missing = [m for m in extracted_msgids() if m not in cat or not cat[m].string]
    assert not missing, f"untranslated in {language}: {sorted(missing)}"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalog_has_no_fuzzy_or_empty_entries_and_placeholders_match(language):
    for message in catalog(language):
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in strings:
            assert text.strip(), f"empty translation for {message.id!r}"
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(ids[0])), message.id


def test_dutch_is_the_default_and_unknown_languages_fall_back_to_it():
    assert i18n.set_language("xx") == "nl"
    assert i18n._("Acute incident") == "Acuut incident"
    assert i18n.set_language("en") == "en"
    assert i18n._("Acute incident") == "Acute incident"
    i18n.set_language("nl")


@pytest.mark.parametrize(
    "device, expected",
    [(["nl_NL"], "nl"), (["en-GB"], "en"), (["de_DE", "en_US"], "en"), (["fr_FR"], "nl"), ([], "nl")],
)
def test_the_app_follows_the_device_language_and_falls_back_to_dutch(device, expected):
    assert i18n.device_language(device) == expected


def test_dutch_translations_are_dutch():
    """A Dutch user never sees an English word: every Dutch entry differs from its
    English msgid unless it is a word both languages share."""
    shared = {"Chat", "Website", "Tip", "Incident", "Status", "OK", "Contact", "School", "Filter", "Team", "Computer",
              "Offline"}
    same = [m.id for m in catalog("nl") if m.id and isinstance(m.id, str) and m.string == m.id
            and m.id not in shared and any(c.isalpha() for c in m.id.replace("{", "").split("}")[-1])]
    assert not same, f"untranslated in nl: {same}"


def test_the_catalog_is_compiled_by_the_app_itself(tmp_path):
    po_dir = tmp_path / "nl" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "messages.po").write_bytes((i18n.LOCALE_DIR / "nl/LC_MESSAGES/messages.po").read_bytes())
    written = i18n.compile_catalogs(tmp_path)
    assert written == [po_dir / "messages.mo"]
    assert i18n.compile_catalogs(tmp_path) == []  # up to date: nothing to do
