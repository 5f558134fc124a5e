"""The step plan content: structure, and faithfulness to the source document.

The source is the text export of the Stichting School & Veiligheid pdf.  These
tests read it, drop the pdf's navigation, apply the corrections documented in
``content/CHANGELOG.md`` and check that every sentence, heading, bullet and
question of the source is in ``content/data/stappenplan.nl.yaml`` -- in the
same action or intro section -- so that an accidental deletion or a silent
rewording fails the build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from content.loader import load_plan
from content.model import Block, ListItem, Plan

ROOT = Path(__file__).resolve().parents[1]
CHANGELOG = ROOT / "content" / "CHANGELOG.md"
# The document the app is built from, kept in the repository unchanged.
SOURCE = ROOT / "content" / "source" / "stappenplan-online-incidenten.txt"

# The organisations file is written separately; these are the ids it provides.
ORGANISATION_IDS = {"adviespunt", "kindertelefoon", "injebol", "offlimits", "meldknop", "nji"}

# "**De Kindertelefoon:** voor kinderen ..." lines in the source are rendered
# from the organisations file by an ``organisations`` block.
SOURCE_ORGANISATION_NAMES = {
    "De Kindertelefoon": "kindertelefoon",
    "In je bol": "injebol",
    "Offlimits": "offlimits",
    "Meldknop.nl": "meldknop",
}

EXPECTED_STEPS = {
    "opvang": ["melder", "betrokken-leerlingen", "zorg"],
    "actieteam": ["actieteam-samenstellen", "situatie-beschrijven"],
    "begrenzen": ["strafbare-feiten", "gesprek-begrenzen"],
    "informeren": [
        "ouders-informeren",
        "onderwijsteam-informeren",
        "slachtoffer-extra-hulp",
        "betrokkenen-hulp",
    ],
    "normeren": ["gesprek-alle-leerlingen", "alle-ouders"],
    "herstel": [
        "herstel-coordineren",
        "herstel-leerlingen",
        "herstel-medewerkers",
        "follow-up",
        "hulp-externen",
        "nazorg-preventie",
    ],
    "evaluatie": [
        "evaluatie-incident",
        "evaluatie-beleid",
        "preventie",
        "normen-begeleiden",
        "verantwoordelijkheid-leerlingen",
        "begrenzen-waar-nodig",
        "ouders-betrekken",
        "professionalisering",
        "leerlingen-informeren",
    ],
}
PREVENTION_THEMES = [
    "normen-begeleiden",
    "verantwoordelijkheid-leerlingen",
    "begrenzen-waar-nodig",
    "ouders-betrekken",
    "professionalisering",
    "leerlingen-informeren",
]
EXPECTED_SECTIONS = [
    "inleiding",
    "voor-wie",
    "twee-manieren",
    "hoe-toepassen",
    "bij-welke-incidenten",
    "tussen-leerlingen",
]
EXPECTED_INCIDENT_TYPES = ["naaktfoto", "bangalijst", "vernedering", "bedreiging", "nepaccount", "challenge"]
EXPECTED_ROLES = ["aanstichters", "slachtoffers", "omstanders", "betrokken-leerlingen"]
# action id -> question id prefix; the questions are numbered from 1
QUESTION_ACTIONS = {
    "situatie-beschrijven": "situatie",
    "evaluatie-incident": "evaluatie-incident",
    "evaluatie-beleid": "evaluatie-beleid",
}
# Source list items phrased as questions that are deliberately plain bullets:
# workshop themes for parents, not questions the action team answers.
QUESTION_LIKE_BULLETS = {"ouders-betrekken"}

# Lines of the pdf's navigation, repeated on every page, and the colofon's
# "Bekijk het stappenplan online" button (the pdf linking to itself).
BOILERPLATE_LINES = {
    "Overzicht",
    "Stappenplan",
    *(f"stap {n}" for n in range(1, 8)),
    "organisaties voor",
    "ondersteuning",
    "Incident",
    "Bekijk het",
    "stappenplan",
    "online",
}
ORGANISATIONS_PAGE = "# Overzicht organisaties voor ondersteuning"

TEXT_KINDS = {"paragraph", "heading", "tip", "note", "warning"}
LIST_KINDS = {"numbered", "bullets"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
BOLD_RE = re.compile(r"\*\*([^*]+)\*\*")
LABEL_RE = re.compile(r"^(?:Tip|NB|LET OP|Let op):\s*")
LIST_MARKER_RE = re.compile(r"^(?:\d+\.|[-•]|o)\s+")
QUESTION_ITEM_RE = re.compile(r"^(?:\d+\.|-)\s+")


# --- helpers -------------------------------------------------------------------


def strip_markup(text: str) -> str:
    """Plain text: links become their label, bold/italic markers go, whitespace collapses."""
    text = LINK_RE.sub(r"\1", text)
    text = text.replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def normalise_line(raw: str) -> str:
    """A source line without heading hashes, check boxes, list markers, labels and markup."""
    line = re.sub(r"^#+\s*", "", raw.strip())
    line = re.sub(r"^[☐□]\s*", "", line)
    while LIST_MARKER_RE.match(line):
        line = LIST_MARKER_RE.sub("", line, count=1)
    line = strip_markup(line)
    return LABEL_RE.sub("", line)


def fragments(raw: str) -> list[str]:
    """The sentences of a source line, without closing ``.``/``;``/``:``."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", normalise_line(raw)):
        sentence = sentence.strip().rstrip(".;:").strip()
        if sentence:
            out.append(sentence)
    return out


