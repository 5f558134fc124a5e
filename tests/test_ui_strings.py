"""No user-visible text in the screens or the report bypasses gettext.

Scans the source of screens/ (every subpackage) for string literals given to Flet controls as
their text (positionally or as label/tooltip/title/... keywords): each must be
wrapped in _() or ngettext(), or hold no words at all (" · ", "/").
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "screens"
UI_SOURCES = sorted([*SCREENS.glob("**/*.py"), *(ROOT / "report").glob("**/*.py")])
TEXT_KEYWORDS = {
    "value", "label", "tooltip", "title", "text", "hint_text", "helper_text", "error", "semantics_label",
    "content", "subtitle", "confirm_text", "cancel_text", "help_text", "error_text", "prefix_text", "suffix_text",
}
# Flet arguments and constructors that take identifiers, not text.
NOT_TEXT = {"key", "route", "url", "font_family", "data"}
NOT_TEXT_CALLS = {"Locale"}


def _is_wordy_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_wordy_literal(v) for v in node.values if isinstance(v, ast.Constant))
    return False


def _flet_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "ft"
                and node.func.attr not in NOT_TEXT_CALLS):
            yield node


def literals_outside_gettext(source: str) -> list[str]:
    found = []
    for call in _flet_calls(ast.parse(source)):
        for arg in call.args:
            if _is_wordy_literal(arg):
                found.append(f"line {arg.lineno}: ft.{call.func.attr}({ast.unparse(arg)})")
        for keyword in call.keywords:
            if keyword.arg in TEXT_KEYWORDS and keyword.arg not in NOT_TEXT and _is_wordy_literal(keyword.value):
                found.append(f"line {keyword.value.lineno}: ft.{call.func.attr}({keyword.arg}={ast.unparse(keyword.value)})")
    return found


def test_the_scan_covers_every_package_of_the_ui():
    assert {p.parent.name for p in UI_SOURCES} >= {"screens", "plan", "journal", "ui", "report"}


@pytest.mark.parametrize("path", UI_SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_screens_show_no_text_that_bypasses_gettext(path):
    assert literals_outside_gettext(path.read_text(encoding="utf-8")) == []


def test_the_scan_catches_a_bare_literal():
    bad = 'import flet as ft\nft.Text("Acuut incident")\nft.TextField(label="Naam")\nft.Text(f"Stap {n}")\n'
    assert len(literals_outside_gettext(bad)) == 3
    good = 'import flet as ft\nft.Text(_("Acute incident"))\nft.Text(" · ".join(x))\nft.Text(f"{a}/{b}")\n'
    assert literals_outside_gettext(good) == []
