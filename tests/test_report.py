"""The incident report for the school's dossier: Markdown and PDF, named and anonymised."""

from __future__ import annotations

import ast
import io
import re
import string
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from content.loader import load_plan
from report import APP_NAME, incident_markdown, incident_pdf, report_blocks
from report.pdf import FONT_BOLD, FONT_REGULAR
from storage import incidents as inc
from words import i18n

AMS = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc
ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan("nl")
T0 = datetime(2026, 10, 24, 9, 0, tzinfo=AMS)
NOW = datetime(2026, 11, 24, 14, 5, tzinfo=AMS)


@pytest.fixture(autouse=True)
def english():
    """The UI strings in English (the msgids), so that the tests do not depend on the
    Dutch catalog; the plan's content stays Dutch."""
    i18n.set_language("en")
    yield
    i18n.set_language("nl")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# -- an incident with a name in every place a name can be entered -----------------------

ROLES = [
    "victim",  # pupil, slachtoffer
    "victim2",  # pupil, slachtoffer, removed (still named in a note)
    "instigator",  # pupil, aanstichter
    "bystander",  # pupil, omstander
    "member",  # action team, directie
    "member2",  # action team, role mentions member
    "reporter",
    "contact",  # contact with_whom
    "contact2",  # contact with_whom (parents not informed)
    "followup",  # follow-up with_whom
    "author",  # by of ticks, notes, status changes
    "author2",
]


def build(n: dict[str, str]) -> inc.Incident:
    """Fixed ids and times; the names (and the texts around them) come from ``n``."""
    v, i, b = n["victim"], n["instigator"], n["bystander"]
    notes = (
        inc.Note("n1", at(60), (
            inc.NoteVersion("n1v1", at(60), f"Gesprek met {v} en {n['victim2']}. {i.upper()} ontkent.", n["author"]),
            inc.NoteVersion("n1v2", at(90), f"{v.lower()} vertelde het aan {n['member']}; {b} zag het.", n["member"]),
        )),
        inc.Note("n2", at(120), (
            inc.NoteVersion("n2v1", at(120), f"({n['contact']}) belde met {n['followup']}!\nTweede regel: {n['reporter']}.", n["author2"]),
        )),
        inc.Note("n3", at(150), (  # deleted: not in the report
            inc.NoteVersion("n3v1", at(150), f"Weggehaald over {v}", n["author"]),
            inc.NoteVersion("n3v2", at(151), f"Weggehaald over {v}", n["author"], deleted=True),
        )),
        inc.Note("n4", at(45), (
            inc.NoteVersion("n4v1", at(45), f"Eerste notitie: {n['contact2']} en {n['author2']} op de hoogte.", ""),
        )),
    )
    return inc.Incident(
        id="0b7f6a1e-4c36-4b8e-9a55-6d4c1f0b2a11",
        created=at(0),
        updated=at(200),
        revision=3,
        title=f"Bangalijst over {v} door {i}",
        type="anders",
        type_other=f"spotlijst van {i}",
        reported_at=at(0),
        reported_by=n["reporter"],
        report_channel=f"telefonisch, {n['reporter']} belde",
        pupils=(
            inc.Pupil("p1", "slachtoffer", v, "2B"),
            inc.Pupil("p2", "slachtoffer", n["victim2"], "2B", removed=True),
            inc.Pupil("p3", "aanstichter", i, "2C"),
            inc.Pupil("p4", "omstander", b, ""),
        ),
        team=(
            inc.TeamMember("m1", "directie", n["member"]),
            inc.TeamMember("m2", f"zorg, vervangt {n['member']}", n["member2"]),
        ),
        ticks=(
            inc.TickEvent("t1", "melder", True, at(5), n["author"]),
            inc.TickEvent("t2", "actieteam-samenstellen", True, at(15), n["member"]),
            inc.TickEvent("t3", "actieteam-samenstellen", False, at(25), n["author2"]),
            inc.TickEvent("t4", "actieteam-samenstellen", True, at(35), n["member2"]),
            inc.TickEvent("t5", "ouders-informeren", True, at(40), n["author2"]),
        ),
        notes=notes,
        contacts=(
            inc.Contact("c1", "politie", at(70), n["contact"], f"{n['contact']} adviseert aangifte tegen {i}"),
            inc.Contact("c2", "ouders", at(80), n["contact2"], "", True, f"Eerst overleg: thuis bij {i} onveilig"),
        ),
        follow_ups=(
            inc.FollowUp("f1", at(60 * 24 * 3), n["followup"], f"Nagesprek met {v}"),
            inc.FollowUp("f2", at(60 * 24 * 60), n["followup"], "Terugblik", done_at=None),
            inc.FollowUp("f3", at(60 * 24), n["followup"], f"Herstel met {b}", done_at=at(60 * 24 + 30)),
        ),
        status_history=(
            inc.StatusChange("s1", "acuut", at(0), n["author"]),
            inc.StatusChange("s2", "lopend", at(60 * 5), n["member"]),
            inc.StatusChange("s3", "herstel", at(60 * 24 * 2), n["author2"]),
        ),
        evaluation={
            "evaluatie-incident-1": f"Een foto van {v} in de klassenapp",
            "evaluatie-incident-3": f"Lessen over privacy; {i} kreeg een taak",
            "evaluatie-incident-6": f"Sneller {n['member2']} betrekken en {n['contact2']} bellen",
        },
    )


