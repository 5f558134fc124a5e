"""The shareable .stappenplan-school file: round trip, refusals with a clear error, nothing partial.

A coordinator shares the profile as a file; a colleague imports it.  A file
that is damaged, cut short, too large, from a newer app or not a profile at
all is refused with its own error, and the device's profile stays as it was.
The parser is fuzzed (random bytes, mutated files, intact files with hostile
content): it returns a valid profile or raises one of its own errors, never
anything else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from school import profile_file as pf
from school.profile import LIMITS, SchoolContact, SchoolProfile, SchoolRole, profile_from_dict
from school.store import PROFILE_KEY, ProfileStore, bundled_profile, effective_profile
from tests.school_strategies import profiles

SCHOOL = profile_from_dict({
    "school": "OSG De Linde",
    "contacts": [
        {"role": "vertrouwenspersoon", "name": "Karel Smit", "phone": "030 123 45 67", "email": "k.smit@delinde.nl"},
        {"role": "politie", "name": "Wijkagent Sander Bakker", "phone": "0900-8844", "reachable": "via de balie"},
    ],
    "step_notes": {"3": "Sanctiebeleid: zie schoolgids §4"},
    "sanction_policy_url": "https://delinde.nl/gids",
})
FILE = pf.encode(SCHOOL)


class FakePreferences:
    """ft.SharedPreferences as a dict; records every write."""

    def __init__(self, values: dict | None = None) -> None:
        self.values = dict(values or {})
        self.writes: list[str] = []

    async def get(self, key):
        return self.values.get(key)

    async def set(self, key, value):
        self.writes.append(key)
        self.values[key] = value
        return True

    async def remove(self, key):
        self.writes.append(key)
        self.values.pop(key, None)
        return True


def run(coro):
    return asyncio.run(coro)


# --- round trip -------------------------------------------------------------------------------


def test_the_file_is_a_header_and_canonical_json():
    header, _, body = FILE.partition(b"\n")
    assert header == b"stappenplan-school 1 length=%d sha256=%s" % (len(body), hashlib.sha256(body).hexdigest().encode())
    assert json.loads(body)["school"] == "OSG De Linde"
    assert "§4".encode() in body  # UTF-8, not escaped
    assert pf.encode(pf.decode(FILE)) == FILE
    assert pf.fingerprint(SCHOOL) == " ".join(hashlib.sha256(body).hexdigest()[i:i + 4] for i in range(0, 16, 4)).upper()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_any_valid_profile_round_trips_through_its_file(profile):
    data = pf.encode(profile)
    assert pf.decode(data) == profile
    assert pf.encode(pf.decode(data)) == data  # canonical: one profile, one file


# --- refusals ----------------------------------------------------------------------------------


def with_body(body: bytes, version: int = 1) -> bytes:
    return b"stappenplan-school %d length=%d sha256=%s\n" % (version, len(body), hashlib.sha256(body).hexdigest().encode()) + body


@pytest.mark.parametrize("data, error", [
    (b"", pf.TruncatedProfileError),
    (FILE[:10], pf.TruncatedProfileError),
    (FILE[:40], pf.TruncatedProfileError),
    (FILE[:-1], pf.TruncatedProfileError),
    (FILE[: len(FILE) // 2], pf.TruncatedProfileError),
    (FILE + b" ", pf.DamagedProfileError),
    (FILE.replace(b"Karel", b"Kerel"), pf.DamagedProfileError),
    (FILE.replace(b"length=", b"lenght="), pf.DamagedProfileError),
    (b"%PDF-1.7\n...", pf.NotAProfileError),
    (b"SJOURNAL\x00\x01 encrypted backup", pf.NotAProfileError),
    (json.dumps({"school": "De Linde"}).encode(), pf.NotAProfileError),
    ("\ufeff".encode() + FILE, pf.NotAProfileError),
    (b"stappenplan-school 2 signed=ed25519 whatever the future holds\n{}", pf.NewerProfileError),
    (b"x" * (LIMITS.file_bytes + 1), pf.ProfileTooLargeError),
    (b"x" * LIMITS.file_bytes, pf.NotAProfileError),  # at the limit: not too large, just not a profile
    (b"stappenplan-school 1 lenght=2 sha256=00\n{}", pf.DamagedProfileError),
    (b"stappenplan-school 1 length=2 sha256=" + b"0" * 64, pf.TruncatedProfileError),
    (b"stappenplan-school 1 " + b"x" * 200 + b"\n{}", pf.DamagedProfileError),
    (with_body(b'{"school":"A","updated":1.5}'), pf.DamagedProfileError),
    (with_body(b'{"school":"A","school":"B"}'), pf.DamagedProfileError),
    (with_body(b'{"school":"A","updated":NaN}'), pf.DamagedProfileError),
    (with_body(b'\xff\xfe{}'), pf.DamagedProfileError),
    (with_body(b"[" * 100_000), pf.DamagedProfileError),
    (with_body(b'{"school":"A","contacts":[{"role":"directie","phone":"1"}]}'), pf.InvalidProfileFileError),
    (with_body(b'{"school":"A\\ud800"}'), pf.InvalidProfileFileError),
    (with_body(b'{"school":"A","pupils":[{"alias":"SdV"}]}'), pf.InvalidProfileFileError),
])
def test_a_bad_file_is_refused_with_its_own_error(data, error):
    with pytest.raises(error) as info:
        pf.decode(data)
    assert isinstance(info.value, pf.ProfileFileError) and info.value.code


def test_errors_say_what_is_wrong():
    with pytest.raises(pf.NewerProfileError) as newer:
        pf.decode(b"stappenplan-school 7 ...\n")
    assert newer.value.version == 7 and "newer version" in str(newer.value)
    assert newer.value.detail == "file version 7, this app reads 1"
    with pytest.raises(pf.TruncatedProfileError) as cut:
        pf.decode(FILE[:-10])
    body_length = len(FILE.partition(b"\n")[2])
    assert cut.value.detail == f"{body_length - 10} of {body_length} bytes"
    with pytest.raises(pf.InvalidProfileFileError) as invalid:
        pf.decode(with_body('{"school":"A","contacts":[{"role":"conciërge","phone":"112"}]}'.encode()))
    assert (invalid.value.field, invalid.value.reason) == ("contacts[0].role", "role")
    codes = {pf.TruncatedProfileError.code, pf.DamagedProfileError.code, pf.NotAProfileError.code,
             pf.NewerProfileError.code, pf.ProfileTooLargeError.code, pf.InvalidProfileFileError.code}
    assert len(codes) == 6


def test_the_writer_refuses_what_the_reader_would():
    with pytest.raises(ValueError):
        pf.encode(SchoolProfile("De Linde", (SchoolContact(SchoolRole.DIRECTIE, "12"),)))


# --- the device's copy ------------------------------------------------------------------------


def test_import_keeps_the_profile_and_touches_nothing_else():
    prefs = FakePreferences({"stappenplan.language": "en", "journal": "untouched"})
    store = ProfileStore(prefs)
    assert run(store.import_file(FILE)) == SCHOOL
    assert prefs.writes == [PROFILE_KEY]
    assert prefs.values["journal"] == "untouched" and prefs.values["stappenplan.language"] == "en"
    again = ProfileStore(prefs)
    assert run(again.load()) == SCHOOL and again.stored_error is None


@pytest.mark.parametrize("bad", [FILE[:-5], FILE.replace(b"Smit", b"Smid"), b"not a profile",
                                 pf.encode(SCHOOL).replace(b" 1 length", b" 9 length")])
def test_a_refused_import_changes_nothing(bad):
    prefs = FakePreferences()
    store = ProfileStore(prefs)
    run(store.save(SCHOOL))
    before = dict(prefs.values)
    with pytest.raises(pf.ProfileFileError):
        run(store.import_file(bad))
    assert prefs.values == before and store.profile == SCHOOL


@pytest.mark.parametrize("stored", [12345, "\ud800", ""])
def test_whatever_else_is_stored_under_the_key_is_not_a_profile(stored):
    store = ProfileStore(FakePreferences({PROFILE_KEY: stored}))
    assert run(store.load()) is None
    assert (store.stored_error is None) == (stored in (12345, ""))


def test_a_stored_copy_changed_outside_the_app_is_reported_not_used():
    prefs = FakePreferences({PROFILE_KEY: FILE.decode().replace("Karel", "Kerel")})
    store = ProfileStore(prefs)
    assert run(store.load()) is None
    assert isinstance(store.stored_error, pf.DamagedProfileError)
    assert prefs.values[PROFILE_KEY].count("Kerel") == 1  # left as it was


def test_the_built_in_profile_until_the_device_has_a_newer_one(tmp_path):
    built_in = SchoolProfile("Build", updated=datetime(2026, 9, 1, tzinfo=timezone.utc))
    path = tmp_path / "bundled.stappenplan-school"
    assert bundled_profile(path) is None
    path.write_bytes(pf.encode(built_in))
    assert bundled_profile(path) == built_in
    device_older = SchoolProfile("Device", updated=datetime(2026, 8, 1, tzinfo=timezone.utc))
    device_newer = SchoolProfile("Device", updated=datetime(2026, 10, 1, tzinfo=timezone.utc))
    assert effective_profile(None, built_in) is built_in
    assert effective_profile(device_older, built_in) is built_in
    assert effective_profile(device_newer, built_in) is device_newer
    assert effective_profile(SchoolProfile("Device"), SchoolProfile("Build")).school_name == "Device"
    same_time = dataclasses.replace(built_in, school_name="Device")
    assert effective_profile(same_time, built_in) is same_time  # a tie: the device's own copy
    store = ProfileStore(FakePreferences(), bundled=built_in)
    assert run(store.load()) is built_in


# --- fuzzing -------------------------------------------------------------------------------------

_ERRORS = (pf.ProfileFileError,)


def _decodes_or_refuses(data: bytes) -> None:
    try:
        result = pf.decode(data)
    except _ERRORS:
        return
    assert isinstance(result, SchoolProfile)
    assert pf.decode(pf.encode(result)) == result  # whatever is accepted can be written again


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(data):
    _decodes_or_refuses(data)
    _decodes_or_refuses(b"stappenplan-school " + data)


@settings(max_examples=2000, deadline=None)
@given(st.data())
def test_fuzz_mutated_files(data):
    original = bytearray(data.draw(st.sampled_from([FILE, pf.encode(SchoolProfile("A"))])))
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = data.draw(st.integers(0, len(original)))
        if action == "flip" and at < len(original):
            original[at] ^= 1 << data.draw(st.integers(0, 7))
        elif action == "cut":
            del original[at:]
        elif action == "insert":
            original[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        elif at < len(original):
            del original[at]
    _decodes_or_refuses(bytes(original))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=30)
    | st.sampled_from(["directie", "politie", "030 123 45 67", "a@b.nl", "https://a.nl", "always", "weekly",
                       "ma", "08:00", "24:00", "2027-01-01", "2026-11-24T09:00:00Z", "\ud800", "\u202e"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["school", "contacts", "role", "name", "phone", "email", "reachable", "hours",
                                       "kind", "rules", "days", "opens", "closes", "closures", "start", "end",
                                       "reason", "certain", "note", "step_notes", "sanction_policy_url", "updated",
                                       "1", "7", "9", "school_days_only", "extra"]), inner, max_size=6),
    max_leaves=25,
)


@settings(max_examples=2000, deadline=None)
@given(json_values)
def test_fuzz_intact_files_with_hostile_content(value):
    body = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    _decodes_or_refuses(with_body(body))
