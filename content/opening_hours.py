"""Is a help line open right now?  Pure rules, no UI and no I/O.

Everything is decided in Dutch time (``Europe/Amsterdam``), whatever zone
the instant is given in: a Chromebook set to UTC or a teacher abroad gets the
same answer as a phone in Utrecht.  Naive datetimes are rejected.

The answer is a :class:`Status`:

``always``     the line is open day and night (``Hours.kind == "always"``);
``open``       open now, certainly; ``until`` is when the line closes (if the
               next opening starts exactly then, ``until`` runs on through it);
``uncertain``  the data does not settle whether the line is open now (an
               opening rule or a closure marked ``certain: false``).  The UI
               says "call anyway", never "closed": a wrong "closed" can stop a
               child from calling;
``closed``     certainly closed now; ``opens`` is the nearest instant at which
               the line is (possibly) open again and ``opens_certain`` says
               whether it is certainly open then.

Lines without phone hours (``Hours.kind == "none"``: websites) get ``None``
from :func:`status`: there is nothing to be open or closed.

The status carries instants, not text: the UI words them through gettext
("Nu open · tot 21:00", "Gesloten · opent maandag om 09:00", ...).

Time model
----------
An opening rule says "on these days, from ``opens`` to ``closes``" in
Amsterdam wall-clock time; ``closes`` may be ``24:00``.  On a given day it
stands for the interval ``[start, end)`` of real instants where ``start``
(``end``) is the *first instant at which Amsterdam clocks read* ``opens``
(``closes``) or later on that day.  Hence, across the DST switches:

* last Sunday of March (02:00 -> 03:00): a time in the skipped hour, say
  02:30, takes effect when the clocks jump, at 03:00 CEST.  A line open
  01:00-02:30 closes at the jump; one opening at 02:30 opens at 03:00.
* last Sunday of October (03:00 -> 02:00): a time in the repeated hour is
  taken at its *first* occurrence (CEST, ``fold=0``).  A line closing at
  02:30 closes at 02:30 CEST and stays closed through the repeated hour.
* ``until`` and ``opens`` are real instants, so a line open 00:00-24:00 on
  the October Sunday is open 25 hours and on the March Sunday 23 hours.

School days (for ``Hours.school_days_only``) are Monday to Friday except the
Dutch public holidays, see :func:`public_holidays`.  Closures are whole days
(inclusive ISO dates) taken away from the rules; a closure with
``certain: false`` turns the hours of those days into "uncertain".
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping, NamedTuple, Optional, Union
from zoneinfo import ZoneInfo

from content import compiled
from content.model import Hours, Organisation, Organisations

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc

# How far ahead to look for the next opening or the end of an open stretch.
# The longest real gap is a closure of some weeks; a year and a bit is ample.
# Beyond it, ``opens`` / ``until`` is None ("not in the foreseeable future").
HORIZON_DAYS = 400


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ALWAYS = "always"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class Status:
    """Whether a line is open at ``at`` (an aware datetime in Amsterdam time).

    ``until``: for ``open``, the instant the line closes (None: not within
    ``HORIZON_DAYS``).  ``opens`` / ``opens_certain``: for ``closed``, the
    nearest next opening and whether the line is certainly open then (False:
    the next opening is an uncertain one, e.g. Offlimits on a Tuesday).

    All instants are aware datetimes in Europe/Amsterdam, ready to format.
    To compare or subtract them, convert to UTC first (``.astimezone(
    timezone.utc)``): Python compares two datetimes of the same zone by wall
    clock, ignoring ``fold``, which is wrong in the repeated October hour.
    """

    state: State
    at: datetime
    until: Optional[datetime] = None
    opens: Optional[datetime] = None
    opens_certain: bool = True

    @property
    def reachable(self) -> bool:
        """Certainly open now (``open`` or ``always``)."""
        return self.state in (State.OPEN, State.ALWAYS)

    @property
    def opens_today(self) -> bool:
        """``closed`` and the next opening is on the same Amsterdam date as ``at``."""
        return self.opens is not None and self.opens.date() == self.at.date()

    @property
    def until_today(self) -> bool:
        """``open`` and it closes on the same Amsterdam date as ``at`` (24:00 is not)."""
        return self.until is not None and self.until.date() == self.at.date()


# --- school days and public holidays -----------------------------------------------

_LIBERATION_DAY = "Bevrijdingsdag"


#: The years whose holidays the web build works out in advance (``compiled_holidays``).
COMPILED_YEARS = range(2020, 2051)
COMPILED_HOLIDAYS = "public-holidays-nl"


def holiday_sources(library_metadata: Optional[Path], content_dir: Path = Path(__file__).resolve().parent) -> list[Path]:
    """What the list of holidays is made from: these rules and the ``holidays``
    library, by its version (its METADATA file, found without importing it)."""
    return [content_dir / Path(__file__).name] + ([library_metadata] if library_metadata else [])


def _holidays_metadata() -> Optional[Path]:
    for entry in sys.path:
        for found in Path(entry or ".").glob("holidays-*.dist-info/METADATA"):
            return found
    return None


@lru_cache(maxsize=1)
def _compiled_holidays() -> Mapping[int, Mapping[date, str]]:
    """The holidays the build worked out (``content.compiled``), if still valid; else none."""
    table = compiled.load(COMPILED_HOLIDAYS, holiday_sources(_holidays_metadata()))
    return table if isinstance(table, dict) else {}


def compiled_holidays() -> dict[int, dict[date, str]]:
    """What the build compiles: the holidays of ``COMPILED_YEARS``, from the library."""
    return {year: dict(_computed_holidays(year)) for year in COMPILED_YEARS}


@lru_cache(maxsize=128)
def public_holidays(year: int) -> Mapping[date, str]:
    """The Dutch public holidays of ``year`` that close a school day, with Dutch names.

    Nieuwjaarsdag, 1e en 2e paasdag, Koningsdag (27 April; 26 April when the
    27th is a Sunday), Bevrijdingsdag only in lustrum years (2025, 2030, ...),
    Hemelvaartsdag, 1e en 2e pinksterdag, 1e en 2e kerstdag.

    Computed with the ``holidays`` library, which also lists Good Friday (not
    a general day off in the Netherlands): it is removed here.  The lustrum
    rule for Bevrijdingsdag is enforced here too, so a change in the library
    cannot silently change the list.  The web build works the years around now
    out in advance; the library is imported only for other years (or when
    the compiled list is stale).
    """
    known = _compiled_holidays().get(year)
    return MappingProxyType(dict(known)) if known is not None else _computed_holidays(year)


def _computed_holidays(year: int) -> Mapping[date, str]:
    import holidays  # seconds to import in the browser: only when the build's list does not cover it
    from dateutil.easter import easter  # a dependency of ``holidays``

    raw = holidays.country_holidays(
        "NL", years=year, language="nl", categories=(holidays.PUBLIC,)
    )
    good_friday = easter(year) - timedelta(days=2)
    result = {day: name for day, name in raw.items() if day.year == year and day != good_friday}
    # 5 May can also be Hemelvaartsdag (2016, 2067, ...); the library then joins
    # the names with "; ".  Only the Bevrijdingsdag part follows the lustrum rule.
    liberation_day = date(year, 5, 5)
    others = [
        name
        for name in result.pop(liberation_day, "").split("; ")
        if name and name != _LIBERATION_DAY
    ]
    if year % 5 == 0:
        others.append(_LIBERATION_DAY)
    if others:
        result[liberation_day] = "; ".join(others)
    return MappingProxyType(dict(sorted(result.items())))


def is_public_holiday(day: date) -> bool:
    return day in public_holidays(day.year)


def is_school_day(day: date) -> bool:
    """Monday to Friday and not a Dutch public holiday (school holidays are closures)."""
    return day.weekday() < 5 and not is_public_holiday(day)


# --- instants -----------------------------------------------------------------------


def to_amsterdam(instant: datetime) -> datetime:
    """``instant`` in Amsterdam time; ValueError for a naive datetime."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required, got a naive one")
    # Through UTC: ``astimezone`` returns an Amsterdam datetime unchanged, even
    # a wall time the spring switch skips (02:30); this normalises it (03:30).
    return instant.astimezone(UTC).astimezone(AMSTERDAM)