PLACEHOLDERS = {role: f"Qz{'x' * k}v" for k, role in enumerate(ROLES, start=1)}
NAMES = {
    "victim": "Anouk",
    "victim2": "Sanne",
    "instigator": "Bram",
    "bystander": "Daan",
    "member": "Marieke Jansen",
    "member2": "Wouter",
    "reporter": "Priya",
    "contact": "wijkagent Karel",
    "contact2": "Fatima",
    "followup": "Jeroen",
    "author": "mentor 3B",
    "author2": "Lotte",
}


def md(incident, anonymised):
    return incident_markdown(incident, PLAN, anonymised=anonymised, now=NOW)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """Whitespace (line wraps) collapsed, for finding text in a PDF."""
    return " ".join(text.split())


def positions(haystack: str, needles) -> list[int]:
    found = []
    for needle in needles:
        k = haystack.find(needle)
        assert k >= 0, f"missing: {needle!r}"
        found.append(k)
    return found


# -- content and order ------------------------------------------------------------------


def expected_timeline():
    """The current text of each note on the timeline, oldest first (n4, n1, n2)."""
    i = build(NAMES)
    return [n.current.text for n in i.timeline]


def expected_ticked_titles():
    i = build(NAMES)
    return [a.title for a in PLAN.checklist if a.id in i.ticked]


def test_markdown_has_every_timeline_entry_and_ticked_action_in_order():
    text = md(build(NAMES), anonymised=False)
    timeline = text[text.index("## Timeline"):]
    assert [n.split("\n")[0] for n in expected_timeline()] == [
        "Eerste notitie: Fatima en Lotte op de hoogte.",
        "anouk vertelde het aan Marieke Jansen; Daan zag het.",
        "(wijkagent Karel) belde met Jeroen!",
    ]
    spots = positions(timeline, [n.split("\n")[0] for n in expected_timeline()])
    assert spots == sorted(spots)
    assert "Weggehaald" not in text  # a deleted note is not on the timeline
    # ticked actions, each marked, in plan order
    titles = expected_ticked_titles()
    assert titles == ["Vang de eventuele melder op", "Stel een actieteam samen", "Informeer de ouders van betrokken leerlingen"]
    ticked = [f"- [x] {t}" for t in titles]
    spots = positions(text, ticked)
    assert spots == sorted(spots)
    assert text.count("- [x] ") == 3
    assert text.count("- [ ] ") == len(PLAN.checklist) - 3


def test_markdown_sections_in_order():
    text = md(build(NAMES), anonymised=False)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# Bangalijst over Anouk door Bram"
    sections = [h[3:] for h in headings if h.startswith("## ")]
    assert sections == [
        "Reporting",
        "Pupils involved",
        "Action team",
        "Actions per step",
        "Timeline",
        "Contacts (police, parents, care)",
        "Follow-up conversations",
        "Evaluation",
        "Status history",
    ]
    steps = [h[4:] for h in headings if h.startswith("### ")]
    assert steps == [f"Step {s.number}: {s.title}" for s in PLAN.steps if s.checklist]


