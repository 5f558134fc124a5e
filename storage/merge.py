"""How records change and how two versions of one record merge (pure functions).

Everything here works on records in wire form (the canonical dicts of
``storage.incidents``), so a merge compares exactly what is stored, and times
compare as their canonical strings (fixed width, UTC).

**Registers.**  Every value that can be overwritten -- a scalar field, one
evaluation answer, one sub-record (pupil, team member, contact, follow-up),
a policy item -- is a register.  A register holds one or more *entries*
``(value, at, base, by)``: ``at`` is when the value was written, ``base`` the
latest stamp its writer had seen in that register and ``by`` who wrote it
(carried along, never compared).  Entry ``x`` is
*superseded* by ``y`` when ``y.base >= x.at`` (whoever wrote ``y`` had seen
``x`` or something later).  Merging two registers keeps the entries of both
that nobody superseded; the latest of those (ties: the canonical JSON of the
value) is the value shown, the rest are kept as ``alternatives`` -- a
conflict the user settles.  Because ``base < at`` always holds, "superseded"
is transitive, so the merge is commutative, associative and idempotent: two
devices that exchange the same changes end in the same state, in any order.

Local edits stamp a register with ``at = max(now, the record's latest stamp +
1 µs)`` and ``base = the latest stamp in the register`` (a hybrid logical
clock): an edit made after taking in a colleague's change always supersedes
it, even if the colleague's clock was ahead.

**Logs** (ticks, status changes, deletions, note versions) are unions by id; an id that
comes with different content is refused (``MergeError``): entries are never
rewritten.  A note whose versions have two heads (each written without
having seen the other) is a conflict too, shown until someone writes a
version that builds on both.

**Deletion wins.**  A tombstone removes the incident whatever edits arrive
later (see ``storage.journal``); it holds no content.  A shared incident a
member deletes is first only marked deleted -- its ``deletions`` log, whose
latest event says deleted or restored -- and so merges like any other
change; the tombstone comes when the restore period is over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Literal, Optional

from storage.codec import time_to_str
from storage.errors import MergeError, ValidationError
from storage.incidents import LOGS, SCALAR_FIELDS, SUB_RECORDS, incident_from_trusted, sub_record_key
from storage.limits import EARLIEST

Side = Literal["local", "backup"]

#: The stamp of a value nobody stamped (policy items written before schema 2).
UNSTAMPED = time_to_str(EARLIEST)


@dataclass(frozen=True)
class Conflict:
    """A register that holds two values after a merge (both are kept)."""

    incident_id: str
    field: str  # a register key, or "notes:<id>"
    winner: Side  # whose value is shown until someone chooses


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # incident ids new to the journal
    updated: list[str] = field(default_factory=list)  # incident ids that changed
    unchanged: list[str] = field(default_factory=list)
    skipped_deleted: list[str] = field(default_factory=list)  # deleted here: deletion wins
    skipped_invalid: list[tuple[str, str]] = field(default_factory=list)  # (id, the field that failed)
    conflicts: list[Conflict] = field(default_factory=list)
    policy_added: list[str] = field(default_factory=list)
    policy_updated: list[str] = field(default_factory=list)
    policy_skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.policy_added or self.policy_updated)


def canon(value: Any) -> str:
    """Canonical JSON: equal values, equal strings (the deterministic tie-break)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# -- registers -------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    value: Any  # wire form
    at: str  # canonical time string
    base: Optional[str] = None
    by: str = ""  # who wrote it (not part of the order)

    def superseded_by(self, other: "Entry") -> bool:
        return other.base is not None and other.base >= self.at


def join(entries: Iterable[Entry]) -> list[Entry]:
    """The entries nobody superseded, the shown one first (latest; ties by value).

    The same write (value and time) seen with two bases counts once, with
    the later base (and, should two copies name different writers, the
    writer whose name sorts last: the same on every device).
    """
    by_write: dict[tuple[str, str], Entry] = {}
    for e in entries:
        key = (canon(e.value), e.at)
        seen = by_write.get(key)
        if seen is None or (e.base or "", e.by) > (seen.base or "", seen.by):
            by_write[key] = e
    unique = list(by_write.values())
    kept = [e for e in unique if not any(e.superseded_by(o) for o in unique)]
    kept.sort(key=lambda e: (e.at, canon(e.value)), reverse=True)
    return kept


