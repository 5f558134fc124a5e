"""The privacy guard: find the names of an incident's people in a letter (pure).

Before a letter to all parents, the team or the media is copied or
exported, the app checks its text against every name, initials and
pseudonym recorded in the incident, highlights each place it finds one and
refuses until they are gone.  The step plan: "Uiteraard informeer je
niet-betrokkenen altijd zonder de namen van betrokkenen te noemen of
specifieke details van het incident."

Which names are protected (:func:`protected_names`)
-------------------------------------------------
* every pupil's alias (initials or pseudonym), removed pupils included;
* the reporter (``reported_by``): the first signals often come from a pupil
  or a parent, and a reporter named in a letter is exposed;
* the names in the "with whom" of contacts and follow-ups: the parents' own
  names identify their child, and a follow-up "met SdV" names a pupil.
  In these free-text fields only capitalised words and initials count as
  names ("moeder van Sanne" protects "Sanne", not "moeder").

Not protected: the school's own staff in their professional role (the
action team's names, the contact people and the name of the school from the
profile), because the letters name them on purpose ("questions go to the
action team", "contact the confidential adviser").  A free-text word that
is also a staff name or a word of the school's name is therefore not
matched alone; a pupil's alias is always protected -- except where the
school's own people from the profile stand as themselves
(:func:`own_people_places`): a contact's name as the profile writes it (two
words or more: "M. Jansen"), a contact's e-mail address, the school's name.
A zorgcoördinator "M. Jansen" beside a pupil "Daan Jansen" passes in the
letter's contact line, her e-mail and her signature; "mevrouw Jansen" does
not.  Likewise the help organisations the letters name stand as themselves
(:func:`organisation_places`): a pupil "Foum Bol" is not found in "In je bol
(injebol.nl)".  In the message to the melder, the words of "reported by" may appear
(``for_reporter``).  Classes ("3B") are
not names: the message to the teachers of the classes involved names them
on purpose, and the letter to all parents never inserts them.  The
incident's title and notes are not searched for names: people are recorded
in their own fields.  In the letter to a pupil's own parents that pupil's
alias (and its parents' contacts) may appear; every other name may not.

How names are matched (:func:`find_names`)
------------------------------------------
Case-insensitive and diacritics-insensitive (Sanne, SANNE, Sänne, Sánne;
also ø/ł/æ/ß and full-width letters), with soft hyphens and other invisible
format characters ignored, and only as whole words: not preceded or followed
by a letter ("Sanne's", "Sanne-Marie", "@sanne_2010" match; "Sannemieke"
does not).  A Dutch genitive "s" is allowed ("Sannes", "Daans"; "Daan's" and
"Max'" end at the apostrophe), and every word of a name is also found in
its Dutch diminutives ("Daantje", "Timmetje", "Timpje", "Annaatje",
"Janneke", "Sannie"; the rules are in ``letters.name_forms``), with the same
"s" ("Daantjes").  From "Sanne de Vries" the guard protects the full name (any whitespace, a line break too,
between its words), each word that is not a *tussenvoegsel* ("Sanne",
"Vries") and the initials ("SdV", "S.d.V.", "SV", "S.V.").  Initials are
matched with their capitals as capitals ("SDV" too, not "sdv"), so that
initials such as "I.v.M." never flag the Dutch "i.v.m."; a two-letter name
("Jo") likewise only with its capital.

Not every hit blocks.  A name that is also an ordinary word ("Ben", "Roos",
"Job", "Lieve"; :data:`ORDINARY_WORD_NAMES`) is not found where it is
written in lower case (the word) and is an *uncertain* hit where it is
capitalised: the UI asks the user to confirm it is not the name.  Words
that are never a name on their own (roles such as "leerling" or "moeder",
titles, tussenvoegsels; :data:`NOT_NAMES`) are matched only inside the full
alias.  A single initial ("S") cannot be matched without flagging ordinary
letters: it is reported in :attr:`GuardResult.unchecked` so the UI asks the
user to read the letter for it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal, Optional

from content.loader import load_organisations
from letters.name_forms import diminutives
from school.profile import SchoolProfile
from storage.incidents import Incident

Origin = Literal["pupil", "reporter", "parents", "contact"]

_LETTER = r"[^\W\d_]"
_BEFORE = rf"(?<!{_LETTER})"
_AFTER = rf"(?!{_LETTER})"

TUSSENVOEGSELS = frozenset(
    "de den der des van von het t te ten ter in op aan uit bij la le du da di del della dos das d".split()
)
# Words that are never a name on their own: roles, family words, titles.  They
# are matched only as part of a full alias ("Leerling A").
NOT_NAMES = frozenset("""
leerling leerlinge leerlingen student studente meisje jongen kind kinderen slachtoffer aanstichter
omstander dader ouder ouders moeder vader mama papa oma opa broer broertje zus zusje tante oom voogd
verzorger verzorgster pleegouder pleegmoeder pleegvader gezin familie mentor mentrix leraar lerares
docent docente juf juffrouw meester klas groep klasgenoot klasgenote vriend vriendin mevrouw meneer
mevr dhr mw hr heer zorgcoordinator coordinator directeur directrice rector conrector teamleider
wijkagent agent politie jeugdarts huisarts school anoniem onbekend iemand melder en of met via
pupil victim instigator bystander girl boy child parent parents mother father mum mom dad teacher
class group friend mr mrs ms miss dr drs ir prof unknown anonymous someone and with
""".split())
# First names that are also ordinary Dutch or English words: written in lower
# case they are the word; capitalised, the user confirms (an uncertain hit).
ORDINARY_WORD_NAMES = frozenset("""
ben job lieve roos storm mees hoop bloem fleur sterre jade bas pim puck iris lente noor mark
max frank ernst will may rose hope grace joy faith summer sky daisy lily ruby amber pat bill
jack dean guy art ray rob sol nova luna bo
""".split())

# Letters NFKD does not take apart.
_EXTRA_FOLD = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE", "œ": "oe",
    "Œ": "OE", "ß": "ss", "ı": "i", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
}
_TOKEN = re.compile(r"[^\s,;:/()\[\]{}\"“”„!?&+<>|]+")
_SEPARATOR = r"[\s,;:/()\[\]{}\"“”„!?&+<>|]"  # between the tokens of a name
_DOTTED_INITIALS = re.compile(rf"(?:{_LETTER}\.)+{_LETTER}?")


@dataclass(frozen=True)
class ProtectedName:
    """A name that must not appear in a letter.  ``free_text``: it comes from a
    field that holds more than a name ("moeder van Sanne"), so only its
    capitalised words and initials count.  ``allowed``: folded words not to
    match alone (staff names, the school's name, the own pupil's name)."""

    text: str
    origin: Origin
    pupil_id: Optional[str] = None
    free_text: bool = False
    allowed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hit:
    """A place in the text (``text[start:end]``) where a protected name was found.

    ``certain`` False: the text there is also an ordinary word ("Roos"); the
    UI asks the user to confirm it is not the name instead of blocking.
    """

    start: int
    end: int
    found: str
    name: ProtectedName
    certain: bool = True


@dataclass(frozen=True)
class GuardResult:
    hits: tuple[Hit, ...]
    unchecked: tuple[ProtectedName, ...] = ()  # single initials: read the letter for them

    @property
    def blocked(self) -> bool:
        """A certain hit: the letter may not be copied or exported."""
        return any(h.certain for h in self.hits)

    @property
    def to_confirm(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if not h.certain)


# --- folding ------------------------------------------------------------------------------


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` without diacritics (case kept), and for each of its characters
    the index of the character of ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        replacement = _EXTRA_FOLD.get(ch)
        if replacement is None:
            if unicodedata.category(ch) == "Cf":  # soft hyphen, zero-width space, ...
                continue
            replacement = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        for c in replacement:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def folded(text: str) -> str:
    return fold(text)[0]


# --- names into patterns --------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str  # folded
    kind: Literal["word", "initials", "initial"]
    letters: str = ""  # initials: their letters, case as written


def _tokens(text: str) -> list[_Token]:
    result = []
    for raw in _TOKEN.findall(folded(text)):
        token = raw.strip("'’`-_.*#@")
        dotted = raw.strip("'’`-_*#@")
        if _DOTTED_INITIALS.fullmatch(dotted) and "." in dotted:
            letters = "".join(c for c in dotted if c.isalpha())
            result.append(_Token(dotted, "initials" if len(letters) > 1 else "initial", letters))
        elif not token or not token[0].isalpha():  # "2B", "3havo": a class, not a name
            continue
        elif len(token) == 1:
            result.append(_Token(token, "initial"))
        elif (token.isalpha() and len(token) <= 4 and sum(c.isupper() for c in token) >= 2
              and not any(a.islower() and b.islower() for a, b in zip(token, token[1:]))):
            result.append(_Token(token, "initials", token))
        else:
            result.append(_Token(token, "word"))
    return result


def _letter_pattern(letter: str) -> str:
    """A capital stays a capital; a lower-case letter (a tussenvoegsel's) may be either."""
    if letter.isupper():
        return re.escape(letter)
    return f"[{re.escape(letter)}{re.escape(letter.upper())}]"


def _initials_patterns(letters: str) -> list[str]:
    letters = letters[:8]
    dotted = r"\.\s?".join(_letter_pattern(c) for c in letters) + r"\.?"
    undotted = "".join(_letter_pattern(c) for c in letters)
    return [f"{_BEFORE}{dotted}{_AFTER}", f"{_BEFORE}{undotted}{_AFTER}"]


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    certain: bool = True
    skip_lowercase: bool = False  # an ordinary word: its lower-case form is not a hit


def _word_patterns(word: str) -> list[_Pattern]:
    """The word itself and its diminutives (``letters.name_forms``), each with a possessive or
    plural "s" (Daans, Daantjes); "Daan's" and "Max'" end at the apostrophe anyway."""
    key = word.casefold()
    forms = sorted(diminutives(key), key=len, reverse=True)
    body = "|".join([re.escape(word), *map(re.escape, forms)])
    if key in ORDINARY_WORD_NAMES:
        return [_Pattern(re.compile(f"{_BEFORE}(?:{body})s?{_AFTER}", re.IGNORECASE), False, True)]
    if len(word) == 2:
        pattern = _letter_pattern(word[0].upper()) + _letter_pattern(word[1].lower())
        patterns = [_Pattern(re.compile(f"{_BEFORE}{pattern}{_AFTER}"))]
        if forms:
            alternatives = "|".join(map(re.escape, forms))
            patterns.append(_Pattern(re.compile(f"{_BEFORE}(?:{alternatives})s?{_AFTER}", re.IGNORECASE)))
        return patterns
    return [_Pattern(re.compile(f"{_BEFORE}(?:{body})s?{_AFTER}", re.IGNORECASE))]


@lru_cache(maxsize=512)
def _patterns(name: ProtectedName) -> tuple[tuple[_Pattern, ...], bool]:
    """The patterns of a name, and whether anything of it can be checked."""
    tokens = _tokens(name.text)
    patterns: list[_Pattern] = []

    def usable(token: _Token) -> bool:
        key = token.text.casefold()
        if key in NOT_NAMES or key in TUSSENVOEGSELS or key in name.allowed:
            return False
        return not name.free_text or token.text[0].isupper()

    words = [t for t in tokens if t.kind == "word"]
    for token in words:
        if len(token.text) >= 2 and usable(token):
            patterns.extend(_word_patterns(token.text))
            for part in token.text.split("-"):  # "Anne-Marie": "Anne", "Marie"
                if part != token.text and len(part) >= 2 and part.casefold() not in NOT_NAMES | name.allowed:
                    patterns.extend(_word_patterns(part))
    for token in tokens:
        if token.kind == "initials" and token.text.casefold() not in name.allowed:
            patterns.extend(_Pattern(re.compile(p)) for p in _initials_patterns(token.letters))
    if not name.free_text and len(tokens) > 1:
        phrase = r"[\s\u00a0]+".join(re.escape(t.text) for t in tokens)
        patterns.append(_Pattern(re.compile(f"{_BEFORE}{phrase}s?{_AFTER}", re.IGNORECASE)))
        significant = [t for t in words if t.text.casefold() not in TUSSENVOEGSELS | NOT_NAMES]
        if len(significant) >= 2 and len(words) == len(tokens):
            letters = "".join(t.text[0].upper() if t in significant else t.text[0].lower() for t in words)
            for candidate in {letters, "".join(c for c in letters if c.isupper())}:
                if len(candidate) >= 2:
                    patterns.extend(_Pattern(re.compile(p)) for p in _initials_patterns(candidate))
    return tuple(patterns), bool(patterns)


# --- finding -----------------------------------------------------------------------------------


def find_names(text: str, names: Iterable[ProtectedName]) -> GuardResult:
    """Every place in ``text`` where one of ``names`` occurs (offsets into ``text``)."""
    view, origin = fold(text)
    found: list[Hit] = []
    unchecked: list[ProtectedName] = []
    for name in names:
        patterns, checkable = _patterns(name)
        if not checkable:
            if any(t.kind == "initial" for t in _tokens(name.text)):
                unchecked.append(name)
            continue
        for pattern in patterns:
            for match in pattern.regex.finditer(view):
                if pattern.skip_lowercase and match[0].islower():
                    continue
                start = origin[match.start()]
                end = origin[match.end() - 1] + 1
                while end < len(text) and unicodedata.combining(text[end]):
                    end += 1
                found.append(Hit(start, end, text[start:end], name, pattern.certain))
    return GuardResult(_merge(found), tuple(dict.fromkeys(unchecked)))


def _merge(hits: list[Hit]) -> tuple[Hit, ...]:
    """One hit per place: a hit inside another (a word inside the full name) joins it.

    Every pattern ends at a word boundary, so only a phrase (always certain)
    can hold another hit; of two hits on the same place the certain one stays.
    """
    result: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end, not h.certain)):
        if not (result and result[-1].start <= hit.start and hit.end <= result[-1].end):
            result.append(hit)
    return tuple(result)