def test_markdown_details():
    text = md(build(NAMES), anonymised=False)
    lines = text.splitlines()
    # header line: generated at, by the app, confidential, no images
    meta = lines[2]
    assert meta.startswith("*Generated 24 November 2026 at 14:05 by the app " + APP_NAME)
    assert "Confidential" in meta and "no images" in meta and "Anonymised" not in meta
    assert "- **Type of incident:** Other: spotlijst van Bram" in lines
    assert "- **Status:** Recovery & aftercare" in lines
    assert "- **Reported:** 24 October 2026 at 09:00" in lines
    assert "- **Reported by:** Priya" in lines
    # pupils by role: instigator, victim, bystander; a removed pupil is not listed
    pupils = text[text.index("## Pupils involved"):text.index("## Action team")]
    spots = positions(pupils, ["Instigator: Bram (2C)", "Victim: Anouk (2B)", "Bystander: Daan"])
    assert spots == sorted(spots)
    assert "Sanne" not in pupils
    assert "- directie: Marieke Jansen" in lines
    # the tick history, unticking included
    history = [
        "    - ticked 24 October 2026 at 09:15 by Marieke Jansen",
        "    - unticked 24 October 2026 at 09:25 by Lotte",
        "    - ticked 24 October 2026 at 09:35 by Wouter",
    ]
    spots = positions(text, history)
    assert spots == sorted(spots)
    # an edited note shows the edit and its earlier version
    assert "by mentor 3B · edited 24 October 2026 at 10:30 · by Marieke Jansen" in text
    assert "Gesprek met Anouk en Sanne. BRAM ontkent." in text
    # a note of two lines keeps its line break
    assert "(wijkagent Karel) belde met Jeroen!\\\n  Tweede regel: Priya." in text
    # parents deliberately not informed, with the reason
    assert "Deliberately not informed yet: Eerst overleg: thuis bij Bram onveilig" in text
    # follow-ups: done, overdue, planned
    follow = text[text.index("## Follow-up conversations"):text.index("## Evaluation")]
    spots = positions(follow, ["Done 25 October 2026 at 09:30", "Not done yet, overdue", "Not done yet\n"])
    assert spots == sorted(spots)
    # the six evaluation questions, in order, answered or not
    evaluation = text[text.index("## Evaluation"):text.index("## Status history")]
    questions = [q.text for b in PLAN.action("evaluatie-incident").blocks for q in b.questions]
    assert len(questions) == 6
    spots = positions(evaluation, [f"**{q}**" for q in questions])
    assert spots == sorted(spots)
    assert evaluation.count("Not answered.") == 3
    assert "Sneller Wouter betrekken en Fatima bellen" in evaluation
    # status history, oldest first
    status = text[text.index("## Status history"):]
    spots = positions(status, ["Acute · by mentor 3B", "In progress · by Marieke Jansen", "Recovery & aftercare · by Lotte"])
    assert spots == sorted(spots)


def test_times_are_amsterdam_time_in_the_active_language():
    incident = build(NAMES)
    incident = inc.Incident(**{**incident.__dict__, "reported_at": datetime(2026, 10, 24, 23, 30, tzinfo=UTC)})
    assert "- **Reported:** 25 October 2026 at 01:30" in md(incident, False)  # CEST, UTC+2
    i18n.set_language("nl")
    assert "25 oktober 2026 om 01:30" in md(incident, False)
    winter = inc.Incident(**{**incident.__dict__, "reported_at": datetime(2026, 10, 25, 23, 30, tzinfo=UTC)})
    assert "26 oktober 2026 om 00:30" in md(winter, False)  # CET, UTC+1


def test_markdown_escapes_what_the_user_typed():
    incident = inc.add_note(build(NAMES), "# geen kop\n- geen lijst\n1. geen nummer\n*geen* _nadruk_ [link](x) <b>", at=at(500))
    text = md(incident, False)
    assert "\\# geen kop\\\n  \\- geen lijst\\\n  1\\. geen nummer\\\n  \\*geen\\* \\_nadruk\\_ \\[link\\](x) \\<b\\>" in text


def test_questions_outside_the_evaluation_and_unknown_actions_are_kept():
    incident = build(NAMES)
    incident = inc.set_evaluation(incident, "evaluatie-beleid-2", "Protocol aanpassen")
    incident = inc.set_evaluation(incident, "verdwenen-vraag", "Oud antwoord")
    incident = inc.set_ticked(incident, "verdwenen-actie", at=at(600))
    text = md(incident, False)
    assert "**Hoe vertalen we de geleerde lessen naar verbeteringen in ons beleid?**\\\n  Protocol aanpassen" in text
    assert "**verdwenen-vraag**\\\n  Oud antwoord" in text
    assert "### Other actions (not in the current step plan)\n\n- [x] verdwenen-actie" in text


def test_an_empty_incident():
    incident = inc.new_incident("Leeg", "challenge", now=T0)
    text = md(incident, True)
    assert text.count("*None recorded.*") == 5  # pupils, team, timeline, contacts, follow-ups
    assert text.count("Not answered.") == 6
    assert incident_pdf(incident, PLAN, anonymised=True, now=NOW).startswith(b"%PDF")


