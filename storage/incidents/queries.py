"""Questions asked of a list of incidents (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional

from storage.incidents.records import Incident, aware

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
    return sort_incidents(chosen)


def sort_incidents(incidents: Iterable[Incident]) -> list[Incident]:
    """Open incidents first, then by report time, newest first."""
    chosen = list(incidents)
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
    now = aware(now)
    out = []
    for i in incidents:
        closed = i.closed_at
        if closed is not None and add_months(closed, retention_months) <= now:
            out.append(i)
    out.sort(key=lambda i: (i.closed_at, i.id))
    return out
