"""Content and holidays compiled by the web build (content.compiled): used while they
match what they were made from, refused as soon as anything they were made from changed."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from content import compiled, loader, opening_hours
from content.model import Plan
from tests.support import ROOT


@pytest.fixture
def content_copy(tmp_path, monkeypatch):
    """The content files and the model's code in a folder of their own, read by the loader."""
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "data", root / "data")
    for name in loader.MODEL_FILES:
        shutil.copy2(ROOT / "content" / name, root / name)
    monkeypatch.setattr(loader, "DATA_DIR", root / "data")
    monkeypatch.setattr(compiled, "COMPILED_DIR", root / "compiled")
    for cache in (loader.load_plan, loader.load_organisations, loader.load_school_roles, loader.load_letter_data):
        cache.cache_clear()
    yield root
    for cache in (loader.load_plan, loader.load_organisations, loader.load_school_roles, loader.load_letter_data):
        cache.cache_clear()


def compile_plan(root: Path, plan: Plan) -> None:
    path = root / "data" / "stappenplan.nl.yaml"
    compiled.dump(path.stem, loader.sources(path, root), plan, root / "compiled")


def retitled(plan: Plan, title: str) -> Plan:
    first = dataclasses.replace(plan.steps[0], title=title)
    return dataclasses.replace(plan, steps=(first, *plan.steps[1:]))


def test_the_compiled_plan_is_what_the_app_shows_while_its_sources_are_unchanged(content_copy):
    parsed = loader.parse(Plan, content_copy / "data" / "stappenplan.nl.yaml")
    # A compiled form that differs from the file shows that the file was not parsed again.
    compile_plan(content_copy, retitled(parsed, "Uit de build"))
    assert loader.load_plan("nl").step(1).title == "Uit de build"


def test_an_edited_content_file_refuses_the_stale_compiled_plan(content_copy):
    yaml_file = content_copy / "data" / "stappenplan.nl.yaml"
    compile_plan(content_copy, retitled(loader.parse(Plan, yaml_file), "Uit de build"))
    original = loader.parse(Plan, yaml_file).step(1).title
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace(original, "Opvang, zorg en rust", 1),
                         encoding="utf-8")
    assert loader.load_plan("nl").step(1).title == "Opvang, zorg en rust"


def test_a_changed_model_refuses_the_compiled_plan(content_copy):
    compile_plan(content_copy, retitled(loader.parse(Plan, content_copy / "data" / "stappenplan.nl.yaml"),
                                        "Uit de build"))
    with (content_copy / "model.py").open("a", encoding="utf-8") as model:
        model.write("\n# a field added after the build\n")
    assert loader.load_plan("nl").step(1).title != "Uit de build"


def test_a_damaged_or_missing_compiled_file_is_not_used(content_copy):
    assert compiled.load("stappenplan.nl", [content_copy / "data" / "stappenplan.nl.yaml"]) is None
    (content_copy / "compiled").mkdir()
    (content_copy / "compiled" / "stappenplan.nl.pickle").write_bytes(b"not a key\ngarbage")
    assert loader.load_plan("nl").step(1).title == loader.parse(
        Plan, content_copy / "data" / "stappenplan.nl.yaml").step(1).title


def test_compiled_holidays_are_the_librarys_and_refused_when_the_rules_change(tmp_path, monkeypatch):
    metadata = opening_hours._holidays_metadata()
    rules = tmp_path / "opening_hours.py"
    shutil.copy2(Path(opening_hours.__file__), rules)
    table = opening_hours.compiled_holidays()
    assert dict(table[2030]) == dict(opening_hours._computed_holidays(2030))  # Bevrijdingsdag: a lustrum year
    table[2030] = {date(2030, 1, 2): "Uit de build"}
    compiled.dump(opening_hours.COMPILED_HOLIDAYS, opening_hours.holiday_sources(metadata, tmp_path), table,
                  tmp_path / "compiled")
    monkeypatch.setattr(compiled, "COMPILED_DIR", tmp_path / "compiled")
    sources = opening_hours.holiday_sources(metadata, tmp_path)
    assert compiled.load(opening_hours.COMPILED_HOLIDAYS, sources)[2030] == {date(2030, 1, 2): "Uit de build"}
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a rule changed after the build\n", encoding="utf-8")
    assert compiled.load(opening_hours.COMPILED_HOLIDAYS, sources) is None


def test_holidays_outside_the_compiled_years_come_from_the_library():
    done = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom content.opening_hours import public_holidays\n"
         "print(len(public_holidays(2075)), 'holidays' in sys.modules)"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    assert done.stdout.split() == ["10", "True"]
