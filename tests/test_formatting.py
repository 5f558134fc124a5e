"""What the help-line status says, in Dutch, at chosen moments (Amsterdam time)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from content.loader import load_organisations
from content.opening_hours import status
from words import i18n
from words.formatting import clock, day_phrase, helpline_status, long_date

AMS = ZoneInfo("Europe/Amsterdam")
ORGS = load_organisations("nl")


@pytest.fixture(autouse=True)
def dutch():
    i18n.set_language("nl")


def at(*args, zone=AMS):
    return datetime(*args, tzinfo=zone)


@pytest.mark.parametrize(
    "org_id, moment, expected",
    [
        ("kindertelefoon", at(2026, 11, 24, 14, 5), "Nu open · tot 21:00"),
        ("kindertelefoon", at(2026, 11, 24, 9, 0), "Gesloten · opent om 11:00"),
        ("kindertelefoon", at(2026, 11, 24, 21, 0), "Gesloten · opent morgen om 11:00"),
        ("kindertelefoon", at(2026, 11, 24, 23, 59), "Gesloten · opent morgen om 11:00"),
        ("kindertelefoon", at(2026, 11, 25, 0, 0), "Gesloten · opent om 11:00"),
        # Friday evening: the Adviespunt opens again on Monday
        ("adviespunt", at(2026, 11, 27, 16, 30), "Gesloten · opent maandag om 09:00"),
        # Christmas Eve afternoon: closed over Christmas, open again on Monday the 28th
        ("adviespunt", at(2026, 12, 24, 17, 0), "Gesloten · opent maandag om 09:00"),
        ("offlimits", at(2026, 11, 24, 12, 0), "Openingstijden onzeker — bel gerust"),
        ("offlimits", at(2026, 11, 23, 23, 30), "Gesloten · opent morgen om 07:00 (onzeker)"),
        ("zelfmoordpreventie", at(2026, 11, 24, 3, 0), "Dag en nacht bereikbaar"),
        # the evening the clocks go back: still 'tot 21:00' in local time
        ("kindertelefoon", at(2026, 10, 25, 20, 0), "Nu open · tot 21:00"),
        # a Chromebook set to UTC: 13:05 UTC is 14:05 in Amsterdam in winter
        ("kindertelefoon", at(2026, 11, 24, 20, 30, zone=ZoneInfo("UTC")), "Gesloten · opent morgen om 11:00"),
    ],
)
def test_status_line_reads_as_a_mentor_expects(org_id, moment, expected):
    assert helpline_status(status(ORGS.get(org_id), moment)) == expected


def test_status_line_always_says_open_or_closed_or_why_not():
    for org in ORGS.helplines:
        for hour in range(24):
            text = helpline_status(status(org, at(2026, 11, 24, hour, 17))).lower()
            assert any(word in text for word in ("open", "gesloten", "bereikbaar", "onzeker")), text


def test_far_away_opening_names_the_date():
    assert day_phrase(at(2027, 1, 4, 9, 0), at(2026, 12, 24, 12, 0)) == "maandag 4 januari"


def test_times_are_amsterdam_times_whatever_the_zone():
    assert clock(at(2026, 7, 1, 12, 0, zone=ZoneInfo("UTC"))) == "14:00"
    assert clock(at(2026, 7, 1, 8, 0, zone=ZoneInfo("America/New_York"))) == "14:00"


def test_long_date_is_dutch():
    assert long_date("2026-11-24") == "24 november 2026"
