"""Typed model of the letter templates (``content/data/brieven.<lang>.yaml``).

The texts are written from the step plan's own guidance (step 1: keep the
melder informed; step 2: who speaks to the media; step 4: inform the parents
of the pupils involved, or the pupil of 18 or older, and the team; step 5:
inform all parents, in general terms) and live as data, so a non-programmer
can edit them.  The file is checked against these
dataclasses on load (``content.loader.load_letter_data``); ``letters.templates``
then checks every placeholder, see the header of ``brieven.nl.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Who a letter is for.  ``parents``: the parents of one pupil involved (step 4,
# one template per pupil role); ``pupil``: a pupil of 18 or older, to whom the
# duty to inform then applies (step 4, one template, its paragraphs by role);
# ``all_parents``: every parent (step 5); ``team``: the school's staff (step 4);
# ``media``: a holding statement (step 2); ``melder``: whoever reported the
# incident (step 1: thank them, keep them informed).
LetterKind = Literal["parents", "pupil", "all_parents", "team", "media", "melder"]

# A paragraph can depend on the incident, the pupil it is about, or the profile:
#   police            a contact with the police is recorded in the incident
#   images            images or videos are part of the incident (``letters.facts``)
#   parents_withheld  the journal records that parents are deliberately not informed (yet)
#   victim, instigator, bystander
#                     the pupil the letter is about has that role
#   sanction_policy   the school profile links to the school's sanction policy
Condition = Literal["police", "images", "parents_withheld", "victim", "instigator", "bystander",
                    "sanction_policy"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    when: tuple[Condition, ...] = ()  # shown only if all of these hold
    unless: tuple[Condition, ...] = ()  # left out if any of these holds


@dataclass(frozen=True)
class LetterTemplate:
    id: str
    kind: LetterKind
    step: int  # the step of the plan that asks for it
    action: str  # the action of that step (an id in stappenplan.<lang>.yaml)
    title: str  # its name in lists: "Brief aan de ouders van een slachtoffer"
    guidance: tuple[str, ...]  # the source's points for this letter, shown beside the editor
    subject: str
    paragraphs: tuple[Paragraph, ...]
    role: str = ""  # kind "parents": the role of the pupil (slachtoffer, aanstichter, omstander)

    @property
    def for_one_pupil(self) -> bool:
        """Written for one pupil involved (its parents, or the pupil itself): names that pupil."""
        return self.kind in ("parents", "pupil")


@dataclass(frozen=True)
class RecordWords:
    """The words of a sent letter in the journal (``letters.record``)."""

    parents: str  # "ouders van {pupil}"
    pupil: str  # "{pupil} zelf (18+)"
    all_parents: str
    team: str
    media: str
    melder: str
    summary: str  # "Geïnformeerd per brief, {time}."
    note: str  # "{whom} geïnformeerd per brief, {time}: {subject}"
    released: str  # before the places released by the user: "Vrijgegeven bij het versturen:"
    release: str  # one of them: "„{found}” in „{context}”: {reason}"


@dataclass(frozen=True)
class LetterWords:
    """The words placeholders are filled with (see the header of brieven.nl.yaml)."""

    fill_in: str  # a visible marker the user must replace: "[[invullen: {what}]]"
    hints: dict[str, str]  # what each marker asks for, by placeholder name
    contact_named: str  # "{name} ({role})"
    phone: str  # "telefoon {phone}"
    email: str  # "e-mail {email}"
    alternatives: str  # between two people of one role: " of "
    last_item: str  # before the last of a list: " en "
    incident_words: dict[str, str]  # incident type -> the incident in general words
    pupil_roles: dict[str, str]  # pupil role -> noun ("slachtoffer")
    pupil_label: str  # "{role} {number}": how a letter and the journal refer to a pupil
    record: RecordWords
    date_format: str = "d MMMM y"  # Babel pattern for {date} and {today}


@dataclass(frozen=True)
class Letters:
    language: str
    intro: str  # shown above the list of letters
    words: LetterWords
    templates: tuple[LetterTemplate, ...] = field(default_factory=tuple)

    def get(self, template_id: str) -> LetterTemplate:
        for template in self.templates:
            if template.id == template_id:
                return template
        raise KeyError(template_id)


__all__ = ["Condition", "LetterKind", "LetterTemplate", "LetterWords", "Letters", "Paragraph", "RecordWords"]