def _alternatives(doc: dict, key: str) -> list[Entry]:
    return [Entry(a["value"], a["at"], a.get("base"), a.get("by", "")) for a in doc.get("alternatives", {}).get(key, ())]


def _entry_dicts(entries: list[Entry]) -> list[dict]:
    out = []
    for e in entries:
        d = {"value": e.value, "at": e.at}
        if e.base is not None:
            d["base"] = e.base
        if e.by:
            d["by"] = e.by
        out.append(d)
    return out


def _writer(doc: dict, key: str) -> str:
    return doc.get("field_by", {}).get(key, "")


def _register(doc: dict, key: str, value: Any) -> list[Entry]:
    """A scalar's or an answer's register in a normalised incident."""
    main = Entry(value, doc["field_updated"][key], doc.get("field_base", {}).get(key), _writer(doc, key))
    return [main] + _alternatives(doc, key)


def _settle(out: dict, key: str, kept: list[Entry]) -> Any:
    """Write the joined register ``key`` into ``out``'s bookkeeping; returns the
    shown value.  (A sub-record's ``at`` is its own ``updated``.)"""
    shown = kept[0]
    if sub_record_key(key) is None:
        out["field_updated"][key] = shown.at
    if shown.base is not None:
        out["field_base"][key] = shown.base
    if shown.by:
        out["field_by"][key] = shown.by
    if len(kept) > 1:
        out["alternatives"][key] = _entry_dicts(kept[1:])
    return shown.value


# -- normal form -------------------------------------------------------------------


def normalise(doc: dict) -> dict:
    """A copy with every register stamped (older files left stamps out: they
    mean the incident's ``updated``), sub-records in id order and logs in
    time order, so equal content is an equal dict."""
    d = dict(doc)
    updated = d["updated"]
    stamps = dict(d.get("field_updated", {}))
    for key in SCALAR_FIELDS:
        stamps.setdefault(key, updated)
    for q in d.get("evaluation", {}):
        stamps.setdefault(f"evaluation.{q}", updated)
    d["field_updated"] = stamps
    for name in SUB_RECORDS:
        d[name] = sorted(
            ({**x, "updated": x.get("updated") or updated} for x in d.get(name, ())), key=lambda x: x["id"]
        )
    for name in LOGS:
        d[name] = sorted(d.get(name, ()), key=lambda x: (x["at"], x["id"]))
    if not d["deletions"]:
        del d["deletions"]  # never deleted: the record as schema 2 wrote it
    d["notes"] = sorted(
        ({**n, "versions": sorted(n["versions"], key=lambda v: (v["at"], v["id"]))} for n in d.get("notes", ())),
        key=lambda n: (n["created_at"], n["id"]),
    )
    d.setdefault("evaluation", {})
    if not d.get("field_base"):
        d.pop("field_base", None)
    if not d.get("alternatives"):
        d.pop("alternatives", None)
    if not d.get("field_by"):
        d.pop("field_by", None)
    return d


def content_of(doc: dict) -> dict:
    """The incident without its local edit counter (what devices agree on)."""
    d = normalise(doc)
    del d["revision"]
    return d


# -- merging incidents ---------------------------------------------------------------


def _union_log(a: list[dict], b: list[dict], where: str) -> list[dict]:
    merged = {x["id"]: x for x in a}
    for x in b:
        have = merged.get(x["id"])
        if have is None:
            merged[x["id"]] = x
        elif have != x:
            raise MergeError(f"{where}:{x['id']}", "the same entry with different content")
    return sorted(merged.values(), key=lambda x: (x["at"], x["id"]))


