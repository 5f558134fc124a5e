"""The incident's records: frozen dataclasses whose fields declare their stored form once
(see the package's docstring)."""

from __future__ import annotations

import dataclasses
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Optional

from storage import codec as c
from storage.codec import LOCAL, Context, codec_of, record, wire
from storage.errors import ValidationError
from storage.limits import MAX_REVISION, MAX_SHORT, MAX_TEXT
from storage.vocabulary import ContactKind, IncidentType, PupilRole, Status

# -- vocabularies (declared in storage.vocabulary) --------------------------------

INCIDENT_TYPES = tuple(t.value for t in IncidentType)
PUPIL_ROLES = tuple(r.value for r in PupilRole)
CONTACT_KINDS = tuple(k.value for k in ContactKind)
STATUSES = tuple(s.value for s in Status)
CLOSED_STATUS = Status.CLOSED.value

# Scalar fields of an incident that the merge resolves field by field.
SCALAR_FIELDS = ("title", "type", "type_other", "reported_at", "reported_by", "report_channel")
# Sub-records kept by id, each a register of its own ("pupils:<id>").
SUB_RECORDS = ("pupils", "team", "contacts", "follow_ups")
# Append-only logs: entries are only ever added.  ``deletions`` is left out of
# a record while it is empty (an incident never deleted reads and merges as in
# schema 2).
LOGS = ("ticks", "status_history", "deletions")

# Documents inside the body (see FORMAT.md).  Version 2 added the register
# bookkeeping (``field_base``, ``alternatives``, ``replaces``); version 3 who
# wrote each register value (``field_by``, an alternative's ``by``), the
# deletion log of a shared incident (``deletions``) and the journal's
# ``deleted`` records (shared incidents deleted and still restorable).  Older
# files are read as they are and written as the current version.
SCHEMA_VERSION = 3

#: A shared incident that a member deleted can be restored by any member for this long;
#: then each device replaces it by a tombstone.
RESTORE_PERIOD = timedelta(days=30)

UTC = timezone.utc
ONE_TICK = timedelta(microseconds=1)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(when: Optional[datetime], now: Callable[[], datetime] = utcnow) -> datetime:
    """The moment in UTC.  Times typed in Amsterdam time are converted here:
    Python compares two datetimes of the same zone by wall clock, which is
    wrong across the October DST switch."""
    when = when if when is not None else now()
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError("time", "naive datetime")
    return when.astimezone(UTC)



