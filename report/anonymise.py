"""The names in an incident, replaced by role labels for an anonymised report.

With ``anonymised=True`` every name entered anywhere is replaced by a role
label: pupils by "victim 1", "instigator 1", "bystander 2" (numbered per role
in the order they were added, removed pupils after the current ones), action
team members by "action team: <their role>", the reporter by "reporter",
contact persons by "contact person", and any other author of a tick, note or
status change by "staff member".  A name that was entered in more than one
place gets the label of its first place in that order.

The names are replaced in their own fields *and* inside every free text
(title, "other" type, how it was reported, classes, team roles, notes and
their earlier versions, contact summaries, reasons, follow-up topics and
evaluation answers): case-insensitively, only as whole words (``Jan`` in
"Jan's" but not in "Janssen"), longest names first (so "Anne Marie" wins over
"Anne"), with any whitespace (a line break too) between the words of a name.
The capitalised words of a name of several words count as names too, with the
same label ("Karel" of "wijkagent Karel", "Jan" and "Vries" of "Jan de
Vries"), because a note often uses only the first name; a capitalised role
word ("Mentor 3B") is then replaced as well, which costs readability, not
privacy.  Names shorter than 2 characters (a single initial such as "J") are
replaced only where they are the whole field: as a word inside text, a single
letter also matches ordinary words and abbreviations ("a", "u", the "e" of
"e-mail"), which would garble the report without protecting anyone.  Limits:
a name written differently in a note (a nickname, a typo, a possessive like
"Jans") is not recognised, so the free text should still be read before a
report leaves the school.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from storage.incidents import Incident
from storage.vocabulary import PupilRole
from words.i18n import _

MIN_NAME_IN_TEXT = 2  # shorter names are replaced only as whole fields (see the module docstring)


class Names:
    """Maps every name entered in an incident to a role label, and scrubs free text.

    With ``anonymised=False`` both ``field`` and ``text`` return their input.
    """

    def __init__(self, incident: Incident, anonymised: bool) -> None:
        self.anonymised = anonymised
        self.pupil_labels: dict[str, str] = {}  # pupil id -> label
        self._labels: dict[str, str] = {}  # casefolded name -> label; the first registration wins
        self._spelling: dict[str, str] = {}  # casefolded name -> the name as entered (first)
        self._parent: dict[str, str] = {}  # casefolded word of a longer name -> that name's key
        if not anonymised:
            self._pattern: Optional[re.Pattern[str]] = None
            return

        role_label_formats = {
            PupilRole.VICTIM: _("victim {number}"),
            PupilRole.INSTIGATOR: _("instigator {number}"),
            PupilRole.BYSTANDER: _("bystander {number}"),
        }
        numbers = {role: 0 for role in PupilRole}
        pupils = [p for p in incident.pupils if not p.removed] + [p for p in incident.pupils if p.removed]
        for p in pupils:
            numbers[p.role] = numbers.get(p.role, 0) + 1
            fmt = role_label_formats.get(p.role, "{number}")
            label = fmt.format(number=numbers[p.role])
            self.pupil_labels[p.id] = label
            self._register(p.alias, label)

        team = [m for m in incident.team if not m.removed] + [m for m in incident.team if m.removed]
        member_keys = []
        for m in team:
            if self._register(m.name, _("action team member")):
                member_keys.append((m, m.name.strip().casefold()))

        self._register(incident.reported_by, _("reporter"))
        for c in incident.contacts:
            self._register(c.with_whom, _("contact person"))
        for f in incident.follow_ups:
            self._register(f.with_whom, _("contact person"))
        staff = _("staff member")
        for author in _authors(incident):
            self._register(author, staff)

        # The capitalised words of a name of several words ("Karel" of "wijkagent Karel",
        # "Marieke" and "Jansen" of "Marieke Jansen"): notes often use only a first name.
        # Registered after all full names, so a word that is itself a name keeps its label.
        for key in list(self._labels):
            words = self._spelling[key].split()
            if len(words) > 1:
                for word in words:
                    if len(word) >= MIN_NAME_IN_TEXT and word[0].isupper() and self._register(word, ""):
                        self._parent[word.casefold()] = key

        self._pattern = self._compile()
        # A team member's label shows their role, itself free text that may hold names:
        # it is scrubbed with the labels known at that point (members earlier in the
        # list already have their final label, later ones "action team member").
        for member, key in member_keys:
            role = self.text(member.role).strip()
            self._labels[key] = _("action team: {role}").format(role=role) if role else _("action team member")

    def _register(self, name: str, label: str) -> bool:
        key = name.strip().casefold()
        if not key or key in self._labels:
            return False
        self._labels[key] = label
        self._spelling[key] = name.strip()
        return True

    def _compile(self) -> Optional[re.Pattern[str]]:
        keys = [k for k in self._labels if len(self._spelling[k]) >= MIN_NAME_IN_TEXT]
        if not keys:
            return None
        # longest first, so that a longer name wins over a name it contains
        keys.sort(key=lambda k: (-len(self._spelling[k]), k))
        self._group_keys = keys
        alternatives = []
        for k in keys:
            words = self._spelling[k].split()
            alternatives.append("(" + r"\s+".join(re.escape(w) for w in words) + ")")
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)

    def field(self, value: str, label: str) -> str:
        """A field that holds a name: its label when anonymised."""
        value = value.strip()
        if not self.anonymised or not value:
            return value
        key = value.casefold()
        return self._labels[self._parent.get(key, key)] if key in self._labels else label

    def author(self, value: str) -> str:
        return self.field(value, _("staff member"))

    def text(self, value: str) -> str:
        """Free text with every name (of 2 or more characters) replaced when anonymised."""
        if not self.anonymised or self._pattern is None or not value:
            return value

        def label(match: re.Match[str]) -> str:
            key = self._group_keys[match.lastindex - 1]
            return self._labels[self._parent.get(key, key)]

        return self._pattern.sub(label, value)


def _authors(incident: Incident) -> Iterable[str]:
    for t in incident.ticks:
        yield t.by
    for n in incident.notes:
        for v in n.versions:
            yield v.by
    for s in incident.status_history:
        yield s.by