def _union_notes(a: list[dict], b: list[dict]) -> list[dict]:
    merged = {n["id"]: n for n in a}
    for n in b:
        have = merged.get(n["id"])
        if have is None:
            merged[n["id"]] = n
        elif have != n:
            if have["created_at"] != n["created_at"]:
                raise MergeError(f"notes:{n['id']}", "the same note with different content")
            versions = _union_log(have["versions"], n["versions"], f"notes:{n['id']}")
            merged[n["id"]] = {**have, "versions": versions}
    return sorted(merged.values(), key=lambda n: (n["created_at"], n["id"]))


def merge_incident(local: dict, other: dict) -> dict:
    """The join of two versions of one incident (wire form, same id).

    Commutative, associative and idempotent on ``content_of``; the
    ``revision`` is ``local``'s (the journal sets a new one).  Raises
    ``MergeError`` when the two disagree on an append-only entry.
    """
    if local["id"] != other["id"]:
        raise ValueError("different incidents")
    a, b = normalise(local), normalise(other)
    out: dict = {
        "id": a["id"],
        "created": min(a["created"], b["created"]),
        "updated": max(a["updated"], b["updated"]),
        "revision": a["revision"],
        "field_updated": {},
        "field_base": {},
        "alternatives": {},
        "field_by": {},
    }
    for key in SCALAR_FIELDS:
        out[key] = _settle(out, key, join(_register(a, key, a[key]) + _register(b, key, b[key])))

    evaluation = {}
    for q in sorted(set(a["evaluation"]) | set(b["evaluation"])):
        key = f"evaluation.{q}"
        entries = [e for d in (a, b) if q in d["evaluation"] for e in _register(d, key, d["evaluation"][q])]
        evaluation[q] = _settle(out, key, join(entries))
    out["evaluation"] = evaluation

    for name in SUB_RECORDS:
        mine = {x["id"]: x for x in a[name]}
        theirs = {x["id"]: x for x in b[name]}
        items = []
        for rid in sorted(mine.keys() | theirs.keys()):
            key = f"{name}:{rid}"
            entries = [e for d, recs in ((a, mine), (b, theirs)) if rid in recs for e in _register_of(d, key, recs[rid])]
            items.append(_settle(out, key, join(entries)))
        out[name] = items

    for name in LOGS:
        out[name] = _union_log(_log(a, name), _log(b, name), name)
    out["notes"] = _union_notes(a["notes"], b["notes"])
    for name in ("field_base", "alternatives", "field_by", "deletions"):
        if not out[name]:
            del out[name]
    return out


def _log(doc: dict, name: str) -> list[dict]:
    """A log of a normalised incident (``deletions`` is left out while empty)."""
    return doc.get(name, [])


def _register_of(doc: dict, key: str, item: dict) -> list[Entry]:
    """A sub-record's register: its own ``updated`` is its stamp."""
    main = Entry(item, item["updated"], doc.get("field_base", {}).get(key), _writer(doc, key))
    return [main] + _alternatives(doc, key)


def conflicts_of(doc: dict) -> tuple[str, ...]:
    """The conflicts an incident holds (see ``Incident.conflicts``)."""
    return incident_from_trusted(doc).conflicts


def new_conflicts(incident_id: str, before: dict, other: dict, after: dict) -> list[Conflict]:
    """The conflicts ``after`` (``before`` merged with ``other``) has that
    ``before`` did not, each with whose value is shown."""
    had = set(conflicts_of(before))
    theirs, merged = incident_from_trusted(other), incident_from_trusted(after)
    out = []
    for key in merged.conflicts:
        if key in had:
            continue
        if key.startswith("notes:"):
            note_id = key.partition(":")[2]
            shown = merged.note(note_id).current.id
            other_shown = theirs.note(note_id).current.id  # a note new here cannot hold a new conflict
        else:
            shown, other_shown = merged.shown_value(key), theirs.shown_value(key)
        out.append(Conflict(incident_id, key, "backup" if other_shown == shown else "local"))
    return out


# -- local edits ----------------------------------------------------------------------


def next_stamp(now: datetime, latest: str) -> str:
    """The stamp of a local edit: ``now``, or just after the latest stamp the
    record holds if that is later (a colleague's clock ahead of ours)."""
    mine = time_to_str(now)
    if mine > latest:
        return mine
    return time_to_str(datetime.fromisoformat(latest) + timedelta(microseconds=1))


