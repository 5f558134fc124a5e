"""The English content must stay a faithful mirror of the Dutch content.

``content/data/*.en.yaml`` are translations of the Dutch files, which are
authoritative.  These tests load both languages and walk the two object trees
side by side.  Every field of the model is classified below as *text* (may
differ, but must be non-empty exactly where the Dutch is, with the same link
targets, the same number of bold spans and the same numbers) or *data* (ids,
numbers, kinds, flags, organisation references, phones, hours, closures: must
be identical).  Tuples must have the same length, so a bullet, question,
block or action deleted from (or added to) one language fails the build.

A heuristic also looks for Dutch function words left in the English texts.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any, Iterator

import pytest

from content import model
from content.loader import DATA_DIR, load_organisations, load_plan, load_school_roles
from content.model import Action, Block, ListItem, Organisations, Plan, Question

NL_PLAN = load_plan("nl")
EN_PLAN = load_plan("en")
NL_ORGS = load_organisations("nl")
EN_ORGS = load_organisations("en")

# --- field classification ------------------------------------------------------

# Fields whose strings are translated.  A tuple in a text field (Block.items,
# ListItem.items) holds translated strings and/or dataclasses to recurse into.
TEXT_FIELDS: dict[type, set[str]] = {
    model.Plan: {"title", "subtitle", "derived_titles_note"},
    model.Section: {"title"},
    model.IncidentType: {"label", "text"},
    model.Role: {"name", "text"},
    model.Step: {"title", "summary"},
    model.Action: {"title"},
    model.Block: {"text", "items"},
    model.ListItem: {"text", "items"},
    model.Question: {"text"},
    model.Colophon: {"text", "title", "slogan"},
    model.Organisations: {"intro"},
    model.Organisation: {"name", "audience", "description", "reach_as_written", "hours_as_written", "source"},
    model.Phone: {"label"},
    model.Closure: {"reason"},
    model.Hours: {"note"},
    model.SchoolRoles: {"heading"},
    model.SchoolRoleText: {"label", "noun", "description"},
}
# Fields that must be identical in both languages (dataclasses and tuples in
# them are compared recursively, with the same rules).
DATA_FIELDS: dict[type, set[str]] = {
    model.Plan: {"intro", "incident_types", "roles", "steps", "colophon"},
    model.Section: {"id", "blocks"},
    model.IncidentType: {"id"},
    model.Role: {"id"},
    model.Step: {"number", "id", "actions"},
    model.Action: {"id", "blocks", "checklist", "acute"},
    model.Block: {"kind", "questions", "organisations"},
    model.ListItem: set(),
    model.Question: {"id"},
    model.Colophon: {"publisher", "design", "copyright", "website"},
    model.Organisations: {"items"},
    model.Organisation: {
        "id", "origin", "verified", "hours", "website", "chat", "phones",
        "emergency", "helpline", "editable_phone", "suggest_when_closed",
    },
    model.Phone: {"display"},
    model.Hours: {"kind", "rules", "school_days_only", "closures"},
    model.OpeningRule: {"days", "opens", "closes", "certain"},
    model.Closure: {"start", "end", "certain"},
    model.SchoolRoles: {"items"},
    model.SchoolRoleText: {"id"},
}
# Fields that differ by design, checked by their own tests.
LANGUAGE_FIELDS: dict[type, set[str]] = {
    model.Plan: {"language", "translation_note"},
    model.Organisations: {"language"},
    model.SchoolRoles: {"language"},
}

LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
NUMBER = re.compile(r"\d+")


def _without_link_targets(text: str) -> str:
    return LINK.sub(lambda m: m.group(1), text)


def compare_text(nl: str, en: str, path: str) -> list[str]:
    """Differences between a Dutch text and its translation that are not translation."""
    errors = []
    if bool(nl.strip()) != bool(en.strip()):
        errors.append(f"{path}: empty in one language only (nl={nl!r}, en={en!r})")
    nl_links, en_links = LINK.findall(nl), LINK.findall(en)
    if [url for _, url in nl_links] != [url for _, url in en_links]:
        errors.append(f"{path}: link targets differ: {nl_links} vs {en_links}")
    if any(not label.strip() for label, _ in en_links):
        errors.append(f"{path}: empty link label in {en!r}")
    if len(BOLD.findall(nl)) != len(BOLD.findall(en)) or nl.count("**") != en.count("**"):
        errors.append(f"{path}: bold spans differ: {BOLD.findall(nl)} vs {BOLD.findall(en)}")
    nl_numbers = Counter(NUMBER.findall(_without_link_targets(nl)))
    en_numbers = Counter(NUMBER.findall(_without_link_targets(en)))
    if nl_numbers != en_numbers:
        errors.append(f"{path}: numbers differ: {sorted(nl_numbers)} vs {sorted(en_numbers)}")
    return errors


def compare(nl: Any, en: Any, path: str = "", text: bool = False) -> list[str]:
    """Recursively compare two loaded content objects; return the differences."""
    if type(nl) is not type(en):
        return [f"{path}: {type(nl).__name__} vs {type(en).__name__}"]
    if isinstance(nl, tuple):
        if len(nl) != len(en):
            return [f"{path}: {len(nl)} items in nl, {len(en)} in en"]
        errors = []
        for i, (a, b) in enumerate(zip(nl, en)):
            errors += compare(a, b, f"{path}[{i}]", text)
        return errors
    if dataclasses.is_dataclass(nl):
        cls = type(nl)
        label = getattr(nl, "id", None) or getattr(nl, "number", None)
        here = f"{path}/{cls.__name__}" + (f"({label})" if label is not None else "")
        errors = []
        for f in dataclasses.fields(cls):
            if f.name in LANGUAGE_FIELDS.get(cls, set()):
                continue
            is_text = f.name in TEXT_FIELDS.get(cls, set())
            errors += compare(getattr(nl, f.name), getattr(en, f.name), f"{here}.{f.name}", is_text)
        return errors
    if isinstance(nl, str) and text:
        return compare_text(nl, en, path)
    if nl != en:
        return [f"{path}: {nl!r} (nl) != {en!r} (en)"]
    return []


def walk_texts(obj: Any, path: str = "", text: bool = False) -> Iterator[tuple[str, str]]:
    """Every translated string of a content object, with its path."""
    if isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from walk_texts(item, f"{path}[{i}]", text)
    elif dataclasses.is_dataclass(obj):
        cls = type(obj)
        for f in dataclasses.fields(cls):
            is_text = f.name in TEXT_FIELDS.get(cls, set())
            yield from walk_texts(getattr(obj, f.name), f"{path}/{cls.__name__}.{f.name}", is_text)
    elif isinstance(obj, str) and text:
        yield path, obj


# --- loading -----------------------------------------------------------------------


def test_english_files_exist_and_load_without_fallback():
    # The loader falls back to Dutch when a file is missing: that must not
    # make the comparisons below pass vacuously.
    assert (DATA_DIR / "stappenplan.en.yaml").is_file()
    assert (DATA_DIR / "organisaties.en.yaml").is_file()
    assert isinstance(EN_PLAN, Plan) and EN_PLAN.language == "en"
    assert isinstance(EN_ORGS, Organisations) and EN_ORGS.language == "en"
    assert NL_PLAN.language == "nl" and NL_ORGS.language == "nl"


def test_every_model_field_is_classified():
    """A new field in content/model.py must be declared text or data here."""
    for name in model.__all__:
        cls = getattr(model, name)
        if not dataclasses.is_dataclass(cls):
            continue
        fields = {f.name for f in dataclasses.fields(cls)}
        text, data, lang = TEXT_FIELDS.get(cls, set()), DATA_FIELDS.get(cls, set()), LANGUAGE_FIELDS.get(cls, set())
        assert not (text & data or text & lang or data & lang), name
        assert text | data | lang == fields, f"{name}: unclassified {fields - text - data - lang}, unknown {(text | data | lang) - fields}"


# --- structure -----------------------------------------------------------------------


def test_plan_structure_is_identical():
    errors = compare(NL_PLAN, EN_PLAN, "plan")
    assert not errors, "English step plan drifted from the Dutch one:\n" + "\n".join(errors)


def test_organisations_structure_is_identical():
    errors = compare(NL_ORGS, EN_ORGS, "organisations")
    assert not errors, "English organisations drifted from the Dutch ones:\n" + "\n".join(errors)


def test_school_roles_structure_is_identical():
    errors = compare(load_school_roles("nl"), load_school_roles("en"), "school roles")
    assert not errors, "English school roles drifted from the Dutch ones:\n" + "\n".join(errors)


def test_every_text_is_translated_and_non_empty():
    for nl_obj, en_obj in ((NL_PLAN, EN_PLAN), (NL_ORGS, EN_ORGS)):
        nl_texts = dict(walk_texts(nl_obj))
        en_texts = dict(walk_texts(en_obj))
        assert nl_texts.keys() == en_texts.keys()
        for path, nl_text in nl_texts.items():
            if nl_text.strip():
                assert en_texts[path].strip(), f"{path}: missing English text"
        # Only proper names (ALLOWED_DUTCH) may be copied over unchanged.
        copied = {
            path: text for path, text in en_texts.items()
            if text == nl_texts[path] and _ALLOWED.sub("", text).strip(" .,:()")
        }
        assert not copied, f"untranslated texts: {copied}"


def test_same_ids_in_same_order():
    """Spelled out (also covered by the structure test) for a readable failure."""
    assert [s.id for s in EN_PLAN.intro] == [s.id for s in NL_PLAN.intro]
    assert [t.id for t in EN_PLAN.incident_types] == [t.id for t in NL_PLAN.incident_types]
    assert [r.id for r in EN_PLAN.roles] == [r.id for r in NL_PLAN.roles]
    assert [(s.number, s.id) for s in EN_PLAN.steps] == [(s.number, s.id) for s in NL_PLAN.steps]
    assert [a.id for s in EN_PLAN.steps for a in s.actions] == [a.id for s in NL_PLAN.steps for a in s.actions]
    assert [a.id for a in EN_PLAN.acute_actions] == [a.id for a in NL_PLAN.acute_actions]
    assert [a.id for a in EN_PLAN.checklist] == [a.id for a in NL_PLAN.checklist]
    assert [o.id for o in EN_ORGS.items] == [o.id for o in NL_ORGS.items]


# --- the comparison itself catches drift ---------------------------------------------


def _first_action_with(plan: Plan, kind: str) -> tuple[Action, int]:
    for action in plan.checklist:
        for i, block in enumerate(action.blocks):
            if block.kind == kind:
                return action, i
    raise AssertionError(kind)


def _replace_block(action: Action, index: int, **changes: Any) -> Action:
    blocks = list(action.blocks)
    blocks[index] = dataclasses.replace(blocks[index], **changes)
    return dataclasses.replace(action, blocks=tuple(blocks))


@pytest.mark.parametrize("kind", ["bullets", "numbered", "questions"])
def test_comparison_catches_a_deleted_item(kind):
    en_action, index = _first_action_with(EN_PLAN, kind)
    nl_action = NL_PLAN.action(en_action.id)
    block = en_action.blocks[index]
    if kind == "questions":
        broken = _replace_block(en_action, index, questions=block.questions[:-1])
    else:
        broken = _replace_block(en_action, index, items=block.items[:-1])
    assert not compare(nl_action, en_action)
    assert compare(nl_action, broken)


def test_comparison_catches_changed_data():
    action = EN_PLAN.action("betrokken-leerlingen")
    nl_action = NL_PLAN.action("betrokken-leerlingen")
    orgs_index = next(i for i, b in enumerate(action.blocks) if b.kind == "organisations")
    assert compare(nl_action, dataclasses.replace(action, acute=False))
    assert compare(nl_action, _replace_block(action, orgs_index, organisations=("kindertelefoon",)))
    assert compare(nl_action, _replace_block(action, orgs_index, kind="bullets"))
    assert compare(nl_action, dataclasses.replace(action, blocks=action.blocks[:-1]))
    changed_question = dataclasses.replace(
        EN_PLAN.action("evaluatie-beleid"),
        blocks=(Block(kind="questions", questions=(Question(id="other", text="Why?"),)),),
    )
    assert compare(NL_PLAN.action("evaluatie-beleid"), changed_question)


def test_comparison_catches_text_markup_drift():
    assert compare_text("Zie [stap 7](/stap/7).", "See [step 7](/stap/1).", "x")
    assert compare_text("Zie [stap 7](/stap/7).", "See step 7.", "x")
    assert compare_text("**Vet** en meer.", "Bold and more.", "x")
    assert compare_text("Tot 26 jaar.", "Up to 25.", "x")
    assert compare_text("Tekst.", "", "x")
    assert compare_text("", "Text.", "x")
    assert not compare_text("**Vet:** zie [stap 7](/stap/7), 18 jaar.", "**Bold:** see [step 7](/stap/7), 18.", "x")
    nested = ListItem(text="**A**", items=("[b](https://b.nl)",))
    assert compare(nested, ListItem(text="**A**", items=("[b](https://c.nl)",)), "x")
    assert compare(nested, ListItem(text="**A**", items=()), "x")


# --- no Dutch left in the English ------------------------------------------------

# Common Dutch function words that are not also English words.
DUTCH_WORDS = {
    "de", "het", "een", "van", "en", "niet", "voor", "bij", "naar", "ook",
    "wordt", "worden", "zijn", "dat", "dit", "deze", "op", "je", "jij", "te",
    "als", "geen", "wat", "wie", "er", "om", "aan", "uit", "maar", "ze", "wij",
    "heeft", "hebben", "kan", "kunnen", "moet", "zich", "hun", "onze", "én",
    "wanneer", "waarbij", "hoe", "zoals", "tussen", "tot", "leerlingen",
}
# Dutch that may stay in English texts: proper names, the titles of Dutch
# documents and terms kept with a gloss.  Matched case-insensitively and
# removed before the check.
ALLOWED_DUTCH = [
    "Stappenplan: omgaan met online incidenten",
    "Stappenplan online incidenten",
    "Overzicht organisaties voor ondersteuning",
    "Aangifte doen in het onderwijs",
    "Stichting School & Veiligheid",
    "Adviespunt School & Veiligheid",
    "De Kindertelefoon",
    "In je bol",
    "Veilig Thuis",
    "Nederlands Jeugdinstituut",
    "113 Zelfmoordpreventie",
    "Alarmnummer",
    "Politie",
    "Offlimits",
    "Helpwanted",
    "Meldknop.nl",
    "MOOZ grafisch ontwerp",
    "po, vo, go, mbo",
    "aangifte",
    "zorgmelding",
    "herstelrecht",
    "wijkagent",
    "bangalijst",
    "Halt",
]
_ALLOWED = re.compile("|".join(re.escape(p) for p in sorted(ALLOWED_DUTCH, key=len, reverse=True)), re.I)


def dutch_words(text: str) -> list[str]:
    text = _ALLOWED.sub(" ", _without_link_targets(text))
    return [w for w in re.findall(r"[a-zà-ÿ]+", text.lower()) if w in DUTCH_WORDS]


def _english_texts() -> Iterator[tuple[str, str]]:
    yield "plan.translation_note", EN_PLAN.translation_note
    yield from walk_texts(EN_PLAN, "plan")
    yield from walk_texts(EN_ORGS, "organisations")


def test_no_dutch_left_in_english_texts():
    found = {path: words for path, text in _english_texts() if (words := dutch_words(text))}
    assert not found, f"Dutch words in English texts (add real names to ALLOWED_DUTCH): {found}"


def test_dutch_word_heuristic_recognises_dutch():
    """Guard against a heuristic that never fires: it must flag the Dutch texts."""
    long_texts = [text for _, text in walk_texts(NL_PLAN) if len(text.split()) >= 8]
    flagged = [text for text in long_texts if dutch_words(text)]
    assert len(long_texts) > 50
    assert len(flagged) / len(long_texts) > 0.95
    assert dutch_words("Bel de politie en wacht niet.") == ["de", "en", "niet"]
    assert dutch_words("Call De Kindertelefoon or In je bol.") == []


# --- translation note and the organisations' contact details ---------------------


def test_translation_note():
    note = EN_PLAN.translation_note
    assert note.strip()
    assert "Stappenplan: omgaan met online incidenten" in note
    assert "Stichting School & Veiligheid" in note
    assert "translation" in note.lower() and "authoritative" in note.lower()


def test_english_organisations_keep_every_number_and_url():
    for nl, en in zip(NL_ORGS.items, EN_ORGS.items, strict=True):
        assert en.id == nl.id
        assert [p.display for p in en.phones] == [p.display for p in nl.phones], nl.id
        assert [p.dial for p in en.phones] == [p.dial for p in nl.phones], nl.id
        assert (en.website, en.chat) == (nl.website, nl.chat), nl.id
        assert en.hours == dataclasses.replace(
            nl.hours,
            note=en.hours.note,
            closures=tuple(
                dataclasses.replace(c, reason=e.reason) for c, e in zip(nl.hours.closures, en.hours.closures, strict=True)
            ),
        ), nl.id
        for field in ("reach_as_written", "hours_as_written", "audience", "description", "name"):
            nl_text, en_text = getattr(nl, field), getattr(en, field)
            assert NUMBER.findall(en_text) == NUMBER.findall(nl_text), (nl.id, field)
        for phone in nl.phones:
            if phone.display in nl.reach_as_written:
                assert phone.display in en.reach_as_written, nl.id
        # The Dutch name stays first; English may add a gloss after it.
        assert en.name.startswith(nl.name.split(" (")[0]), nl.id


def test_offlimits_hours_keep_the_source_wording():
    """The source's odd "maandag & donderdag" is translated as written, not corrected."""
    offlimits = EN_ORGS.get("offlimits")
    assert "Monday & Thursday" in offlimits.hours_as_written
    assert any(not rule.certain for rule in offlimits.hours.rules)
