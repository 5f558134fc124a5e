"""Making and "editing" records: each function returns a new object for ``Journal.save``."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Optional

from storage import codec as c
from storage.codec import codec_of
from storage.incidents.records import (
    INCIDENT_FIELDS,
    ONE_TICK,
    SCALAR_FIELDS,
    STATUSES,
    SUB_RECORD_TYPES,
    Alternative,
    Contact,
    DeletionEvent,
    FollowUp,
    Incident,
    Note,
    NoteVersion,
    PolicyItem,
    Pupil,
    StatusChange,
    TeamMember,
    TickEvent,
    aware,
    new_id,
)

# -- constructors and pure edits ------------------------------------------------



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
    now = aware(now)
    return Incident(
        id=new_id(),
        created=now,
        updated=now,
        revision=0,
        title=title,
        type=type,
        type_other=type_other,
        reported_at=aware(reported_at) if reported_at is not None else now,
        reported_by=reported_by,
        report_channel=report_channel,
        status_history=(StatusChange(new_id(), STATUSES[0], now, by),),
    )


def add_note(incident: Incident, text: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    at = aware(at)
    note = Note(new_id(), at, (NoteVersion(new_id(), at, text, by),))
    return dataclasses.replace(incident, notes=incident.notes + (note,))


def _replace_note(incident: Incident, note_id: str, text: str, by: str, at: datetime, deleted: bool) -> Incident:
    note = incident.note(note_id)
    # The new version builds on every current head (settling a conflict) and
    # is later than each of them, so it is "current" on every device.
    heads = note.heads
    latest = max(v.at for v in note.versions)
    version = NoteVersion(
        new_id(), max(at, latest + ONE_TICK), text, by, deleted=deleted, replaces=tuple(v.id for v in heads)
    )
    notes = tuple(dataclasses.replace(n, versions=n.versions + (version,)) if n.id == note_id else n for n in incident.notes)
    return dataclasses.replace(incident, notes=notes)


def edit_note(incident: Incident, note_id: str, text: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    """Record a new version of a note; earlier versions stay."""
    return _replace_note(incident, note_id, text, by, aware(at), deleted=False)


def delete_note(incident: Incident, note_id: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    """Hide a note from the timeline; its versions stay in the audit trail."""
    current = incident.note(note_id).current
    return _replace_note(incident, note_id, current.text, by, aware(at), deleted=True)


def set_ticked(
    incident: Incident, action_id: str, ticked: bool = True, *, by: str = "", at: Optional[datetime] = None
) -> Incident:
    """Tick (or untick) an action; both are recorded."""
    at = aware(at)
    history = incident.tick_history(action_id)
    if history and at <= history[-1].at:
        at = history[-1].at + ONE_TICK
    ev = TickEvent(new_id(), action_id, ticked, at, by)
    return dataclasses.replace(incident, ticks=incident.ticks + (ev,))


def set_status(incident: Incident, status: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    at = aware(at)
    if incident.status_history:
        last = max(s.at for s in incident.status_history)
        if at <= last:
            at = last + ONE_TICK
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


def _deletion_event(incident: Incident, by: str, at: datetime, restored: bool) -> Incident:
    """The incident with one more event in its deletion log, later than every
    event before it (so it is the latest on every device, whatever the clocks)."""
    at = aware(at)
    if incident.deletions:
        at = max(at, max(d.at for d in incident.deletions) + ONE_TICK)
    event = DeletionEvent(new_id(), at, by, restored)
    return dataclasses.replace(incident, deletions=incident.deletions + (event,))


def mark_deleted(incident: Incident, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    """A shared incident deleted by ``by``: kept, restorable by every member (``RESTORE_PERIOD``)."""
    return _deletion_event(incident, by, aware(at), restored=False)


def mark_restored(incident: Incident, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    """A deleted shared incident brought back by ``by``."""
    return _deletion_event(incident, by, aware(at), restored=True)


def set_evaluation(incident: Incident, question_id: str, text: str) -> Incident:
    evaluation = dict(incident.evaluation)
    evaluation[question_id] = text
    return dataclasses.replace(incident, evaluation=evaluation)


def settle(incident: Incident, key: str, choice: Optional[Alternative] = None) -> Incident:
    """Settle the conflict of register ``key``: keep the current value
    (``choice=None``) or one of its alternatives.  Saving the result records
    the choice as a new edit that every device takes over."""
    alternatives = dict(incident.alternatives)
    alternatives.pop(key, None)
    settled = dataclasses.replace(incident, alternatives=alternatives)
    if choice is None:
        return settled
    if key in SCALAR_FIELDS:
        f = INCIDENT_FIELDS[key]
        value = datetime.fromisoformat(choice.value) if isinstance(f.codec, c.Moment) else choice.value
        return dataclasses.replace(settled, **{key: value})
    if key.startswith("evaluation."):
        return set_evaluation(settled, key.partition(".")[2], choice.value)
    collection, _, _ = key.partition(":")
    item = codec_of(SUB_RECORD_TYPES[collection]).fast(choice.value)
    return dataclasses.replace(settled, **{collection: _upsert(getattr(settled, collection), item)})


def settle_note(incident: Incident, note_id: str, version_id: str, *, by: str = "", at: Optional[datetime] = None) -> Incident:
    """Settle a note edited in two places at once: keep version ``version_id``."""
    chosen = next(v for v in incident.note(note_id).versions if v.id == version_id)
    return _replace_note(incident, note_id, chosen.text, by, aware(at), deleted=chosen.deleted)


def settle_policy(item: PolicyItem, choice: Optional[Alternative] = None) -> PolicyItem:
    """Settle a policy item's conflict: keep it as it is, or take an alternative."""
    if choice is None:
        return dataclasses.replace(item, alternatives=())
    return dataclasses.replace(codec_of(PolicyItem).fast(choice.value), alternatives=())
