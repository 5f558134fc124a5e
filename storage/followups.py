"""Which follow-up conversations need attention: overdue, due today, upcoming (pure).

"Today" is the calendar date in Europe/Amsterdam, whatever the zone of the
instant passed in or of the device: a follow-up at 23:30 Amsterdam time is
"today" until midnight in Amsterdam, also on the nights the clocks change.

All comparisons are made on instants converted to UTC.  Python compares two
datetimes that share a ``tzinfo`` object by their wall-clock time, ignoring
``fold``, which gets the repeated hour of the autumn DST switch wrong
(02:30 CEST and 02:30 CET would compare equal); converting first avoids that.

Only open incidents (status other than ``gesloten``) count; removed
follow-ups and follow-ups marked done are skipped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable, Union
from zoneinfo import ZoneInfo

from storage.incidents import FollowUp, Incident

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc


class FollowUpState(str, enum.Enum):
    OVERDUE = "overdue"  # due before now, not done
    TODAY = "today"  # due now or later on the current Amsterdam date
    UPCOMING = "upcoming"  # due on a later Amsterdam date


@dataclass(frozen=True)
class DueFollowUp:
    """A follow-up that is not done, with the incident it belongs to."""

    incident_id: str
    incident_title: str
    follow_up: FollowUp
    state: FollowUpState

    @property
    def due(self) -> datetime:
        return self.follow_up.due


@dataclass(frozen=True)
class FollowUpAgenda:
    """The pending follow-ups in three groups, each sorted by due time."""

    overdue: tuple[DueFollowUp, ...] = ()
    today: tuple[DueFollowUp, ...] = ()
    upcoming: tuple[DueFollowUp, ...] = ()

    @property
    def all(self) -> tuple[DueFollowUp, ...]:
        """Every pending follow-up, sorted by due time (overdue first)."""
        return self.overdue + self.today + self.upcoming

    @property
    def needs_attention(self) -> tuple[DueFollowUp, ...]:
        """Overdue and due today: what a badge or a reminder would count."""
        return self.overdue + self.today


def _utc(when: datetime, what: str) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return when.astimezone(UTC)


def amsterdam_date(when: datetime) -> date:
    """The calendar date in Amsterdam at the instant ``when`` (aware)."""
    return _utc(when, "time").astimezone(AMSTERDAM).date()


def follow_up_state(due: datetime, now: datetime) -> FollowUpState:
    """Overdue if ``due`` is before ``now``; today if on the same Amsterdam date; else upcoming."""
    due_utc, now_utc = _utc(due, "due"), _utc(now, "now")
    if due_utc < now_utc:
        return FollowUpState.OVERDUE
    if due_utc.astimezone(AMSTERDAM).date() == now_utc.astimezone(AMSTERDAM).date():
        return FollowUpState.TODAY
    return FollowUpState.UPCOMING


def pending_follow_ups(
    incidents: Union[Incident, Iterable[Incident]], now: datetime
) -> tuple[DueFollowUp, ...]:
    """Every follow-up not done and not removed, of open incidents, sorted by due time.

    Ties (the same instant) are ordered by incident id and follow-up id, so
    the order is stable between calls.
    """
    if isinstance(incidents, Incident):
        incidents = (incidents,)
    now_utc = _utc(now, "now")
    found = []
    for incident in incidents:
        if not incident.is_open:
            continue
        for follow_up in incident.follow_ups:
            if follow_up.removed or follow_up.done_at is not None:
                continue
            state = follow_up_state(follow_up.due, now_utc)
            found.append(DueFollowUp(incident.id, incident.title, follow_up, state))
    found.sort(key=lambda d: (_utc(d.due, "due"), d.incident_id, d.follow_up.id))
    return tuple(found)


def follow_up_agenda(incidents: Union[Incident, Iterable[Incident]], now: datetime) -> FollowUpAgenda:
    """The pending follow-ups of ``incidents`` (or one incident) grouped by state."""
    pending = pending_follow_ups(incidents, now)
    return FollowUpAgenda(
        overdue=tuple(d for d in pending if d.state is FollowUpState.OVERDUE),
        today=tuple(d for d in pending if d.state is FollowUpState.TODAY),
        upcoming=tuple(d for d in pending if d.state is FollowUpState.UPCOMING),
    )


__all__ = [
    "AMSTERDAM",
    "DueFollowUp",
    "FollowUpAgenda",
    "FollowUpState",
    "amsterdam_date",
    "follow_up_agenda",
    "follow_up_state",
    "pending_follow_ups",
]
