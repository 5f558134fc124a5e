"""Merging an imported incident into the local one (pure functions).

Rules (see also FORMAT.md, "Import"):

* Scalars (title, type, type_other, reported_at, reported_by,
  report_channel, each evaluation answer): the side whose value changed
  later wins.  "Later" is the field's own stamp in ``field_updated``
  (set by ``Journal.save``), falling back to the incident's ``updated``;
  so when every field changed together this is exactly "the side with the
  later ``updated`` wins", and an older edit never overwrites a newer one.
* Pupils, team, contacts, follow-ups: union by id; the same id with
  different content -> the record with the later ``updated`` stamp wins.
* Notes: union by note id and, inside a note, union of versions by version
  id, so no version is ever lost.  Tick events and status changes
  (append-only logs): union by id.
* ``created`` = the earlier, ``updated`` = the later, ``revision`` = the
  higher of both (the journal bumps it when the merge changed anything).
* Ties are broken on the canonical JSON of the values, so the result does
  not depend on which side is "local": merging is idempotent and
  commutative up to the order of list items.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Literal, Optional, Sequence

from storage.incidents import (
    SCALAR_FIELDS,
    Incident,
    Note,
    incident_to_dict,
    time_to_str,
)

Side = Literal["local", "backup"]


@dataclass(frozen=True)
class Conflict:
    """One value that differed between the journal and the backup."""

    incident_id: str
    field: str  # a scalar name, "evaluation.<question>", or "<collection>:<record id>"
    winner: Side


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # incident ids new to the journal
    updated: list[str] = field(default_factory=list)  # incident ids that changed
    unchanged: list[str] = field(default_factory=list)
    skipped_deleted: list[str] = field(default_factory=list)  # deleted here after the backup's last change
    conflicts: list[Conflict] = field(default_factory=list)
    policy_added: list[str] = field(default_factory=list)
    policy_updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.policy_added or self.policy_updated)


def _canon(value: Any) -> str:
    if isinstance(value, datetime):
        return time_to_str(value)
    if dataclasses.is_dataclass(value):
        value = {
            k: (time_to_str(v) if isinstance(v, datetime) else v)
            for k, v in dataclasses.asdict(value).items()
        }
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _pick(
    local: Any, local_t: datetime, backup: Any, backup_t: datetime
) -> tuple[Any, Side]:
    """The winning value; ties broken on the canonical form (deterministic)."""
    if local_t != backup_t:
        return (local, "local") if local_t > backup_t else (backup, "backup")
    return (local, "local") if _canon(local) >= _canon(backup) else (backup, "backup")


def _union(
    local: Sequence[Any],
    backup: Sequence[Any],
    resolve: Callable[[Any, Any], tuple[Any, Optional[Side]]],
    label: str,
    conflicts: list[tuple[str, Side]],
) -> tuple:
    """Union by ``.id``; keeps local order, then the backup's new items."""
    theirs = {x.id: x for x in backup}
    out = []
    seen = set()
    for x in local:
        seen.add(x.id)
        other = theirs.get(x.id)
        if other is None or other == x:
            out.append(x)
            continue
        merged, winner = resolve(x, other)
        if winner is not None:
            conflicts.append((f"{label}:{x.id}", winner))
        out.append(merged)
    out.extend(x for x in backup if x.id not in seen)
    return tuple(out)


def _merge_note(a: Note, b: Note) -> tuple[Note, Optional[Side]]:
    """Union of versions; the note is never shortened."""
    conflicts: list[tuple[str, Side]] = []
    versions = _union(a.versions, b.versions, _resolve_by_canon, "version", conflicts)
    created = min(a.created_at, b.created_at)
    winner: Optional[Side] = conflicts[0][1] if conflicts else None
    return Note(a.id, created, versions), winner


def _resolve_by_canon(a: Any, b: Any) -> tuple[Any, Optional[Side]]:
    # Same id, different content: only possible for hand-edited data; pick deterministically.
    return (a, "local") if _canon(a) >= _canon(b) else (b, "backup")


def _resolve_stamped(a_fallback: datetime, b_fallback: datetime):
    def resolve(a: Any, b: Any) -> tuple[Any, Optional[Side]]:
        ta = a.updated or a_fallback
        tb = b.updated or b_fallback
        return _pick(a, ta, b, tb)

    return resolve


def content_key(i: Incident) -> str:
    """The incident's content without bookkeeping (revision, stamps)."""
    d = incident_to_dict(i)
    for k in ("revision", "updated", "field_updated"):
        d.pop(k)
    return json.dumps(d, sort_keys=True, ensure_ascii=False)


def merge_incident(local: Incident, backup: Incident) -> tuple[Incident, list[Conflict]]:
    """Merge ``backup`` into ``local`` (same id).

    Returns the merged incident (``local`` itself when the backup changes
    nothing) and the differing values that were resolved, with their winner.
    """
    assert local.id == backup.id
    raw: list[tuple[str, Side]] = []
    changes: dict[str, Any] = {}
    stamps = dict(local.field_updated)

    def stamp(i: Incident, name: str) -> datetime:
        return i.field_updated.get(name, i.updated)

    for name in SCALAR_FIELDS:
        a, b = getattr(local, name), getattr(backup, name)
        ta, tb = stamp(local, name), stamp(backup, name)
        if a != b:
            value, winner = _pick(a, ta, b, tb)
            raw.append((name, winner))
            changes[name] = value
        if name in backup.field_updated or name in local.field_updated:
            stamps[name] = max(ta, tb)

    evaluation = dict(local.evaluation)
    for qid, b in backup.evaluation.items():
        key = f"evaluation.{qid}"
        tb = stamp(backup, key)
        if qid not in evaluation:
            evaluation[qid] = b
            stamps[key] = tb
            continue
        a = evaluation[qid]
        ta = stamp(local, key)
        if a != b:
            value, winner = _pick(a, ta, b, tb)
            raw.append((key, winner))
            evaluation[qid] = value
        if key in backup.field_updated or key in local.field_updated:
            stamps[key] = max(ta, tb)
    for key, tb in backup.field_updated.items():
        if key not in stamps or stamps[key] < tb:
            stamps[key] = tb
    changes["evaluation"] = evaluation

    stamped = _resolve_stamped(local.updated, backup.updated)
    for name in ("pupils", "team", "contacts", "follow_ups"):
        changes[name] = _union(getattr(local, name), getattr(backup, name), stamped, name, raw)
    for name in ("ticks", "status_history"):
        changes[name] = _union(getattr(local, name), getattr(backup, name), _resolve_by_canon, name, raw)
    changes["notes"] = _union(local.notes, backup.notes, _merge_note, "notes", raw)

    merged = dataclasses.replace(
        local,
        created=min(local.created, backup.created),
        updated=max(local.updated, backup.updated),
        revision=max(local.revision, backup.revision),
        field_updated=stamps,
        **changes,
    )
    conflicts = [Conflict(local.id, f, w) for f, w in raw]
    if content_key(merged) == content_key(local):
        return local, conflicts
    return merged, conflicts


__all__ = ["Conflict", "ImportReport", "content_key", "merge_incident"]
