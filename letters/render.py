"""Fill a letter template: a pure function of template, profile, incident, language and time.

:func:`render_letter` fills every placeholder of a template (see the header
of ``content/data/brieven.nl.yaml``) from the school profile (the school's
name, its contact people) and the incident (its type in general words, the
date it was reported, the action team, the classes involved).  What it
cannot fill becomes a visible marker such as ``[[invullen: naam van de
school]]``: without a profile, without an incident (a letter written
stand-alone from a step screen) or when the profile lacks a role.  The user
fills those in the editor; :func:`unfilled` finds the ones left, in any text.

A pupil's name appears in one place only: ``{pupil}`` in the letter to that
pupil's own parents or to that pupil of 18 or older (``letters.templates``
refuses it elsewhere).  The journal holds an alias (initials or a
pseudonym); it is used when it looks like a name, otherwise the marker asks
for the name with the alias as hint.  The incident's own free text ("other"
type, title, notes) is never copied into a letter: the type is described by
the template's general words (``{incident}``: where general words are what
the step plan asks for, as to all parents), or, in a letter about one
pupil, ``{what_happened}``: a marker that asks the user to make it specific,
with those general words as a start.  Which paragraphs a letter has follows
what the journal records (``letters.facts``).

Dates are the Amsterdam date, formatted by Babel in the letter's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

from babel.dates import format_date

from content.letter_model import Condition, Letters, LetterTemplate
from content.loader import load_organisations, load_school_roles
from content.opening_hours import to_amsterdam
from letters.facts import images_involved, parents_withheld
from letters.privacy import looks_like_a_name
from letters.templates import PLACEHOLDER, ROLE_CONDITIONS
from school.profile import SchoolContact, SchoolProfile, SchoolRole
from storage.incidents import Incident, Pupil

# A fill-in marker as the templates' words write it: "[[invullen: ...]]", "[[fill in: ...]]".
MARKER = re.compile(r"\[\[[^\[\]\n]{1,300}\]\]")


@dataclass(frozen=True)
class Letter:
    """A filled letter.  ``pupil_id``: the pupil it is about (kinds ``parents`` and ``pupil``)."""

    template_id: str
    kind: str
    language: str
    subject: str
    body: str
    pupil_id: Optional[str] = None

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}"


def unfilled(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) of every fill-in marker still in ``text``."""
    return tuple(m.span() for m in MARKER.finditer(text))


def join_list(items: Sequence[str], last: str) -> str:
    """'a', 'a en b', 'a, b en c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + last + items[-1]


def _lower_first(text: str) -> str:
    """'Vertrouwenspersoon' -> 'vertrouwenspersoon'; 'GGD / jeugdarts' stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


