"""What the journal keeps of a sent letter (pure): a contact and a timeline note.

The lead's storage code saves these; this module only words them, in the
letter's language.  The contact says who was informed, how and when
("ouders van slachtoffer 1", "Geïnformeerd per brief, 14:05.") and keeps
the letter's full text as sent, so the encrypted journal holds what the
school wrote.  The timeline note is the one-line headline.  A parents letter
names the pupil by label ("slachtoffer 1"), which ``letters.suggest`` then
recognises: that pupil's parents count as informed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_time

from content.letter_model import Letters
from content.opening_hours import to_amsterdam
from letters.suggest import pupil_labels
from storage.incidents import Incident

# The journal's contact kinds (storage.incidents.CONTACT_KINDS) per letter kind.
CONTACT_KIND = {"parents": "ouders", "all_parents": "ouders", "team": "school", "media": "anders"}


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
    pupil_id: str | None = None,
) -> SentRecord:
    """The record of a letter of ``kind`` sent at ``sent_at`` (aware), as edited.

    ``pupil_id``: for a parents letter, the pupil whose parents received it.
    Raises ValueError for a parents letter without its pupil (or another
    letter with one), KeyError for a pupil not in the incident.
    """
    if (kind == "parents") != (pupil_id is not None):
        raise ValueError("a parents letter names its pupil; other letters none")
    words = letters.words.record
    time = format_time(to_amsterdam(sent_at), "HH:mm", locale=letters.language)
    if kind == "parents":
        whom = words.parents.replace("{pupil}", pupil_labels(incident, letters)[pupil_id])
    else:
        whom = {"all_parents": words.all_parents, "team": words.team, "media": words.media}[kind]
    headline = words.summary.replace("{time}", time)
    note = words.note.replace("{whom}", whom[:1].upper() + whom[1:]).replace("{time}", time)
    note = note.replace("{subject}", " ".join(subject.split()))
    letter = f"{subject.strip()}\n\n{body.strip()}"
    return SentRecord(CONTACT_KIND[kind], whom, f"{headline}\n\n{letter}", note, sent_at)


__all__ = ["CONTACT_KIND", "SentRecord", "sent_record"]
