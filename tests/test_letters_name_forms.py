"""The guard against every way Dutch writes a child's name: diminutives, possessives, initials and
diacritics of every first name and surname; the school's own people where they stand as themselves;
and a place released by the user, recorded with its reason."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from letters import privacy
from letters.name_forms import diminutives
from letters.privacy import NOT_NAMES, ORDINARY_WORD_NAMES, TUSSENVOEGSELS, ProtectedName, check_letter, folded
from letters.record import sent_record
from letters.render import render_letter
from letters.review import NotCleared, cleared, release, review_letter
from letters.templates import load_letters
from school.profile import profile_from_dict
from storage import incidents as inc
from tests.letters_helpers import NOW, SCHOOL, incident

NL = load_letters("nl")
FILLER = render_letter(NL, "alle-ouders", profile=SCHOOL, incident=None, now=NOW).body


@pytest.fixture(autouse=True)
def fresh_patterns():
    privacy._patterns.cache_clear()


def found(text: str, alias: str) -> list[str]:
    return [h.found for h in privacy.find_names(text, [ProtectedName(alias, "pupil")]).hits if h.certain]


# -- the forms of real names, as the issue and Dutch spelling give them ----------------------------------------

@pytest.mark.parametrize("alias, written", [
    ("Daan Jansen", ["Daantje", "DAANTJE", "daantje", "Dáántje", "Daantjes", "Daans", "Daan's", "Daan’s",
                     "Jansens", "Jansen's"]),
    ("Tim", ["Timmetje", "Timpje", "Timmie", "TIMMETJE"]),
    ("Anna", ["Annaatje", "Annatje", "Anna's"]),
    ("Bram", ["Brammetje", "Brampje"]),
    ("Ruben", ["Rubentje"]),
    ("Kim", ["Kimpje", "Kimmetje"]),
    ("Jan", ["Jantje", "Janneke", "Jannetje", "Jannie"]),
    ("Sanne de Vries", ["Sannetje", "Sanneke", "Sannie", "Sanne's", "Vriesje", "de Vries'"]),
    ("Max", ["Max'", "Maxje", "Max’"]),
    ("Noor", ["Noortje", "Noor's"]),
    ("Stijn", ["Stijntje"]),
    ("Koning", ["Koninkje"]),
    ("Willem", ["Willempje"]),
    ("Karel", ["Kareltje"]),
    ("Kees", ["Keesje"]),
    ("Mie", ["Mieke", "Mietje"]),
    ("Zoë", ["Zoëtje", "Zoetje", "ZOËTJE"]),
    ("René", ["Reneetje", "Renéetje"]),
    ("Bas", ["Bassie", "Basje"]),
    ("Finn", ["Finnetje"]),
])
def test_the_diminutives_and_possessives_of_real_names_are_found(alias, written):
    for form in written:
        text = f"Wij spraken met {form} over de groepsapp."
        start = text.index(form)
        hits = privacy.find_names(text, [ProtectedName(alias, "pupil")]).hits
        assert any(start <= h.start < start + len(form) for h in hits), (form, hits)  # "Max": to confirm


def test_ordinary_words_stay_ordinary_and_a_two_letter_name_does_not_make_jokes():
    assert found("Dat was een grap, a joke.", "Jo") == []
    assert found("Kijk, een roosje in de tuin.", "Roos") == []  # an ordinary word: lower case is the word
    roos = privacy.find_names("Roosje was er", [ProtectedName("Roos", "pupil")]).hits
    assert [(h.found, h.certain) for h in roos] == [("Roosje", False)]  # capitalised: the user confirms
    assert found("Daantjesdag, Jansenweg", "Daan Jansen") == []  # inside another word: not the name


# -- random Dutch names: built so the test knows their diminutive -----------------------------------------------

ONSETS = ["b", "d", "f", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "dr", "fl", "gr",
          "kl", "kr", "pr", "sl", "sn", "st", "tr", "vr"]
LONG = ["aa", "ee", "oo", "uu", "ie", "oe", "eu", "ij", "ui", "ou"]
SHORT = ["a", "e", "i", "o", "u"]


@st.composite
def dutch_names(draw) -> tuple[str, list[str]]:
    """A name and the diminutives Dutch spelling gives it (the rule for how it is built)."""
    onset = draw(st.sampled_from(ONSETS))
    shape = draw(st.sampled_from(["long+lnr", "long+m", "long+stop", "short+lmnr", "short+stop", "schwa", "a-o"]))
    if shape == "long+lnr":
        stem = onset + draw(st.sampled_from(LONG)) + draw(st.sampled_from("lnr"))
        forms = [stem + "tje"]  # Daantje
    elif shape == "long+m":
        stem = onset + draw(st.sampled_from(LONG)) + "m"
        forms = [stem + "pje"]  # Bloempje
    elif shape == "long+stop":
        stem = onset + draw(st.sampled_from(LONG)) + draw(st.sampled_from("ptkfs"))
        forms = [stem + "je"]  # Pietje
    elif shape == "short+lmnr":
        last = draw(st.sampled_from("lmnr"))
        stem = onset + draw(st.sampled_from(SHORT)) + last
        forms = [stem + last + "etje", stem + ("pje" if last == "m" else "tje"), stem + last + "ie"]  # Brammetje
    elif shape == "short+stop":
        last = draw(st.sampled_from("ptkfs"))
        stem = onset + draw(st.sampled_from(SHORT)) + last
        forms = [stem + "je", stem + last + "ie"]  # Basje, Bassie
    elif shape == "schwa":
        consonant = draw(st.sampled_from("lmnrst"))
        stem = onset + draw(st.sampled_from(SHORT)) + consonant * 2 + "e"
        forms = [stem + "tje", stem + "ke", stem[:-1] + "ie"]  # Sannetje, Sanneke, Sannie
    else:
        vowel = draw(st.sampled_from("ao"))
        stem = onset + draw(st.sampled_from(SHORT)) + draw(st.sampled_from("lmnr")) * 2 + vowel
        forms = [stem + vowel + "tje", stem + "tje"]  # Annaatje, Annatje
    name = stem[0].upper() + stem[1:]
    assume(stem not in ORDINARY_WORD_NAMES | NOT_NAMES | TUSSENVOEGSELS and len(stem) >= 3)
    return name, [f[0].upper() + f[1:] for f in forms]


_ACCENTS = {"a": "á", "e": "é", "i": "ï", "o": "ö", "u": "ü"}


def _written(form: str, how: str) -> str:
    """The form as a letter might write it: in any case, with diacritics, as a possessive or plural."""
    if how == "upper":
        return form.upper()
    if how == "lower":
        return form.lower()
    if how == "accents":
        return "".join(_ACCENTS.get(c, c) for c in form)
    if how == "decomposed":
        return unicodedata.normalize("NFD", "".join(_ACCENTS.get(c, c) for c in form))
    return form + {"s": "s", "apostrophe": "'s", "curly": "’s", "plain": ""}[how]


@settings(max_examples=600, deadline=None)
@given(dutch_names(), dutch_names(), st.data())
def test_every_form_of_a_random_first_name_and_surname_is_found(first, last, data):
    (first_name, first_forms), (surname, surname_forms) = first, last
    assume(folded(first_name).casefold() != folded(surname).casefold())
    alias = data.draw(st.sampled_from([f"{first_name} {surname}", f"{first_name} de {surname}",
                                       f"{first_name} van der {surname}"]))
    kind = data.draw(st.sampled_from(["first", "surname", "first-diminutive", "surname-diminutive", "initials"]))
    if kind == "initials":
        a, b = first_name[0], surname[0]
        middle = "d" if " de " in alias else "vd" if " van der " in alias else ""
        form = data.draw(st.sampled_from([f"{a}{b}", f"{a}.{b}.", f"{a}{middle}{b}", ".".join([a, *middle, b]) + "."]))
        written = form
    else:
        form = {"first": first_name, "surname": surname}.get(kind) or data.draw(
            st.sampled_from(first_forms if kind == "first-diminutive" else surname_forms))
        written = _written(form, data.draw(st.sampled_from(
            ["plain", "upper", "lower", "accents", "decomposed", "s", "apostrophe", "curly"])))
    boundaries = [0, len(FILLER)] + [m.start() for m in re.finditer(r"(?<=[\s(])(?=\S)", FILLER)]
    at = data.draw(st.sampled_from(boundaries))
    letter = f"{FILLER[:at]} {written} {FILLER[at:]}"
    start, end = at + 1, at + 1 + len(written)
    hits = privacy.find_names(letter, [ProtectedName(alias, "pupil")]).hits
    assert any(h.certain and h.start <= start and h.end >= end - 2 for h in hits), (alias, written, hits)


@settings(max_examples=300, deadline=None)
@given(dutch_names())
def test_the_rule_gives_the_forms_the_test_built(name):
    word, forms = name
    assert {f.lower() for f in forms} <= diminutives(word.lower())


# -- the school's own people ----------------------------------------------------------------------------------

def _school_with(name: str, email: str):
    data = {"school": "OSG De Linde", "contacts": [
        {"role": "zorgcoordinator", "name": name, "phone": "030 123 45 68", "email": email},
        {"role": "vertrouwenspersoon", "name": "Karel Smit", "phone": "030 123 45 67"},
        {"role": "mediawoordvoerder", "name": "Els Visser", "email": "pers@delinde.nl"},
    ]}
    return profile_from_dict(data)


def _words_of_every_letter() -> frozenset[str]:
    """Every word a letter can hold besides names: the templates, the markers' hints, the roles."""
    texts = [*NL.words.hints.values(), *NL.words.incident_words.values(), *NL.words.pupil_roles.values(),
             NL.words.fill_in]
    for template in NL.templates:
        texts += [template.subject, *(p.text for p in template.paragraphs)]
    return frozenset(folded(w).casefold() for text in texts for w in re.findall(r"[^\W\d_]+", text))


