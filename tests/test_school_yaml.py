"""The YAML form of the school profile that tools/build_web.py --school-profile takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from school import profile_file
from school.profile import SchoolRole
from tools.school_yaml import ProfileYamlError, explained, profile_from_yaml, read_profile_source

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "schoolprofiel.voorbeeld.yaml"


def test_the_documented_example_is_a_valid_profile():
    profile = read_profile_source(EXAMPLE)
    assert profile.school_name == "OSG De Linde"
    assert {c.role for c in profile.contacts} >= {SchoolRole.VERTROUWENSPERSOON, SchoolRole.POLITIE}
    assert profile.note(3) == "Sanctiebeleid: zie schoolgids §4."
    assert profile.contacts_with(SchoolRole.ZORGCOORDINATOR)[0].hours.school_days_only


def test_yaml_and_the_app_file_give_the_same_profile(tmp_path):
    profile = read_profile_source(EXAMPLE)
    exported = tmp_path / "school.stappenplan-school"
    exported.write_bytes(profile_file.encode(profile))
    assert read_profile_source(exported) == profile


@pytest.mark.parametrize("text, dutch, english", [
    ("school: [unclosed", "Dit is geen geldige YAML (regel 2, kolom 1).",
     "This is not valid YAML (line 2, column 1)."),
    ("school: De Linde\nscool: typo\n", "Schoolprofiel: Onbekend veld ‘scool’ (controleer de spelling).",
     "School profile: Unknown field 'scool' (check the spelling)."),
    ("school: De Linde\ncontacts:\n  - role: directie\n    phone: 030 123 45 60\n    hours:\n      kind: weekly\n"
     "      rules:\n        - days: [ma]\n          opens: '08:00'\n          closes: 16:00\n",
     'Contactpersoon 1 (Directie), vaste tijden, regel 1, sluit: Zet tijden tussen aanhalingstekens, '
     'bijvoorbeeld "16:00".',
     'Contact person 1 (Management), fixed hours, rule 1, closes: Write times in quotes, e.g. "16:00".'),
    ("school: De Linde\ncontacts:\n  - role: directie\n    phone: '030 123 45 60'\n  - role: conciërge\n"
     "    phone: '112'\n", "Contactpersoon 2, rol: Kies een rol.", "Contact person 2, role: Choose a role."),
    ("school: De Linde\ncontacts:\n  - role: zorgcoordinator\n    phone: '12'\n",
     "Contactpersoon 1 (Zorgcoördinator / intern begeleider), telefoonnummer: Vul een telefoonnummer in",
     "Contact person 1 (Care coordinator / internal supervisor), phone number: Enter a phone number"),
    ("school: De Linde\ncontacts:\n  - role: vertrouwenspersoon\n    phone: '030 123 45 67'\n    name: "
     + "x" * 121 + "\n", "Contactpersoon 1 (Vertrouwenspersoon), naam: Te lang: hoogstens 120 tekens.",
     "Contact person 1 (Confidential adviser), name: Too long: at most 120 characters."),
    ("- just a list\n", "Dit is niet het juiste soort waarde.", "This is not the right kind of value."),
])
def test_a_mistake_in_the_yaml_is_named_as_the_editor_names_it_in_dutch_and_english(text, dutch, english):
    with pytest.raises(ProfileYamlError) as info:
        profile_from_yaml(text)
    assert dutch in info.value.describe("nl")
    assert english in info.value.describe("en") and english in str(info.value)
    assert "[0]" not in explained(info.value) and "contacts" not in explained(info.value)
    assert explained(info.value).splitlines() == [info.value.describe("nl"), info.value.describe("en")]


def test_an_unquoted_time_stamp_is_read_as_utc():
    profile = profile_from_yaml("school: De Linde\nupdated: 2026-11-24T10:00:00+01:00\n")
    assert profile.updated.isoformat() == "2026-11-24T09:00:00+00:00"


def test_a_broken_app_file_is_named(tmp_path):
    broken = tmp_path / "school.stappenplan-school"
    broken.write_bytes(profile_file.encode(read_profile_source(EXAMPLE))[:-3])
    with pytest.raises(ProfileYamlError) as info:
        read_profile_source(broken)
    assert "school.stappenplan-school" in str(info.value) and "incomplete" in str(info.value)
    assert "niet compleet" in info.value.describe("nl")
    with pytest.raises(ProfileYamlError, match="cannot be read"):
        read_profile_source(tmp_path / "missing.yaml")