def _check_audit_trail(stored: dict, given: dict) -> None:
    for name in LOGS:
        have = {x["id"]: x for x in _log(given, name)}
        for x in _log(stored, name):
            if have.get(x["id"]) != x:
                raise ValidationError(f"incident.{name}", "history entries cannot be changed or removed")
    notes = {n["id"]: n for n in given["notes"]}
    for n in stored["notes"]:
        g = notes.get(n["id"])
        if g is None or g["created_at"] != n["created_at"]:
            raise ValidationError("incident.notes", "notes cannot be removed; use delete_note")
        versions = {v["id"]: v for v in g["versions"]}
        if any(versions.get(v["id"]) != v for v in n["versions"]):
            raise ValidationError("incident.notes.versions", "note versions cannot be changed or removed")


def _latest_of(entries: list[Entry]) -> str:
    return max(e.at for e in entries)


def stamp_edit(stored: Optional[dict], given: dict, now: datetime, by: str = "") -> Optional[dict]:
    """The incident as it will be stored after a local edit, or ``None`` when
    ``given`` changes nothing.

    ``stored`` is the version the edit was made on (``None``: a new
    incident); ``given`` the edited incident in wire form (already valid);
    ``by`` who makes the edit (as they sign their entries).
    The UI manages no stamps: they are taken from ``stored`` and set here
    for every register whose value -- or whose set of kept alternatives
    (settling a conflict) -- changed, together with who wrote it.  A
    sub-record dropped from a list is kept, marked removed, so a merge
    cannot bring it back.
    """
    if stored is None:
        return _stamp_new(given, time_to_str(now), by)
    s, g = normalise(stored), normalise(given)
    _check_audit_trail(s, g)
    tick = next_stamp(now, _latest_stamp(s))
    out = dict(g)
    out.update(
        created=s["created"],
        updated=s["updated"],
        revision=s["revision"],
        field_updated=dict(s["field_updated"]),
        field_base=dict(s.get("field_base", {})),
        alternatives={k: v for k, v in g.get("alternatives", {}).items() if k in s.get("alternatives", {})},
        field_by=dict(s.get("field_by", {})),
    )
    changed = False

    def touch(key: str, before: list[Entry]) -> None:
        nonlocal changed
        changed = True
        out["field_updated"][key] = tick
        if before:
            out["field_base"][key] = _latest_of(before)
        out["alternatives"].pop(key, None)
        if by:
            out["field_by"][key] = by
        else:
            out["field_by"].pop(key, None)

    for key in SCALAR_FIELDS:
        before = _register(s, key, s[key])
        if g[key] != s[key] or _alternatives(g, key) != _alternatives(s, key):
            touch(key, before)
    evaluation = dict(s["evaluation"])  # answers are cleared with "", not removed
    for q, text in g["evaluation"].items():
        key = f"evaluation.{q}"
        before = _register(s, key, s["evaluation"][q]) if q in s["evaluation"] else []
        if q not in s["evaluation"] or text != s["evaluation"][q] or _alternatives(g, key) != _alternatives(s, key):
            touch(key, before)
        evaluation[q] = text
    out["evaluation"] = evaluation
    for name in SUB_RECORDS:
        previous = {x["id"]: x for x in s[name]}
        items = []
        for x in g[name]:
            key = f"{name}:{x['id']}"
            prev = previous.pop(x["id"], None)
            bare = {**x, "updated": None}
            if prev is None or bare != {**prev, "updated": None} or _alternatives(g, key) != _alternatives(s, key):
                touch(key, _register_of(s, key, prev) if prev is not None else [])
                items.append({**x, "updated": tick})
            else:
                items.append(prev)
        for prev in previous.values():
            if prev["removed"]:
                items.append(prev)
            else:
                touch(f"{name}:{prev['id']}", _register_of(s, f"{name}:{prev['id']}", prev))
                items.append({**prev, "removed": True, "updated": tick})
        for x in items:
            out["field_updated"].pop(f"{name}:{x['id']}", None)  # a sub-record's stamp is its own
        out[name] = sorted(items, key=lambda x: x["id"])
    if any(_log(g, name) != _log(s, name) for name in LOGS) or g["notes"] != s["notes"]:
        changed = True  # a log grew (a tick, a note, a status change, a deletion)
    if not changed:
        return None
    out["updated"] = max(tick, _latest_log_stamp(g))
    out["revision"] = s["revision"] + 1
    for name in ("field_base", "alternatives", "field_by"):
        if not out[name]:
            del out[name]
    return normalise(out)


