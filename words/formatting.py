"""Words for times and help-line statuses, in the active language (pure, no UI).

Times are always shown in Europe/Amsterdam, whatever the device's zone, and
formatted by Babel for the active locale.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from babel.dates import format_date, format_time, format_timedelta

from content.opening_hours import AMSTERDAM, State, Status
from words import i18n
from words.i18n import _


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


def contact_status(status: Status) -> str:
    """The status line of one of the school's own people (hours given in the school profile)."""
    if status.state is State.ALWAYS:
        return _("Reachable day and night")
    if status.state is State.UNCERTAIN:
        return _("Reachability uncertain — call anyway")
    if status.state is State.OPEN:
        if status.until is None:
            return _("Reachable now")
        day = day_phrase(status.until, status.at)
        if day:
            return _("Reachable now · until {day} {time}").format(day=day, time=clock(status.until))
        return _("Reachable now · until {time}").format(time=clock(status.until))
    if status.opens is None:
        return _("Not reachable now")
    day = day_phrase(status.opens, status.at)
    if day:
        text = _("Not reachable now · again {day} at {time}").format(day=day, time=clock(status.opens))
    else:
        text = _("Not reachable now · again at {time}").format(time=clock(status.opens))
    if not status.opens_certain:
        text = _("{status} (uncertain)").format(status=text)
    return text


def long_date(iso_date: str) -> str:
    """'24 november 2026' from '2026-11-24'."""
    return format_date(date.fromisoformat(iso_date), "d MMMM y", locale=i18n.language())


def moment(when: datetime, now: datetime) -> str:
    """'vandaag om 14:05', 'gisteren om 09:10', 'morgen om 11:00', or 'di 3 nov. 2026 om 14:05'."""
    day, today = _local(when).date(), _local(now).date()
    time_text = clock(when)
    if day == today:
        return _("today at {time}").format(time=time_text)
    if day == today - timedelta(days=1):
        return _("yesterday at {time}").format(time=time_text)
    if day == today + timedelta(days=1):
        return _("tomorrow at {time}").format(time=time_text)
    return _("{date} at {time}").format(
        date=format_date(day, "EEE d MMM y", locale=i18n.language()), time=time_text
    )


def relative(when: datetime, now: datetime) -> str:
    """'over 2 uur' / '3 dagen geleden' ('in 2 hours' / '3 days ago')."""
    return format_timedelta(when - now, add_direction=True, threshold=1.5, locale=i18n.language())


def date_field_text(when: datetime) -> str:
    """The date as the date field shows and reads it: '24-11-2026'."""
    return _local(when).strftime("%d-%m-%Y")


def time_field_text(when: datetime) -> str:
    return _local(when).strftime("%H:%M")


def parse_local(date_text: str, time_text: str) -> datetime:
    """'24-11-2026' and '14:05' (Amsterdam time) -> an aware datetime.

    Accepts '-', '/' or '.' between day, month and year, a two-digit year, and
    '.' between hours and minutes.  Raises ValueError with no partial result.
    """
    found_date = re.fullmatch(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\s*", date_text)
    found_time = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", time_text)
    if not found_date or not found_time:
        raise ValueError("unreadable date or time")
    day, month, year = (int(x) for x in found_date.groups())
    if year < 100:
        year += 2000
    hour, minute = (int(x) for x in found_time.groups())
    local = datetime(year, month, day, hour, minute)  # ValueError on 31-02 or 25:00
    return local.replace(tzinfo=AMSTERDAM)