def new_id() -> str:
    """A UUID whose first 48 bits are the creation time in milliseconds
    (RFC 9562 version 7), so ids sort in the order records were made."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def _ro(mapping: Optional[Mapping[str, Any]]) -> Mapping[str, Any]:
    if isinstance(mapping, MappingProxyType):
        return mapping
    return MappingProxyType(dict(mapping or {}))


def _tup(items: Optional[Iterable[Any]]) -> tuple:
    return items if isinstance(items, tuple) else tuple(items or ())


# Field codecs used more than once.
_ID = c.Ident()
_UUID = c.Ident(uuid=True)
_SHORT = c.Text(MAX_SHORT)
_LONG = c.Text(MAX_TEXT)
_STAMP = c.Moment(stamp=True)  # set by the app when something changed
_MOMENT = c.Moment()  # typed by the user
_OPT_STAMP = c.Maybe(_STAMP)
_FLAG = c.Flag()


# -- records ------------------------------------------------------------------------


@record("pupil")
@dataclass(frozen=True)
class Pupil:
    """A pupil involved, by role.  ``alias``: initials or a pseudonym, never a full name
    (the UI should say so); ``group``: class or group.  ``adult``: 18 or older (and
    legally competent), so the school's duty to inform is towards the pupil, not the
    parents (step 4); left out on the wire when False, so records written before it
    existed, and by apps that do not know it, read and merge as they are."""

    id: str = field(metadata=wire(_ID))
    role: str = field(metadata=wire(c.Text(choices=PUPIL_ROLES)))
    alias: str = field(metadata=wire(_SHORT))
    group: str = field(default="", metadata=wire(_SHORT))
    removed: bool = field(default=False, metadata=wire(_FLAG))
    updated: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP))  # set by Journal.save
    adult: bool = field(default=False, metadata=wire(_FLAG, omit_empty=True))


@record("team")
@dataclass(frozen=True)
class TeamMember:
    id: str = field(metadata=wire(_ID))
    role: str = field(metadata=wire(_SHORT))
    name: str = field(metadata=wire(_SHORT))
    removed: bool = field(default=False, metadata=wire(_FLAG))
    updated: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP))


@record("tick")
@dataclass(frozen=True)
class TickEvent:
    """An action ticked (``ticked=True``) or unticked; the log is append-only."""

    id: str = field(metadata=wire(_ID))
    action_id: str = field(metadata=wire(c.Text(100, required=True), name="action"))
    ticked: bool = field(metadata=wire(_FLAG, missing=True))
    at: datetime = field(metadata=wire(_STAMP))
    by: str = field(default="", metadata=wire(_SHORT))


@record("version")
@dataclass(frozen=True)
class NoteVersion:
    id: str = field(metadata=wire(_ID))
    at: datetime = field(metadata=wire(_STAMP))
    text: str = field(metadata=wire(_LONG))
    by: str = field(default="", metadata=wire(_SHORT))
    deleted: bool = field(default=False, metadata=wire(_FLAG, omit_empty=True))  # a "removal" is a version too
    # the versions that were current when this one was written (empty for the
    # first version, and in files written before schema 2)
    replaces: tuple[str, ...] = field(default=(), metadata=wire(c.Idents(), omit_empty=True))

    def __post_init__(self) -> None:
        object.__setattr__(self, "replaces", _tup(self.replaces))


@record("note")
@dataclass(frozen=True)
class Note:
    """A time-stamped note; editing appends a version, never replaces one."""

    id: str = field(metadata=wire(_ID))
    created_at: datetime = field(metadata=wire(_STAMP))
    versions: tuple[NoteVersion, ...] = field(metadata=wire(c.Many(NoteVersion)))

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", _tup(self.versions))

    @property
    def current(self) -> NoteVersion:
        return max(self.versions, key=lambda v: (v.at, v.id))

    @property
    def text(self) -> str:
        return self.current.text

    @property
    def deleted(self) -> bool:
        return self.current.deleted

    @property
    def edited(self) -> bool:
        return len(self.versions) > 1

    @property
    def heads(self) -> tuple[NoteVersion, ...]:
        """The versions nobody has built on yet.  More than one: the note was
        edited in two places at once (a conflict the UI shows)."""
        ordered = sorted(self.versions, key=lambda v: (v.at, v.id))
        replaced = {r for v in ordered for r in v.replaces}
        # Versions written before schema 2 name nothing: each replaced all earlier ones.
        for k, v in enumerate(ordered):
            if k > 0 and not v.replaces:
                replaced.update(w.id for w in ordered[:k])
        return tuple(v for v in ordered if v.id not in replaced)


@record("contact")
@dataclass(frozen=True)
class Contact:
    """A contact made (or, for parents, deliberately not made yet).

    ``not_informed`` may only be set for ``kind == "ouders"`` and then needs a
    ``not_informed_reason``.
    """

    id: str = field(metadata=wire(_ID))
    kind: str = field(metadata=wire(c.Text(choices=CONTACT_KINDS)))
    at: datetime = field(metadata=wire(_MOMENT))
    with_whom: str = field(default="", metadata=wire(_SHORT))
    summary: str = field(default="", metadata=wire(_LONG))
    not_informed: bool = field(default=False, metadata=wire(_FLAG))
    not_informed_reason: str = field(default="", metadata=wire(_LONG))
    removed: bool = field(default=False, metadata=wire(_FLAG))
    updated: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP))


@record("follow_up")
@dataclass(frozen=True)
class FollowUp:
    id: str = field(metadata=wire(_ID))
    due: datetime = field(metadata=wire(_MOMENT))
    with_whom: str = field(default="", metadata=wire(_SHORT))
    what: str = field(default="", metadata=wire(_LONG))
    done_at: Optional[datetime] = field(default=None, metadata=wire(c.Maybe(_MOMENT)))
    removed: bool = field(default=False, metadata=wire(_FLAG))
    updated: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP))


@record("status")
@dataclass(frozen=True)
class StatusChange:
    id: str = field(metadata=wire(_ID))
    status: str = field(metadata=wire(c.Text(choices=STATUSES)))
    at: datetime = field(metadata=wire(_STAMP))
    by: str = field(default="", metadata=wire(_SHORT))


@record("deletion")
@dataclass(frozen=True)
class DeletionEvent:
    """A shared incident deleted by a member (or, ``restored``, brought back);
    the log is append-only and its latest event says whether the incident is
    deleted (``Incident.deleted``)."""

    id: str = field(metadata=wire(_ID))
    at: datetime = field(metadata=wire(_STAMP))
    by: str = field(default="", metadata=wire(_SHORT))
    restored: bool = field(default=False, metadata=wire(_FLAG, omit_empty=True))


@record("alternative")
@dataclass(frozen=True)
class Alternative:
    """A value of a register that lost a conflict, kept until someone chooses.

    ``value`` is in wire form (a string, a time string, or a sub-record's
    dict); ``at``/``base`` are its register stamps, ``by`` who wrote it (as
    they sign their entries; empty in records written before schema 3).
    """

    value: Any = field(metadata=wire(c.Raw()))
    at: datetime = field(metadata=wire(_STAMP))
    base: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP, omit_empty=True))
    by: str = field(default="", metadata=wire(_SHORT, omit_empty=True))


# Register keys: a scalar name, "evaluation.<question id>" or "<collection>:<record id>".
REGISTER_KEY = re.compile(
    r"^(?:" + "|".join(SCALAR_FIELDS) + r"|evaluation\.[A-Za-z0-9_.:-]{1,100}"
    r"|(?:" + "|".join(SUB_RECORDS) + r"):[A-Za-z0-9_.:-]{1,100})$"
)
_QUESTION_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class _Alternatives(c.Codec):
    """``alternatives``: register key -> the values that lost a conflict.

    Each value is checked like the register's own value (a title like a
    title, a pupil like a pupil) and kept in its canonical wire form."""

    def dump(self, value: Mapping[str, tuple[Alternative, ...]]) -> dict:
        dump = codec_of(Alternative).dump
        return {k: [dump(a) for a in alts] for k, alts in value.items()}

    def fast_fn(self, value: dict) -> dict:  # type: ignore[override]
        build = codec_of(Alternative).fast
        return {k: tuple(build(a) for a in alts) for k, alts in value.items()}

    def strict(self, value: Any, where: str, ctx: Context) -> dict:
        if not isinstance(value, dict) or len(value) > len(SCALAR_FIELDS) + 4 * 1000:
            raise c.invalid(where, "not an object (or too large)")
        out = {}
        for key, alts in value.items():
            if not isinstance(key, str) or not REGISTER_KEY.match(key):
                raise c.invalid(where, "invalid key")
            if not isinstance(alts, list) or not 1 <= len(alts) <= 100:
                raise c.invalid(f"{where}.{key}", "not a list (or too long)")
            checked = []
            for k, a in enumerate(alts):
                at = f"{where}.{key}[{k}]"
                alt = codec_of(Alternative).strict(a, at, ctx)
                checked.append(dataclasses.replace(alt, value=register_value(key, alt.value, f"{at}.value", ctx)))
            out[key] = tuple(checked)
        return out


def sub_record_key(key: str) -> Optional[tuple[str, str]]:
    """``("pupils", id)`` for a sub-record's register key, else ``None``."""
    collection, sep, rid = key.partition(":")
    return (collection, rid) if sep and collection in SUB_RECORDS else None