def _latest_stamp(d: dict) -> str:
    """The latest stamp anywhere in an incident (a record from elsewhere may
    hold one later than its own ``updated``)."""
    stamps = [d["updated"], _latest_log_stamp(d)]
    stamps += d["field_updated"].values()
    stamps += [x["updated"] for name in SUB_RECORDS for x in d[name]]
    stamps += [a["at"] for alts in d.get("alternatives", {}).values() for a in alts]
    return max(stamps)


def _latest_log_stamp(d: dict) -> str:
    stamps = [x["at"] for name in LOGS for x in _log(d, name)]
    stamps += [v["at"] for n in d["notes"] for v in n["versions"]]
    return max(stamps, default=d["updated"])


def _stamp_new(given: dict, now: str, by: str) -> dict:
    g = normalise(given)
    out = dict(g)
    stamps = {key: now for key in SCALAR_FIELDS}
    stamps.update({f"evaluation.{q}": now for q in g["evaluation"]})
    out.update(created=now, revision=1, field_updated=stamps)
    out.pop("field_base", None)
    out.pop("alternatives", None)
    out.pop("field_by", None)
    if by:
        keys = list(stamps) + [f"{name}:{x['id']}" for name in SUB_RECORDS for x in g[name]]
        out["field_by"] = {key: by for key in keys}
    for name in SUB_RECORDS:
        out[name] = [{**x, "updated": now} for x in g[name]]
    out["updated"] = max(now, _latest_log_stamp(g))
    return normalise(out)


# -- policy items --------------------------------------------------------------------


_POLICY_BOOKKEEPING = ("updated", "base", "alternatives")


def _policy_register(d: dict) -> list[Entry]:
    value = {k: v for k, v in d.items() if k not in _POLICY_BOOKKEEPING}
    main = Entry(value, d.get("updated") or UNSTAMPED, d.get("base"))
    return [main] + [Entry(a["value"], a["at"], a.get("base")) for a in d.get("alternatives", ())]


def _policy_from(kept: list[Entry]) -> dict:
    shown = kept[0]
    out = {**shown.value, "updated": shown.at}
    if shown.base is not None:
        out["base"] = shown.base
    if len(kept) > 1:
        out["alternatives"] = _entry_dicts(kept[1:])
    return out


def merge_policy(local: dict, other: dict) -> dict:
    """The join of two versions of a policy item (wire form, same id)."""
    return _policy_from(join(_policy_register(local) + _policy_register(other)))


def stamp_policy(stored: Optional[dict], given: dict, now: datetime) -> dict:
    """A policy item after a local edit: a new stamp that supersedes every
    version the item held (saving settles a conflict)."""
    if stored is None:
        value = {k: v for k, v in given.items() if k not in _POLICY_BOOKKEEPING}
        return {**value, "updated": time_to_str(now)}
    before = _policy_register(stored)
    latest = _latest_of(before)
    value = {k: v for k, v in given.items() if k not in _POLICY_BOOKKEEPING}
    return {**value, "updated": next_stamp(now, latest), "base": latest}


def policy_conflict(doc: dict) -> bool:
    """Whether a policy item holds another version that differs from the shown one."""
    shown = canon(_policy_register(doc)[0].value)
    return any(canon(a["value"]) != shown for a in doc.get("alternatives", ()))


__all__ = [
    "Conflict",
    "Entry",
    "ImportReport",
    "canon",
    "conflicts_of",
    "content_of",
    "join",
    "merge_incident",
    "merge_policy",
    "new_conflicts",
    "next_stamp",
    "normalise",
    "policy_conflict",
    "stamp_edit",
    "stamp_policy",
]
