"""report.anonymise: the names in an incident replaced by role labels (property tests).

``tests/test_report.py`` checks the whole report; these check the name
replacement on its own, with names and texts hypothesis makes up.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from report.anonymise import MIN_NAME_IN_TEXT, Names
from storage import incidents as inc
from storage.vocabulary import PupilRole
from words import i18n

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
LETTERS = "abcdefghijklmnopqrstuvwxyzéëïöü"

word = st.text(alphabet=LETTERS, min_size=MIN_NAME_IN_TEXT, max_size=9).map(str.capitalize)
name = st.lists(word, min_size=1, max_size=3).map(" ".join)
filler = st.text(alphabet=LETTERS + "0123456789", min_size=1, max_size=8)
space = st.sampled_from([" ", "  ", "\n", "\t", " \n "])


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("nl")


def incident(pupils=(), members=(), reporter="", authors=()) -> inc.Incident:
    roles = [PupilRole.VICTIM, PupilRole.INSTIGATOR, PupilRole.BYSTANDER]
    return inc.Incident(
        id="0b7f6a1e-4c36-4b8e-9a55-6d4c1f0b2a13", created=T0, updated=T0, revision=1, title="", type="challenge",
        reported_at=T0, reported_by=reporter,
        pupils=tuple(inc.Pupil(f"p{k}", roles[k % 3], alias) for k, alias in enumerate(pupils)),
        team=tuple(inc.TeamMember(f"m{k}", "mentor", member) for k, member in enumerate(members)),
        notes=tuple(inc.Note(f"n{k}", T0, (inc.NoteVersion(f"v{k}", T0, "notitie", by),)) for k, by in enumerate(authors)),
    )


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


LABEL_WORDS = {"victim", "instigator", "bystander", "action", "team", "member", "reporter", "contact", "person",
               "staff", "mentor"}


def mentions(text: str, full_name: str) -> bool:
    """Whether ``full_name`` stands in ``text`` as whole words (any case, any whitespace between)."""
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in full_name.split()) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(name, min_size=1, max_size=6, unique_by=str.casefold), st.data())
def test_no_name_is_left_in_a_text(names, data):
    assume(not any(words(n) & LABEL_WORDS for n in names))
    pieces = data.draw(st.lists(st.one_of(st.sampled_from(names), filler), min_size=1, max_size=12))
    pieces = [p.upper() if data.draw(st.booleans()) else p for p in pieces]
    fillers = [p for p in pieces if p.casefold() not in {n.casefold() for n in names}]
    assume(not any(words(f) & words(" ".join(names)) for f in fillers))
    # a name may be split over lines
    text = "".join(data.draw(space) + re.sub(" ", lambda m: data.draw(space), p) for p in pieces)
    scrubbed = Names(incident(pupils=names), anonymised=True).text(text)
    for n in names:
        assert not mentions(scrubbed, n), (n, text, scrubbed)
    for f in fillers:  # and nothing else is touched
        assert f in scrubbed


@settings(max_examples=100, deadline=None)
@given(st.lists(name, min_size=1, max_size=5, unique_by=str.casefold), st.text(max_size=60))
def test_not_anonymised_changes_nothing(names, text):
    names_ = Names(incident(pupils=names, members=names, reporter=names[0]), anonymised=False)
    assert names_.text(text) == text
    assert names_.field(f"  {names[0]} ", "reporter") == names[0]


@settings(max_examples=100, deadline=None)
@given(st.lists(name, min_size=1, max_size=5, unique_by=str.casefold), st.text(alphabet=LETTERS + " .,", max_size=60))
def test_a_text_without_names_stays_as_it_is(names, text):
    assume(not words(text) & words(" ".join(names)))
    assert Names(incident(pupils=names), anonymised=True).text(text) == text


@settings(max_examples=100, deadline=None)
@given(st.lists(name, min_size=2, max_size=6, unique_by=str.casefold))
def test_a_name_gets_the_label_of_its_first_place(names):
    assume(not any(words(n) & LABEL_WORDS for n in names))
    # the first name is a pupil and also the reporter and an author: it stays "victim 1"
    names_ = Names(incident(pupils=names[:1], members=names[1:], reporter=names[0], authors=names), anonymised=True)
    assert names_.field(names[0].upper(), "reporter") == "victim 1"
    assert names_.author(names[0]) == "victim 1"
    assert names_.field(names[1], "contact person") == "action team: mentor"
    assert names_.field("", "reporter") == ""
    assert names_.field("nobody we know", "contact person") == "contact person"


@settings(max_examples=100, deadline=None)
@given(word, word)
def test_the_longer_name_wins(first, last):
    assume(first.casefold() != last.casefold() and not {first.casefold(), last.casefold()} & LABEL_WORDS)
    names_ = Names(incident(pupils=[first, f"{first} {last}"]), anonymised=True)
    assert names_.text(f"{first} {last} + {first}.") == "instigator 1 + victim 1."


@given(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
def test_a_single_letter_is_replaced_only_as_a_whole_field(initial):
    names_ = Names(incident(pupils=[initial.upper()]), anonymised=True)
    assert names_.field(initial.upper(), "") == "victim 1"
    assert names_.text(f"{initial} e-mail {initial.upper()}") == f"{initial} e-mail {initial.upper()}"
