"""Hypothesis strategies for school profiles (shared by the profile tests)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import strategies as st

from content.model import Closure, Hours, OpeningRule
from school.profile import STEPS, SchoolContact, SchoolProfile, SchoolRole

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def text(max_size: int, *, multiline: bool = False, min_size: int = 0) -> st.SearchStrategy[str]:
    """Any valid profile text: no surrogates, control characters (a line break
    where allowed) or bidi controls; private use is fine."""
    alphabet = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_BIDI)
    if multiline:
        alphabet = st.one_of(alphabet, st.just("\n"))
    return st.text(alphabet, min_size=min_size, max_size=max_size)


phones = st.builds(lambda a, b: f"0{a} {b:03d} 45 67", st.integers(10, 99), st.integers(0, 999)) | st.sampled_from(
    ["+31 6 12345678", "0800-0432", "112", "(030) 1234567"])
_word = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
emails = st.builds(lambda local, domain, tld: f"m{local}@s{domain}.{tld}", _word, _word,
                   st.sampled_from(["nl", "com", "example"]))
urls = st.builds(lambda host, path: f"https://www.s{host}.nl/{path}", _word, _word)
times = st.sampled_from(["00:00", "07:30", "08:00", "12:15", "16:30", "23:59", "24:00"])


@st.composite
def rules(draw) -> OpeningRule:
    opens, closes = sorted(draw(st.lists(times, min_size=2, max_size=2, unique=True)))
    days = draw(st.lists(st.sampled_from(["ma", "di", "wo", "do", "vr", "za", "zo"]), min_size=1, max_size=7,
                         unique=True))
    return OpeningRule(tuple(days), opens, closes, draw(st.booleans()))


@st.composite
def closures(draw) -> Closure:
    start = draw(st.dates(min_value=datetime(2020, 1, 1).date(), max_value=datetime(2090, 1, 1).date()))
    length = draw(st.integers(0, 60))
    end = start.fromordinal(start.toordinal() + length)
    return Closure(start.isoformat(), end.isoformat(), draw(text(30)), draw(st.booleans()))


@st.composite
def hours(draw) -> Hours:
    if draw(st.booleans()):
        return Hours("always", note=draw(text(40)))
    return Hours(
        "weekly",
        tuple(draw(st.lists(rules(), min_size=1, max_size=4))),
        draw(st.booleans()),
        tuple(draw(st.lists(closures(), max_size=3))),
        draw(text(40)),
    )


@st.composite
def contacts(draw) -> SchoolContact:
    phone = draw(st.one_of(st.just(""), phones))
    email = draw(emails) if not phone else draw(st.one_of(st.just(""), emails))
    return SchoolContact(
        draw(st.sampled_from(list(SchoolRole))),
        phone,
        email,
        draw(text(40)),
        draw(text(40)),
        draw(st.one_of(st.none(), hours())),
    )


@st.composite
def profiles(draw) -> SchoolProfile:
    notes = draw(st.dictionaries(st.sampled_from(STEPS), text(80, multiline=True), max_size=7))
    updated = draw(st.one_of(st.none(), st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1))))
    return SchoolProfile(
        draw(text(60, min_size=1).filter(str.strip)),
        tuple(draw(st.lists(contacts(), max_size=6))),
        notes,
        draw(st.one_of(st.just(""), urls)),
        None if updated is None else updated.replace(microsecond=0, tzinfo=timezone.utc),
    )