def mentions(text: str, name: ProtectedName) -> bool:
    """Whether ``text`` certainly names ``name`` (e.g. a contact's "with whom")."""
    return any(h.certain for h in find_names(text, (name,)).hits)


def looks_like_a_name(alias: str) -> bool:
    """Whether an alias reads as a name in a salutation ("Sanne de Vries"), not
    as initials or a pseudonym ("SdV", "Leerling A")."""
    return any(
        t.kind == "word" and len(t.text) >= 2 and t.text[0].isupper() and t.text.casefold() not in NOT_NAMES
        for t in _tokens(alias)
    )


# --- the names of an incident ------------------------------------------------------------------


def staff_words(incident: Optional[Incident], profile: Optional[SchoolProfile]) -> frozenset[str]:
    """Folded words of the staff's names and the school's name (see the module docstring)."""
    texts: list[str] = []
    if profile is not None:
        texts.append(profile.school_name)
        texts.extend(c.name for c in profile.contacts)
    if incident is not None:
        texts.extend(m.name for m in incident.team)
    return frozenset(t.text.casefold() for text in texts for t in _tokens(text) if len(t.text) >= 2)


def protected_names(
    incident: Incident, *, profile: Optional[SchoolProfile] = None, for_pupil: Optional[str] = None,
    for_reporter: bool = False,
) -> tuple[ProtectedName, ...]:
    """The names a letter about ``incident`` must not contain.

    ``for_pupil``: the letter is for that pupil (18 or older) or its parents,
    whose own alias (and the contacts that name it) may then appear.
    ``for_reporter``: the message to the melder, who may be named in it, and
    who knows the names they reported ("moeder van Sanne"): the words of
    "reported by" are not protected there; every other name is.
    """
    own = next((p for p in incident.pupils if p.id == for_pupil), None) if for_pupil else None
    own_name = ProtectedName(own.alias, "pupil", own.id) if own is not None and own.alias.strip() else None
    own_words = frozenset(t.text.casefold() for t in _tokens(own.alias)) if own is not None else frozenset()
    if for_reporter:
        own_words |= frozenset(t.text.casefold() for t in _tokens(incident.reported_by) if t.kind == "word")
    staff = staff_words(incident, profile) | own_words
    names: list[ProtectedName] = []
    for pupil in incident.pupils:
        if pupil.alias.strip() and pupil is not own:
            names.append(ProtectedName(pupil.alias.strip(), "pupil", pupil.id, allowed=own_words))

    def free(text: str, origin: Origin) -> None:
        if text.strip() and not (own_name is not None and mentions(text, own_name)):
            names.append(ProtectedName(text.strip(), origin, free_text=True, allowed=staff))

    if not for_reporter:
        free(incident.reported_by, "reporter")
    for contact in incident.contacts:
        free(contact.with_whom, "parents" if contact.kind == "ouders" else "contact")
    for follow_up in incident.follow_ups:
        free(follow_up.with_whom, "contact")
    return tuple(dict.fromkeys(names))