def _wall_clock_utc(day: date, minutes: int) -> datetime:
    if minutes == 24 * 60:
        day, minutes = day + timedelta(days=1), 0
    naive = datetime.combine(day, time(minutes // 60, minutes % 60))
    first = naive.replace(tzinfo=AMSTERDAM, fold=0).astimezone(UTC)
    if first.astimezone(AMSTERDAM).replace(tzinfo=None) == naive:
        return first  # exists (an ambiguous time: its first occurrence)
    # Skipped by the spring switch.  fold=1 applies the offset after the switch
    # and lands before it; fold=0 the offset before and lands after it.  The
    # switch itself lies in between: find it by bisection on whole seconds.
    low = naive.replace(tzinfo=AMSTERDAM, fold=1).astimezone(UTC)
    high = first
    after = high.astimezone(AMSTERDAM).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = (low + (high - low) / 2).replace(microsecond=0)
        if mid.astimezone(AMSTERDAM).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high


def wall_clock_instant(day: date, minutes: int) -> datetime:
    """The first instant at which Amsterdam clocks read ``minutes`` past midnight of ``day``, or later.

    ``minutes`` may be 1440 (24:00, midnight at the end of ``day``).  A time
    in the repeated October hour resolves to its first occurrence; a time in
    the skipped March hour to the moment the clocks jump.  Returned in
    Amsterdam time.
    """
    return _wall_clock_utc(day, minutes).astimezone(AMSTERDAM)


# --- intervals ----------------------------------------------------------------------


class Interval(NamedTuple):
    """One day's opening ``[start, end)`` in UTC; ``certain`` False where the data is unsure.

    UTC, because Python compares and subtracts two datetimes of the *same*
    zone by wall clock, ignoring ``fold``: in Amsterdam's repeated October
    hour that would put instants in the wrong order (PEP 495).
    """

    start: datetime
    end: datetime
    certain: bool


def day_intervals(hours: Hours, day: date) -> list[Interval]:
    """The opening intervals of ``hours`` on ``day`` (kind ``weekly``), sorted by start."""
    if hours.kind != "weekly":
        return []
    if hours.school_days_only and not is_school_day(day):
        return []
    closure_unsure = False
    for closure in hours.closures:
        if closure.covers(day):
            if closure.certain:
                return []
            closure_unsure = True
    weekday = day.weekday()
    result = []
    for rule in hours.rules:
        if weekday not in rule.weekdays:
            continue
        start = _wall_clock_utc(day, rule.opens_minutes)
        end = _wall_clock_utc(day, rule.closes_minutes)
        if start < end:  # both ends in a skipped hour: nothing left
            result.append(Interval(start, end, rule.certain and not closure_unsure))
    result.sort()
    return result


def intervals_from(hours: Hours, first_day: date, days: int = HORIZON_DAYS) -> Iterator[Interval]:
    """Opening intervals from ``first_day`` on, for ``days`` days, in order of start."""
    for offset in range(days):
        yield from day_intervals(hours, first_day + timedelta(days=offset))


# --- status -------------------------------------------------------------------------


def _hours_of(subject: Union[Organisation, Hours]) -> Hours:
    return subject.hours if isinstance(subject, Organisation) else subject


def status(subject: Union[Organisation, Hours], instant: datetime) -> Optional[Status]:
    """Whether ``subject`` is open at ``instant``; None for lines without hours (websites).

    ``instant`` must be timezone-aware (any zone); naive datetimes raise ValueError.
    """
    hours = _hours_of(subject)
    at = to_amsterdam(instant)
    if hours.kind == "none":
        return None
    if hours.kind == "always":
        return Status(State.ALWAYS, at)

    now = at.astimezone(UTC)
    first_day = at.date() - timedelta(days=1)
    here = [iv for iv in intervals_from(hours, first_day, 3) if iv.start <= now < iv.end]

    if any(iv.certain for iv in here):
        until = max(iv.end for iv in here if iv.certain)
        for iv in intervals_from(hours, first_day):
            if iv.certain and iv.start <= until:
                until = max(until, iv.end)  # a stretch that starts exactly at closing runs on
            elif iv.start > until:
                break
        if until >= _wall_clock_utc(first_day + timedelta(days=HORIZON_DAYS), 0):
            return Status(State.OPEN, at, until=None)
        return Status(State.OPEN, at, until=until.astimezone(AMSTERDAM))

    if here:
        return Status(State.UNCERTAIN, at)

    for iv in intervals_from(hours, first_day):
        if iv.start > now:
            opens = iv.start
            local_day = opens.astimezone(AMSTERDAM).date()
            certain = any(
                other.certain and other.start <= opens < other.end
                for other in intervals_from(hours, local_day - timedelta(days=1), 3)
            )
            return Status(State.CLOSED, at, opens=opens.astimezone(AMSTERDAM), opens_certain=certain)
    return Status(State.CLOSED, at, opens=None, opens_certain=False)


def open_helplines(
    organisations: Union[Organisations, Iterable[Organisation]],
    instant: datetime,
    *,
    include_emergency: bool = False,
    exclude: Iterable[str] = (),
) -> tuple[Organisation, ...]:
    """The help lines certainly reachable at ``instant`` (``open`` or ``always``), in data order.

    Only organisations with ``helpline`` set.  The emergency number (112) is
    left out unless ``include_emergency``: it is not an alternative to a
    closed help line.  ``exclude`` takes organisation ids (e.g. the closed one).
    """
    items = organisations.items if isinstance(organisations, Organisations) else organisations
    skip = frozenset(exclude)
    result = []
    for org in items:
        if not org.helpline or org.id in skip or (org.emergency and not include_emergency):
            continue
        current = status(org, instant)
        if current is not None and current.reachable:
            result.append(org)
    return tuple(result)


__all__ = [
    "AMSTERDAM",
    "HORIZON_DAYS",
    "Interval",
    "State",
    "Status",
    "day_intervals",
    "intervals_from",
    "is_public_holiday",
    "is_school_day",
    "open_helplines",
    "public_holidays",
    "status",
    "to_amsterdam",
    "wall_clock_instant",
]
