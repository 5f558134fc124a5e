"""Which letters an incident calls for, and for which pupils not (pure).

Step 4 asks the school to inform the parents of every pupil involved; for a
pupil of 18 or older (``Pupil.adult``) the duty to inform is towards the
pupil itself ("Als een leerling 18 jaar of ouder is ... geldt de
informatieplicht van de school jegens de leerling zelf"), so the letter to
that pupil is suggested instead, and a contact of the kind the journal
records it with that names the pupil counts as informed.  For parents there
is one exception (LET OP): "In sommige gevallen is het een bewuste afweging om
ouders niet onmiddellijk te informeren over een incident, vooral wanneer
dit de veiligheid van het kind in gevaar brengt."  The journal records that
as a contact of kind ``ouders`` marked "not informed (yet)" with a reason.

For each pupil the latest parents contact that names the pupil decides
(its "with whom" holds the pupil's alias, initials, or label such as
"slachtoffer 1", the words ``letters.record`` writes):

* deliberately not informed  -> ``withheld``: no letter is suggested, and the
  recorded reason is shown;
* informed                   -> ``informed`` (a letter can still be written);
* no contact names the pupil -> ``suggested``, unless a "not informed"
  contact names *no* pupil at all: then it is not clear whose parents it
  means, and every such pupil is ``unclear`` (the UI shows the reason and
  asks before writing) rather than risk a letter to a parent the child must
  be protected from.

The letter to all parents, the team messages, the media statement and the
message to the melder are always available; whether to send them is the
action team's call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Optional

from content.letter_model import Letters
from letters.privacy import ProtectedName, mentions
from storage.incidents import PUPIL_ROLES, Contact, Incident, Pupil

ParentsState = Literal["suggested", "withheld", "informed", "unclear"]


#: The journal's contact kind for a letter to a pupil of 18 or older (``letters.record``).
PUPIL_CONTACT_KIND = "anders"


@dataclass(frozen=True)
class ParentsLetter:
    """The letter to one pupil's parents (or to the pupil, ``adult``), or why there is none."""

    pupil_id: str
    role: str
    label: str  # "slachtoffer 1"
    template_id: str
    state: ParentsState
    reason: str = ""  # withheld / unclear: the recorded reason
    since: Optional[datetime] = None  # withheld / informed: the time of the deciding contact
    adult: bool = False  # 18 or older: the letter is to the pupil


@dataclass(frozen=True)
class Suggestions:
    parents: tuple[ParentsLetter, ...]
    others: tuple[str, ...]  # template ids: all parents, team, media, melder

    @property
    def suggested(self) -> tuple[ParentsLetter, ...]:
        return tuple(p for p in self.parents if p.state == "suggested")


def ordered_pupils(incident: Incident) -> tuple[Pupil, ...]:
    """Current pupils in the order they were added, then removed ones (as the report numbers them)."""
    return tuple(p for p in incident.pupils if not p.removed) + tuple(p for p in incident.pupils if p.removed)


def pupil_labels(incident: Incident, letters: Letters) -> dict[str, str]:
    """Pupil id -> "slachtoffer 1", "omstander 2": numbered per role."""
    counts = {role: 0 for role in PUPIL_ROLES}
    labels = {}
    for pupil in ordered_pupils(incident):
        counts[pupil.role] = counts.get(pupil.role, 0) + 1
        noun = letters.words.pupil_roles.get(pupil.role, pupil.role)
        labels[pupil.id] = letters.words.pupil_label.replace("{role}", noun).replace("{number}", str(counts[pupil.role]))
    return labels


def _names_pupil(contact: Contact, pupil: Pupil, label: str) -> bool:
    text = contact.with_whom
    if re.search(rf"(?<![^\W_]){re.escape(label)}(?![^\W_])", text, re.IGNORECASE):
        return True
    return bool(pupil.alias.strip()) and mentions(text, ProtectedName(pupil.alias.strip(), "pupil", pupil.id))


def parents_contacts(incident: Incident, pupil: Pupil, label: str) -> tuple[Contact, ...]:
    """The parents contacts that name ``pupil``, oldest first."""
    return tuple(c for c in incident.active_contacts if c.kind == "ouders" and _names_pupil(c, pupil, label))


def suggest_letters(incident: Incident, letters: Letters) -> Suggestions:
    labels = pupil_labels(incident, letters)
    active = incident.active_pupils
    holds = [c for c in incident.active_contacts if c.kind == "ouders" and c.not_informed]
    unlinked = [c for c in holds if not any(_names_pupil(c, p, labels[p.id]) for p in incident.pupils)]
    parents = []
    for pupil in active:
        label = labels[pupil.id]
        if pupil.adult:
            template_id = next(t.id for t in letters.templates if t.kind == "pupil")
            told = [c for c in incident.active_contacts if c.kind == PUPIL_CONTACT_KIND and _names_pupil(c, pupil, label)]
            parents.append(ParentsLetter(pupil.id, pupil.role, label, template_id,
                                         "informed" if told else "suggested", since=told[-1].at if told else None,
                                         adult=True))
            continue
        template_id = next(t.id for t in letters.templates if t.kind == "parents" and t.role == pupil.role)
        linked = parents_contacts(incident, pupil, label)
        if linked:
            latest = linked[-1]
            state: ParentsState = "withheld" if latest.not_informed else "informed"
            parents.append(ParentsLetter(pupil.id, pupil.role, label, template_id, state,
                                         latest.not_informed_reason if latest.not_informed else "", latest.at))
        elif unlinked:
            parents.append(ParentsLetter(pupil.id, pupil.role, label, template_id, "unclear",
                                         unlinked[-1].not_informed_reason, unlinked[-1].at))
        else:
            parents.append(ParentsLetter(pupil.id, pupil.role, label, template_id, "suggested"))
    others = tuple(t.id for t in letters.templates if not t.for_one_pupil)
    return Suggestions(tuple(parents), others)


__all__ = ["PUPIL_CONTACT_KIND", "ParentsLetter", "Suggestions", "ordered_pupils", "parents_contacts", "pupil_labels", "suggest_letters"]
