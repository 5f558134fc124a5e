"""Which letters an incident calls for (the LET OP of step 4 respected), and what the journal keeps
of a sent letter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from letters.record import sent_record
from letters.render import render_letter
from letters.suggest import pupil_labels, suggest_letters
from letters.templates import load_letters
from storage import incidents as inc
from tests.letters_helpers import NOW, SCHOOL, incident, with_contact

NL = load_letters("nl")


def states(case) -> dict[str, tuple[str, str]]:
    return {p.label: (p.state, p.reason) for p in suggest_letters(case, NL).parents}


def test_every_pupil_gets_a_letter_for_its_role_and_the_rest_is_always_there():
    suggestions = suggest_letters(incident(), NL)
    assert [(p.label, p.template_id, p.state) for p in suggestions.parents] == [
        ("slachtoffer 1", "ouders-slachtoffer", "suggested"),
        ("aanstichter 1", "ouders-aanstichter", "suggested"),
        ("omstander 1", "ouders-omstander", "suggested"),
    ]
    assert suggestions.others == ("alle-ouders", "team-algemeen", "team-betrokken-klassen", "mediaverklaring",
                                  "melder", "melder-ouder")


def test_a_pupil_of_18_or_older_gets_the_letter_addressed_to_the_pupil():
    adult = inc.put_pupil(incident(), inc.Pupil("p-victim", "slachtoffer", "Sanne de Vries", "2B", adult=True))
    # a decision not to inform parents does not hold back the letter to a pupil of age
    adult = with_contact(adult, "ouders", "ouders van Sanne", not_informed_reason="eerst overleg")
    [victim] = [p for p in suggest_letters(adult, NL).parents if p.pupil_id == "p-victim"]
    assert (victim.template_id, victim.state, victim.adult) == ("leerling-18plus", "suggested", True)
    letter = render_letter(NL, "leerling-18plus", profile=SCHOOL, incident=adult, now=NOW, pupil_id="p-victim")
    record = sent_record(NL, letter.kind, letter.subject, letter.body, incident=adult, sent_at=NOW,
                         pupil_id="p-victim")
    assert (record.contact_kind, record.with_whom) == ("anders", "slachtoffer 1 zelf (18+)")
    saved = inc.put_contact(adult, inc.Contact(inc.new_id(), record.contact_kind, record.at, record.with_whom,
                                               record.summary))
    assert states(saved)["slachtoffer 1"] == ("informed", "")


def test_parents_deliberately_not_informed_get_no_letter_and_the_reason_is_shown():
    case = with_contact(incident(), "ouders", "vader van Bram", not_informed_reason="Bram is bang voor zijn vader")
    result = states(case)
    assert result["aanstichter 1"] == ("withheld", "Bram is bang voor zijn vader")
    assert result["slachtoffer 1"] == ("suggested", "")
    assert [p.label for p in suggest_letters(case, NL).suggested] == ["slachtoffer 1", "omstander 1"]


def test_a_hold_is_lifted_by_a_later_contact_that_informed_the_parents():
    case = with_contact(incident(), "ouders", "ouders van SdV", at=NOW - timedelta(days=2),
                        not_informed_reason="eerst overleg met Veilig Thuis")
    assert states(case)["slachtoffer 1"][0] == "withheld"
    case = with_contact(case, "ouders", "ouders van slachtoffer 1", at=NOW)
    assert states(case)["slachtoffer 1"] == ("informed", "")


def test_a_hold_that_names_no_pupil_makes_every_letter_unclear():
    case = with_contact(incident(), "ouders", "de moeder", not_informed_reason="dreiging thuis")
    assert set(states(case).values()) == {("unclear", "dreiging thuis")}
    assert suggest_letters(case, NL).suggested == ()


def test_labels_number_pupils_per_role_as_the_report_does():
    case = inc.put_pupil(incident(), inc.Pupil("p-2", "slachtoffer", "Y."))
    case = inc.put_pupil(case, inc.Pupil("p-gone", "slachtoffer", "X.", removed=True))
    assert pupil_labels(case, NL) == {"p-victim": "slachtoffer 1", "p-2": "slachtoffer 2", "p-gone": "slachtoffer 3",
                                      "p-instigator": "aanstichter 1", "p-bystander": "omstander 1"}
    assert pupil_labels(case, load_letters("en"))["p-2"] == "victim 2"


def test_the_record_of_a_sent_letter():
    case = incident()
    letter = render_letter(NL, "ouders-slachtoffer", profile=SCHOOL, incident=case, now=NOW, pupil_id="p-victim")
    record = sent_record(NL, letter.kind, letter.subject, letter.body + "\n\nGroet, Jan", incident=case,
                         sent_at=NOW, pupil_id="p-victim")
    assert (record.contact_kind, record.with_whom) == ("ouders", "ouders van slachtoffer 1")
    assert record.summary.startswith("Geïnformeerd per brief, 14:05.\n\nOnline incident: informatie over uw kind\n\n")
    assert record.summary.endswith("Groet, Jan")  # the text as sent, edits included
    assert record.note == "Ouders van slachtoffer 1 geïnformeerd per brief, 14:05: Online incident: informatie over uw kind"
    assert record.at == NOW
    # saved as a contact, the pupil's parents then count as informed
    saved = inc.put_contact(case, inc.Contact(inc.new_id(), record.contact_kind, record.at, record.with_whom,
                                              record.summary))
    assert states(saved)["slachtoffer 1"] == ("informed", "")


@pytest.mark.parametrize("kind, whom, contact_kind", [
    ("all_parents", "alle ouders", "ouders"), ("team", "onderwijsteam", "school"), ("media", "media (verklaring)", "anders"),
    ("melder", "de melder", "anders"),
])
def test_records_of_the_other_letters(kind, whom, contact_kind):
    record = sent_record(NL, kind, "Onderwerp", "Tekst", incident=incident(),
                         sent_at=datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc))
    assert (record.contact_kind, record.with_whom) == (contact_kind, whom)
    assert "14:00" in record.note  # summer time in Amsterdam
    assert record.contact_kind in inc.CONTACT_KINDS


def test_a_record_names_its_pupil_exactly_when_it_is_a_parents_letter():
    with pytest.raises(ValueError):
        sent_record(NL, "parents", "s", "b", incident=incident(), sent_at=NOW)
    with pytest.raises(ValueError):
        sent_record(NL, "team", "s", "b", incident=incident(), sent_at=NOW, pupil_id="p-victim")
    english = sent_record(load_letters("en"), "parents", "Subject", "b", incident=incident(), sent_at=NOW,
                          pupil_id="p-instigator")
    assert english.note == "Parents of instigator 1 informed by letter, 14:05: Subject"