def is_whole_line_bold(raw: str) -> bool:
    return re.fullmatch(r"\*\*[^*]+\*\*", re.sub(r"^#+\s*", "", raw.strip())) is not None


def is_action_heading(raw: str) -> bool:
    """A ☐/□ line, or a line that is bold only and is not a lead-in ("...:") or the colofon."""
    line = re.sub(r"^#+\s*", "", raw.strip())
    if line[:1] in ("☐", "□"):
        return True
    match = re.fullmatch(r"\*\*([^*]+)\*\*", line)
    return bool(match) and not match.group(1).strip().endswith(":") and match.group(1).strip() != "colofon"


def is_colophon_heading(raw: str) -> bool:
    return strip_markup(raw).lower() == "colofon"


@dataclass(frozen=True)
class Correction:
    source: str
    content: str
    reason: str


def _cell(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text.startswith("`") and text.endswith("`"):
        text = text[1:-1]
    return text


def changelog_corrections() -> list[Correction]:
    rows: list[Correction] = []
    in_table = False
    for line in CHANGELOG.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            if in_table:
                break
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if not in_table:
            in_table = cells == ["Bron", "Inhoud", "Reden"]
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        assert len(cells) == 3, f"changelog row has {len(cells)} cells: {line!r}"
        rows.append(Correction(_cell(cells[0]), _cell(cells[1]), cells[2]))
    return rows


@dataclass
class Segment:
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class SourceDoc:
    title: str = ""
    subtitle: str = ""
    sections: list[Segment] = field(default_factory=list)
    actions: list[Segment] = field(default_factory=list)
    colophon: list[str] = field(default_factory=list)


def parse_source(text: str) -> SourceDoc:
    """Split the (corrected) source into intro sections, actions and the colofon."""
    doc = SourceDoc()
    state = "title"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line in BOILERPLATE_LINES:
            continue
        if line == ORGANISATIONS_PAGE:
            state = "organisations"  # belongs to organisaties.nl.yaml
            continue
        if is_colophon_heading(line):
            state = "colophon"
            continue
        if state in ("organisations",):
            continue
        if state == "colophon":
            doc.colophon.append(line)
            continue
        if is_action_heading(line):
            state = "actions"
            doc.actions.append(Segment(normalise_line(line)))
            continue
        if state == "title":
            if line.startswith("# ") and not doc.title:
                doc.title = normalise_line(line)
            elif line.startswith("## ") and not doc.subtitle:
                doc.subtitle = normalise_line(line)
            elif line.startswith("# "):
                state = "intro"
                doc.sections.append(Segment(normalise_line(line)))
            continue
        if state == "intro" and line.startswith("## "):
            doc.sections.append(Segment(normalise_line(line)))
            continue
        target = doc.sections[-1] if state == "intro" else doc.actions[-1]
        target.lines.append(line)
    return doc


def block_texts(block: Block, plan: Plan) -> list[str]:
    """Every text a block shows, with markup (roles shown as in the source)."""
    texts = [block.text] if block.text else []
    for item in block.items:
        if isinstance(item, ListItem):
            texts.append(item.text)
            texts.extend(item.items)
        else:
            texts.append(item)
    texts.extend(q.text for q in block.questions)
    if block.kind == "incident_types":
        texts.extend(t.text for t in plan.incident_types)
    if block.kind == "roles":
        texts.extend(f"**{r.name}** – {r.text}" for r in plan.roles)
    return texts


def haystack(texts: list[str]) -> str:
    return "\n".join(strip_markup(t) for t in texts)


def all_strings(obj) -> list[str]:
    """Every string in the plan (including ids and urls)."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [s for item in obj for s in all_strings(item)]
    if hasattr(obj, "__dataclass_fields__"):
        return [s for name in obj.__dataclass_fields__ for s in all_strings(getattr(obj, name))]
    return []


def walk_blocks(plan: Plan):
    for section in plan.intro:
        for block in section.blocks:
            yield f"intro/{section.id}", block
    for step in plan.steps:
        for action in step.actions:
            for block in action.blocks:
                yield f"stap {step.number}/{action.id}", block


# --- fixtures ------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan("nl")


@pytest.fixture(scope="module")
def corrections() -> list[Correction]:
    return changelog_corrections()


@pytest.fixture(scope="module")
def raw_source() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def source(raw_source: str, corrections: list[Correction]) -> SourceDoc:
    corrected = raw_source
    for c in corrections:
        corrected = corrected.replace(c.source, c.content)
    return parse_source(corrected)


@pytest.fixture(scope="module")
def source_actions(source: SourceDoc, plan: Plan):
    """(source segment, plan action) pairs in plan order."""
    actions = [a for s in plan.steps for a in s.actions]
    assert [s.title for s in source.actions] == [strip_markup(a.title) for a in actions]
    return list(zip(source.actions, actions))


# --- structure -----------------------------------------------------------------


def test_plan_loads_with_metadata(plan: Plan):
    assert plan.language == "nl"
    for name in ("title", "subtitle", "derived_titles_note"):
        assert getattr(plan, name).strip(), name
    assert "afgeleid" in plan.derived_titles_note


def test_seven_steps_with_the_expected_actions(plan: Plan):
    assert [s.number for s in plan.steps] == list(range(1, 8))
    assert [s.id for s in plan.steps] == list(EXPECTED_STEPS)
    for step in plan.steps:
        assert [a.id for a in step.actions] == EXPECTED_STEPS[step.id], step.id
        assert step.title.strip() and step.summary.strip(), step.id
    assert plan.step(7).id == "evaluatie"
    assert plan.step_of("follow-up").number == 6


def test_acute_actions_are_the_first_care(plan: Plan):
    assert [a.id for a in plan.acute_actions] == ["melder", "betrokken-leerlingen", "zorg"]
    assert all(plan.step_of(a.id).number == 1 for a in plan.acute_actions)


def test_only_the_prevention_themes_are_off_the_checklist(plan: Plan):
    off = [a.id for s in plan.steps for a in s.actions if not a.checklist]
    assert off == PREVENTION_THEMES
    assert len(plan.checklist) == sum(len(v) for v in EXPECTED_STEPS.values()) - len(PREVENTION_THEMES)


def test_intro_incident_types_and_roles(plan: Plan):
    assert [s.id for s in plan.intro] == EXPECTED_SECTIONS
    assert [t.id for t in plan.incident_types] == EXPECTED_INCIDENT_TYPES
    assert [r.id for r in plan.roles] == EXPECTED_ROLES
    kinds = {s.id: [b.kind for b in s.blocks] for s in plan.intro}
    assert "incident_types" in kinds["bij-welke-incidenten"]
    assert "warning" in kinds["bij-welke-incidenten"]
    assert "roles" in kinds["tussen-leerlingen"]
    for t in plan.incident_types:
        assert t.label.strip() and t.text.strip(), t.id
        assert t.text == t.text.strip() and t.text[-1] not in ".;", f"{t.id}: inconsistent punctuation"


def test_ids_are_unique_and_well_formed(plan: Plan):
    groups = {
        "step": [s.id for s in plan.steps],
        "action": [a.id for s in plan.steps for a in s.actions],
        "question": [q.id for _, b in walk_blocks(plan) for q in b.questions],
        "section": [s.id for s in plan.intro],
        "incident type": [t.id for t in plan.incident_types],
        "role": [r.id for r in plan.roles],
    }
    for name, ids in groups.items():
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"duplicate {name} ids: {duplicates}"
        bad = [i for i in ids if not ID_RE.match(i)]
        assert not bad, f"malformed {name} ids: {bad}"


def test_no_empty_text_anywhere(plan: Plan):
    problems = []
    for where, block in walk_blocks(plan):
        if block.kind in TEXT_KINDS:
            if not block.text.strip():
                problems.append(f"{where}: empty {block.kind}")
            if block.items or block.questions or block.organisations:
                problems.append(f"{where}: {block.kind} with list content")
        elif block.kind in LIST_KINDS:
            if not block.items or block.text or block.questions or block.organisations:
                problems.append(f"{where}: {block.kind} must have items only")
            for item in block.items:
                texts = [item.text, *item.items] if isinstance(item, ListItem) else [item]
                if not all(t.strip() for t in texts):
                    problems.append(f"{where}: empty list item")
        elif block.kind == "questions":
            if not block.questions or block.items or block.organisations:
                problems.append(f"{where}: questions block must have questions only")
            if not all(q.id.strip() and q.text.strip() for q in block.questions):
                problems.append(f"{where}: empty question")
        elif block.kind == "organisations":
            if not block.organisations or block.items or block.questions or block.text:
                problems.append(f"{where}: organisations block must list ids only")
        elif block.text or block.items or block.questions or block.organisations:
            problems.append(f"{where}: {block.kind} takes no content")
    for section in plan.intro:
        if not section.title.strip() or not section.blocks:
            problems.append(f"intro/{section.id}: empty section")
    for step in plan.steps:
        for action in step.actions:
            if not action.title.strip() or not action.blocks:
                problems.append(f"stap {step.number}/{action.id}: empty action")
    for role in plan.roles:
        if not role.name.strip() or not role.text.strip():
            problems.append(f"role {role.id}: empty")
    for name, value in vars(plan.colophon).items():
        if not value.strip():
            problems.append(f"colophon.{name}: empty")
    for text in all_strings(plan):
        if text != text.strip() or "☐" in text or "□" in text:
            problems.append(f"stray whitespace or check box: {text[:60]!r}")
    assert not problems, "\n".join(problems)


def test_organisation_references_exist(plan: Plan):
    refs = [(w, o) for w, b in walk_blocks(plan) if b.kind == "organisations" for o in b.organisations]
    assert refs, "no organisations block at all"
    unknown = [f"{w}: {o}" for w, o in refs if o not in ORGANISATION_IDS]
    assert not unknown, f"unknown organisation ids: {unknown}"
    blocks = [b for b in plan.action("betrokken-leerlingen").blocks if b.kind == "organisations"]
    assert [b.organisations for b in blocks] == [("kindertelefoon", "injebol", "offlimits", "meldknop")]


def test_links_are_real(plan: Plan):
    routes = {"/organisaties", *(f"/stap/{n}" for n in range(1, 8))}
    problems = []
    for text in all_strings(plan):
        for label, url in LINK_RE.findall(text):
            if not label.strip():
                problems.append(f"empty link label to {url}")
            if url.startswith("/"):
                if url not in routes:
                    problems.append(f"unknown in-app route {url}")
            elif not url.startswith("https://") or url in ("https://", "#"):
                problems.append(f"link {label!r} -> {url!r} is not a https url")
    assert not problems, "\n".join(problems)
    text = "\n".join(all_strings(plan))
    assert "(#)" not in text and "http://" not in text


# --- the changelog -------------------------------------------------------------


def test_changelog_table_parses(corrections: list[Correction]):
    assert len(corrections) >= 6, "changelog table missing or truncated"
    for c in corrections:
        assert c.source and c.content and c.reason, c
        assert c.source != c.content, c


def test_changelog_fragments_are_real(plan: Plan, corrections: list[Correction], raw_source: str):
    content = "\n".join(all_strings(plan))
    plain_content = strip_markup(content)
    problems = []
    for c in corrections:
        if c.source not in raw_source:
            problems.append(f"Bron not in the source: {c.source!r}")
        if c.content not in content and strip_markup(c.content) not in plain_content:
            problems.append(f"Inhoud not in the content: {c.content!r}")
        if c.source in content and c.source not in c.content:
            problems.append(f"uncorrected text still in the content: {c.source!r}")
    assert not problems, "\n".join(problems)


# --- completeness against the source -------------------------------------------


def test_source_parses_as_expected(source: SourceDoc):
    # guards the parser: a silently empty parse would make the tests below vacuous
    assert len(source.sections) == len(EXPECTED_SECTIONS)
    assert len(source.actions) == sum(len(v) for v in EXPECTED_STEPS.values())
    assert all(s.lines for s in source.actions + source.sections)
    assert len(source.colophon) >= 5
    count = sum(len(fragments(line)) for s in source.sections + source.actions for line in s.lines)
    assert count > 150


def test_title_and_section_headings_match_the_source(plan: Plan, source: SourceDoc):
    assert strip_markup(plan.title) == source.title
    assert strip_markup(plan.subtitle) == source.subtitle
    assert [strip_markup(s.title) for s in plan.intro] == [s.title for s in source.sections]


def test_action_titles_match_the_source_headings(plan: Plan, source: SourceDoc):
    # every ☐/□ heading and bold action heading of the source is an action title, in order
    titles = [strip_markup(a.title) for s in plan.steps for a in s.actions]
    assert titles == [s.title for s in source.actions]


def test_every_intro_sentence_is_in_its_section(plan: Plan, source: SourceDoc):
    missing = []
    for segment, section in zip(source.sections, plan.intro):
        hay = haystack([section.title, *(t for b in section.blocks for t in block_texts(b, plan))])
        raw = "\n".join(t for b in section.blocks for t in block_texts(b, plan))
        for line in segment.lines:
            missing += [f"intro/{section.id}: {f!r}" for f in fragments(line) if f not in hay]
            if not is_whole_line_bold(line):
                missing += [
                    f"intro/{section.id}: bold **{b}**"
                    for b in BOLD_RE.findall(line)
                    if not LABEL_RE.match(b) and f"**{b}**" not in raw
                ]
    assert not missing, "missing from the content:\n" + "\n".join(missing)


def test_every_action_sentence_is_in_its_action(plan: Plan, source_actions):
    missing = []
    for segment, action in source_actions:
        where = f"{plan.step_of(action.id).number}/{action.id}"
        texts = [t for b in action.blocks for t in block_texts(b, plan)]
        hay = haystack([action.title, *texts])
        raw = "\n".join(texts)
        org_ids = {o for b in action.blocks for o in b.organisations}
        for line in segment.lines:
            org = re.match(r"^\*\*(.+?):\*\*", line)
            if org and org.group(1) in SOURCE_ORGANISATION_NAMES:
                if SOURCE_ORGANISATION_NAMES[org.group(1)] not in org_ids:
                    missing.append(f"{where}: organisation {org.group(1)!r}")
                continue
            missing += [f"{where}: {f!r}" for f in fragments(line) if f not in hay]
            if not is_whole_line_bold(line):
                missing += [
                    f"{where}: bold **{b}**"
                    for b in BOLD_RE.findall(line)
                    if not LABEL_RE.match(b) and f"**{b}**" not in raw
                ]
    assert not missing, "missing from the content:\n" + "\n".join(missing)


def test_every_source_question_is_a_question(plan: Plan, source_actions):
    problems = []
    for segment, action in source_actions:
        expected = [
            normalise_line(line)
            for line in segment.lines
            if QUESTION_ITEM_RE.match(line) and normalise_line(line).endswith("?")
        ]
        questions = [q for b in action.blocks for q in b.questions]
        if action.id in QUESTION_ACTIONS:
            got = [strip_markup(q.text) for q in questions]
            if got != expected:
                problems.append(f"{action.id}: questions {got} != source {expected}")
            prefix = QUESTION_ACTIONS[action.id]
            ids = [q.id for q in questions]
            if ids != [f"{prefix}-{n}" for n in range(1, len(expected) + 1)]:
                problems.append(f"{action.id}: question ids {ids}")
        elif questions:
            problems.append(f"{action.id}: unexpected questions block")
        elif expected and action.id not in QUESTION_LIKE_BULLETS:
            problems.append(f"{action.id}: source questions not modelled as questions: {expected}")
    assert not problems, "\n".join(problems)


def test_colophon_is_complete(plan: Plan, source: SourceDoc):
    c = plan.colophon
    hay = haystack([c.publisher, c.text, f"Titel {c.title}", f"Vormgeving {c.design}", c.copyright, c.website, c.slogan])
    missing = [f for line in source.colophon for f in fragments(line) if f not in hay]
    assert not missing, f"colofon text missing: {missing}"
    assert c.website.removeprefix("https://") == "www.schoolenveiligheid.nl"
