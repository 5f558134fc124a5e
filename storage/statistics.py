"""From incident to policy: counts, durations and earlier incidents of the same type (pure).

Months are calendar months in Europe/Amsterdam: an incident reported at
00:30 on 1 March Amsterdam time (23:30 UTC on 28 February) counts for March.
Durations are differences between instants (``closed_at - reported_at``),
so a closure across a DST switch is not off by an hour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Iterable, Mapping, Optional
from zoneinfo import ZoneInfo

from storage.incidents import INCIDENT_TYPES, Incident

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc

LESSONS_QUESTION = "evaluatie-incident-6"  # "Welke lessen trekken we hieruit voor toekomstige incidenten?"


def _aware(when: datetime, what: str) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return when


def _utc(when: datetime) -> datetime:
    """For comparing and sorting: times sharing a tzinfo compare by wall clock in Python."""
    return _aware(when, "time").astimezone(UTC)


def _month_of(when: datetime) -> tuple[int, int]:
    local = _aware(when, "time").astimezone(UTC).astimezone(AMSTERDAM)
    return local.year, local.month


# -- per type -------------------------------------------------------------------------


def count_by_type(incidents: Iterable[Incident]) -> Mapping[str, int]:
    """Incident type -> number of incidents, every known type included (0 if none), in
    the order of ``INCIDENT_TYPES``; a type the journal does not know comes last."""
    counts = {t: 0 for t in INCIDENT_TYPES}
    for i in incidents:
        counts[i.type] = counts.get(i.type, 0) + 1
    return MappingProxyType(counts)


# -- per month --------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int  # 1..12
    count: int

    @property
    def key(self) -> str:
        """'2026-03'."""
        return f"{self.year:04d}-{self.month:02d}"


def count_by_month(incidents: Iterable[Incident], now: datetime, months: int = 12) -> tuple[MonthCount, ...]:
    """Incidents per Amsterdam month of ``reported_at`` for the last ``months`` months,
    the current month included, oldest first; months without incidents count 0.
    Incidents outside the window (older, or reported "in the future") are left out."""
    if months < 1:
        raise ValueError("months must be at least 1")
    year, month = _month_of(now)
    window = []
    for _ in range(months):
        window.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    window.reverse()
    counts = dict.fromkeys(window, 0)
    for i in incidents:
        key = _month_of(i.reported_at)
        if key in counts:
            counts[key] += 1
    return tuple(MonthCount(y, m, c) for (y, m), c in counts.items())


# -- time to closure --------------------------------------------------------------------


@dataclass(frozen=True)
class ClosureTime:
    incident_id: str
    title: str
    type: str
    reported_at: datetime
    closed_at: datetime

    @property
    def duration(self) -> timedelta:
        """From the report to the (last) closure; negative only if the report time was
        entered after the closure."""
        # in UTC: Python subtracts two times that share a tzinfo by wall clock,
        # which would lose (or add) the hour of a DST switch
        return self.closed_at.astimezone(UTC) - self.reported_at.astimezone(UTC)


def closure_times(incidents: Iterable[Incident]) -> tuple[ClosureTime, ...]:
    """For each closed incident, the time from report to closure; most recently closed first."""
    found = [
        ClosureTime(i.id, i.title, i.type, i.reported_at, i.closed_at)
        for i in incidents
        if i.closed_at is not None
    ]
    found.sort(key=lambda c: (_utc(c.closed_at), c.incident_id), reverse=True)
    return tuple(found)


def median_duration(durations: Iterable[timedelta]) -> Optional[timedelta]:
    """The median (the mean of the middle two for an even count); ``None`` if empty."""
    values = sorted(durations)
    if not values:
        return None
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return values[mid - 1] + (values[mid] - values[mid - 1]) / 2


def median_closure_time(incidents: Iterable[Incident]) -> Optional[timedelta]:
    """Median time from report to closure over the closed incidents; ``None`` if none is closed."""
    return median_duration(c.duration for c in closure_times(incidents))


# -- earlier incidents of the same type ---------------------------------------------------


def _question_order(question_id: str) -> tuple:
    """Natural order: 'evaluatie-incident-2' before 'evaluatie-incident-10'."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", question_id))


@dataclass(frozen=True)
class EarlierIncident:
    """What an earlier incident of the same type teaches: what was done and what was learned.

    ``done``: the action ids ticked now, in the order they were ticked.
    ``lessons``: the answer to ``evaluatie-incident-6`` (stripped; '' if none).
    ``answers``: the other non-empty evaluation answers as (question id, answer),
    in question order.
    """

    incident_id: str
    title: str
    type: str
    type_other: str
    reported_at: datetime
    status: str
    closed_at: Optional[datetime]
    done: tuple[str, ...]
    lessons: str
    answers: tuple[tuple[str, str], ...]

    @property
    def answers_map(self) -> Mapping[str, str]:
        return MappingProxyType(dict(self.answers))


def lessons_of(incident: Incident) -> EarlierIncident:
    """The summary of one incident as ``EarlierIncident``."""
    ticked = sorted(incident.ticked.values(), key=lambda ev: (_utc(ev.at), ev.id))
    answers = tuple(
        (qid, text.strip())
        for qid, text in sorted(incident.evaluation.items(), key=lambda kv: _question_order(kv[0]))
        if qid != LESSONS_QUESTION and text.strip()
    )
    return EarlierIncident(
        incident_id=incident.id,
        title=incident.title,
        type=incident.type,
        type_other=incident.type_other,
        reported_at=incident.reported_at,
        status=incident.status,
        closed_at=incident.closed_at,
        done=tuple(ev.action_id for ev in ticked),
        lessons=incident.evaluation.get(LESSONS_QUESTION, "").strip(),
        answers=answers,
    )


def earlier_of_same_type(
    incident: Incident, incidents: Iterable[Incident], *, limit: Optional[int] = None
) -> tuple[EarlierIncident, ...]:
    """Incidents of the same type reported before (or at the same time as) ``incident``,
    itself excluded, newest first, each with what was done and what was learned.

    "Earlier" is by ``reported_at``: looking back from an old incident does not
    show the ones that came after it.
    """
    reported = _utc(incident.reported_at)
    found = [
        i
        for i in incidents
        if i.id != incident.id and i.type == incident.type and _utc(i.reported_at) <= reported
    ]
    found.sort(key=lambda i: (_utc(i.reported_at), i.id), reverse=True)
    if limit is not None:
        found = found[:limit]
    return tuple(lessons_of(i) for i in found)


__all__ = [
    "ClosureTime",
    "EarlierIncident",
    "LESSONS_QUESTION",
    "MonthCount",
    "closure_times",
    "count_by_month",
    "count_by_type",
    "earlier_of_same_type",
    "lessons_of",
    "median_closure_time",
    "median_duration",
]
