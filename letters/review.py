"""Whether a letter may leave the app: the privacy guard's places, the user's answers, the verdict (pure).

:func:`review_letter` runs the guard (``letters.privacy``) over the subject and
the body and lists every place that holds the letter back:

* a name recorded in the incident (``names``): blocks, until the user removes
  it or *releases* that one place with a reason ("Dit is geen naam van een
  leerling: de dj van het schoolfeest", for "de DJ" beside a pupil D.J.);
* a word that is also a name ("Roos", ``to_confirm``): blocks until removed or
  confirmed as the ordinary word;
* a fill-in marker left (``markers``).

A release or a confirmation belongs to one place: the name, the word as
written and a little text around it (:func:`place_key`), so an edit elsewhere
keeps it, and the same word written somewhere else is found again.  The rule
itself is never loosened.  :func:`cleared` is the one gate every way out of the
app goes through (copy, share, .docx, PDF, text, "Verstuurd"): it returns the
letter with the releases that let it pass, which the journal keeps with the
sent letter (``letters.record``), and refuses anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from letters.privacy import Hit, ProtectedName, check_letter, fold
from letters.render import unfilled
from school.profile import SchoolProfile
from storage.incidents import Incident

Part = Literal["subject", "body"]
PlaceKey = tuple[str, str, str, str]
_KEY_CONTEXT = 12  # characters on either side that identify a place
_CONTEXT = 30  # characters shown on either side of a highlighted place


@dataclass(frozen=True)
class Place:
    """A place in the subject or the body: a name, a possible name, or a fill-in marker."""

    part: Part
    start: int
    end: int
    hit: Optional[Hit] = None  # None: a fill-in marker


@dataclass(frozen=True)
class Release:
    """The user's word that one place the guard marked is not a pupil's name.

    ``found``: the text there; ``context``: the text around it as the letter had
    it; ``reason``: what the user wrote ("Dit is geen naam van een leerling: …").
    ``word`` True: a possible name confirmed as the ordinary word ("Roos").
    """

    key: PlaceKey
    found: str
    context: str
    reason: str
    word: bool = False


@dataclass(frozen=True)
class Review:
    names: tuple[Place, ...]  # certain and not released: the letter may not leave the app
    to_confirm: tuple[Place, ...]  # possibly a name ("Roos"), not yet confirmed as a word
    markers: tuple[Place, ...]  # fill-in markers left
    unchecked: tuple[ProtectedName, ...]  # single initials: the user reads for them
    released: tuple[Release, ...] = ()  # the releases that apply to this text

    @property
    def ready(self) -> bool:
        return not (self.names or self.to_confirm or self.markers)


@dataclass(frozen=True)
class ClearedLetter:
    """A letter the guard let pass: the text as it leaves, and the releases that let it."""

    subject: str
    body: str
    released: tuple[Release, ...]


class NotCleared(Exception):
    """The letter still holds a name, a possible name or a fill-in marker."""

    def __init__(self, review: Review) -> None:
        super().__init__("the letter may not leave the app")
        self.review = review


def place_key(text: str, hit: Hit) -> PlaceKey:
    """What identifies one place: the name it resembles, the word (folded) and the text around it."""
    before = text[max(0, hit.start - _KEY_CONTEXT):hit.start]
    after = text[hit.end:hit.end + _KEY_CONTEXT]
    return hit.name.text, fold(hit.found)[0].casefold(), before, after


def excerpt(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The place with a little context: ('…gesprek met ', 'Sanne', ' in de klas…')."""
    left = max(0, start - _CONTEXT)
    right = min(len(text), end + _CONTEXT)
    before = ("…" if left else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")
    return before.replace("\n", " "), text[start:end], after.replace("\n", " ")


def release(text: str, place: Place, reason: str) -> Release:
    """The release of ``place`` (a name or a possible name) with the user's ``reason``."""
    if place.hit is None:
        raise ValueError("a fill-in marker is filled in, not released")
    if not reason.strip():
        raise ValueError("a release needs a reason")
    before, found, after = excerpt(text, place.start, place.end)
    return Release(place_key(text, place.hit), found, f"{before}{found}{after}", reason.strip(),
                   word=not place.hit.certain)


def review_letter(subject: str, body: str, incident: Optional[Incident], *,
                  profile: Optional[SchoolProfile], pupil_id: Optional[str], for_reporter: bool = False,
                  releases: tuple[Release, ...] = ()) -> Review:
    by_key = {r.key: r for r in releases}
    names: list[Place] = []
    to_confirm: list[Place] = []
    markers: list[Place] = []
    unchecked: list[ProtectedName] = []
    used: dict[PlaceKey, Release] = {}
    for part, text in (("subject", subject), ("body", body)):
        guard = check_letter(text, incident, profile=profile, for_pupil=pupil_id, for_reporter=for_reporter)
        for hit in guard.hits:
            place = Place(part, hit.start, hit.end, hit)
            given = by_key.get(place_key(text, hit))
            if given is not None and given.key not in used and not (hit.certain and given.word):
                used[given.key] = given  # one release, one place; a name needs a reason, not a confirmation
            elif hit.certain:
                names.append(place)
            else:
                to_confirm.append(place)
        markers.extend(Place(part, start, end) for start, end in unfilled(text))
        unchecked.extend(n for n in guard.unchecked if n not in unchecked)
    return Review(tuple(names), tuple(to_confirm), tuple(markers), tuple(unchecked), tuple(used.values()))


def cleared(subject: str, body: str, incident: Optional[Incident], *, profile: Optional[SchoolProfile],
            pupil_id: Optional[str], for_reporter: bool = False,
            releases: tuple[Release, ...] = ()) -> ClearedLetter:
    """The letter as it may leave the app, or NotCleared (with the review saying why)."""
    review = review_letter(subject, body, incident, profile=profile, pupil_id=pupil_id,
                           for_reporter=for_reporter, releases=releases)
    if not review.ready:
        raise NotCleared(review)
    return ClearedLetter(subject.strip(), body.strip(), review.released)


__all__ = [
    "ClearedLetter",
    "NotCleared",
    "Place",
    "PlaceKey",
    "Release",
    "Review",
    "cleared",
    "excerpt",
    "place_key",
    "release",
    "review_letter",
]
