"""Opening hours: table tests per line, the Dutch school days, DST, time zones, and
a property test against an independent minute-by-minute oracle."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.easter import easter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from content.loader import load_organisations
from content.model import Closure, Hours, OpeningRule
from content.opening_hours import (
    AMSTERDAM,
    State,
    is_public_holiday,
    is_school_day,
    open_helplines,
    public_holidays,
    status,
    wall_clock_instant,
)

ORGS = load_organisations("nl")
UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
CODES = ("ma", "di", "wo", "do", "vr", "za", "zo")


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def as_utc(instant: datetime | None) -> datetime | None:
    """Compare instants in UTC: same-zone comparisons ignore fold (PEP 495)."""
    return None if instant is None else instant.astimezone(UTC)


# --- public holidays and school days ------------------------------------------------

EXPECTED_HOLIDAYS = {
    2024: ["01-01", "03-31", "04-01", "04-27", "05-09", "05-19", "05-20", "12-25", "12-26"],
    # Koningsdag: the 27th is a Sunday, so Saturday the 26th; Bevrijdingsdag: lustrum.
    2025: ["01-01", "04-20", "04-21", "04-26", "05-05", "05-29", "06-08", "06-09", "12-25", "12-26"],
    2026: ["01-01", "04-05", "04-06", "04-27", "05-14", "05-24", "05-25", "12-25", "12-26"],
    2027: ["01-01", "03-28", "03-29", "04-27", "05-06", "05-16", "05-17", "12-25", "12-26"],
    2028: ["01-01", "04-16", "04-17", "04-27", "05-25", "06-04", "06-05", "12-25", "12-26"],
    2030: ["01-01", "04-21", "04-22", "04-27", "05-05", "05-30", "06-09", "06-10", "12-25", "12-26"],
    2031: ["01-01", "04-13", "04-14", "04-26", "05-22", "06-01", "06-02", "12-25", "12-26"],
    2035: ["01-01", "03-25", "03-26", "04-27", "05-03", "05-05", "05-13", "05-14", "12-25", "12-26"],
}


@pytest.mark.parametrize("year", sorted(EXPECTED_HOLIDAYS), ids=str)
def test_public_holidays_exact_list(year):
    expected = [date.fromisoformat(f"{year}-{md}") for md in EXPECTED_HOLIDAYS[year]]
    assert list(public_holidays(year)) == expected


def test_public_holiday_names_are_dutch():
    names = set(public_holidays(2025).values())
    assert {"Nieuwjaarsdag", "Koningsdag", "Bevrijdingsdag", "Hemelvaartsdag", "Eerste kerstdag"} <= names
    assert not any("vrijdag" in name.lower() for name in names)  # no Goede Vrijdag


@pytest.mark.parametrize("year", range(2014, 2101))
def test_public_holiday_rules_hold_for_any_year(year):
    """Independent of the library: the exact set from Easter and the fixed dates."""
    sunday = easter(year)
    kings_day = date(year, 4, 27) if date(year, 4, 27).weekday() != 6 else date(year, 4, 26)
    expected = {
        date(year, 1, 1),
        sunday,
        sunday + timedelta(days=1),
        kings_day,
        sunday + timedelta(days=39),  # Hemelvaart
        sunday + timedelta(days=49),
        sunday + timedelta(days=50),  # Pinksteren
        date(year, 12, 25),
        date(year, 12, 26),
    }
    if year % 5 == 0:
        expected.add(date(year, 5, 5))  # Bevrijdingsdag, lustrum years only
    days = public_holidays(year)
    assert set(days) == expected
    assert "Koningsdag" in days[kings_day]
    assert date(year, 4, 28) not in days  # Koningsdag is never moved to Monday


@pytest.mark.parametrize(
    "day, expected",
    [
        pytest.param(date(2026, 11, 24), True, id="ordinary-tuesday"),
        pytest.param(date(2026, 11, 28), False, id="saturday"),
        pytest.param(date(2026, 11, 29), False, id="sunday"),
        pytest.param(date(2026, 4, 3), True, id="good-friday-is-a-school-day"),
        pytest.param(date(2026, 4, 6), False, id="easter-monday"),
        pytest.param(date(2025, 4, 28), True, id="monday-after-sunday-kings-day-2025"),
        pytest.param(date(2027, 4, 27), False, id="kings-day-2027-tuesday"),
        pytest.param(date(2025, 5, 5), False, id="liberation-day-2025-lustrum"),
        pytest.param(date(2026, 5, 5), True, id="liberation-day-2026-no-lustrum"),
        pytest.param(date(2026, 5, 14), False, id="ascension-2026"),
        pytest.param(date(2026, 5, 15), True, id="friday-after-ascension"),
        pytest.param(date(2026, 5, 25), False, id="whit-monday-2026"),
        pytest.param(date(2026, 12, 25), False, id="christmas-2026"),
        pytest.param(date(2026, 12, 28), True, id="monday-after-christmas-2026"),
        pytest.param(date(2027, 12, 27), True, id="christmas-2027-on-weekend-not-moved"),
        pytest.param(date(2027, 1, 1), False, id="new-year-2027"),
    ],
)
def test_school_days(day, expected):
    assert is_school_day(day) is expected


def test_kings_day_on_sunday_moves_to_saturday_only():
    assert date(2025, 4, 27).weekday() == 6  # a Sunday
    assert is_public_holiday(date(2025, 4, 26))
    assert not is_public_holiday(date(2025, 4, 27))
    assert not is_public_holiday(date(2025, 4, 28))


# --- the lines at chosen instants ---------------------------------------------------

O, C, A, U = State.OPEN, State.CLOSED, State.ALWAYS, State.UNCERTAIN

# (org, instant, state, until or opens, opens_certain); instants in Amsterdam time
# unless given in UTC.  `edge` is `until` for open and `opens` for closed.
TABLE = [
    # Adviespunt: 09:00-16:00 on school days.
    ("adviespunt", ams(2026, 11, 24, 10, 0), O, ams(2026, 11, 24, 16, 0), True, "advies-tuesday-open"),
    ("adviespunt", ams(2026, 11, 24, 9, 0), O, ams(2026, 11, 24, 16, 0), True, "advies-opens-on-the-minute"),
    ("adviespunt", ams(2026, 11, 24, 8, 59), C, ams(2026, 11, 24, 9, 0), True, "advies-one-minute-early"),
    ("adviespunt", ams(2026, 11, 24, 16, 0), C, ams(2026, 11, 25, 9, 0), True, "advies-closes-on-the-minute"),
    ("adviespunt", ams(2026, 11, 27, 16, 30), C, ams(2026, 11, 30, 9, 0), True, "advies-friday-evening-to-monday"),
    ("adviespunt", ams(2026, 11, 28, 23, 59), C, ams(2026, 11, 30, 9, 0), True, "advies-saturday-2359"),
    ("adviespunt", ams(2026, 11, 29, 0, 0), C, ams(2026, 11, 30, 9, 0), True, "advies-sunday-0000"),
    ("adviespunt", ams(2026, 12, 25, 10, 0), C, ams(2026, 12, 28, 9, 0), True, "advies-christmas-2026"),
    ("adviespunt", ams(2026, 12, 24, 15, 59), O, ams(2026, 12, 24, 16, 0), True, "advies-christmas-eve-open"),
    ("adviespunt", ams(2027, 1, 1, 10, 0), C, ams(2027, 1, 4, 9, 0), True, "advies-new-year-2027"),
    ("adviespunt", ams(2026, 4, 3, 10, 0), O, ams(2026, 4, 3, 16, 0), True, "advies-good-friday-open"),
    ("adviespunt", ams(2026, 4, 6, 10, 0), C, ams(2026, 4, 7, 9, 0), True, "advies-easter-monday-2026"),
    ("adviespunt", ams(2025, 4, 26, 10, 0), C, ams(2025, 4, 28, 9, 0), True, "advies-kings-day-2025-saturday"),
    ("adviespunt", ams(2025, 4, 27, 10, 0), C, ams(2025, 4, 28, 9, 0), True, "advies-sunday-27-april-2025"),
    ("adviespunt", ams(2025, 4, 28, 10, 0), O, ams(2025, 4, 28, 16, 0), True, "advies-monday-after-kings-sunday"),
    ("adviespunt", ams(2027, 4, 27, 10, 0), C, ams(2027, 4, 28, 9, 0), True, "advies-kings-day-2027-tuesday"),
    ("adviespunt", ams(2025, 5, 5, 10, 0), C, ams(2025, 5, 6, 9, 0), True, "advies-liberation-2025-lustrum"),
    ("adviespunt", ams(2026, 5, 5, 10, 0), O, ams(2026, 5, 5, 16, 0), True, "advies-liberation-2026-open"),
    ("adviespunt", ams(2026, 5, 14, 10, 0), C, ams(2026, 5, 15, 9, 0), True, "advies-ascension-2026"),
    ("adviespunt", ams(2026, 5, 25, 10, 0), C, ams(2026, 5, 26, 9, 0), True, "advies-whit-monday-2026"),
    ("adviespunt", ams(2026, 5, 22, 17, 0), C, ams(2026, 5, 26, 9, 0), True, "advies-whitsun-weekend"),
    # Summer holiday 2027 (regio midden, 17 July - 29 August): closure not confirmed.
    ("adviespunt", ams(2027, 7, 16, 10, 0), O, ams(2027, 7, 16, 16, 0), True, "advies-last-day-before-summer"),
    ("adviespunt", ams(2027, 7, 20, 10, 0), U, None, True, "advies-summer-2027-uncertain"),
    ("adviespunt", ams(2027, 7, 16, 17, 0), C, ams(2027, 7, 19, 9, 0), False, "advies-summer-next-opening-unsure"),
    ("adviespunt", ams(2027, 8, 27, 17, 0), C, ams(2027, 8, 30, 9, 0), True, "advies-after-summer-certain"),
    ("adviespunt", ams(2027, 8, 30, 9, 30), O, ams(2027, 8, 30, 16, 0), True, "advies-first-day-after-summer"),
    # Kindertelefoon: every day 11:00-21:00.
    ("kindertelefoon", ams(2026, 11, 24, 12, 0), O, ams(2026, 11, 24, 21, 0), True, "kt-noon"),
    ("kindertelefoon", ams(2026, 11, 24, 10, 0), C, ams(2026, 11, 24, 11, 0), True, "kt-opens-today"),
    ("kindertelefoon", ams(2026, 11, 24, 21, 0), C, ams(2026, 11, 25, 11, 0), True, "kt-2100-closed"),
    ("kindertelefoon", ams(2026, 11, 24, 20, 59), O, ams(2026, 11, 24, 21, 0), True, "kt-2059-open"),
    ("kindertelefoon", ams(2026, 12, 31, 23, 59), C, ams(2027, 1, 1, 11, 0), True, "kt-new-years-eve-2359"),
    ("kindertelefoon", ams(2027, 1, 1, 0, 0), C, ams(2027, 1, 1, 11, 0), True, "kt-new-year-0000"),
    ("kindertelefoon", ams(2026, 12, 25, 12, 0), O, ams(2026, 12, 25, 21, 0), True, "kt-christmas-open"),
    # DST 2026: spring 29 March (02:00 CET -> 03:00 CEST), autumn 25 October.
    ("kindertelefoon", utc(2026, 3, 29, 0, 30), C, utc(2026, 3, 29, 9, 0), True, "kt-dst-spring-night"),
    ("kindertelefoon", utc(2026, 3, 29, 9, 0), O, utc(2026, 3, 29, 19, 0), True, "kt-dst-spring-open-cest"),
    ("kindertelefoon", utc(2026, 3, 29, 8, 59), C, utc(2026, 3, 29, 9, 0), True, "kt-dst-spring-1059-cest"),
    ("kindertelefoon", utc(2026, 10, 25, 0, 30), C, utc(2026, 10, 25, 10, 0), True, "kt-dst-autumn-first-0230"),
    ("kindertelefoon", utc(2026, 10, 25, 1, 30), C, utc(2026, 10, 25, 10, 0), True, "kt-dst-autumn-second-0230"),
    ("kindertelefoon", utc(2026, 10, 25, 10, 0), O, utc(2026, 10, 25, 20, 0), True, "kt-dst-autumn-open-cet"),
    ("kindertelefoon", utc(2026, 10, 24, 18, 59), O, utc(2026, 10, 24, 19, 0), True, "kt-dst-eve-still-cest"),
    # DST 2027: 28 March and 31 October.
    ("kindertelefoon", utc(2027, 3, 28, 1, 0), C, utc(2027, 3, 28, 9, 0), True, "kt-dst-spring-2027-jump"),
    ("kindertelefoon", utc(2027, 10, 31, 9, 59), C, utc(2027, 10, 31, 10, 0), True, "kt-dst-autumn-2027"),
    # In je bol: every day 14:00-22:00.
    ("injebol", ams(2026, 11, 24, 14, 0), O, ams(2026, 11, 24, 22, 0), True, "ijb-opening"),
    ("injebol", ams(2026, 11, 24, 22, 0), C, ams(2026, 11, 25, 14, 0), True, "ijb-closing"),
    ("injebol", ams(2026, 11, 24, 23, 59), C, ams(2026, 11, 25, 14, 0), True, "ijb-2359"),
    ("injebol", ams(2026, 3, 29, 21, 30), O, ams(2026, 3, 29, 22, 0), True, "ijb-dst-spring-evening"),
    # Offlimits: Mon & Thu 07-23 (Tue, Wed unsure), Fri 09-17, Sat & Sun 10-18.
    ("offlimits", ams(2026, 11, 23, 8, 0), O, ams(2026, 11, 23, 23, 0), True, "ol-monday-open"),
    ("offlimits", ams(2026, 11, 24, 8, 0), U, None, True, "ol-tuesday-uncertain"),
    ("offlimits", ams(2026, 11, 25, 22, 59), U, None, True, "ol-wednesday-2259-uncertain"),
    ("offlimits", ams(2026, 11, 23, 23, 30), C, ams(2026, 11, 24, 7, 0), False, "ol-monday-night-next-unsure"),
    ("offlimits", ams(2026, 11, 24, 23, 0), C, ams(2026, 11, 25, 7, 0), False, "ol-tuesday-2300"),
    ("offlimits", ams(2026, 11, 25, 23, 0), C, ams(2026, 11, 26, 7, 0), True, "ol-wednesday-night-to-thursday"),
    ("offlimits", ams(2026, 11, 26, 6, 59), C, ams(2026, 11, 26, 7, 0), True, "ol-thursday-0659"),
    ("offlimits", ams(2026, 11, 27, 8, 0), C, ams(2026, 11, 27, 9, 0), True, "ol-friday-early"),
    ("offlimits", ams(2026, 11, 27, 17, 0), C, ams(2026, 11, 28, 10, 0), True, "ol-friday-1700"),
    ("offlimits", ams(2026, 11, 29, 17, 59), O, ams(2026, 11, 29, 18, 0), True, "ol-sunday-1759"),
    ("offlimits", ams(2026, 11, 29, 23, 59), C, ams(2026, 11, 30, 7, 0), True, "ol-sunday-2359"),
    ("offlimits", ams(2026, 11, 30, 0, 0), C, ams(2026, 11, 30, 7, 0), True, "ol-monday-0000"),
    ("offlimits", ams(2026, 12, 25, 10, 0), O, ams(2026, 12, 25, 17, 0), True, "ol-christmas-friday"),
    ("offlimits", utc(2026, 10, 25, 9, 0), O, utc(2026, 10, 25, 17, 0), True, "ol-dst-autumn-sunday"),
    ("offlimits", utc(2026, 3, 29, 8, 0), O, utc(2026, 3, 29, 16, 0), True, "ol-dst-spring-sunday"),
    # Always-open added lines.
    ("alarmnummer", ams(2026, 12, 25, 3, 0), A, None, True, "112-christmas-night"),
    ("zelfmoordpreventie", utc(2026, 3, 29, 1, 0), A, None, True, "113-dst-jump"),
    ("veilig-thuis", ams(2026, 11, 29, 23, 59), A, None, True, "veilig-thuis-2359"),
    ("politie", ams(2026, 11, 24, 0, 0), A, None, True, "politie-midnight"),
]


@pytest.mark.parametrize(
    "org_id, instant, state, edge, opens_certain",
    [pytest.param(*row[:5], id=row[5]) for row in TABLE],
)
def test_status_table(org_id, instant, state, edge, opens_certain):
    result = status(ORGS.get(org_id), instant)
    assert result is not None
    assert result.state == state
    assert as_utc(result.at) == as_utc(instant)
    assert result.at.tzinfo is AMSTERDAM
    if state == State.OPEN:
        assert as_utc(result.until) == as_utc(edge) and result.until.tzinfo is AMSTERDAM
        assert result.opens is None
    elif state == State.CLOSED:
        assert as_utc(result.opens) == as_utc(edge) and result.opens.tzinfo is AMSTERDAM
        assert result.opens_certain is opens_certain
        assert result.until is None
    else:
        assert result.until is None and result.opens is None


@pytest.mark.parametrize("org_id", ["meldknop", "nji"])
def test_websites_have_no_status(org_id):
    assert status(ORGS.get(org_id), ams(2026, 11, 24, 12, 0)) is None


def test_status_accepts_hours_as_well_as_organisation():
    org = ORGS.get("kindertelefoon")
    instant = ams(2026, 11, 24, 12, 0)
    assert status(org.hours, instant) == status(org, instant)


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError):
        status(ORGS.get("kindertelefoon"), datetime(2026, 11, 24, 12, 0))
    with pytest.raises(ValueError):
        open_helplines(ORGS, datetime(2026, 11, 24, 12, 0))


def test_opens_today_and_another_day():
    today = status(ORGS.get("kindertelefoon"), ams(2026, 11, 24, 10, 0))
    assert today.opens_today
    other_day = status(ORGS.get("adviespunt"), ams(2026, 11, 27, 17, 0))
    assert not other_day.opens_today and other_day.opens.weekday() == 0
    open_now = status(ORGS.get("kindertelefoon"), ams(2026, 11, 24, 12, 0))
    assert open_now.until_today and open_now.reachable


@pytest.mark.parametrize(
    "instant",
    [
        pytest.param(ams(2026, 11, 24, 12, 0), id="kt-open"),
        pytest.param(ams(2026, 11, 24, 23, 30), id="all-closed-but-24-7"),
        pytest.param(utc(2026, 3, 29, 1, 30), id="dst-spring"),
        pytest.param(utc(2026, 10, 25, 1, 30), id="dst-autumn-repeated-hour"),
        pytest.param(ams(2026, 12, 25, 10, 0), id="christmas-morning"),
        pytest.param(ams(2027, 7, 20, 10, 0), id="summer-uncertain"),
    ],
)
@pytest.mark.parametrize("zone", [UTC, NEW_YORK, TOKYO, AMSTERDAM], ids=["utc", "new-york", "tokyo", "amsterdam"])
def test_same_instant_in_any_zone_gives_same_status(instant, zone):
    for org in ORGS.items:
        assert status(org, instant.astimezone(zone)) == status(org, instant)
    assert open_helplines(ORGS, instant.astimezone(zone)) == open_helplines(ORGS, instant)


def test_device_in_another_zone_explicit():
    # 03:30 in Tokyo on Wednesday is 19:30 on Tuesday in Amsterdam (winter time).
    tokyo = datetime(2026, 11, 25, 3, 30, tzinfo=TOKYO)
    new_york = datetime(2026, 11, 24, 13, 30, tzinfo=NEW_YORK)
    utc_time = utc(2026, 11, 24, 18, 30)
    results = {status(ORGS.get("kindertelefoon"), t) for t in (tokyo, new_york, utc_time)}
    assert results == {status(ORGS.get("kindertelefoon"), ams(2026, 11, 24, 19, 30))}
    (result,) = results
    assert result.state == State.OPEN and result.until == ams(2026, 11, 24, 21, 0)


# --- helper for "who is open now" ---------------------------------------------------


@pytest.mark.parametrize(
    "instant, expected",
    [
        pytest.param(
            ams(2026, 11, 24, 12, 0),
            ["adviespunt", "kindertelefoon", "politie", "zelfmoordpreventie", "veilig-thuis"],
            id="tuesday-noon-offlimits-uncertain-left-out",
        ),
        pytest.param(
            ams(2026, 11, 23, 15, 0),
            ["adviespunt", "kindertelefoon", "injebol", "offlimits", "politie", "zelfmoordpreventie", "veilig-thuis"],
            id="monday-afternoon",
        ),
        pytest.param(
            ams(2026, 11, 24, 23, 30), ["politie", "zelfmoordpreventie", "veilig-thuis"], id="late-night"
        ),
    ],
)
def test_open_helplines(instant, expected):
    assert [o.id for o in open_helplines(ORGS, instant)] == expected


def test_open_helplines_options():
    night = ams(2026, 11, 24, 23, 30)
    assert "alarmnummer" in [o.id for o in open_helplines(ORGS, night, include_emergency=True)]
    assert "politie" not in [o.id for o in open_helplines(ORGS.items, night, exclude=["politie"])]


# --- synthetic hours: midnight chains, 24:00, certain closures, DST edge hours ------


def weekly(*rules: OpeningRule, closures: tuple[Closure, ...] = (), school: bool = False) -> Hours:
    return Hours(kind="weekly", rules=rules, closures=closures, school_days_only=school)


def test_until_runs_through_a_next_day_that_starts_at_closing():
    hours = weekly(
        OpeningRule(days=("za",), opens="18:00", closes="24:00"),
        OpeningRule(days=("zo",), opens="00:00", closes="02:00"),
    )
    result = status(hours, ams(2026, 11, 28, 23, 59))
    assert result.state == State.OPEN and as_utc(result.until) == as_utc(ams(2026, 11, 29, 2, 0))
    at_midnight = status(hours, ams(2026, 11, 29, 0, 0))
    assert at_midnight.state == State.OPEN and as_utc(at_midnight.until) == as_utc(ams(2026, 11, 29, 2, 0))


def test_24_00_closing_without_follow_up():
    hours = weekly(OpeningRule(days=("vr",), opens="20:00", closes="24:00"))
    result = status(hours, ams(2026, 11, 27, 23, 59))
    assert result.state == State.OPEN and as_utc(result.until) == as_utc(ams(2026, 11, 28, 0, 0))
    after = status(hours, ams(2026, 11, 28, 0, 0))
    assert after.state == State.CLOSED and as_utc(after.opens) == as_utc(ams(2026, 12, 4, 20, 0))


def test_until_does_not_run_through_an_uncertain_follow_up():
    hours = weekly(
        OpeningRule(days=("ma",), opens="07:00", closes="24:00"),
        OpeningRule(days=("di",), opens="00:00", closes="07:00", certain=False),
    )
    result = status(hours, ams(2026, 11, 23, 22, 0))
    assert result.state == State.OPEN and as_utc(result.until) == as_utc(ams(2026, 11, 24, 0, 0))
    assert status(hours, ams(2026, 11, 24, 1, 0)).state == State.UNCERTAIN


def test_overlapping_certain_and_uncertain_rules_prefer_certain():
    hours = weekly(
        OpeningRule(days=("ma",), opens="09:00", closes="12:00"),
        OpeningRule(days=("ma",), opens="08:00", closes="17:00", certain=False),
    )
    assert status(hours, ams(2026, 11, 23, 8, 30)).state == State.UNCERTAIN
    assert as_utc(status(hours, ams(2026, 11, 23, 10, 0)).until) == as_utc(ams(2026, 11, 23, 12, 0))
    assert status(hours, ams(2026, 11, 23, 13, 0)).state == State.UNCERTAIN


def test_certain_closure_says_closed_and_points_past_it():
    adviespunt = ORGS.get("adviespunt").hours
    closure = Closure(start="2027-07-17", end="2027-08-29", reason="test", certain=True)
    hours = dataclasses.replace(adviespunt, closures=(closure,))
    result = status(hours, ams(2027, 7, 20, 10, 0))
    assert result.state == State.CLOSED
    assert as_utc(result.opens) == as_utc(ams(2027, 8, 30, 9, 0)) and result.opens_certain


def test_open_until_stops_at_a_certain_closure():
    hours = weekly(
        OpeningRule(days=CODES, opens="00:00", closes="24:00"),
        closures=(Closure(start="2026-12-25", end="2026-12-26", reason="test"),),
    )
    result = status(hours, ams(2026, 12, 20, 12, 0))
    assert result.state == State.OPEN and as_utc(result.until) == as_utc(ams(2026, 12, 25, 0, 0))
    closed = status(hours, ams(2026, 12, 25, 12, 0))
    assert closed.state == State.CLOSED and as_utc(closed.opens) == as_utc(ams(2026, 12, 27, 0, 0))


def test_open_around_the_clock_reports_no_end():
    hours = weekly(OpeningRule(days=CODES, opens="00:00", closes="24:00"))
    result = status(hours, ams(2026, 11, 24, 12, 0))
    assert result.state == State.OPEN and result.until is None


def test_no_rules_closed_without_next_opening():
    result = status(weekly(), ams(2026, 11, 24, 12, 0))
    assert result.state == State.CLOSED and result.opens is None and not result.opens_certain


def test_time_in_skipped_spring_hour_takes_effect_at_the_jump():
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST (01:00 UTC).
    assert as_utc(wall_clock_instant(date(2026, 3, 29), 150)) == utc(2026, 3, 29, 1, 0)
    hours = weekly(OpeningRule(days=("zo",), opens="02:30", closes="05:00"))
    before = status(hours, utc(2026, 3, 29, 0, 59))
    assert before.state == State.CLOSED and as_utc(before.opens) == as_utc(utc(2026, 3, 29, 1, 0))
    assert as_utc(before.opens) == as_utc(ams(2026, 3, 29, 3, 0))
    closing = weekly(OpeningRule(days=("zo",), opens="01:00", closes="02:30"))
    result = status(closing, utc(2026, 3, 29, 0, 30))
    assert result.state == State.OPEN and as_utc(result.until) == as_utc(utc(2026, 3, 29, 1, 0))


def test_time_in_repeated_autumn_hour_is_its_first_occurrence():
    # 25 October 2026: clocks go from 03:00 CEST back to 02:00 CET (01:00 UTC).
    assert as_utc(wall_clock_instant(date(2026, 10, 25), 150)) == utc(2026, 10, 25, 0, 30)
    hours = weekly(OpeningRule(days=("zo",), opens="01:00", closes="02:30"))
    result = status(hours, utc(2026, 10, 24, 23, 30))  # 01:30 CEST
    assert result.state == State.OPEN and as_utc(result.until) == as_utc(utc(2026, 10, 25, 0, 30))
    repeated = status(hours, utc(2026, 10, 25, 1, 15))  # the second 02:15, CET
    assert repeated.state == State.CLOSED and as_utc(repeated.opens) == as_utc(ams(2026, 11, 1, 1, 0))


def test_full_day_lasts_23_and_25_hours_on_switch_days():
    hours = weekly(OpeningRule(days=("zo",), opens="00:00", closes="24:00"))
    spring = status(hours, ams(2026, 3, 29, 0, 0))
    assert as_utc(spring.until) - as_utc(spring.at) == timedelta(hours=23)
    autumn = status(hours, ams(2026, 10, 25, 0, 0))
    assert as_utc(autumn.until) - as_utc(autumn.at) == timedelta(hours=25)


@pytest.mark.parametrize(
    "rule",
    [
        dict(days=("ma",), opens="9:00", closes="16:00"),
        dict(days=("ma",), opens="16:00", closes="09:00"),
        dict(days=("ma",), opens="09:00", closes="24:01"),
        dict(days=("mon",), opens="09:00", closes="16:00"),
        dict(days=(), opens="09:00", closes="16:00"),
    ],
    ids=["one-digit-hour", "closes-before-opens", "after-24", "english-day", "no-days"],
)
def test_bad_rules_are_rejected(rule):
    with pytest.raises(ValueError):
        OpeningRule(**rule)


# --- never a wrong "closed" ---------------------------------------------------------


def offlimits_broad_reading() -> Hours:
    """Offlimits if "maandag & donderdag" meant Monday through Thursday."""
    hours = ORGS.get("offlimits").hours
    return dataclasses.replace(hours, rules=tuple(dataclasses.replace(r, certain=True) for r in hours.rules))


def adviespunt_without_summer_closure() -> Hours:
    return dataclasses.replace(ORGS.get("adviespunt").hours, closures=())


def test_offlimits_tuesday_and_wednesday_never_closed_during_possible_hours():
    for day in (date(2026, 11, 24), date(2026, 11, 25), date(2027, 3, 30), date(2026, 3, 31)):
        assert day.weekday() in (1, 2)
        moment = datetime(day.year, day.month, day.day, 7, 0, tzinfo=AMSTERDAM)
        while moment.hour < 23:
            result = status(ORGS.get("offlimits"), moment)
            assert result.state == State.UNCERTAIN, moment
            moment += timedelta(minutes=7)


# --- property test against an independent oracle -------------------------------------


def _minutes(hhmm: str) -> int:
    hh, mm = hhmm.split(":")
    return int(hh) * 60 + int(mm)


def oracle(hours: Hours, instant: datetime) -> State:
    """State by Amsterdam wall-clock reading, rule by rule (valid while no rule time
    lies in 02:00-03:00, the hour DST skips or repeats: checked below)."""
    local = instant.astimezone(AMSTERDAM)
    day, minute = local.date(), local.hour * 60 + local.minute
    if hours.school_days_only and not is_school_day(day):
        return State.CLOSED
    unsure_closure = False
    for closure in hours.closures:
        if date.fromisoformat(closure.start) <= day <= date.fromisoformat(closure.end):
            if closure.certain:
                return State.CLOSED
            unsure_closure = True
    found = set()
    for rule in hours.rules:
        if CODES[day.weekday()] in rule.days and _minutes(rule.opens) <= minute < _minutes(rule.closes):
            found.add(rule.certain and not unsure_closure)
    if True in found:
        return State.OPEN
    return State.UNCERTAIN if found else State.CLOSED


def test_oracle_is_valid_for_the_data():
    for org in ORGS.items:
        for rule in org.hours.rules:
            for hhmm in (rule.opens, rule.closes):
                assert not 120 <= _minutes(hhmm) < 180, (org.id, hhmm)


WEEKLY = [o for o in ORGS.items if o.hours.kind == "weekly"]
VARIANTS = [(o.id, o.hours) for o in WEEKLY] + [
    ("offlimits-broad", offlimits_broad_reading()),
    ("adviespunt-no-summer", adviespunt_without_summer_closure()),
    (
        "synthetic-chain",
        weekly(
            OpeningRule(days=("za",), opens="18:00", closes="24:00"),
            OpeningRule(days=("zo",), opens="00:00", closes="01:30"),
            OpeningRule(days=("wo",), opens="06:00", closes="08:00", certain=False),
            closures=(Closure(start="2030-01-01", end="2030-01-20", reason="test"),),
        ),
    ),
]
ZONES = st.sampled_from(
    [UTC, AMSTERDAM, NEW_YORK, TOKYO, ZoneInfo("Asia/Kolkata"), ZoneInfo("Pacific/Chatham")]
) | st.timezones()
INSTANTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2035, 12, 31, 23, 59), timezones=ZONES
)
MINUTE = timedelta(minutes=1)


def _next_minute(instant: datetime) -> datetime:
    moment = instant.astimezone(UTC)
    floored = moment.replace(second=0, microsecond=0)
    return floored if floored == moment else floored + MINUTE


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variant=st.sampled_from(VARIANTS), instant=INSTANTS)
@example(variant=VARIANTS[1], instant=utc(2026, 3, 29, 0, 59, 59))
@example(variant=VARIANTS[1], instant=utc(2026, 10, 25, 1, 30))
@example(variant=VARIANTS[0], instant=ams(2025, 12, 24, 16, 0))
@example(variant=VARIANTS[-1], instant=ams(2026, 11, 28, 23, 59, 59))
def test_status_matches_brute_force(variant, instant):
    _, hours = variant
    result = status(hours, instant)
    now = as_utc(instant)
    assert result is not None and result.state in set(State)
    assert as_utc(result.at) == now and result.at.tzinfo is AMSTERDAM
    assert result.state == oracle(hours, instant)

    if result.state == State.OPEN:
        until = as_utc(result.until)
        assert until is not None and until > now
        assert result.until.tzinfo is AMSTERDAM
        moment = _next_minute(instant)
        while moment < until:  # open at every minute until `until` ...
            assert oracle(hours, moment) == State.OPEN, moment
            moment += MINUTE
        assert oracle(hours, until) != State.OPEN  # ... and not after
    elif result.state == State.CLOSED:
        opens = as_utc(result.opens)
        assert opens is not None and opens > now
        assert result.opens.tzinfo is AMSTERDAM
        moment = _next_minute(instant)
        while moment < opens:  # nothing earlier opens: it is the nearest
            assert oracle(hours, moment) == State.CLOSED, moment
            moment += MINUTE
        assert oracle(hours, opens) != State.CLOSED
        assert result.opens_certain == (oracle(hours, opens) == State.OPEN)


@settings(max_examples=300, deadline=None)
@given(instant=INSTANTS)
def test_never_closed_when_a_possible_reading_is_open(instant):
    if status(offlimits_broad_reading(), instant).state == State.OPEN:
        assert status(ORGS.get("offlimits"), instant).state != State.CLOSED
    if status(adviespunt_without_summer_closure(), instant).state == State.OPEN:
        assert status(ORGS.get("adviespunt"), instant).state != State.CLOSED


@settings(max_examples=200, deadline=None)
@given(instant=INSTANTS)
def test_always_lines_and_zone_independence(instant):
    for org in ORGS.items:
        result = status(org, instant)
        if org.hours.kind == "always":
            assert result.state == State.ALWAYS
        elif org.hours.kind == "none":
            assert result is None
        else:
            assert result == status(org, instant.astimezone(UTC))