# -- the PDF ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def named_pdf():
    i18n.set_language("en")
    return incident_pdf(build(NAMES), PLAN, anonymised=False, now=NOW)


def test_pdf_is_a_valid_pdf(named_pdf):
    assert named_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(named_pdf))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4
    assert reader.metadata.title == "Bangalijst over Anouk door Bram"
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].get_object().values()}
    assert any(f.endswith("DejaVuSansBook") for f in fonts) and any(f.endswith("DejaVuSansBold") for f in fonts)
    assert b"/FontFile2" in named_pdf  # embedded


def test_pdf_has_a_header_and_page_numbers_on_every_page(named_pdf):
    pages = PdfReader(io.BytesIO(named_pdf)).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert "Bangalijst over Anouk door Bram" in text
        assert "Confidential" in text
        assert f"Page {number} of {len(pages)}" in text


def test_pdf_has_every_timeline_entry_and_ticked_action_in_order(named_pdf):
    text = flat(pdf_text(named_pdf))
    timeline = text[text.index("Timeline"):]
    spots = positions(timeline, [flat(n) for n in expected_timeline()])
    assert spots == sorted(spots)
    assert "Weggehaald" not in text
    spots = positions(text, [f"☑ {t}" for t in expected_ticked_titles()])
    assert spots == sorted(spots)
    assert text.count("☑") == 3
    assert "unticked 24 October 2026 at 09:25 by Lotte" in text
    assert "Deliberately not informed yet: Eerst overleg: thuis bij Bram onveilig" in text


def test_dutch_characters_survive_in_the_pdf():
    i18n.set_language("nl")
    sentence = "Zoë en Chloë: ‘geëscaleerd’ – “één” — café · naïef € ü ß"
    incident = inc.add_note(build(NAMES), sentence, at=at(500))
    text = flat(pdf_text(incident_pdf(incident, PLAN, anonymised=False, now=NOW)))
    assert sentence in text
    assert "Hoe en waarom is het geëscaleerd?" in text  # from the plan
    assert "Contacten (politie, ouders, zorg)" in text  # from the catalog
    assert "24 november 2026 om 14:05" in text


def test_text_is_printed_as_typed():
    incident = inc.add_note(build(NAMES), "Tabel {nb} en {page} en 100% \\ klaar", at=at(500))
    text = flat(pdf_text(incident_pdf(incident, PLAN, anonymised=False, now=NOW)))
    assert "Tabel {nb} en {page} en 100% \\ klaar" in text


def test_now_must_be_aware():
    with pytest.raises(ValueError):
        incident_markdown(build(NAMES), PLAN, anonymised=False, now=datetime(2026, 1, 1))


def test_characters_the_font_lacks_are_marked_not_dropped():
    incident = inc.add_note(build(NAMES), "Bericht met 👍 en 漢 erin, 😀 wel", at=at(500))
    text = flat(pdf_text(incident_pdf(incident, PLAN, anonymised=False, now=NOW)))
    assert "Bericht met \ufffd en \ufffd erin, 😀 wel" in text  # DejaVu has some emoji, not all