def register_value(key: str, value: Any, where: str, ctx: Context = LOCAL) -> Any:
    """Check a register's value in wire form; returns its canonical wire form."""
    if key in SCALAR_FIELDS:
        f = INCIDENT_FIELDS[key]
        return f.codec.dump(f.codec.strict(value, where, ctx))
    if key.startswith("evaluation."):
        return _LONG.strict(value, where, ctx)
    collection, _, rid = key.partition(":")
    item_codec = codec_of(SUB_RECORD_TYPES[collection])
    item = item_codec.strict(value, where, ctx)
    if item.id != rid:
        raise c.invalid(where, "id does not match")
    return item_codec.dump(item)


@record("incident")
@dataclass(frozen=True)
class Incident:
    id: str = field(metadata=wire(_UUID))
    created: datetime = field(metadata=wire(_STAMP))
    updated: datetime = field(metadata=wire(_STAMP))
    revision: int = field(metadata=wire(c.Integer(0, MAX_REVISION)))
    title: str = field(metadata=wire(_SHORT))
    type: str = field(metadata=wire(c.Text(choices=INCIDENT_TYPES)))
    reported_at: datetime = field(metadata=wire(_MOMENT))
    type_other: str = field(default="", metadata=wire(_SHORT))  # free text when type == "anders"
    reported_by: str = field(default="", metadata=wire(_SHORT))
    report_channel: str = field(default="", metadata=wire(_SHORT))
    pupils: tuple[Pupil, ...] = field(default=(), metadata=wire(c.Many(Pupil)))
    team: tuple[TeamMember, ...] = field(default=(), metadata=wire(c.Many(TeamMember)))
    ticks: tuple[TickEvent, ...] = field(default=(), metadata=wire(c.Many(TickEvent)))
    notes: tuple[Note, ...] = field(default=(), metadata=wire(c.Many(Note)))
    contacts: tuple[Contact, ...] = field(default=(), metadata=wire(c.Many(Contact)))
    follow_ups: tuple[FollowUp, ...] = field(default=(), metadata=wire(c.Many(FollowUp)))
    status_history: tuple[StatusChange, ...] = field(default=(), metadata=wire(c.Many(StatusChange)))
    evaluation: Mapping[str, str] = field(default_factory=dict, metadata=wire(c.Mapping(_QUESTION_KEY, _LONG)))
    # register key -> when it last changed / the latest stamp its writer had
    # seen; set by Journal.save and the merge
    field_updated: Mapping[str, datetime] = field(
        default_factory=dict, metadata=wire(c.Mapping(REGISTER_KEY, _STAMP))
    )
    field_base: Mapping[str, datetime] = field(
        default_factory=dict, metadata=wire(c.Mapping(REGISTER_KEY, _STAMP), omit_empty=True)
    )
    alternatives: Mapping[str, tuple[Alternative, ...]] = field(
        default_factory=dict, metadata=wire(_Alternatives(), omit_empty=True)
    )
    # register key -> who wrote the value shown (as they sign their entries)
    field_by: Mapping[str, str] = field(
        default_factory=dict, metadata=wire(c.Mapping(REGISTER_KEY, _SHORT), omit_empty=True)
    )
    deletions: tuple[DeletionEvent, ...] = field(default=(), metadata=wire(c.Many(DeletionEvent), omit_empty=True))

    def __post_init__(self) -> None:
        for name in SUB_RECORDS + LOGS + ("notes",):
            object.__setattr__(self, name, _tup(getattr(self, name)))
        for name in ("evaluation", "field_updated", "field_base", "alternatives", "field_by"):
            object.__setattr__(self, name, _ro(getattr(self, name)))

    # -- derived views ---------------------------------------------------------

    @property
    def status(self) -> str:
        return current_status(self.status_history)

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED_STATUS

    @property
    def closed_at(self) -> Optional[datetime]:
        """When the incident was (last) closed; ``None`` while it is open."""
        if not self.status_history:
            return None
        last = max(self.status_history, key=lambda s: (s.at, s.id))
        return last.at if last.status == CLOSED_STATUS else None

    @property
    def ticked(self) -> Mapping[str, TickEvent]:
        """Action id -> the event that ticked it, for the actions ticked now."""
        latest: dict[str, TickEvent] = {}
        for ev in sorted(self.ticks, key=lambda e: (e.at, e.id)):
            latest[ev.action_id] = ev
        return MappingProxyType({a: ev for a, ev in latest.items() if ev.ticked})

    def tick_history(self, action_id: str) -> tuple[TickEvent, ...]:
        return tuple(sorted((e for e in self.ticks if e.action_id == action_id), key=lambda e: (e.at, e.id)))

    @property
    def active_pupils(self) -> tuple[Pupil, ...]:
        return tuple(p for p in self.pupils if not p.removed)

    @property
    def active_team(self) -> tuple[TeamMember, ...]:
        return tuple(m for m in self.team if not m.removed)

    @property
    def active_contacts(self) -> tuple[Contact, ...]:
        return tuple(sorted((c for c in self.contacts if not c.removed), key=lambda c: (c.at, c.id)))

    @property
    def active_follow_ups(self) -> tuple[FollowUp, ...]:
        return tuple(sorted((f for f in self.follow_ups if not f.removed), key=lambda f: (f.due, f.id)))

    @property
    def timeline(self) -> tuple[Note, ...]:
        """Notes not deleted, oldest first."""
        return tuple(sorted((n for n in self.notes if not n.deleted), key=lambda n: (n.created_at, n.id)))

    def note(self, note_id: str) -> Note:
        for n in self.notes:
            if n.id == note_id:
                return n
        raise KeyError(note_id)

    @property
    def deleted(self) -> Optional[DeletionEvent]:
        """Who deleted this shared incident and when, while it is deleted (and
        restorable); ``None`` when it is not (never deleted, or restored)."""
        latest = max(self.deletions, key=lambda d: (d.at, d.id), default=None)
        return latest if latest is not None and not latest.restored else None

    def restorable_until(self) -> Optional[datetime]:
        """Until when a member can restore it (``None``: not deleted)."""
        deleted = self.deleted
        return None if deleted is None else deleted.at + RESTORE_PERIOD

    def register_stamp(self, key: str) -> Optional[datetime]:
        """When register ``key`` was last written (``None``: no such register)."""
        found = sub_record_key(key)
        if found is None:
            return self.field_updated.get(key, self.updated if key in SCALAR_FIELDS else None)
        collection, rid = found
        item = next((x for x in getattr(self, collection) if x.id == rid), None)
        return None if item is None else (item.updated or self.updated)

    def shown_value(self, key: str) -> Any:
        """The value register ``key`` shows, in wire form without its stamp."""
        if key in SCALAR_FIELDS:
            return INCIDENT_FIELDS[key].codec.dump(getattr(self, key))
        if key.startswith("evaluation."):
            return self.evaluation.get(key.partition(".")[2])
        collection, _, rid = key.partition(":")
        item = next((x for x in getattr(self, collection) if x.id == rid), None)
        return None if item is None else _unstamped(codec_of(type(item)).dump(item))

    @property
    def conflicts(self) -> tuple[str, ...]:
        """Register keys that hold another value than the one shown, and
        ``notes:<id>`` for notes edited in two places at once; empty when
        everything is settled."""
        keys = [
            key
            for key, alts in sorted(self.alternatives.items())
            if any(_unstamped(a.value) != self.shown_value(key) for a in alts)
        ]
        keys += [f"notes:{n.id}" for n in sorted(self.notes, key=lambda n: (n.created_at, n.id)) if len(n.heads) > 1]
        return tuple(keys)


