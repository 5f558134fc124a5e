"""Typed model of the step plan and the organisations.

The data lives in YAML files under ``content/data/`` so that a non-programmer
can edit the text; these dataclasses are the schema those files are validated
against on load (see ``content.loader``).

Inline text may use two bits of Markdown: ``**bold**`` and ``[label](url)``.
A url starting with ``/`` is a route inside the app (e.g. ``/organisaties``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Union


@dataclass(frozen=True)
class ListItem:
    """A list item with nested items (the source nests one level deep)."""

    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """A question the action team asks itself; ``id`` is stable for journal answers."""

    id: str
    text: str


BlockKind = Literal[
    "paragraph",  # plain text
    "heading",  # a sub-heading inside an action ("Het team bestaat in ieder geval uit:")
    "tip",  # the source's "Tip:"
    "note",  # the source's "NB:"
    "warning",  # the source's "LET OP:"
    "numbered",  # numbered points
    "bullets",  # bulleted points
    "questions",  # numbered or bulleted questions with stable ids
    "organisations",  # references to content/data/organisaties.<lang>.yaml by id
    "incident_types",  # renders Plan.incident_types (the source's six examples)
    "roles",  # renders Plan.roles (aanstichters, slachtoffers, ...)
]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    items: tuple[Union[str, ListItem], ...] = ()
    questions: tuple[Question, ...] = ()
    organisations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """One action of a step.

    ``checklist`` is false for the prevention themes of step 7: they are
    school policy, read in the step and checked in the policy check, not
    ticked per incident.  ``acute`` marks the first actions shown in the
    acute flow.
    """

    id: str
    title: str
    blocks: tuple[Block, ...]
    checklist: bool = True
    acute: bool = False


@dataclass(frozen=True)
class Step:
    number: int
    id: str
    title: str  # derived: the source lost its step headings
    summary: str
    actions: tuple[Action, ...]

    @property
    def checklist(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.checklist)


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    text: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class IncidentType:
    """One of the source's example incidents, used as an incident type."""

    id: str
    label: str  # short label for pickers and filters
    text: str  # the example as the source words it


@dataclass(frozen=True)
class Colophon:
    publisher: str
    text: str
    title: str
    design: str
    copyright: str
    website: str
    slogan: str = ""  # the closing line of the source's colofon page


@dataclass(frozen=True)
class Plan:
    language: str
    title: str
    subtitle: str
    derived_titles_note: str
    intro: tuple[Section, ...]
    incident_types: tuple[IncidentType, ...]
    roles: tuple[Role, ...]
    steps: tuple[Step, ...]
    colophon: Colophon
    translation_note: str = ""

    def step(self, number: int) -> Step:
        for step in self.steps:
            if step.number == number:
                return step
        raise KeyError(number)

    def action(self, action_id: str) -> Action:
        for step in self.steps:
            for action in step.actions:
                if action.id == action_id:
                    return action
        raise KeyError(action_id)

    def step_of(self, action_id: str) -> Step:
        for step in self.steps:
            if any(a.id == action_id for a in step.actions):
                return step
        raise KeyError(action_id)

    @property
    def acute_actions(self) -> tuple[Action, ...]:
        return tuple(a for s in self.steps for a in s.actions if a.acute)

    @property
    def checklist(self) -> tuple[Action, ...]:
        """Every tickable action, in plan order."""
        return tuple(a for s in self.steps for a in s.checklist)


# --- organisations and help lines -------------------------------------------------

Weekday = Literal["ma", "di", "wo", "do", "vr", "za", "zo"]


@dataclass(frozen=True)
class Phone:
    """A phone number as displayed in the Dutch way; the dial string is derived."""

    display: str
    label: str = ""

    @property
    def dial(self) -> str:
        return "".join(ch for ch in self.display if ch.isdigit() or ch == "+")

    @property
    def tel_uri(self) -> str:
        return f"tel:{self.dial}"


_WEEKDAYS: tuple[str, ...] = ("ma", "di", "wo", "do", "vr", "za", "zo")


def _minutes(hhmm: str) -> int:
    """Minutes since midnight of "HH:MM" (00:00 to 24:00); ValueError otherwise."""
    hh, sep, mm = hhmm.partition(":")
    if not (sep and len(hh) == 2 and len(mm) == 2 and hh.isdigit() and mm.isdigit()):
        raise ValueError(f"time must be HH:MM, got {hhmm!r}")
    minutes = int(hh) * 60 + int(mm)
    if int(mm) > 59 or minutes > 24 * 60:
        raise ValueError(f"time out of range: {hhmm!r}")
    return minutes