class _Filler:
    def __init__(self, letters: Letters, template: LetterTemplate, profile: Optional[SchoolProfile],
                 incident: Optional[Incident], pupil: Optional[Pupil], now: datetime) -> None:
        self.letters = letters
        self.words = letters.words
        self.template = template
        self.profile = profile
        self.incident = incident
        self.pupil = pupil
        self.now = now
        self.roles = load_school_roles(letters.language)
        self.organisations = load_organisations(letters.language)

    def marker(self, hint: str, **values: str) -> str:
        what = self.words.hints[hint]
        for key, value in values.items():
            what = what.replace("{" + key + "}", value)
        return self.words.fill_in.replace("{what}", what)

    def date(self, moment: datetime) -> str:
        return format_date(to_amsterdam(moment).date(), self.words.date_format, locale=self.letters.language)

    def holds(self, condition: Condition) -> bool:
        if condition in ROLE_CONDITIONS:
            return self.pupil is not None and self.pupil.role == ROLE_CONDITIONS[condition]
        if condition == "sanction_policy":
            return self.profile is not None and bool(self.profile.sanction_policy_url)
        if self.incident is None:
            return False
        if condition == "police":
            return any(c.kind == "politie" for c in self.incident.active_contacts)
        if condition == "images":
            return images_involved(self.incident)
        return parents_withheld(self.incident, self.letters)  # parents_withheld

    def contact_line(self, contact: SchoolContact) -> str:
        role = self.roles.get(contact.role)
        head = (self.words.contact_named.replace("{name}", contact.name).replace("{role}", _lower_first(role.label))
                if contact.name.strip() else role.noun)
        parts = [head]
        if contact.phone.strip():
            parts.append(self.words.phone.replace("{phone}", contact.phone))
        if contact.email.strip():
            parts.append(self.words.email.replace("{email}", contact.email))
        return ", ".join(parts)

    def contact(self, argument: str) -> str:
        roles = [SchoolRole(r) for r in argument.split("|")]
        for role in roles:
            people = self.profile.contacts_with(role) if self.profile else ()
            if people:
                return self.words.alternatives.join(self.contact_line(c) for c in people)
        return self.marker("contact", noun=self.roles.get(roles[0]).noun)

    def pupil_name(self) -> str:
        if self.pupil is None:
            return self.marker("pupil")
        alias = self.pupil.alias.strip()
        if looks_like_a_name(alias):
            return alias
        return self.words.fill_in.replace("{what}", f"{self.words.hints['pupil']} ({alias})" if alias else
                                          self.words.hints["pupil"])

    def groups(self) -> str:
        groups = sorted({p.group.strip() for p in self.incident.active_pupils if p.group.strip()}) if self.incident else []
        return join_list(groups, self.words.last_item) if groups else self.marker("groups")

    def action_team(self) -> str:
        members = []
        for m in self.incident.active_team if self.incident else ():
            name, role = m.name.strip(), m.role.strip()
            members.append(f"{name} ({role})" if name and role else name or role)
        members = [m for m in members if m]
        return join_list(members, self.words.last_item) if members else self.marker("action_team")

    def value(self, name: str, argument: str) -> str:
        if name == "school":
            return self.profile.school_name if self.profile else self.marker("school")
        if name == "incident":
            return self.words.incident_words[self.incident.type] if self.incident else self.marker("incident")
        if name == "what_happened":
            general = self.words.incident_words[self.incident.type] if self.incident else ""
            return self.marker("what_happened", incident=general) if general else self.marker("incident")
        if name == "date":
            return self.date(self.incident.reported_at) if self.incident else self.marker("date")
        if name == "today":
            return self.date(self.now)
        if name == "pupil":
            return self.pupil_name()
        if name == "groups":
            return self.groups()
        if name == "action_team":
            return self.action_team()
        if name == "sanction_policy":
            url = self.profile.sanction_policy_url if self.profile else ""
            return url or self.marker("sanction_policy")
        if name in ("sender", "reporter"):
            return self.marker(name)
        if name == "contact":
            return self.contact(argument)
        organisation = self.organisations.get(argument)
        if name == "org":
            return organisation.name
        return re.sub(r"^https?://", "", organisation.website).rstrip("/")  # web

    def fill(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda m: self.value(m[1], m[2] or ""), text)


def render_letter(
    letters: Letters,
    template_id: str,
    *,
    profile: Optional[SchoolProfile],
    incident: Optional[Incident],
    now: datetime,
    pupil_id: Optional[str] = None,
) -> Letter:
    """The letter ``template_id`` of ``letters`` (one language), filled.

    ``pupil_id`` names the pupil of a letter about one pupil; a parents
    letter's pupil must have the template's role.  ``now`` (aware) dates the
    letter.  Raises KeyError for an unknown template or pupil and ValueError
    for a pupil of another role, a pupil given for a letter that is not about
    one pupil, or a naive ``now``.
    """
    template = letters.get(template_id)
    to_amsterdam(now)  # ValueError for a naive datetime
    pupil = None
    if pupil_id is not None:
        if not template.for_one_pupil:
            raise ValueError(f"{template_id} is not a letter about one pupil")
        if incident is None:
            raise ValueError("a pupil needs its incident")
        pupil = next((p for p in incident.pupils if p.id == pupil_id), None)
        if pupil is None:
            raise KeyError(pupil_id)
        if template.kind == "parents" and pupil.role != template.role:
            raise ValueError(f"{template_id} is for a {template.role}, the pupil is a {pupil.role}")
    filler = _Filler(letters, template, profile, incident, pupil, now)
    paragraphs = [
        filler.fill(p.text)
        for p in template.paragraphs
        if all(filler.holds(c) for c in p.when) and not any(filler.holds(c) for c in p.unless)
    ]
    return Letter(
        template_id=template.id,
        kind=template.kind,
        language=letters.language,
        subject=filler.fill(template.subject),
        body="\n\n".join(paragraphs),
        pupil_id=pupil_id,
    )


__all__ = ["Letter", "MARKER", "join_list", "render_letter", "unfilled"]