def _unstamped(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "updated"}
    return value


INCIDENT_FIELDS = {f.key: f for f in codec_of(Incident).fields}
SUB_RECORD_TYPES = {"pupils": Pupil, "team": TeamMember, "contacts": Contact, "follow_ups": FollowUp}


def current_status(history: Iterable[StatusChange]) -> str:
    latest = max(history, key=lambda s: (s.at, s.id), default=None)
    return STATUSES[0] if latest is None else latest.status


@record("settings")
@dataclass(frozen=True)
class Settings:
    auto_lock_minutes: int = field(default=5, metadata=wire(c.Integer(1, 24 * 60)))
    retention_months: int = field(default=12, metadata=wire(c.Integer(1, 1200)))  # closed incidents older than this are offered for deletion
    updated: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP))
    author: str = field(default="", metadata=wire(_SHORT))  # how the user signs ticks, notes and status changes ("mentor 3B")


@record("policy")
@dataclass(frozen=True)
class PolicyItem:
    """The school's state of one policy question or prevention action: a
    register as a whole (``updated``/``base``; ``alternatives`` holds the
    versions that lost a conflict, in wire form, until someone chooses)."""

    id: str = field(metadata=wire(_ID))  # a content id (e.g. a prevention theme of step 7)
    status: str = field(default="", metadata=wire(c.Text(100)))
    notes: str = field(default="", metadata=wire(_LONG))
    owner: str = field(default="", metadata=wire(_SHORT))
    review_date: Optional[date] = field(default=None, metadata=wire(c.Maybe(c.Day())))
    updated: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP))
    base: Optional[datetime] = field(default=None, metadata=wire(_OPT_STAMP, omit_empty=True))
    alternatives: tuple[Alternative, ...] = field(default=(), metadata=wire(c.Many(Alternative, unique=False), omit_empty=True))

    def __post_init__(self) -> None:
        object.__setattr__(self, "alternatives", _tup(self.alternatives))


@record("tombstone")
@dataclass(frozen=True)
class Tombstone:
    """Only the id and time of a deleted incident: keeps an old backup from
    bringing it back.  Holds no content."""

    id: str = field(metadata=wire(_UUID))
    deleted_at: datetime = field(metadata=wire(_STAMP))
