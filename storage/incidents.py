"""The journal's content: incidents, settings and policy items.

Plain frozen dataclasses plus pure functions.  Collections are tuples and
mappings are read-only, so an object handed to the UI can be shared and
cached safely; "editing" returns a new object (``dataclasses.replace`` or the
helpers below), which is then passed to ``Journal.save``.

Times are timezone-aware ``datetime`` objects; on disk they are ISO 8601 in
UTC with a ``Z`` suffix.  Ids are UUID strings (``new_id()``).  Action ids
(``melder`` ...) and evaluation question ids come from ``content`` and are
stored as opaque strings, so the content can change without a migration.

Append-only parts (note versions, tick events, status changes) are the audit
trail: ``Journal.save`` refuses an incident in which a stored entry is missing
or altered.  Sub-records (pupils, team, contacts, follow-ups) and scalar
fields get their "last changed" stamps from ``Journal.save``; the UI does not
manage them.  They drive the import merge (``storage.merge``).

No field can hold an image or a file: only text, times and ids.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from storage.errors import ValidationError
from storage.vocabulary import ContactKind, IncidentType, PupilRole, Status

# -- vocabularies (declared in storage.vocabulary) --------------------------------

INCIDENT_TYPES = tuple(t.value for t in IncidentType)
PUPIL_ROLES = tuple(r.value for r in PupilRole)
CONTACT_KINDS = tuple(k.value for k in ContactKind)
STATUSES = tuple(s.value for s in Status)
CLOSED_STATUS = Status.CLOSED.value

# Scalar fields of an incident that the merge resolves field by field.
SCALAR_FIELDS = ("title", "type", "type_other", "reported_at", "reported_by", "report_channel")

SCHEMA_VERSION = 1  # of the documents inside the body (see FORMAT.md)

# Generous limits: they keep a hostile backup from exhausting memory, not users.
MAX_SHORT = 500
MAX_TEXT = 100_000
MAX_ITEMS = 10_000

UTC = timezone.utc


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def _ro(mapping: Optional[Mapping[str, Any]]) -> Mapping[str, Any]:
    if isinstance(mapping, MappingProxyType):
        return mapping
    return MappingProxyType(dict(mapping or {}))


def _tup(items: Optional[Iterable[Any]]) -> tuple:
    return items if isinstance(items, tuple) else tuple(items or ())


# -- records ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pupil:
    """A pupil involved, by role.  ``alias``: initials or a pseudonym, never a full name
    (the UI should say so); ``group``: class or group."""

    id: str
    role: str
    alias: str
    group: str = ""
    removed: bool = False
    updated: Optional[datetime] = None  # set by Journal.save


@dataclass(frozen=True)
class TeamMember:
    id: str
    role: str
    name: str
    removed: bool = False
    updated: Optional[datetime] = None


@dataclass(frozen=True)
class TickEvent:
    """An action ticked (``ticked=True``) or unticked; the log is append-only."""

    id: str
    action_id: str
    ticked: bool
    at: datetime
    by: str = ""


@dataclass(frozen=True)
class NoteVersion:
    id: str
    at: datetime
    text: str
    by: str = ""
    deleted: bool = False  # a "removal" is a version too; the history stays


@dataclass(frozen=True)
class Note:
    """A time-stamped note; editing appends a version, never replaces one."""

    id: str
    created_at: datetime
    versions: tuple[NoteVersion, ...]

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


@dataclass(frozen=True)
class Contact:
    """A contact made (or, for parents, deliberately not made yet).

    ``not_informed`` may only be set for ``kind == "ouders"`` and then needs a
    ``not_informed_reason``.
    """

    id: str
    kind: str
    at: datetime
    with_whom: str = ""
    summary: str = ""
    not_informed: bool = False
    not_informed_reason: str = ""
    removed: bool = False
    updated: Optional[datetime] = None


@dataclass(frozen=True)
class FollowUp:
    id: str
    due: datetime
    with_whom: str = ""
    what: str = ""
    done_at: Optional[datetime] = None
    removed: bool = False
    updated: Optional[datetime] = None


@dataclass(frozen=True)
class StatusChange:
    id: str
    status: str
    at: datetime
    by: str = ""


@dataclass(frozen=True)
class Incident:
    id: str
    created: datetime
    updated: datetime
    revision: int
    title: str
    type: str
    reported_at: datetime
    type_other: str = ""  # free text when type == "anders"
    reported_by: str = ""
    report_channel: str = ""
    pupils: tuple[Pupil, ...] = ()
    team: tuple[TeamMember, ...] = ()
    ticks: tuple[TickEvent, ...] = ()
    notes: tuple[Note, ...] = ()
    contacts: tuple[Contact, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    status_history: tuple[StatusChange, ...] = ()
    evaluation: Mapping[str, str] = field(default_factory=dict)
    # field name (or "evaluation.<question id>") -> when it last changed; set by Journal.save
    field_updated: Mapping[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("pupils", "team", "ticks", "notes", "contacts", "follow_ups", "status_history"):
            object.__setattr__(self, name, _tup(getattr(self, name)))
        object.__setattr__(self, "evaluation", _ro(self.evaluation))
        object.__setattr__(self, "field_updated", _ro(self.field_updated))

    # -- derived views ---------------------------------------------------------

    @property
    def status(self) -> str:
        if not self.status_history:
            return STATUSES[0]
        return max(self.status_history, key=lambda s: (s.at, s.id)).status

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


@dataclass(frozen=True)
class Settings:
    auto_lock_minutes: int = 5
    retention_months: int = 12  # closed incidents older than this are offered for deletion
    updated: Optional[datetime] = None
    author: str = ""  # how the user signs ticks, notes and status changes ("mentor 3B")


@dataclass(frozen=True)
class PolicyItem:
    """School-level policy check item (for a later issue): item id -> state."""

    id: str  # a content id (e.g. a prevention theme of step 7)
    status: str = ""
    notes: str = ""
    owner: str = ""
    review_date: Optional[date] = None
    updated: Optional[datetime] = None


# -- constructors and pure edits ------------------------------------------------


def _aware(when: Optional[datetime], now: Callable[[], datetime] = utcnow) -> datetime:
    """The moment in UTC.  Times typed in Amsterdam time are converted here:
    Python compares two datetimes of the same zone by wall clock, which is
    wrong across the October DST switch."""
    when = when if when is not None else now()
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError("time", "naive datetime")
    return when.astimezone(UTC)


def new_incident(
    title: str,
    type: str,
    *,
    reported_at: Optional[datetime] = None,
    type_other: str = "",
    reported_by: str = "",
    report_channel: str = "",
    by: str = "",
    now: Optional[datetime] = None,
) -> Incident:
    """A fresh incident in status ``acuut`` (revision 0 until first saved)."""
    now = _aware(now)
    return Incident(
        id=new_id(),
        created=now,
        updated=now,
        revision=0,
        title=title,
        type=type,
        type_other=type_other,
        reported_at=_aware(reported_at) if reported_at is not None else now,
        reported_by=reported_by,
        report_channel=report_channel,
        status_history=(StatusChange(new_id(), STATUSES[0], now, by),),
    )


def add_note(incident: Incident, text: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    at = _aware(at)
    note = Note(new_id(), at, (NoteVersion(new_id(), at, text, by),))
    return dataclasses.replace(incident, notes=incident.notes + (note,))


def _replace_note(incident: Incident, note_id: str, version: NoteVersion) -> Incident:
    notes = []
    found = False
    for n in incident.notes:
        if n.id == note_id:
            found = True
            if version.at < n.current.at:  # keep "current" = the version just added
                version = dataclasses.replace(version, at=n.current.at + timedelta(microseconds=1))
            n = dataclasses.replace(n, versions=n.versions + (version,))
        notes.append(n)
    if not found:
        raise KeyError(note_id)
    return dataclasses.replace(incident, notes=tuple(notes))


def edit_note(incident: Incident, note_id: str, text: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    """Record a new version of a note; earlier versions stay."""
    return _replace_note(incident, note_id, NoteVersion(new_id(), _aware(at), text, by))


def delete_note(incident: Incident, note_id: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    """Hide a note from the timeline; its versions stay in the audit trail."""
    current = incident.note(note_id).current
    return _replace_note(incident, note_id, NoteVersion(new_id(), _aware(at), current.text, by, deleted=True))


def set_ticked(
    incident: Incident, action_id: str, ticked: bool = True, *, by: str = "", at: Optional[datetime] = None
) -> Incident:
    """Tick (or untick) an action; both are recorded."""
    at = _aware(at)
    history = incident.tick_history(action_id)
    if history and at <= history[-1].at:
        at = history[-1].at + timedelta(microseconds=1)
    ev = TickEvent(new_id(), action_id, ticked, at, by)
    return dataclasses.replace(incident, ticks=incident.ticks + (ev,))


def set_status(incident: Incident, status: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    at = _aware(at)
    if incident.status_history:
        last = max(s.at for s in incident.status_history)
        if at <= last:
            at = last + timedelta(microseconds=1)
    change = StatusChange(new_id(), status, at, by)
    return dataclasses.replace(incident, status_history=incident.status_history + (change,))


def _upsert(items: tuple, item: Any) -> tuple:
    out = [item if x.id == item.id else x for x in items]
    if not any(x.id == item.id for x in items):
        out.append(item)
    return tuple(out)


def put_pupil(incident: Incident, pupil: Pupil) -> Incident:
    """Add or replace a pupil (by id); remove with ``dataclasses.replace(p, removed=True)``."""
    return dataclasses.replace(incident, pupils=_upsert(incident.pupils, pupil))


def put_team_member(incident: Incident, member: TeamMember) -> Incident:
    return dataclasses.replace(incident, team=_upsert(incident.team, member))


def put_contact(incident: Incident, contact: Contact) -> Incident:
    return dataclasses.replace(incident, contacts=_upsert(incident.contacts, contact))


def put_follow_up(incident: Incident, follow_up: FollowUp) -> Incident:
    return dataclasses.replace(incident, follow_ups=_upsert(incident.follow_ups, follow_up))


def set_evaluation(incident: Incident, question_id: str, text: str) -> Incident:
    evaluation = dict(incident.evaluation)
    evaluation[question_id] = text
    return dataclasses.replace(incident, evaluation=evaluation)


# -- queries (pure) ---------------------------------------------------------------


def filter_incidents(
    incidents: Iterable[Incident],
    *,
    statuses: Optional[Iterable[str]] = None,
    types: Optional[Iterable[str]] = None,
) -> list[Incident]:
    """Open incidents first, then by report time, newest first; optional filters."""
    st = set(statuses) if statuses is not None else None
    ty = set(types) if types is not None else None
    chosen = [
        i
        for i in incidents
        if (st is None or i.status in st) and (ty is None or i.type in ty)
    ]
    chosen.sort(key=lambda i: (i.reported_at, i.id), reverse=True)
    chosen.sort(key=lambda i: not i.is_open)  # stable: keeps the time order
    return chosen


def add_months(when: datetime, months: int) -> datetime:
    month0 = when.month - 1 + months
    year = when.year + month0 // 12
    month = month0 % 12 + 1
    # clamp the day (31 Jan + 1 month = 28/29 Feb)
    for day in (when.day, 30, 29, 28):
        try:
            return when.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError("unreachable")  # pragma: no cover


def past_retention(incidents: Iterable[Incident], retention_months: int, now: Optional[datetime] = None) -> list[Incident]:
    """Closed incidents whose closing is longer ago than the retention period."""
    now = _aware(now)
    out = []
    for i in incidents:
        closed = i.closed_at
        if closed is not None and add_months(closed, retention_months) <= now:
            out.append(i)
    out.sort(key=lambda i: (i.closed_at, i.id))
    return out


# -- (de)serialisation and validation -------------------------------------------------

_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def time_to_str(when: datetime) -> str:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError("time", "naive datetime")
    u = when.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def _time_from(value: Any, where: str) -> datetime:
    if not isinstance(value, str) or not _TIME_RE.match(value):
        raise ValidationError(where, "not an ISO 8601 time with zone")
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationError(where, "not a valid time") from None


def _opt_time_from(value: Any, where: str) -> Optional[datetime]:
    return None if value is None else _time_from(value, where)


def _opt_time_to(value: Optional[datetime]) -> Optional[str]:
    return None if value is None else time_to_str(value)


class _Doc:
    """Strict reader of one JSON object: every key known, every type right."""

    __slots__ = ("d", "where", "seen")

    def __init__(self, d: Any, where: str) -> None:
        if not isinstance(d, dict):
            raise ValidationError(where, "not an object")
        self.d = d
        self.where = where
        self.seen = 0

    def _get(self, key: str, required: bool) -> Any:
        if key in self.d:
            self.seen += 1
            return self.d[key]
        if required:
            raise ValidationError(f"{self.where}.{key}", "missing")
        return _MISSING

    def str(self, key: str, *, max_len: int = MAX_SHORT, required: bool = True, default: str = "") -> str:
        v = self._get(key, required)
        if v is _MISSING:
            return default
        if not isinstance(v, str) or len(v) > max_len:
            raise ValidationError(f"{self.where}.{key}", "not a string (or too long)")
        return v

    def id(self, key: str = "id") -> str:
        v = self.str(key, max_len=100)
        if not _ID_RE.match(v):
            raise ValidationError(f"{self.where}.{key}", "not an id")
        return v

    def choice(self, key: str, options: Sequence[str]) -> str:
        v = self.str(key)
        if v not in options:
            raise ValidationError(f"{self.where}.{key}", "unknown value")
        return v

    def bool(self, key: str, default: bool = False) -> bool:
        v = self._get(key, False)
        if v is _MISSING:
            return default
        if not isinstance(v, bool):
            raise ValidationError(f"{self.where}.{key}", "not a boolean")
        return v

    def int(self, key: str, lo: int, hi: int, default: Optional[int] = None) -> int:
        v = self._get(key, default is None)
        if v is _MISSING:
            return default  # type: ignore[return-value]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise ValidationError(f"{self.where}.{key}", "not an integer in range")
        return v

    def time(self, key: str) -> datetime:
        return _time_from(self._get(key, True), f"{self.where}.{key}")

    def opt_time(self, key: str) -> Optional[datetime]:
        v = self._get(key, False)
        return None if v is _MISSING else _opt_time_from(v, f"{self.where}.{key}")

    def list(self, key: str) -> list:
        v = self._get(key, False)
        if v is _MISSING:
            return []
        if not isinstance(v, list) or len(v) > MAX_ITEMS:
            raise ValidationError(f"{self.where}.{key}", "not a list (or too long)")
        return v

    def obj(self, key: str) -> dict:
        v = self._get(key, False)
        if v is _MISSING:
            return {}
        if not isinstance(v, dict) or len(v) > MAX_ITEMS:
            raise ValidationError(f"{self.where}.{key}", "not an object (or too large)")
        return v

    def done(self) -> None:
        if self.seen != len(self.d):
            raise ValidationError(self.where, "unknown field")


_MISSING = object()


def _unique(items: Sequence[Any], where: str) -> None:
    ids = [x.id for x in items]
    if len(set(ids)) != len(ids):
        raise ValidationError(where, "duplicate id")


# Sub-record codecs ------------------------------------------------------------


def _pupil_to(p: Pupil) -> dict:
    return {"id": p.id, "role": p.role, "alias": p.alias, "group": p.group, "removed": p.removed, "updated": _opt_time_to(p.updated)}


def _pupil_from(d: Any, where: str) -> Pupil:
    r = _Doc(d, where)
    p = Pupil(r.id(), r.choice("role", PUPIL_ROLES), r.str("alias"), r.str("group", required=False), r.bool("removed"), r.opt_time("updated"))
    r.done()
    return p


def _member_to(m: TeamMember) -> dict:
    return {"id": m.id, "role": m.role, "name": m.name, "removed": m.removed, "updated": _opt_time_to(m.updated)}


def _member_from(d: Any, where: str) -> TeamMember:
    r = _Doc(d, where)
    m = TeamMember(r.id(), r.str("role"), r.str("name"), r.bool("removed"), r.opt_time("updated"))
    r.done()
    return m


def _tick_to(t: TickEvent) -> dict:
    return {"id": t.id, "action": t.action_id, "ticked": t.ticked, "at": time_to_str(t.at), "by": t.by}


def _tick_from(d: Any, where: str) -> TickEvent:
    r = _Doc(d, where)
    action = r.str("action", max_len=100)
    if not action:
        raise ValidationError(f"{where}.action", "empty")
    t = TickEvent(r.id(), action, r.bool("ticked", True), r.time("at"), r.str("by", required=False))
    r.done()
    return t


def _version_to(v: NoteVersion) -> dict:
    d = {"id": v.id, "at": time_to_str(v.at), "text": v.text, "by": v.by}
    if v.deleted:
        d["deleted"] = True
    return d


def _version_from(d: Any, where: str) -> NoteVersion:
    r = _Doc(d, where)
    v = NoteVersion(r.id(), r.time("at"), r.str("text", max_len=MAX_TEXT), r.str("by", required=False), r.bool("deleted"))
    r.done()
    return v


def _note_to(n: Note) -> dict:
    return {"id": n.id, "created_at": time_to_str(n.created_at), "versions": [_version_to(v) for v in n.versions]}


def _note_from(d: Any, where: str) -> Note:
    r = _Doc(d, where)
    nid = r.id()
    created = r.time("created_at")
    versions = tuple(_version_from(x, f"{where}.versions[{k}]") for k, x in enumerate(r.list("versions")))
    r.done()
    if not versions:
        raise ValidationError(f"{where}.versions", "a note needs at least one version")
    _unique(versions, f"{where}.versions")
    return Note(nid, created, versions)


def _contact_to(c: Contact) -> dict:
    return {
        "id": c.id,
        "kind": c.kind,
        "at": time_to_str(c.at),
        "with_whom": c.with_whom,
        "summary": c.summary,
        "not_informed": c.not_informed,
        "not_informed_reason": c.not_informed_reason,
        "removed": c.removed,
        "updated": _opt_time_to(c.updated),
    }


def _contact_from(d: Any, where: str) -> Contact:
    r = _Doc(d, where)
    c = Contact(
        r.id(),
        r.choice("kind", CONTACT_KINDS),
        r.time("at"),
        r.str("with_whom", required=False),
        r.str("summary", max_len=MAX_TEXT, required=False),
        r.bool("not_informed"),
        r.str("not_informed_reason", max_len=MAX_TEXT, required=False),
        r.bool("removed"),
        r.opt_time("updated"),
    )
    r.done()
    return c


def _follow_up_to(f: FollowUp) -> dict:
    return {
        "id": f.id,
        "due": time_to_str(f.due),
        "with_whom": f.with_whom,
        "what": f.what,
        "done_at": _opt_time_to(f.done_at),
        "removed": f.removed,
        "updated": _opt_time_to(f.updated),
    }


def _follow_up_from(d: Any, where: str) -> FollowUp:
    r = _Doc(d, where)
    f = FollowUp(
        r.id(),
        r.time("due"),
        r.str("with_whom", required=False),
        r.str("what", max_len=MAX_TEXT, required=False),
        r.opt_time("done_at"),
        r.bool("removed"),
        r.opt_time("updated"),
    )
    r.done()
    return f


def _status_to(s: StatusChange) -> dict:
    return {"id": s.id, "status": s.status, "at": time_to_str(s.at), "by": s.by}


def _status_from(d: Any, where: str) -> StatusChange:
    r = _Doc(d, where)
    s = StatusChange(r.id(), r.choice("status", STATUSES), r.time("at"), r.str("by", required=False))
    r.done()
    return s


# Incident -----------------------------------------------------------------------


def incident_to_dict(i: Incident) -> dict:
    return {
        "id": i.id,
        "created": time_to_str(i.created),
        "updated": time_to_str(i.updated),
        "revision": i.revision,
        "title": i.title,
        "type": i.type,
        "type_other": i.type_other,
        "reported_at": time_to_str(i.reported_at),
        "reported_by": i.reported_by,
        "report_channel": i.report_channel,
        "pupils": [_pupil_to(p) for p in i.pupils],
        "team": [_member_to(m) for m in i.team],
        "ticks": [_tick_to(t) for t in i.ticks],
        "notes": [_note_to(n) for n in i.notes],
        "contacts": [_contact_to(c) for c in i.contacts],
        "follow_ups": [_follow_up_to(f) for f in i.follow_ups],
        "status_history": [_status_to(s) for s in i.status_history],
        "evaluation": dict(i.evaluation),
        "field_updated": {k: time_to_str(v) for k, v in i.field_updated.items()},
    }


def incident_from_dict(d: Any) -> Incident:
    """Strict: unknown keys, wrong types or invalid values raise ``ValidationError``."""
    r = _Doc(d, "incident")
    iid = r.str("id", max_len=36)
    _check_uuid(iid, "incident.id")

    def many(key: str, fn: Callable[[Any, str], Any]) -> tuple:
        return tuple(fn(x, f"incident.{key}[{k}]") for k, x in enumerate(r.list(key)))

    created = r.time("created")
    updated = r.time("updated")
    revision = r.int("revision", 0, 2**53)
    title = r.str("title")
    itype = r.choice("type", INCIDENT_TYPES)
    type_other = r.str("type_other", required=False)
    reported_at = r.time("reported_at")
    reported_by = r.str("reported_by", required=False)
    channel = r.str("report_channel", required=False)
    pupils = many("pupils", _pupil_from)
    team = many("team", _member_from)
    ticks = many("ticks", _tick_from)
    notes = many("notes", _note_from)
    contacts = many("contacts", _contact_from)
    follow_ups = many("follow_ups", _follow_up_from)
    history = many("status_history", _status_from)
    evaluation = {}
    for k, v in r.obj("evaluation").items():
        if not _ID_RE.match(k) or not isinstance(v, str) or len(v) > MAX_TEXT:
            raise ValidationError("incident.evaluation", "invalid answer")
        evaluation[k] = v
    field_updated = {}
    for k, v in r.obj("field_updated").items():
        if not isinstance(k, str) or len(k) > 120:
            raise ValidationError("incident.field_updated", "invalid key")
        field_updated[k] = _time_from(v, f"incident.field_updated.{k}")
    r.done()
    incident = Incident(
        id=iid,
        created=created,
        updated=updated,
        revision=revision,
        title=title,
        type=itype,
        type_other=type_other,
        reported_at=reported_at,
        reported_by=reported_by,
        report_channel=channel,
        pupils=pupils,
        team=team,
        ticks=ticks,
        notes=notes,
        contacts=contacts,
        follow_ups=follow_ups,
        status_history=history,
        evaluation=evaluation,
        field_updated=field_updated,
    )
    _check_rules(incident)
    return incident


def _check_uuid(value: str, where: str) -> None:
    try:
        ok = str(uuid.UUID(value)) == value
    except (ValueError, AttributeError, TypeError):
        ok = False
    if not ok:
        raise ValidationError(where, "not a lowercase UUID")


def _check_rules(i: Incident) -> None:
    for name in ("pupils", "team", "ticks", "notes", "contacts", "follow_ups", "status_history"):
        _unique(getattr(i, name), f"incident.{name}")
    for c in i.contacts:
        if c.not_informed and c.kind != "ouders":
            raise ValidationError("incident.contacts.not_informed", "only for parents")
        if c.not_informed and not c.not_informed_reason.strip():
            raise ValidationError("incident.contacts.not_informed_reason", "a reason is required")


def validate_incident(i: Incident) -> None:
    """Full check of an in-memory incident (types included), as on import."""
    if not isinstance(i, Incident):
        raise ValidationError("incident", "not an Incident")
    try:
        d = incident_to_dict(i)
    except ValidationError:
        raise
    except (AttributeError, TypeError, ValueError, OverflowError) as exc:
        raise ValidationError("incident", f"wrong type: {type(exc).__name__}") from None
    incident_from_dict(d)


# Settings, policy, tombstones ------------------------------------------------------


def settings_to_dict(s: Settings) -> dict:
    return {
        "auto_lock_minutes": s.auto_lock_minutes,
        "retention_months": s.retention_months,
        "updated": _opt_time_to(s.updated),
        "author": s.author,
    }


def settings_from_dict(d: Any) -> Settings:
    r = _Doc(d, "settings")
    s = Settings(
        r.int("auto_lock_minutes", 1, 24 * 60, 5),
        r.int("retention_months", 1, 1200, 12),
        r.opt_time("updated"),
        r.str("author", required=False),
    )
    r.done()
    return s


def validate_settings(s: Settings) -> None:
    if not isinstance(s, Settings):
        raise ValidationError("settings", "not Settings")
    try:
        d = settings_to_dict(s)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ValidationError("settings", type(exc).__name__) from None
    settings_from_dict(d)


def policy_to_dict(p: PolicyItem) -> dict:
    return {
        "id": p.id,
        "status": p.status,
        "notes": p.notes,
        "owner": p.owner,
        "review_date": None if p.review_date is None else p.review_date.isoformat(),
        "updated": _opt_time_to(p.updated),
    }


def policy_from_dict(d: Any) -> PolicyItem:
    r = _Doc(d, "policy")
    pid = r.id()
    status = r.str("status", max_len=100, required=False)
    notes = r.str("notes", max_len=MAX_TEXT, required=False)
    owner = r.str("owner", required=False)
    raw_date = r._get("review_date", False)
    review: Optional[date] = None
    if raw_date is not _MISSING and raw_date is not None:
        if not isinstance(raw_date, str) or not _DATE_RE.match(raw_date):
            raise ValidationError("policy.review_date", "not an ISO date")
        try:
            review = date.fromisoformat(raw_date)
        except ValueError:
            raise ValidationError("policy.review_date", "not a valid date") from None
    updated = r.opt_time("updated")
    r.done()
    return PolicyItem(pid, status, notes, owner, review, updated)


def validate_policy(p: PolicyItem) -> None:
    if not isinstance(p, PolicyItem):
        raise ValidationError("policy", "not a PolicyItem")
    try:
        d = policy_to_dict(p)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ValidationError("policy", type(exc).__name__) from None
    policy_from_dict(d)


@dataclass(frozen=True)
class Tombstone:
    """Only the id and time of a deleted incident: keeps an old backup from
    bringing it back.  Holds no content."""

    id: str
    deleted_at: datetime


def tombstone_to_dict(t: Tombstone) -> dict:
    return {"id": t.id, "deleted_at": time_to_str(t.deleted_at)}


def tombstone_from_dict(d: Any) -> Tombstone:
    r = _Doc(d, "tombstone")
    tid = r.str("id", max_len=36)
    _check_uuid(tid, "tombstone.id")
    t = Tombstone(tid, r.time("deleted_at"))
    r.done()
    return t


__all__ = [
    "CLOSED_STATUS",
    "CONTACT_KINDS",
    "Contact",
    "FollowUp",
    "INCIDENT_TYPES",
    "Incident",
    "Note",
    "NoteVersion",
    "PUPIL_ROLES",
    "PolicyItem",
    "Pupil",
    "STATUSES",
    "Settings",
    "StatusChange",
    "TeamMember",
    "TickEvent",
    "Tombstone",
    "add_months",
    "add_note",
    "delete_note",
    "edit_note",
    "filter_incidents",
    "incident_from_dict",
    "incident_to_dict",
    "new_id",
    "new_incident",
    "past_retention",
    "put_contact",
    "put_follow_up",
    "put_pupil",
    "put_team_member",
    "set_evaluation",
    "set_status",
    "set_ticked",
    "utcnow",
    "validate_incident",
]


# -- fast path for the journal's own (authenticated, validated-on-save) records ----

_fromiso = datetime.fromisoformat


def _t(value: str) -> datetime:
    return _fromiso(value)


def _ot(value: Optional[str]) -> Optional[datetime]:
    return None if value is None else _fromiso(value)


def incident_from_trusted(d: dict) -> Incident:
    """Build an incident from a record this journal wrote itself.

    Every stored incident passed ``validate_incident`` when it was saved or
    imported and the file is authenticated, so unlock skips the per-field
    checks (they cost ~3x more).  Raises ``KeyError``/``TypeError``/
    ``ValueError`` if the record is not what we write (the caller reports a
    damaged file).
    """
    notes = tuple(
        Note(
            n["id"],
            _t(n["created_at"]),
            tuple(
                NoteVersion(v["id"], _t(v["at"]), v["text"], v["by"], v.get("deleted", False))
                for v in n["versions"]
            ),
        )
        for n in d["notes"]
    )
    return Incident(
        id=d["id"],
        created=_t(d["created"]),
        updated=_t(d["updated"]),
        revision=d["revision"],
        title=d["title"],
        type=d["type"],
        type_other=d["type_other"],
        reported_at=_t(d["reported_at"]),
        reported_by=d["reported_by"],
        report_channel=d["report_channel"],
        pupils=tuple(
            Pupil(p["id"], p["role"], p["alias"], p["group"], p["removed"], _ot(p["updated"])) for p in d["pupils"]
        ),
        team=tuple(TeamMember(m["id"], m["role"], m["name"], m["removed"], _ot(m["updated"])) for m in d["team"]),
        ticks=tuple(TickEvent(t["id"], t["action"], t["ticked"], _t(t["at"]), t["by"]) for t in d["ticks"]),
        notes=notes,
        contacts=tuple(
            Contact(
                c["id"],
                c["kind"],
                _t(c["at"]),
                c["with_whom"],
                c["summary"],
                c["not_informed"],
                c["not_informed_reason"],
                c["removed"],
                _ot(c["updated"]),
            )
            for c in d["contacts"]
        ),
        follow_ups=tuple(
            FollowUp(f["id"], _t(f["due"]), f["with_whom"], f["what"], _ot(f["done_at"]), f["removed"], _ot(f["updated"]))
            for f in d["follow_ups"]
        ),
        status_history=tuple(StatusChange(s["id"], s["status"], _t(s["at"]), s["by"]) for s in d["status_history"]),
        evaluation=d["evaluation"],
        field_updated={k: _t(v) for k, v in d["field_updated"].items()},
    )
