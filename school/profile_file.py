"""The shareable ``.stappenplan-school`` file: one profile, integrity-checked.

A coordinator fills in the profile once and shares the file; a colleague
imports it in one step.  The file is two parts::

    stappenplan-school 1 length=1234 sha256=<64 lowercase hex>\\n
    <body: the profile as canonical JSON, UTF-8, exactly ``length`` bytes>

The body is ``school.profile.profile_to_dict`` as JSON with sorted keys, no
insignificant whitespace and no escaping of non-ASCII text, so equal
profiles give equal files.  The header line carries the format name, its
version, the body's length and its SHA-256: the reader refuses a file that
is not one of these (:class:`NotAProfileError`), from a newer version of the
app (:class:`NewerProfileError`, checked before anything else in the header
so a later format can change everything after the version), cut short
(:class:`TruncatedProfileError`), changed after it was written
(:class:`DamagedProfileError`), too large (:class:`ProfileTooLargeError`)
or whose content breaks a rule (:class:`InvalidProfileFileError`).
:func:`decode` either returns the whole profile or raises: there is no
partial import.

Why a checksum and a fingerprint, not a signature
-------------------------------------------------
The checksum catches a file damaged in a mail client, a download cut short,
or a hand edit.  It does not prove *who* wrote the file: anyone can write a
valid one.  A signature would, but only against a key the importing
colleague already trusts, and there is no such key: the app has no server,
no accounts and no PKI, a coordinator's private key would have to live in a
Chromebook's localStorage, and a key that arrives with the file proves
nothing.  Instead, the editor and the import screen both show the file's
:func:`fingerprint` (16 hex digits of the same SHA-256), which the
colleague compares with what the coordinator announced (in the staff
meeting, the school's own mail), and the import screen shows the contacts
themselves before anything is saved.  Same assurance as a pinned key,
without key handling.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from school.profile import (
    LIMITS,
    ProfileValidationError,
    SchoolProfile,
    profile_from_dict,
    profile_to_dict,
    validate_profile,
)

MAGIC = b"stappenplan-school "
VERSION = 1
FILE_SUFFIX = ".stappenplan-school"
_VERSION_PART = re.compile(rb"stappenplan-school ([0-9]{1,6})[ \n]")
_HEADER_V1 = re.compile(rb"stappenplan-school 1 length=([1-9][0-9]{0,7}) sha256=([0-9a-f]{64})\n")
_MAX_HEADER = 128


class ProfileFileError(Exception):
    """A ``.stappenplan-school`` file that cannot be imported; nothing was changed.

    ``code`` is stable; the UI words it in the user's language.
    """

    code = "profile_file"
    default_message = "This school profile file cannot be imported."

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(self.default_message + (f" ({detail})" if detail else ""))


class ProfileTooLargeError(ProfileFileError):
    code = "too_large"
    default_message = "The file is too large to be a school profile."


class NotAProfileError(ProfileFileError):
    code = "foreign"
    default_message = "This is not a school profile file (.stappenplan-school)."


class TruncatedProfileError(ProfileFileError):
    code = "truncated"
    default_message = "The school profile file is incomplete (cut short while copying or downloading)."


class DamagedProfileError(ProfileFileError):
    code = "damaged"
    default_message = "The school profile file was changed or damaged after it was made."


class NewerProfileError(ProfileFileError):
    code = "newer_version"
    default_message = "The school profile was made by a newer version of the app: update the app first."

    def __init__(self, version: int) -> None:
        self.version = version
        super().__init__(f"file version {version}, this app reads {VERSION}")


class InvalidProfileFileError(ProfileFileError):
    """The file is intact but its content breaks a rule of ``school.profile``."""

    code = "invalid"
    default_message = "The school profile in this file is not valid."

    def __init__(self, error: ProfileValidationError) -> None:
        self.field = error.field
        self.reason = error.reason
        super().__init__(str(error))


def canonical_json(profile: SchoolProfile) -> bytes:
    return json.dumps(
        profile_to_dict(profile), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def encode(profile: SchoolProfile) -> bytes:
    """The file's bytes.  Raises ProfileValidationError for a profile the
    reader would refuse, so every file written can be read back."""
    validate_profile(profile)  # the same rules as an import: ProfileValidationError
    body = canonical_json(profile)
    header = f"stappenplan-school {VERSION} length={len(body)} sha256={hashlib.sha256(body).hexdigest()}\n"
    data = header.encode("ascii") + body
    if len(data) > LIMITS.file_bytes:
        raise ProfileValidationError("", "too_long", f"file of {len(data)} bytes > {LIMITS.file_bytes}")
    return data


def decode(data: bytes) -> SchoolProfile:
    """The profile in a file's bytes, or a :class:`ProfileFileError` (nothing partial)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise NotAProfileError("not bytes")
    data = bytes(data)
    if len(data) > LIMITS.file_bytes:
        raise ProfileTooLargeError(f"{len(data)} bytes > {LIMITS.file_bytes}")
    if not data:
        raise TruncatedProfileError("empty file")
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            raise TruncatedProfileError("ends inside the header")
        raise NotAProfileError()
    newline = data.find(b"\n", 0, _MAX_HEADER)
    version_part = _VERSION_PART.match(data)
    if version_part is None:
        if newline < 0 and len(data) < _MAX_HEADER:
            raise TruncatedProfileError("ends inside the header")
        raise DamagedProfileError("unreadable header")
    version = int(version_part[1])
    if version > VERSION:
        raise NewerProfileError(version)
    header = _HEADER_V1.match(data)
    if header is None:
        if newline < 0 and len(data) < _MAX_HEADER:
            raise TruncatedProfileError("ends inside the header")
        raise DamagedProfileError("unreadable header")
    length, digest = int(header[1]), header[2].decode("ascii")
    body = data[header.end():]
    if len(body) < length:
        raise TruncatedProfileError(f"{len(body)} of {length} bytes")
    if len(body) > length:
        raise DamagedProfileError("data after the end")
    if hashlib.sha256(body).hexdigest() != digest:
        raise DamagedProfileError("checksum does not match")
    return decode_body(body)


def decode_body(body: bytes) -> SchoolProfile:
    """The profile from canonical JSON whose integrity is known (or just checked)."""
    try:
        value = json.loads(body.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant,
                           parse_float=_no_float)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DamagedProfileError(type(exc).__name__) from None
    try:
        return profile_from_dict(value)
    except ProfileValidationError as exc:
        raise InvalidProfileFileError(exc) from None


def fingerprint(profile: SchoolProfile) -> str:
    """16 hex digits of the profile's checksum in groups of four, to compare by eye
    ("4F2A 9C1B 77E0 D315"): the coordinator's and the colleague's screens show it.
    It is the start of the ``sha256`` in the header of the file :func:`encode` writes."""
    digest = hashlib.sha256(canonical_json(profile)).hexdigest()
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4)).upper()


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _no_float(text: str) -> Any:
    raise ValueError("numbers with a fraction are not allowed")


__all__ = [
    "DamagedProfileError",
    "FILE_SUFFIX",
    "InvalidProfileFileError",
    "NewerProfileError",
    "NotAProfileError",
    "ProfileFileError",
    "ProfileTooLargeError",
    "TruncatedProfileError",
    "VERSION",
    "canonical_json",
    "decode",
    "decode_body",
    "encode",
    "fingerprint",
]
