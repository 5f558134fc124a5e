"""The privacy guard: the names, initials and pseudonyms of an incident are found in a letter,
in any case and with or without diacritics, and ordinary text passes."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from letters import privacy
from letters.privacy import (
    NOT_NAMES,
    ORDINARY_WORD_NAMES,
    TUSSENVOEGSELS,
    ProtectedName,
    check_letter,
    find_names,
    folded,
    protected_names,
)
from letters.render import render_letter
from letters.templates import load_letters
from storage import incidents as inc
from tests.letters_helpers import NOW, SCHOOL, incident, with_contact

SANNE = ProtectedName("Sanne de Vries", "pupil", "p-victim")


@pytest.fixture(autouse=True)
def fresh_patterns():
    """Patterns are cached per name; each test builds its own (so mutation testing sees every change)."""
    privacy._patterns.cache_clear()


def found(text: str, *names: ProtectedName) -> list[str]:
    return [h.found for h in find_names(text, names or (SANNE,)).hits]


@pytest.mark.parametrize("text, hits", [
    ("Wij spraken met Sanne.", ["Sanne"]),
    ("Wij spraken met SANNE.", ["SANNE"]),
    ("Wij spraken met Sänne.", ["Sänne"]),
    ("Wij spraken met Sa\u0308nne.", ["Sa\u0308nne"]),  # decomposed ä
    ("sanne's telefoon", ["sanne"]),
    ("Sannes moeder belde", ["Sannes"]),
    ("@sanne_2010 op Instagram", ["sanne"]),
    ("San\u00adne", ["San\u00adne"]),  # a soft hyphen from a word processor
    ("Ｓａｎｎｅ", ["Ｓａｎｎｅ"]),  # full-width letters
    ("Saﬁne", []),  # a ligature is two letters: "Safine", not Sanne
    ("Sanne de\nVries", ["Sanne de\nVries"]),  # one hit for the full name, across a line break
    ("mevrouw De Vries", ["Vries"]),
    ("S.d.V. en SdV en SDV en S. d. V.", ["S.d.V.", "SdV", "SDV", "S. d. V."]),
    ("SV en S.V.", ["SV", "S.V."]),
    ("Sannemieke en Vriesland en sdv en s.v.", []),
    ("Ik bel i.v.m. de brief", []),
])
def test_names_initials_and_variants(text, hits):
    assert found(text) == hits


@pytest.mark.parametrize("name, text, hits", [
    ("Bjørn", "Bjorn en BJØRN en bjørn", ["Bjorn", "BJØRN", "bjørn"]),
    ("Łukasz Nowak", "Lukasz kwam; ŁUKASZ ook", ["Lukasz", "ŁUKASZ"]),
    ("Sofie", "Soﬁe zei het", ["Soﬁe"]),  # the "fi" ligature of a word processor
    ("Zoë", "Het was Zoë!", ["Zoë"]),  # a decomposed ë at the end stays in the hit
    ("Maël", "MAEL", ["MAEL"]),
], ids=["o-slash", "l-stroke", "ligature", "decomposed-at-the-end", "diaeresis"])
def test_letters_without_a_decomposition(name, text, hits):
    assert found(text, ProtectedName(name, "pupil")) == hits


@pytest.mark.parametrize("alias, text, hits", [
    ("S.d.V.", "SdV, S.d.V., SDV, sdv, s.d.v.", ["SdV", "S.d.V.", "SDV"]),
    ("SdV", "SdV, S.d.V., SDV, sdv, s.d.v.", ["SdV", "S.d.V.", "SDV"]),
    ("S.V.", "SV en S.V. en sv", ["SV", "S.V."]),
    ("2B SdV", "SdV uit klas 2B", ["SdV"]),
    ("Yara.", "Yara, YARA en yara", ["Yara", "YARA", "yara"]),
    ("'Bram'", "dat zei Bram", ["Bram"]),
    ("@S.d.V.", "zie S.d.V. hierboven", ["S.d.V."]),
], ids=["dotted", "undotted", "two-letters", "class-first", "trailing-dot", "quoted", "handle"])
def test_aliases_as_users_type_them(alias, text, hits):
    assert found(text, ProtectedName(alias, "pupil")) == hits


def test_initials_never_flag_ordinary_abbreviations():
    ivo = ProtectedName("Ivo van Mierlo", "pupil")
    assert found("i.v.m. de les, d.w.z. morgen, IvM, I.v.M.", ivo) == ["IvM", "I.v.M."]
    assert found("ik en IK en Ik", ProtectedName("IK", "pupil")) == ["IK"]
    assert found("Jo, jo en JO", ProtectedName("Jo", "pupil")) == ["Jo", "JO"]


def test_names_that_are_ordinary_words_are_confirmed_not_blocked():
    ben = ProtectedName("Ben", "pupil")
    result = find_names("Ik ben blij. Ben was er ook. BEN!", [ben])
    assert [(h.found, h.certain) for h in result.hits] == [("Ben", False), ("BEN", False)]
    assert not result.blocked and result.to_confirm == result.hits
    assert find_names("Ben Visser", [ProtectedName("Ben Visser", "pupil")]).blocked  # the full name is certain


def test_single_initials_and_generic_pseudonyms():
    result = find_names("Een leerling Anna sprak met S.", [ProtectedName("S.", "pupil"), ProtectedName("Leerling A", "pupil")])
    assert result.hits == () and [n.text for n in result.unchecked] == ["S."]
    assert [n.text for n in find_names("S", [ProtectedName("S", "pupil")]).unchecked] == ["S"]
    assert found("Dat zei leerling A tegen ons.", ProtectedName("Leerling A", "pupil")) == ["leerling A"]
    assert found("de leerling ging weg", ProtectedName("Leerling A", "pupil")) == []


def test_offsets_point_at_the_name_in_the_original_text():
    text = "Geachte ouders, over Sänne: zij (SdV) is…"
    hits = find_names(text, [SANNE]).hits
    assert [(text[h.start:h.end], h.name) for h in hits] == [("Sänne", SANNE), ("SdV", SANNE)]


def test_which_names_an_incident_protects():
    case = with_contact(incident(), "ouders", "moeder van Bram, mevrouw Kaya")
    case = with_contact(case, "politie", "wijkagent Sander Bakker, gesprek thuis")
    case = inc.put_follow_up(case, inc.FollowUp("f-1", NOW, "gesprek met L., Hans en Yara"))
    names = protected_names(case, profile=SCHOOL)
    by_origin = {(n.origin, n.text) for n in names}
    assert ("pupil", "Sanne de Vries") in by_origin and ("pupil", "Bram") in by_origin
    assert ("reporter", "Petra de Vries (moeder van Sanne)") in by_origin
    assert ("parents", "moeder van Bram, mevrouw Kaya") in by_origin
    assert ("contact", "gesprek met L., Hans en Yara") in by_origin
    # staff (the profile's police contact, the action team's Hans Mulder) and ordinary words pass
    text = ("Mevrouw Kaya, Petra, Yara en Bram; de moeder; Marieke Jansen, Karel Smit, Sander Bakker en "
            "Hans Mulder van OSG De Linde; gesprek thuis.")
    hits = find_names(text, names).hits
    assert [h.found for h in hits] == ["Kaya", "Petra", "Yara", "Bram"]
    assert [h.name.pupil_id for h in hits] == [None, None, None, "p-instigator"]


def test_the_profiles_people_are_staff():
    case = with_contact(incident(), "politie", "wijkagent Sander Bakker")
    case = inc.put_follow_up(case, inc.FollowUp("f-2", NOW, "met Yara."))
    assert check_letter("Bel Sander Bakker.", case, profile=SCHOOL).hits == ()
    assert [h.found for h in check_letter("Bel Sander Bakker.", case).hits] == ["Sander", "Bakker"]
    assert [h.found for h in check_letter("Yara, YARA", case, profile=SCHOOL).hits] == ["Yara", "YARA"]


def test_short_staff_names_are_staff_too():
    case = inc.put_team_member(incident(), inc.TeamMember("t-3", "mentor", "Jo Smit"))
    case = with_contact(case, "school", "Jo (mentor)")
    assert check_letter("Vragen? Bel Jo Smit.", case).hits == ()


def test_the_same_place_found_certain_and_uncertain_blocks():
    names = [ProtectedName("Roos", "pupil"), ProtectedName("ROOS", "pupil")]  # a name, and initials
    result = find_names("Dat zei ROOS.", names)
    assert [(h.found, h.certain) for h in result.hits] == [("ROOS", True)] and result.blocked


def test_removed_pupils_stay_protected():
    case = incident()
    case = inc.put_pupil(case, inc.Pupil("p-gone", "omstander", "Noor Bakker", "2B", removed=True))
    assert check_letter("Noor Bakker was erbij.", case).blocked


def test_the_letter_to_a_pupils_own_parents_may_name_that_pupil_only():
    case = with_contact(incident(), "ouders", "moeder van Sanne, Petra de Vries")
    own = check_letter("Beste ouders van Sanne de Vries, beste Petra,", case, profile=SCHOOL, for_pupil="p-victim")
    assert own.hits == ()
    other = check_letter("Beste ouders van Sanne de Vries, ook Bram deed mee.", case, for_pupil="p-victim")
    assert [h.found for h in other.hits] == ["Bram"]
    assert check_letter("Beste ouders van Sanne", case, for_pupil="p-instigator").blocked
    namesake = inc.put_pupil(case, inc.Pupil("p-other", "omstander", "Sanne Bakker"))
    mine = check_letter("Beste ouders van Sanne de Vries, over Sanne:", namesake, for_pupil="p-victim")
    assert mine.hits == ()  # the other Sanne's first name is this pupil's own
    assert [h.found for h in check_letter("Sanne Bakker", namesake, for_pupil="p-victim").hits] == ["Sanne Bakker"]


def test_a_letter_written_without_an_incident_has_nothing_to_check():
    assert check_letter("Sanne", None).hits == ()


# --- properties ------------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzäëïöüéèçñåøß"
_FILLER = render_letter(load_letters("nl"), "alle-ouders", profile=SCHOOL, incident=None, now=NOW).body
_FILLER_EN = render_letter(load_letters("en"), "team-algemeen", profile=SCHOOL, incident=None, now=NOW).body


@st.composite
def first_names(draw) -> str:
    word = draw(st.text(_LETTERS, min_size=3, max_size=12))
    name = word[0].upper() + word[1:]
    key = folded(name).casefold()
    assume(key not in ORDINARY_WORD_NAMES | NOT_NAMES | TUSSENVOEGSELS)
    assume(name[0].isupper() and not name[0].islower())
    return name


def _variants(name: str) -> st.SearchStrategy[str]:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return st.sampled_from([name, name.upper(), name.lower(), stripped, stripped.upper(), name.title(),
                            unicodedata.normalize("NFD", name), name + "s", name + "'s"])


def _boundaries(text: str) -> list[int]:
    """Places between words (where a name can stand as a word of its own)."""
    return [0, len(text)] + [m.start() for m in re.finditer(r"(?<=[\s,.:;(])(?=\S)", text)]


@settings(max_examples=400, deadline=None)
@given(st.data(), first_names(), first_names())
def test_random_names_inserted_anywhere_are_always_found(data, first, last):
    alias = data.draw(st.sampled_from([first, f"{first} {last}", f"{first} de {last}", f"{first}-{last}"]))
    name = ProtectedName(alias, "pupil")
    text = data.draw(st.sampled_from([_FILLER, _FILLER_EN]))
    inserted = data.draw(_variants(data.draw(st.sampled_from([alias, first, last] if " " in alias else [alias]))))
    position = data.draw(st.sampled_from(_boundaries(text)))
    padded = f" {inserted} "
    letter = text[:position] + padded + text[position:]
    start, end = position + 1, position + 1 + len(inserted)
    hits = find_names(letter, [name]).hits
    assert any(h.start <= start and end - 2 <= h.end <= end and h.certain for h in hits), (inserted, hits)


@settings(max_examples=300, deadline=None)
@given(first_names(), first_names())
def test_initials_of_random_names_are_found(first, last):
    name = ProtectedName(f"{first} van {last}", "pupil")
    a, b = folded(first)[0].upper(), folded(last)[0].upper()
    for written in (f"{a}.v.{b}.", f"{a}v{b}", f"{a}V{b}", f"{a}. v. {b}.", f"{a}{b}", f"{a}.{b}."):
        assert found(f"Het gaat om {written} uit de klas", name) == [written], written


@settings(max_examples=300, deadline=None)
@given(first_names(), first_names(), st.sampled_from(["alle-ouders", "team-algemeen", "mediaverklaring"]),
       st.sampled_from(["nl", "en"]))
def test_letters_without_the_names_pass(first, last, template_id, language):
    case = inc.put_pupil(incident(), inc.Pupil("p-random", "slachtoffer", f"{first} {last}"))
    letter = render_letter(load_letters(language), template_id, profile=SCHOOL, incident=case, now=NOW)
    words = {folded(w).casefold() for w in re.findall(r"[^\W\d_]+", letter.text)}
    for name in (first, last):  # a random name that happens to be a word of the letter is in it
        assume(not {folded(name).casefold(), folded(name).casefold() + "s"} & words)
    result = check_letter(letter.text, case, profile=SCHOOL)
    assert result.hits == () and not result.blocked