LETTER_WORDS = _words_of_every_letter()


def _not_a_word_of_the_letters(name: str) -> bool:
    key = folded(name).casefold()
    return not ({key, key + "s"} | diminutives(key)) & LETTER_WORDS


def _letters_for(case, profile):
    for template in NL.templates:
        pupil = {"slachtoffer": "p-victim", "aanstichter": "p-instigator", "omstander": "p-bystander"}.get(
            template.role) or ("p-victim" if template.kind == "pupil" else None)
        yield template, render_letter(NL, template.id, profile=profile, incident=case, now=NOW, pupil_id=pupil)


@settings(max_examples=150, deadline=None)
@given(dutch_names(), dutch_names(), dutch_names(), st.sampled_from(["initial", "full"]))
def test_the_schools_own_people_with_a_pupils_surname_pass_in_their_own_fields(pupil, shared, staff, form):
    """A pupil "<first> <surname>" and a care coordinator "<X.> <surname>" or "<staff> <surname>"."""
    (first, _), (surname, _), (staff_first, _) = pupil, shared, staff
    assume(folded(first).casefold() != folded(staff_first).casefold())
    assume(folded(surname).casefold() != folded(first).casefold())
    assume(all(map(_not_a_word_of_the_letters, (first, surname, staff_first))))  # "Dan" is also a word
    staff_name = f"{staff_first[0]}. {surname}" if form == "initial" else f"{staff_first} {surname}"
    email = f"{staff_first[0].lower()}.{folded(surname).lower()}@delinde.nl"
    profile = _school_with(staff_name, email)
    case = inc.put_pupil(incident(), inc.Pupil("p-other", "omstander", f"{first} {surname}", "2B"))
    checked = 0
    for template, letter in _letters_for(case, profile):
        signed = letter.body.replace("[[invullen: naam en functie van de afzender]]", f"{staff_name}, zorgcoördinator")
        if email not in signed:  # a letter that does not name the care coordinator
            continue
        checked += 1
        assert f"{staff_name} (zorgcoördinator" in signed
        hits = check_letter(signed, case, profile=profile, for_pupil=letter.pupil_id)
        assert not [h for h in hits.hits if h.name.pupil_id == "p-other"], (template.id, staff_name, hits.hits)
        # the pupil's surname is still found where it does not stand as the staff member
        mentioned = signed + f"\n\nOok mevrouw {surname} belde."
        again = check_letter(mentioned, case, profile=profile, for_pupil=letter.pupil_id)
        assert [h.found for h in again.hits if h.name.pupil_id == "p-other"] == [surname], template.id
    assert checked == 5  # the letters to parents (3), to a pupil of 18+ and to all parents


