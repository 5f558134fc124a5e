"""What the journal keeps of a sent letter (pure): a contact and a timeline note.

The lead's storage code saves these; this module only words them, in the
letter's language.  The contact says who was informed, how and when
("ouders van slachtoffer 1", "Geïnformeerd per brief, 14:05.") and keeps
the letter's full text as sent, so the encrypted journal holds what the
school wrote, followed by every place of it the user released from the
privacy guard, with the text around it and the user's reason
(``letters.review``).  The timeline note is the one-line headline.  A
letter about one pupil names the pupil by label ("slachtoffer 1"), which
``letters.suggest`` then recognises: that pupil's parents (or the pupil of
18 or older) count as informed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_time

from content.letter_model import Letters
from content.opening_hours import to_amsterdam
from letters.review import Release
from letters.suggest import PUPIL_CONTACT_KIND, pupil_labels
from storage.incidents import Incident

# The journal's contact kinds (storage.incidents.CONTACT_KINDS) per letter kind.
CONTACT_KIND = {"parents": "ouders", "pupil": PUPIL_CONTACT_KIND, "all_parents": "ouders", "team": "school",
                "media": "anders", "melder": "anders"}


def _fill(text: str, **values: str) -> str:
    """``text`` with each ``{key}`` replaced in one pass (a value may itself hold braces)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], m[0]), text)


@dataclass(frozen=True)
class SentRecord:
    """Ready to save: ``Contact(kind=contact_kind, at=at, with_whom=with_whom,
    summary=summary)`` and a note with ``note`` at ``at``."""

    contact_kind: str
    with_whom: str
    summary: str  # the headline, then the letter as sent
    note: str
    at: datetime


def sent_record(
    letters: Letters, kind: str, subject: str, body: str, *, incident: Incident, sent_at: datetime,
    pupil_id: str | None = None, released: tuple[Release, ...] = (),
) -> SentRecord:
    """The record of a letter of ``kind`` sent at ``sent_at`` (aware), as edited.

    ``pupil_id``: for a letter about one pupil, the pupil whose parents (or
    who, 18 or older) received it.  ``released``: the places the user released
    from the privacy guard.  Raises ValueError for a letter about one pupil
    without its pupil (or another letter with one), KeyError for a pupil not
    in the incident.
    """
    if (kind in ("parents", "pupil")) != (pupil_id is not None):
        raise ValueError("a letter about one pupil names its pupil; other letters none")
    words = letters.words.record
    time = format_time(to_amsterdam(sent_at), "HH:mm", locale=letters.language)
    if kind in ("parents", "pupil"):
        whom = getattr(words, kind).replace("{pupil}", pupil_labels(incident, letters)[pupil_id])
    else:
        whom = {"all_parents": words.all_parents, "team": words.team, "media": words.media,
                "melder": words.melder}[kind]
    headline = words.summary.replace("{time}", time)
    note = words.note.replace("{whom}", whom[:1].upper() + whom[1:]).replace("{time}", time)
    note = note.replace("{subject}", " ".join(subject.split()))
    letter = f"{subject.strip()}\n\n{body.strip()}"
    if released:
        lines = [_fill(words.release, found=r.found, context=" ".join(r.context.split()), reason=r.reason)
                 for r in released]
        letter += "\n\n" + "\n".join([words.released, *(f"- {line}" for line in lines)])
    return SentRecord(CONTACT_KIND[kind], whom, f"{headline}\n\n{letter}", note, sent_at)


__all__ = ["CONTACT_KIND", "SentRecord", "sent_record"]