def test_the_fonts_and_their_licence_are_in_the_repository():
    assert FONT_REGULAR.stat().st_size > 100_000 and FONT_BOLD.stat().st_size > 100_000
    licence = (FONT_REGULAR.parent / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


def test_the_report_package_does_not_import_flet():
    modules = sorted((ROOT / "report").glob("*.py"))
    assert {m.stem for m in modules} >= {"anonymise", "blocks", "markdown", "pdf", "sections"}
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
        assert "flet" not in imported, module.name


# -- anonymised ---------------------------------------------------------------------------


def test_anonymised_report_replaces_names_by_role_labels():
    text = md(build(NAMES), anonymised=True)
    assert "Anonymised: names are replaced by roles" in text.splitlines()[2]
    assert text.startswith("# Bangalijst over victim 1 door instigator 1\n")
    pupils = text[text.index("## Pupils involved"):text.index("## Action team")]
    assert "- instigator 1 (2C)\n- victim 1 (2B)\n- bystander 1\n" in pupils
    assert "- directie\n- zorg, vervangt action team: directie\n" in text  # team roles, names scrubbed
    assert "ticked 24 October 2026 at 09:15 by action team: directie" in text
    # a team label shows the role, with the names in it replaced too
    assert "ticked 24 October 2026 at 09:35 by action team: zorg, vervangt action team: directie" in text
    assert "unticked 24 October 2026 at 09:25 by staff member" in text
    assert "- **Reported by:** reporter" in text
    # the removed pupil is numbered after the current victim
    assert "Gesprek met victim 1 en victim 2. instigator 1 ontkent." in text
    assert "victim 1 vertelde het aan action team: directie; bystander 1 zag het." in text
    # "Karel" alone is recognised as part of "wijkagent Karel"
    assert "contact person adviseert aangifte tegen instigator 1" in text
    assert "With whom: contact person" in text
    for name in NAMES.values():
        assert name.casefold() not in text.casefold(), name
    for word in ("Karel", "Marieke", "Jansen"):
        assert word.casefold() not in text.casefold()


def test_names_are_matched_case_insensitively_on_word_boundaries_longest_first():
    incident = inc.Incident(
        id="0b7f6a1e-4c36-4b8e-9a55-6d4c1f0b2a12", created=T0, updated=T0, revision=1,
        title="Anne Marie, ANNE en annebel", type="challenge", reported_at=T0,
        pupils=(inc.Pupil("p1", "slachtoffer", "Anne"), inc.Pupil("p2", "omstander", "J")),
        team=(inc.TeamMember("m1", "mentor", "Anne Marie"),),
        notes=(inc.Note("n1", T0, (inc.NoteVersion("v1", T0, "anne's moeder belde Anne\nMarie. J zei: ja.", "J"),)),),
    )
    text = md(incident, True)
    assert text.startswith("# action team: mentor, victim 1 en annebel\n")  # not inside a longer word
    # a name split over two lines still matches; "J" (one letter) only as a whole field
    assert "victim 1's moeder belde action team: mentor. J zei: ja." in flat(text.replace("\\\n", " "))
    assert "- bystander 1\n" in text
    assert "by bystander 1" in text  # the author "J" as a whole field


def test_the_same_name_in_two_places_gets_the_label_of_the_first():
    names = dict(NAMES, author="Anouk", followup="Marieke Jansen")
    text = md(build(names), anonymised=True)
    assert "Acute · by victim 1" in text
    assert "**27 October 2026 at 09:00 · action team: directie**" in text


LETTERS = string.ascii_letters + "áéíóúàèëïöüçñÁÉÍÓÚÀÈËÏÖÜÇÑ"
name_lists = st.lists(
    st.text(alphabet=LETTERS, min_size=2, max_size=20), min_size=len(ROLES), max_size=len(ROLES), unique_by=str.casefold
)


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


@pytest.fixture(scope="module")
def skeleton():
    """The anonymised report of the incident with placeholder names: an anonymised report
    must not depend on the names at all."""
    i18n.set_language("en")
    incident = build(PLACEHOLDERS)
    markdown = md(incident, True)
    text = flat(pdf_text(incident_pdf(incident, PLAN, anonymised=True, now=NOW)))
    return markdown, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name_lists)
def test_anonymised_markdown_contains_none_of_the_names(skeleton, names):
    i18n.set_language("en")
    skeleton_md, _ = skeleton
    vocabulary = words(skeleton_md)
    assume(not any(n.casefold() in vocabulary for n in names))  # "Step", "met", "victim" ...
    incident = build(dict(zip(ROLES, names)))
    anonymised = md(incident, True)
    assert anonymised == skeleton_md
    found = words(anonymised)
    for n in names:
        assert n.casefold() not in found
        if n.casefold() not in skeleton_md.casefold():
            assert n.casefold() not in anonymised.casefold()
    named = md(incident, False).casefold()
    for n in names:
        assert n.casefold() in named


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name_lists)
def test_anonymised_pdf_contains_none_of_the_names(skeleton, names):
    i18n.set_language("en")
    skeleton_md, skeleton_pdf = skeleton
    vocabulary = words(skeleton_md) | words(skeleton_pdf)  # the PDF adds "Page 1 of 3"
    assume(not any(n.casefold() in vocabulary for n in names))
    incident = build(dict(zip(ROLES, names)))
    anonymised = flat(pdf_text(incident_pdf(incident, PLAN, anonymised=True, now=NOW)))
    assert anonymised == skeleton_pdf
    for n in names:
        assert n.casefold() not in words(anonymised)
        if n.casefold() not in skeleton_pdf.casefold():
            assert n.casefold() not in anonymised.casefold()
    named = flat(pdf_text(incident_pdf(incident, PLAN, anonymised=False, now=NOW))).casefold()
    for n in names:
        assert n.casefold() in named


def test_blocks_are_shared_by_both_renderings():
    blocks = report_blocks(build(NAMES), PLAN, anonymised=False, now=NOW)
    assert blocks[0].kind == "title" and blocks[1].kind == "meta"
    assert [b.text for b in blocks if b.kind == "h2"][0] == "Reporting"