@dataclass(frozen=True)
class OpeningRule:
    """Open on ``days`` from ``opens`` to ``closes`` (HH:MM, Amsterdam wall time).

    ``closes`` may be "24:00" (midnight at the end of the day); a rule never
    runs past midnight, so ``opens`` < ``closes``.  ``certain: false`` marks
    hours the data does not settle: at such times the app says "uncertain,
    call anyway", never "closed".
    """

    days: tuple[Weekday, ...]
    opens: str
    closes: str
    certain: bool = True

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("an opening rule needs at least one day")
        for day in self.days:
            if day not in _WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}")
        if _minutes(self.opens) >= _minutes(self.closes):
            raise ValueError(f"opens {self.opens} must be before closes {self.closes}")

    @property
    def opens_minutes(self) -> int:
        return _minutes(self.opens)

    @property
    def closes_minutes(self) -> int:
        return _minutes(self.closes)

    @property
    def weekdays(self) -> frozenset[int]:
        """The days as ``date.weekday()`` numbers (Monday = 0)."""
        return frozenset(_WEEKDAYS.index(day) for day in self.days)


@dataclass(frozen=True)
class Closure:
    """A period (inclusive ISO dates) in which a line is closed.

    ``certain: false``: the line is probably closed then, but this is not
    confirmed; the app then says "uncertain", never "closed".
    """

    start: str
    end: str
    reason: str
    certain: bool = True

    def __post_init__(self) -> None:
        if date.fromisoformat(self.start) > date.fromisoformat(self.end):
            raise ValueError(f"closure ends before it starts: {self.start} > {self.end}")

    def covers(self, day: date) -> bool:
        return date.fromisoformat(self.start) <= day <= date.fromisoformat(self.end)


@dataclass(frozen=True)
class Hours:
    """Opening hours.

    ``always``: day and night (rules and closures are ignored).  ``weekly``:
    the rules below, optionally only on school days (Monday to Friday without
    Dutch public holidays), minus the closures.  ``none``: no phone hours (a
    website).  ``note`` is a short Dutch explanation for the reader.
    """

    kind: Literal["always", "weekly", "none"]
    rules: tuple[OpeningRule, ...] = ()
    school_days_only: bool = False
    closures: tuple[Closure, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    audience: str
    origin: Literal["stappenplan", "toegevoegd"]
    source: str
    verified: str  # ISO date the details were last checked
    hours: Hours
    description: str = ""
    website: str = ""
    chat: str = ""
    phones: tuple[Phone, ...] = ()
    reach_as_written: str = ""
    hours_as_written: str = ""
    emergency: bool = False
    helpline: bool = True  # listed among the help lines (websites are not)
    editable_phone: bool = False  # the school fills in its own number (police contact)
    suggest_when_closed: bool = True  # offered as "reachable now" when another line is closed


@dataclass(frozen=True)
class Organisations:
    language: str
    intro: str
    items: tuple[Organisation, ...]

    def get(self, org_id: str) -> Organisation:
        for org in self.items:
            if org.id == org_id:
                return org
        raise KeyError(org_id)

    @property
    def from_source(self) -> tuple[Organisation, ...]:
        return tuple(o for o in self.items if o.origin == "stappenplan")

    @property
    def helplines(self) -> tuple[Organisation, ...]:
        return tuple(o for o in self.items if o.helpline)


# --- the school's own people (labels of ``school.profile.SchoolRole``) ---------------


@dataclass(frozen=True)
class SchoolRoleText:
    """How a role of the school profile is called: ``label`` in headings and
    pickers ("Vertrouwenspersoon"), ``noun`` in running text and letters ("de
    vertrouwenspersoon"), ``description`` what the step plan asks of this person."""

    id: str
    label: str
    noun: str
    description: str


@dataclass(frozen=True)
class SchoolRoles:
    language: str
    heading: str  # "Eigen school": the school's own contacts, before the national lines
    items: tuple[SchoolRoleText, ...]

    def get(self, role_id: str) -> SchoolRoleText:
        for item in self.items:
            if item.id == role_id:
                return item
        raise KeyError(role_id)


__all__ = [
    "Action",
    "Block",
    "Closure",
    "Colophon",
    "Hours",
    "IncidentType",
    "ListItem",
    "OpeningRule",
    "Organisation",
    "Organisations",
    "Phone",
    "Plan",
    "Question",
    "Role",
    "SchoolRoleText",
    "SchoolRoles",
    "Section",
    "Step",
]