def _phrase(text: str) -> Optional[str]:
    """A staff name or the school's name as a pattern of its words (any case, any spacing;
    leading titles and roles optional: "wijkagent Sander Bakker" stands as "Sander Bakker" too),
    or None if fewer than two of its words identify the person ("Jansen" alone does not)."""
    tokens = [t.text for t in _tokens(text)]
    while tokens and tokens[0].casefold() in NOT_NAMES:
        tokens = tokens[1:]
    if len([t for t in tokens if t.casefold() not in TUSSENVOEGSELS]) < 2:
        return None
    parts = []
    for k, token in enumerate(tokens):
        if k:  # what the words were split on ("Jansen (testpersoon)"); after "M." a space may be left out
            parts.append(f"{_SEPARATOR}*" if tokens[k - 1].endswith(".") else f"{_SEPARATOR}+")
        parts.append(re.escape(token))
    return "".join(parts)


def _own_patterns(profile: SchoolProfile) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for text in [profile.school_name, *(c.name for c in profile.contacts)]:
        phrase = _phrase(text)
        if phrase is not None:
            patterns.append(re.compile(f"{_BEFORE}{phrase}{_AFTER}", re.IGNORECASE))
    for contact in profile.contacts:
        if contact.email.strip():
            patterns.append(re.compile(rf"(?<![\w.+-]){re.escape(folded(contact.email.strip()))}(?![\w-])",
                                       re.IGNORECASE))
    return tuple(patterns)