def test_the_zorgcoordinator_m_jansen_and_pupil_daan_jansen():
    profile = _school_with("M. Jansen", "m.jansen@delinde.nl")
    case = inc.put_pupil(incident(), inc.Pupil("p-daan", "omstander", "Daan Jansen", "2B"))
    letter = render_letter(NL, "alle-ouders", profile=profile, incident=case, now=NOW)
    assert "M. Jansen (zorgcoördinator / intern begeleider), telefoon 030 123 45 68, e-mail m.jansen@delinde.nl" \
        in letter.body
    assert check_letter(letter.text, case, profile=profile).hits == ()
    assert [h.found for h in check_letter("Groet,\nM. Jansen\nDaantje en mevrouw Jansen", case,
                                          profile=profile).hits] == ["Daantje", "Jansen"]


def test_a_pupil_named_bol_is_not_found_in_the_help_line_in_je_bol():
    case = inc.put_pupil(incident(), inc.Pupil("p-foum", "slachtoffer", "Foum Bol", "2B"))
    letter = render_letter(NL, "leerling-18plus", profile=None, incident=case, now=NOW, pupil_id="p-foum")
    assert "In je bol (injebol.nl)" in letter.body
    assert check_letter(letter.body, case, for_pupil="p-foum").hits == ()
    text = "Praat met In je bol (www.injebol.nl). Ook Bolletje en mevrouw Bol belden."
    assert [h.found for h in check_letter(text, case).hits] == ["Bolletje", "Bol"]


