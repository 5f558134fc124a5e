"""The organisations file: loads, matches the source's last page, and is well-formed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import holidays
import pytest

from content.loader import load_organisations
from content.model import Hours

SOURCE = Path("/work/shared/source/stappenplan-online-incidenten.txt")
ORGS = load_organisations("nl")

SOURCE_IDS = ["adviespunt", "kindertelefoon", "injebol", "offlimits", "meldknop", "nji"]
ADDED_IDS = ["alarmnummer", "politie", "zelfmoordpreventie", "veilig-thuis", "helpwanted"]

# Documented corrections of the source (see the header of organisaties.nl.yaml).
WEBSITE_AS_WRITTEN = {"adviespunt": "www.schoolveiligheid.nl/adviespunt"}


def _plain(text: str) -> str:
    """Markdown links to their label, dashes and whitespace normalised."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def overview() -> str:
    """The source's last page, "Overzicht organisaties voor ondersteuning", as plain text."""
    if not SOURCE.exists():
        pytest.skip(f"source text not available at {SOURCE}")
    text = SOURCE.read_text(encoding="utf-8")
    start = text.index("# Overzicht organisaties voor ondersteuning")
    end = text.index("**colofon**", start)
    return text[start:end]


def _section(overview: str, name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", overview, re.S | re.M)
    assert match, f"no section '## {name}' in the source"
    return _plain(match.group(1))


def test_file_loads_with_items_in_order():
    assert ORGS.language == "nl"
    assert [o.id for o in ORGS.items] == SOURCE_IDS + ADDED_IDS


def test_intro_as_in_source(overview):
    assert ORGS.intro == "Belangrijke organisaties bij online grensoverschrijdend gedrag:"
    assert ORGS.intro in overview


@pytest.mark.parametrize("org_id", SOURCE_IDS)
def test_source_organisation_matches_source(org_id, overview):
    org = ORGS.get(org_id)
    assert org.origin == "stappenplan"
    section = _section(overview, org.name)
    for field in ("audience", "description", "reach_as_written", "hours_as_written"):
        value = getattr(org, field)
        if value:
            assert _plain(value) in section, (field, value)
    written = WEBSITE_AS_WRITTEN.get(org_id, org.website.removeprefix("https://"))
    assert written in section
    # every number the source gives for the line is in `phones`, and nothing else
    source_numbers = {re.sub(r"\D", "", n) for n in re.findall(r"\d[\d \-–]{6,}\d", org.reach_as_written)}
    assert {p.dial for p in org.phones} == source_numbers


@pytest.mark.parametrize(
    "org_id, name, number, website, hours_line",
    [
        ("adviespunt", "Adviespunt School & Veiligheid", "030 285 66 16", "https://www.schoolenveiligheid.nl/adviespunt", "09:00–16:00 uur op schooldagen"),
        ("kindertelefoon", "De Kindertelefoon", "0800-0432", "https://www.kindertelefoon.nl", "Elke dag van 11.00 uur tot 21.00 uur."),
        ("injebol", "In je bol", "0800-0450", "https://injebol.nl", "Elke dag van 14.00 uur tot 22.00 uur."),
        ("offlimits", "Offlimits", "020 261 52 75", "https://offlimits.nl", "maandag & donderdag tussen 7.00 en 23.00 uur;"),
        ("meldknop", "Meldknop.nl", None, "https://www.meldknop.nl", None),
        ("nji", "Nederlands Jeugdinstituut (NJI)", None, "https://www.nji.nl", None),
    ],
)
def test_source_organisations_details(org_id, name, number, website, hours_line):
    org = ORGS.get(org_id)
    assert org.name == name
    assert org.website == website
    assert [p.display for p in org.phones] == ([number] if number else [])
    if hours_line:
        assert hours_line in org.hours_as_written
    else:
        assert org.hours.kind == "none" and not org.helpline


def test_adviespunt_domain_typo_fixed():
    site = ORGS.get("adviespunt").website
    assert urlparse(site).netloc == "www.schoolenveiligheid.nl"
    assert "schoolveiligheid.nl" not in site
    assert "schoolveiligheid" in ORGS.get("adviespunt").source  # the fix is documented


def test_adviespunt_hours():
    hours = ORGS.get("adviespunt").hours
    assert hours.kind == "weekly" and hours.school_days_only
    assert [(r.days, r.opens, r.closes, r.certain) for r in hours.rules] == [
        (("ma", "di", "wo", "do", "vr"), "09:00", "16:00", True)
    ]


def test_adviespunt_summer_closures_match_school_holidays_midden():
    """Each closure is exactly the summer holiday of region midden (Utrecht)."""
    closures = ORGS.get("adviespunt").hours.closures
    assert closures, "list the coming summer holiday(s)"
    for closure in closures:
        start, end = date.fromisoformat(closure.start), date.fromisoformat(closure.end)
        assert start.year == end.year and "Zomervakantie" in closure.reason and "midden" in closure.reason
        school = holidays.country_holidays(
            "NL", subdiv="Midden", years=start.year, categories=(holidays.SCHOOL,), language="nl"
        )
        summer = sorted(d for d, name in school.items() if "Zomervakantie" in name)
        assert (start, end) == (summer[0], summer[-1])
        assert start.weekday() == 5 and end.weekday() == 6  # Saturday to Sunday
        # Not confirmed by the Adviespunt itself: "uncertain", never a wrong "closed".
        assert closure.certain is False
    assert max(date.fromisoformat(c.end) for c in closures) >= date(2027, 8, 1)


def test_offlimits_hours_tuesday_wednesday_uncertain():
    hours = ORGS.get("offlimits").hours
    by_day = {}
    for rule in hours.rules:
        for day in rule.days:
            by_day[day] = (rule.opens, rule.closes, rule.certain)
    assert by_day == {
        "ma": ("07:00", "23:00", True),
        "di": ("07:00", "23:00", False),
        "wo": ("07:00", "23:00", False),
        "do": ("07:00", "23:00", True),
        "vr": ("09:00", "17:00", True),
        "za": ("10:00", "18:00", True),
        "zo": ("10:00", "18:00", True),
    }
    assert hours.note  # explained to the reader


@pytest.mark.parametrize("org_id", ["kindertelefoon", "injebol"])
def test_every_day_lines(org_id):
    (rule,) = ORGS.get(org_id).hours.rules
    assert rule.days == ("ma", "di", "wo", "do", "vr", "za", "zo") and rule.certain


def test_hours_model_has_no_uncertain_days_field():
    assert "uncertain_days" not in Hours.__dataclass_fields__


@pytest.mark.parametrize(
    "org_id, numbers",
    [
        ("alarmnummer", ["112"]),
        ("politie", ["0900-8844"]),
        ("zelfmoordpreventie", ["113", "0800-0113"]),
        ("veilig-thuis", ["0800-2000"]),
    ],
)
def test_added_entries(org_id, numbers):
    org = ORGS.get(org_id)
    assert org.origin == "toegevoegd"
    assert [p.display for p in org.phones] == numbers
    assert org.hours.kind == "always"
    assert "niet uit het stappenplan" in org.source and "opnieuw controleren" in org.source
    assert not org.reach_as_written and not org.hours_as_written  # nothing "as written" by the source


def test_flags():
    assert [o.id for o in ORGS.items if o.emergency] == ["alarmnummer"]
    assert [o.id for o in ORGS.items if o.editable_phone] == ["politie"]
    assert [o.id for o in ORGS.items if not o.helpline] == ["meldknop", "nji", "helpwanted"]
    assert ORGS.get("zelfmoordpreventie").chat == "https://www.113.nl"
    assert [o.id for o in ORGS.from_source] == SOURCE_IDS


@pytest.mark.parametrize("org", ORGS.items, ids=lambda o: o.id)
def test_every_entry_has_source_and_verified_date(org):
    assert org.source.strip()
    verified = date.fromisoformat(org.verified)
    assert date(2026, 1, 1) <= verified <= date(2030, 1, 1)  # the source is from 2026
    assert org.name and org.hours.kind in ("always", "weekly", "none")


@pytest.mark.parametrize("org", ORGS.items, ids=lambda o: o.id)
def test_phones_display_dutch_and_dial_digits(org):
    dutch = re.compile(r"^(0[1-9]\d \d{3} \d{2} \d{2}|0[89]00-\d{4}|11[23])$")
    for phone in org.phones:
        assert dutch.match(phone.display), phone.display
        assert phone.dial.isdigit()
        assert phone.tel_uri == f"tel:{phone.dial}"
    if org.helpline and org.hours.kind != "none":
        assert org.phones


@pytest.mark.parametrize(
    "org_id, uri",
    [
        ("kindertelefoon", "tel:08000432"),
        ("injebol", "tel:08000450"),
        ("offlimits", "tel:0202615275"),
        ("adviespunt", "tel:0302856616"),
        ("politie", "tel:09008844"),
        ("alarmnummer", "tel:112"),
    ],
)
def test_tel_uris(org_id, uri):
    assert ORGS.get(org_id).phones[0].tel_uri == uri


@pytest.mark.parametrize("org", ORGS.items, ids=lambda o: o.id)
def test_urls_are_https(org):
    for url in (org.website, org.chat):
        if url:
            parsed = urlparse(url)
            assert parsed.scheme == "https" and parsed.netloc and " " not in url, url
    if org.hours.kind == "none":
        assert org.website  # a website-only line needs its website