def own_people_places(text: str, profile: Optional[SchoolProfile]) -> tuple[tuple[int, int], ...]:
    """Where the school's own people stand in ``text`` as themselves: a contact's name as the
    profile writes it (two words or more: "M. Jansen", "Marieke Jansen"), a contact's e-mail
    address and the school's name.  A pupil's name inside such a place is that person's, not
    the pupil's ("M. Jansen" and "m.jansen@school.nl" beside a pupil "Daan Jansen")."""
    if profile is None:
        return ()
    view, origin = fold(text)
    places = []
    for pattern in _own_patterns(profile):
        for match in pattern.finditer(view):
            places.append((origin[match.start()], origin[match.end() - 1] + 1))
    return tuple(places)


@lru_cache(maxsize=1)
def _organisation_patterns() -> tuple[re.Pattern[str], ...]:
    patterns = []
    for language in ("nl", "en"):
        for org in load_organisations(language).items:
            phrase = _phrase(org.name)
            if phrase is not None:
                patterns.append(re.compile(f"{_BEFORE}{phrase}{_AFTER}", re.IGNORECASE))
            site = re.sub(r"^https?://(www\.)?", "", org.website).rstrip("/")
            if site:
                patterns.append(re.compile(rf"(?<![\w.-]){re.escape(folded(site))}(?![\w-])", re.IGNORECASE))
    return tuple(patterns)


