"""The letter templates and how they are filled: with and without a profile, never a pupil's name
outside the letter to that pupil's own parents, every placeholder filled or flagged."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime, timezone

import pytest

from content.letter_model import Paragraph
from letters.privacy import check_letter
from letters.render import render_letter, unfilled
from letters.templates import TemplateError, check_letters, load_letters, placeholders
from tests.letters_helpers import NOW, SCHOOL, incident, with_contact

LANGUAGES = ("nl", "en")


def all_templates():
    return [(language, t.id) for language in LANGUAGES for t in load_letters(language).templates]


def shape(template):
    return (template.id, template.kind, template.role, template.step, template.action,
            [(p.when, p.unless, Counter(placeholders(p.text))) for p in template.paragraphs],
            Counter(placeholders(template.subject)))


def test_english_letters_are_the_dutch_ones_translated():
    dutch, english = load_letters("nl"), load_letters("en")
    assert [shape(t) for t in english.templates] == [shape(t) for t in dutch.templates]
    assert set(english.words.incident_words) == set(dutch.words.incident_words)


def test_the_letters_the_step_plan_asks_for():
    letters = load_letters("nl")
    kinds = {(t.kind, t.role, t.step) for t in letters.templates}
    assert {("parents", "slachtoffer", 4), ("parents", "aanstichter", 4), ("parents", "omstander", 4),
            ("all_parents", "", 5), ("team", "", 4), ("media", "", 2)} <= kinds


@pytest.mark.parametrize("template_id, paragraph, message", [
    ("alle-ouders", "Beste ouders van {pupil},", "only allowed in parents and pupil letters"),
    ("alle-ouders", "Beste {reporter},", "only allowed in melder letters"),
    ("ouders-slachtoffer", "Beste {reporter},", "only allowed in melder letters"),
    ("ouders-slachtoffer", "Klas {groups}", "only allowed in team letters"),
    ("mediaverklaring", "{schoolnaam}", "unknown placeholder"),
    ("mediaverklaring", "{contact:conciërge}", "not a placeholder"),
    ("mediaverklaring", "{contact:concierge}", "unknown role"),
    ("mediaverklaring", "{org:kindertelefoon_}", "not a placeholder"),
    ("mediaverklaring", "{org:bestaat-niet}", "unknown organisation"),
    ("mediaverklaring", "{web:alarmnummer}", "has no website"),
    ("mediaverklaring", "{school} {", "not a placeholder"),
    ("mediaverklaring", "[[invullen: x]]", "fill-in markers"),
    ("mediaverklaring", "{today:x}", "takes no argument"),
])
def test_a_template_mistake_stops_the_app_with_the_letter_named(template_id, paragraph, message):
    letters = load_letters("nl")
    broken = tuple(
        dataclasses.replace(t, paragraphs=t.paragraphs + (Paragraph(paragraph),)) if t.id == template_id else t
        for t in letters.templates
    )
    with pytest.raises(TemplateError) as info:
        check_letters(dataclasses.replace(letters, templates=broken))
    assert message in str(info.value) and template_id in str(info.value)


def test_a_template_in_the_wrong_step_is_refused():
    letters = load_letters("nl")
    broken = (dataclasses.replace(letters.templates[0], step=5),) + letters.templates[1:]
    with pytest.raises(TemplateError, match="is in step 4"):
        check_letters(dataclasses.replace(letters, templates=broken))


def _render(language, template_id, *, profile, incident_):
    template = load_letters(language).get(template_id)
    pupil = {"slachtoffer": "p-victim", "aanstichter": "p-instigator", "omstander": "p-bystander"}.get(template.role)
    if template.kind == "pupil":
        pupil = "p-victim"
    return render_letter(load_letters(language), template_id, profile=profile, incident=incident_, now=NOW,
                         pupil_id=pupil if incident_ is not None else None)


def _asked(template) -> int:
    """Placeholders the user may have to fill, in the paragraphs every letter of this template has."""
    texts = [template.subject] + [p.text for p in template.paragraphs if not p.when]
    return sum(1 for text in texts for p in placeholders(text) if p.name not in ("org", "web", "today"))


@pytest.mark.parametrize("language, template_id", all_templates())
def test_with_a_profile_and_an_incident_only_the_signature_is_left_to_fill(language, template_id):
    letters = load_letters(language)
    letter = _render(language, template_id, profile=SCHOOL, incident_=with_contact(incident(), "politie", "wijkagent"))
    text = letter.text
    assert "{" not in text and "}" not in text
    marker = letters.words.fill_in
    expected = []
    template = letters.get(template_id)
    if any("{sender}" in p.text for p in template.paragraphs):
        expected.append(marker.replace("{what}", letters.words.hints["sender"]))
    if template.kind == "melder":
        expected.append(marker.replace("{what}", letters.words.hints["reporter"]))
    if template.for_one_pupil:  # what happened, to be made specific, with the general words as a start
        general = letters.words.incident_words["vernedering"]
        expected.append(marker.replace("{what}", letters.words.hints["what_happened"].replace("{incident}", general)))
    if template_id == "ouders-omstander":  # the alias "L." is no name: the letter asks for it, with the alias
        expected.append(marker.replace("{what}", letters.words.hints["pupil"] + " (L.)"))
    assert sorted(text[a:b] for a, b in unfilled(text)) == sorted(expected)
    if letter.kind != "team":
        assert "OSG De Linde" in text


@pytest.mark.parametrize("language, template_id", all_templates())
def test_without_a_profile_or_incident_every_gap_is_a_visible_marker(language, template_id):
    letter = _render(language, template_id, profile=None, incident_=None)
    text = letter.text
    assert "{" not in text and "}" not in text
    assert len(unfilled(text)) == _asked(load_letters(language).get(template_id)) > 0
    marker_word = {"nl": "invullen", "en": "fill in"}[language]
    assert all(marker_word in text[a:b] for a, b in unfilled(text))


@pytest.mark.parametrize("language, template_id", all_templates())
def test_no_pupil_name_outside_the_letter_to_that_pupils_parents(language, template_id):
    case = incident()
    letter = _render(language, template_id, profile=SCHOOL, incident_=case)
    guard = check_letter(letter.text, case, profile=SCHOOL, for_pupil=letter.pupil_id)
    assert guard.hits == (), [h.found for h in guard.hits]
    own = {"ouders-slachtoffer": "Sanne", "ouders-aanstichter": "Bram", "leerling-18plus": "Sanne"}.get(template_id)
    for name in ("Sanne", "Bram", "Petra"):
        assert (name in letter.text) == (name == own), name
    if own:
        assert letter.body.splitlines()[0].endswith({"Sanne": "Sanne de Vries,", "Bram": "Bram,"}[own])


def test_the_incident_is_made_specific_in_a_letter_about_one_pupil_and_general_elsewhere():
    letters = load_letters("nl")
    case = incident()
    general = letters.words.incident_words["vernedering"]
    for template in letters.templates:
        letter = _render("nl", template.id, profile=SCHOOL, incident_=case)
        marked = any(general in letter.text[a:b] for a, b in unfilled(letter.text))
        assert marked == template.for_one_pupil, template.id
        if template.kind in ("all_parents", "team"):
            assert general in letter.text and not marked


def test_the_incidents_own_free_text_never_goes_into_a_letter():
    case = incident("anders", type_other="foto van Sanne in de kleedkamer")
    for language in LANGUAGES:
        letter = _render(language, "alle-ouders", profile=SCHOOL, incident_=case)
        assert "kleedkamer" not in letter.text and "Groepsapp" not in letter.text
        assert load_letters(language).words.incident_words["anders"] in letter.text


@pytest.mark.parametrize("language, expected", [("nl", "1 december 2026"), ("en", "1 December 2026")])
def test_dates_are_amsterdam_dates_in_the_letters_language(language, expected):
    late = dataclasses.replace(incident(), reported_at=datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc))
    letter = _render(language, "team-algemeen", profile=SCHOOL, incident_=late)
    assert expected in letter.body
    statement = render_letter(load_letters(language), "mediaverklaring", profile=SCHOOL, incident=None,
                              now=datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
    assert statement.body.endswith({"nl": "1 januari 2027", "en": "1 January 2027"}[language])


def test_paragraphs_that_depend_on_the_incident_and_the_profile():
    letters = load_letters("nl")

    def body(template_id, case, profile=SCHOOL):
        pupil = {"ouders-slachtoffer": "p-victim", "ouders-aanstichter": "p-instigator"}.get(template_id)
        return render_letter(letters, template_id, profile=profile, incident=case, now=NOW, pupil_id=pupil).body

    plain = incident()
    assert "politie ingeschakeld" not in body("ouders-slachtoffer", plain)
    assert "politie ingeschakeld" in body("ouders-slachtoffer", with_contact(plain, "politie", "wijkagent"))
    help_with_images = "Offlimits (offlimits.nl) u en uw kind adviseren over het laten verwijderen"
    assert help_with_images not in body("ouders-slachtoffer", incident("bedreiging"))
    for images in ("naaktfoto", "vernedering", "challenge"):
        assert help_with_images in body("ouders-slachtoffer", incident(images))
    assert "https://delinde.nl/schoolgids#sancties" in body("ouders-aanstichter", plain)
    assert "sanctiebeleid" not in body("ouders-aanstichter", plain, dataclasses.replace(SCHOOL, sanction_policy_url=""))


def test_contacts_come_from_the_profile_with_fallback_roles():
    letters = load_letters("nl")
    statement = render_letter(letters, "mediaverklaring", profile=SCHOOL, incident=None, now=NOW).body
    assert "Els Visser (mediawoordvoerder), e-mail pers@delinde.nl" in statement
    no_press = dataclasses.replace(SCHOOL, contacts=tuple(c for c in SCHOOL.contacts if c.name != "Els Visser"))
    statement = render_letter(letters, "mediaverklaring", profile=no_press, incident=None, now=NOW).body
    assert "Jeroen de Boer (directie), telefoon 030 123 45 60" in statement
    all_parents = render_letter(letters, "alle-ouders", profile=SCHOOL, incident=incident(), now=NOW).body
    assert "het aanspreekpunt pesten, telefoon 030 123 45 69" in all_parents  # no name: the role's noun
    team = render_letter(letters, "team-betrokken-klassen", profile=SCHOOL, incident=incident(), now=NOW)
    assert team.subject == "Online incident in 2B en 2C: informatie voor de leraren"
    assert "Marieke Jansen (zorgcoördinator) en Hans Mulder (mentor 2B)" in team.body


def test_wrong_use_is_refused():
    letters = load_letters("nl")
    with pytest.raises(ValueError):
        render_letter(letters, "ouders-aanstichter", profile=None, incident=incident(), now=NOW, pupil_id="p-victim")
    with pytest.raises(ValueError):
        render_letter(letters, "alle-ouders", profile=None, incident=incident(), now=NOW, pupil_id="p-victim")
    with pytest.raises(KeyError):
        render_letter(letters, "ouders-slachtoffer", profile=None, incident=incident(), now=NOW, pupil_id="nobody")
    with pytest.raises(ValueError):
        render_letter(letters, "mediaverklaring", profile=None, incident=None, now=datetime(2026, 11, 24, 14, 5))