# -- releasing one place, with a reason -------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(dutch_names(), dutch_names(), st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                                             min_size=1, max_size=60).filter(str.strip))
def test_a_released_place_lets_the_letter_pass_and_is_recorded_with_its_reason(first, last, reason):
    (first_name, _), (surname, _) = first, last
    assume(folded(first_name).casefold() != folded(surname).casefold())
    assume(all(map(_not_a_word_of_the_letters, (first_name, surname))))  # "Groet" is also a word
    case = inc.put_pupil(incident(), inc.Pupil("p-x", "omstander", f"{first_name} {surname}", "3A"))
    initials = first_name[0] + surname[0]
    body = f"Beste allen,\n\nOp het feest draait de {initials} de muziek.\n\nMet vriendelijke groet,\nJeroen"
    review = review_letter("Feest", body, case, profile=SCHOOL, pupil_id=None)
    [place] = [p for p in review.names if p.hit.found == initials]  # (also Sanne de Vries' "SV", maybe)
    with pytest.raises(NotCleared):
        cleared("Feest", body, case, profile=SCHOOL, pupil_id=None)
    given_reason = f"Dit is geen naam van een leerling: {reason}"
    released = release(body, place, given_reason)
    letter = cleared("Feest", body, case, profile=SCHOOL, pupil_id=None, releases=(released,))
    assert letter.released == (released,)
    record = sent_record(NL, "all_parents", letter.subject, letter.body, incident=case, sent_at=NOW,
                         released=letter.released)
    assert f"„{initials}” in „" in record.summary and given_reason.strip() in record.summary
    # released once: the same initials at another place are found again
    twice = body.replace("Met vriendelijke", f"En {initials} zelf ook.\n\nMet vriendelijke")
    with pytest.raises(NotCleared) as refused:
        cleared("Feest", twice, case, profile=SCHOOL, pupil_id=None, releases=(released,))
    assert [p.hit.found for p in refused.value.review.names] == [initials]


def test_a_release_needs_a_reason_and_a_word_confirmation_cannot_release_a_name():
    case = inc.put_pupil(incident(), inc.Pupil("p-dj", "omstander", "Daan Jansen", "3A"))
    body = "Op het feest draait de DJ de muziek."
    [place] = review_letter("s", body, case, profile=SCHOOL, pupil_id=None).names
    with pytest.raises(ValueError):
        release(body, place, "   ")
    confirmation = dataclasses.replace(release(body, place, "gewoon woord"), word=True)
    assert review_letter("s", body, case, profile=SCHOOL, pupil_id=None, releases=(confirmation,)).names