def organisation_places(text: str) -> tuple[tuple[int, int], ...]:
    """Where a help organisation of the step plan stands in ``text`` by its full name (two words or
    more: "In je bol") or its web address ("injebol.nl"): the letters name them on purpose."""
    view, origin = fold(text)
    return tuple((origin[m.start()], origin[m.end() - 1] + 1)
                 for pattern in _organisation_patterns() for m in pattern.finditer(view))


def check_letter(
    text: str, incident: Optional[Incident], *, profile: Optional[SchoolProfile] = None,
    for_pupil: Optional[str] = None, for_reporter: bool = False,
) -> GuardResult:
    """The guard on one text of a letter (subject or body).  Without an incident
    (a letter written stand-alone) there are no names to look for.  A hit inside
    a place where the school's own people stand as themselves (:func:`own_people_places`)
    is not a pupil's name, nor is one inside a help organisation's name or web address
    (:func:`organisation_places`).  ``for_reporter``: the message to the melder, who may be
    named in it (see :func:`protected_names`)."""
    if incident is None:
        return GuardResult(())
    names = protected_names(incident, profile=profile, for_pupil=for_pupil, for_reporter=for_reporter)
    result = find_names(text, names)
    own = own_people_places(text, profile) + organisation_places(text)
    if not own:
        return result
    hits = tuple(h for h in result.hits if not any(start <= h.start and h.end <= end for start, end in own))
    return GuardResult(hits, result.unchecked)


__all__ = [
    "GuardResult",
    "Hit",
    "NOT_NAMES",
    "ORDINARY_WORD_NAMES",
    "ProtectedName",
    "TUSSENVOEGSELS",
    "check_letter",
    "find_names",
    "fold",
    "looks_like_a_name",
    "mentions",
    "organisation_places",
    "own_people_places",
    "protected_names",
    "staff_words",
]
