"""The school profile's rules: what a coordinator can enter, and what is refused with the field named."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from content.loader import load_plan, load_school_roles
from content.model import Closure, Hours, OpeningRule
from content.opening_hours import State
from school import profile_file
from school.placement import (
    ACTION_ROLES,
    ACUTE_ORDER,
    SANCTION_POLICY_ACTIONS,
    acute_contacts,
    contacts_for_action,
    reachability,
)
from school.profile import (
    LIMITS,
    ProfileValidationError,
    SchoolContact,
    SchoolProfile,
    SchoolRole,
    profile_from_dict,
    profile_to_dict,
    tidy,
    valid_email,
    valid_phone,
    valid_url,
    validate_profile,
)

R = SchoolRole


def contact(**changes) -> dict:
    base = {"role": "vertrouwenspersoon", "name": "Karel Smit", "phone": "030 123 45 67", "email": "k@school.nl"}
    base.update(changes)
    return base


def profile(**changes) -> dict:
    base = {"school": "OSG De Linde", "contacts": [contact()]}
    base.update(changes)
    return base


def refused(value: dict) -> ProfileValidationError:
    with pytest.raises(ProfileValidationError) as info:
        profile_from_dict(value)
    return info.value


def test_a_full_profile_reads_and_writes_back_the_same():
    raw = profile(
        contacts=[
            contact(hours={"kind": "weekly", "school_days_only": True, "note": "",
                           "rules": [{"days": ["ma", "di"], "opens": "08:30", "closes": "16:00", "certain": True}],
                           "closures": [{"start": "2027-07-17", "end": "2027-08-29", "reason": "Zomervakantie",
                                         "certain": False}]},
                    reachable="ma en di"),
            contact(role="politie", name="", email="", phone="0900-8844"),
        ],
        step_notes={"3": "Sanctiebeleid: zie schoolgids §4\nen de bijlage"},
        sanction_policy_url="https://delinde.nl/schoolgids#sancties",
        updated="2026-11-24T09:00:00Z",
    )
    read = profile_from_dict(raw)
    assert read.contacts[0].hours.closures[0].certain is False
    assert read.note(3).startswith("Sanctiebeleid") and read.note(4) == ""
    assert read.updated == datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    assert profile_from_dict(profile_to_dict(read)) == read
    assert profile_to_dict(read)["step_notes"] == {"3": raw["step_notes"]["3"]}


@pytest.mark.parametrize("value, field, reason", [
    ({"contacts": []}, "school", "missing"),
    (profile(school="   "), "school", "empty"),
    (profile(school="x" * (LIMITS.school_name + 1)), "school", "too_long"),
    (profile(scool="typo"), "scool", "unknown_key"),
    (profile(contacts=[contact(role="conciërge")]), "contacts[0].role", "role"),
    (profile(contacts=[contact(phone="030 12a 45 67")]), "contacts[0].phone", "phone"),
    (profile(contacts=[contact(email="karel at school")]), "contacts[0].email", "email"),
    (profile(contacts=[contact(phone="", email="")]), "contacts[0]", "reach"),
    (profile(contacts=[contact(name="Karel\ud800")]), "contacts[0].name", "text"),
    (profile(contacts=[contact(name="Karel\u202eSmit")]), "contacts[0].name", "text"),
    (profile(contacts=[contact(reachable="ma\ndi")]), "contacts[0].reachable", "text"),
    (profile(contacts=[contact(name=42)]), "contacts[0].name", "type"),
    (profile(contacts=[contact()] * (LIMITS.contacts + 1)), "contacts", "too_many"),
    (profile(contacts=[contact(extra=1)]), "contacts[0].extra", "unknown_key"),
    (profile(contacts=[contact(hours={"kind": "weekly", "rules": []})]), "contacts[0].hours.rules", "hours"),
    (profile(contacts=[contact(hours={"kind": "none"})]), "contacts[0].hours.kind", "hours"),
    (profile(contacts=[contact(hours={"kind": "weekly", "rules": [{"days": ["ma"], "opens": "16:00",
                                                                   "closes": "08:00"}]})]),
     "contacts[0].hours.rules[0]", "hours"),
    (profile(contacts=[contact(hours={"kind": "weekly", "rules": [{"days": ["ma"], "opens": "08:00",
                                                                   "closes": 57600}]})]),
     "contacts[0].hours.rules[0].closes", "time"),
    (profile(contacts=[contact(hours={"kind": "always", "closures": [
        {"start": "2027-02-30", "end": "2027-03-01", "reason": ""}]})]), "contacts[0].hours.closures[0].start", "date"),
    (profile(step_notes={"8": "x"}), "step_notes.8", "step"),
    (profile(step_notes={"3": "x" * (LIMITS.step_note + 1)}), "step_notes.3", "too_long"),
    (profile(sanction_policy_url="javascript:alert(1)"), "sanction_policy_url", "url"),
    (profile(updated="2026-11-24 09:00"), "updated", "date"),
    (profile(updated="2150-01-01T00:00:00Z"), "updated", "date"),
    ([], "", "type"),
])
def test_a_broken_profile_is_refused_with_the_field_named(value, field, reason):
    error = refused(value)
    assert (error.field, error.reason) == (field, reason)


@pytest.mark.parametrize("phone, ok", [
    ("030 123 45 67", True), ("0800-0432", True), ("112", True), ("+31 6 12345678", True), ("(030) 1234567", True),
    ("12", False), ("+31 (0)30 123 45 67", False), ("030+1234567", False), ("1" * 16, False), ("tel:0301234567", False),
])
def test_phone_numbers_as_people_write_them(phone, ok):
    assert valid_phone(phone) is ok


@pytest.mark.parametrize("email, ok", [
    ("m.jansen@osgdelinde.nl", True), ("pesten+meld@school.example", True), ("a@b.co", True),
    ("jansen@localhost", False), ("Marieke <m@school.nl>", False), ("m..jansen@school.nl", False),
    ("m@school..nl", False), (("x" * 65) + "@school.nl", False), ("ë@school.nl", False),
])
def test_email_addresses(email, ok):
    assert valid_email(email) is ok


@pytest.mark.parametrize("url, ok", [
    ("https://www.delinde.nl/schoolgids.pdf#page=4", True), ("http://delinde.nl", True),
    ("https://münchen.example/x", True), ("ftp://delinde.nl", False), ("https://user:pw@delinde.nl", False),
    ("https://delinde", False), ("https://delinde.nl/a b", False), ("https://1.2.3.4/", False),
    ("https://delinde.nl:99999/", False), ("data:text/html,hi", False),
])
def test_sanction_policy_links(url, ok):
    assert valid_url(url) is ok


def test_the_editor_tidies_then_validates():
    typed = SchoolProfile("  OSG De Linde ", (SchoolContact(R.DIRECTIE, " 030 123 45 60 ", name=" Jeroen "),),
                          {2: "  ", 3: " zie gids "})
    now = datetime(2026, 11, 24, 9, 0, 0, 123456, tzinfo=timezone.utc)
    saved = validate_profile(tidy(typed, now=now))
    assert saved.school_name == "OSG De Linde" and saved.contacts[0].phone == "030 123 45 60"
    assert dict(saved.step_notes) == {3: "zie gids"}
    assert saved.updated == now.replace(microsecond=0)
    with pytest.raises(ProfileValidationError) as info:
        validate_profile(dataclasses.replace(saved, school_name=""))
    assert info.value.field == "school"


def test_the_largest_profile_the_limits_allow_fits_in_a_file():
    """The writer never makes a file the reader refuses as too large."""
    wide = "\U0001f600"  # four bytes in UTF-8, the most per character
    long_hours = Hours(
        "weekly",
        tuple(OpeningRule(("ma", "di", "wo", "do", "vr", "za", "zo"), "00:00", "24:00") for _ in range(LIMITS.hours_rules)),
        True,
        tuple(Closure("2027-07-17", "2027-08-29", wide * LIMITS.closure_reason) for _ in range(LIMITS.hours_closures)),
        wide * LIMITS.hours_note,
    )
    person = SchoolContact(R.ZORGCOORDINATOR, "0" * LIMITS.phone_digits_max, "x" * 64 + "@" + "s" * 60 + ".nl",
                           wide * LIMITS.contact_name, wide * LIMITS.reachable, long_hours)
    biggest = SchoolProfile(wide * LIMITS.school_name, (person,) * LIMITS.contacts,
                            {s: wide * LIMITS.step_note for s in range(1, 8)}, "https://a.nl/" + "x" * 1980)
    data = profile_file.encode(biggest)
    assert len(data) <= LIMITS.file_bytes
    assert profile_file.decode(data) == biggest


# --- roles and where they show --------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_role_has_words_in_both_languages(language):
    roles = load_school_roles(language)
    assert [r.id for r in roles.items] == [str(r) for r in SchoolRole]
    assert all(r.label and r.noun and r.description for r in roles.items)
    assert roles.heading == {"nl": "Eigen school", "en": "Own school"}[language]


def test_placement_points_at_actions_of_the_plan():
    plan = load_plan("nl")
    for action_id in [*ACTION_ROLES, *SANCTION_POLICY_ACTIONS]:
        plan.action(action_id)  # KeyError for an unknown action
    assert sorted(ACUTE_ORDER) == sorted(SchoolRole)
    assert plan.step_of("strafbare-feiten").number == 3 and ACTION_ROLES["strafbare-feiten"] == (R.POLITIE,)
    assert {R.DIRECTIE, R.ZORGCOORDINATOR} <= set(ACTION_ROLES["actieteam-samenstellen"])


def test_own_school_contacts_in_the_acute_flow_and_per_step():
    school = profile_from_dict(profile(contacts=[
        contact(role="mediawoordvoerder", name="Pers", phone="030 000 00 01"),
        contact(role="politie", name="Wijkagent", phone="0900-8844"),
        contact(role="zorgcoordinator", name="Zorg", phone="", email="zorg@school.nl"),
        contact(role="zorgcoordinator", name="Zorg 2", phone="030 000 00 02"),
        contact(role="directie", name="Directie", phone="030 000 00 03"),
    ]))
    assert [c.name for c in acute_contacts(school)] == ["Zorg 2", "Directie", "Wijkagent", "Pers"]  # phone only
    assert [c.name for c in contacts_for_action(school, "strafbare-feiten")] == ["Wijkagent"]
    assert [c.name for c in contacts_for_action(school, "actieteam-samenstellen")] == [
        "Directie", "Zorg", "Zorg 2", "Pers"]
    assert contacts_for_action(school, "melder") == () and acute_contacts(None) == ()


def test_reachable_now_by_the_same_rules_as_the_help_lines():
    office = SchoolContact(R.ZORGCOORDINATOR, "030 000 00 02", hours=Hours(
        "weekly", (OpeningRule(("ma", "di", "wo", "do", "vr"), "08:00", "16:30"),), school_days_only=True))
    tuesday_ten = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)  # 10:00 in Amsterdam
    christmas = datetime(2026, 12, 25, 9, 0, tzinfo=timezone.utc)
    assert reachability(office, tuesday_ten).state is State.OPEN
    assert reachability(office, christmas).state is State.CLOSED
    assert reachability(dataclasses.replace(office, hours=None), tuesday_ten) is None
