"""Words for times and help-line statuses, in the active language (pure, no UI).

Times are always shown in Europe/Amsterdam, whatever the device's zone, and
formatted by Babel for the active locale.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_date, format_time

from content.opening_hours import AMSTERDAM, State, Status
from screens import i18n
from screens.i18n import _


def _local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


def clock(moment: datetime) -> str:
    """'14:05'."""
    return format_time(_local(moment), "HH:mm", locale=i18n.language())


def day_phrase(moment: datetime, now: datetime) -> str:
    """'' (today), 'morgen', 'maandag' (this week) or 'maandag 31 augustus'."""
    day, today = _local(moment).date(), _local(now).date()
    if day == today:
        return ""
    if day == today + timedelta(days=1):
        return _("tomorrow")
    if today < day <= today + timedelta(days=6):
        return format_date(day, "EEEE", locale=i18n.language())
    return format_date(day, "EEEE d MMMM", locale=i18n.language())


def helpline_status(status: Status) -> str:
    """The status line of a help line; it always contains 'open' or 'closed' (or says why not)."""
    if status.state is State.ALWAYS:
        return _("Open day and night")
    if status.state is State.UNCERTAIN:
        return _("Opening hours uncertain — call anyway")
    if status.state is State.OPEN:
        if status.until is None:
            return _("Open now")
        day = day_phrase(status.until, status.at)
        if day:
            return _("Open now · until {day} {time}").format(day=day, time=clock(status.until))
        return _("Open now · until {time}").format(time=clock(status.until))
    # closed
    if status.opens is None:
        return _("Closed")
    day = day_phrase(status.opens, status.at)
    if day:
        text = _("Closed · opens {day} at {time}").format(day=day, time=clock(status.opens))
    else:
        text = _("Closed · opens at {time}").format(time=clock(status.opens))
    if not status.opens_certain:
        text = _("{status} (uncertain)").format(status=text)
    return text


def long_date(iso_date: str) -> str:
    """'24 november 2026' from '2026-11-24'."""
    return format_date(date.fromisoformat(iso_date), "d MMMM y", locale=i18n.language())
