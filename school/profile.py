"""The school profile: model, limits and validation (pure, no I/O).

A profile holds the school's name, its own contact people (staff work
contacts: role, optional name, phone, e-mail, when reachable and optionally
opening hours in the same model as the help lines, ``content.model.Hours``,
so ``content.opening_hours.status`` says "nu bereikbaar" for them too), the
school's own protocol notes per step of the plan and a link to its sanction
policy.  It never holds anything about pupils.

Every limit is declared once, in :data:`LIMITS`; the editor, the file codec
(``school.profile_file``), the YAML form and the tests read it from there.
:func:`profile_from_dict` is the one strict reader for every outside form
(the ``.stappenplan-school`` file, the YAML of the web build, the copy kept
in the device's preferences): unknown keys, wrong types, over-long or
invalid text (lone surrogates, control or bidi-override characters), phone
numbers, e-mail addresses and links that are not what they claim all raise
:class:`ProfileValidationError` naming the field.  :func:`profile_to_dict`
writes every field, so its JSON is canonical.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Mapping, Optional
from urllib.parse import urlsplit

from content.model import Closure, Hours, OpeningRule


class SchoolRole(StrEnum):
    """The school's own people the step plan sends the user to (fixed vocabulary).

    Labels and descriptions per language live in ``content/data/schoolrollen.*.yaml``.
    """

    POLITIE = "politie"  # the school's contact at the police / community officer (wijkagent)
    ZORGCOORDINATOR = "zorgcoordinator"  # zorgcoördinator / intern begeleider
    VERTROUWENSPERSOON = "vertrouwenspersoon"
    AANSPREEKPUNT_PESTEN = "aanspreekpunt-pesten"
    MEDIAWOORDVOERDER = "mediawoordvoerder"
    DIRECTIE = "directie"
    SCHOOLMAATSCHAPPELIJK_WERK = "schoolmaatschappelijk-werk"
    JEUGDARTS = "jeugdarts"  # GGD / jeugdarts
    LEERPLICHT = "leerplicht"
    VEILIG_THUIS = "veilig-thuis"  # Veilig Thuis of the school's region


STEPS = tuple(range(1, 8))  # the plan's seven steps, for the protocol notes


@dataclass(frozen=True)
class Limits:
    """Every limit of a profile.  Generous for a school, tight for a hostile file."""

    school_name: int = 120
    contacts: int = 30
    contact_name: int = 120
    phone: int = 32
    phone_digits_min: int = 3
    phone_digits_max: int = 15
    email: int = 254
    email_local: int = 64
    reachable: int = 300
    hours_rules: int = 14
    hours_closures: int = 12
    closure_reason: int = 80
    hours_note: int = 300
    step_note: int = 2000
    url: int = 2000
    year_min: int = 2000
    year_max: int = 2100
    # The encoded file: above what the largest valid profile needs (a test checks
    # that the largest profile these limits allow, in 4-byte characters, fits).
    file_bytes: int = 1024 * 1024


LIMITS = Limits()


class ProfileValidationError(ValueError):
    """A profile (or a part of one) breaks a rule.

    ``field`` is a path such as ``contacts[2].email`` (indexes from 0);
    ``reason`` a stable code the UI words (``words.school_profile``):
    ``missing``, ``unknown_key``, ``type``, ``empty``, ``too_long``,
    ``too_many``, ``text`` (lone surrogate, control or bidi character),
    ``phone``, ``email``, ``url``, ``role``, ``step``, ``hours``, ``time`` (a
    time the YAML form read as a number), ``date``, ``reach`` (a contact with
    neither phone nor e-mail).  ``limit``: for ``too_long`` and ``too_many``,
    the limit broken (from :data:`LIMITS`), so the user is told it.
    """

    def __init__(self, field: str, reason: str, detail: str = "", *, limit: Optional[int] = None) -> None:
        self.field = field
        self.reason = reason
        self.detail = detail
        self.limit = limit
        super().__init__(f"{field}: {reason}" + (f" ({detail})" if detail else ""))


# --- model --------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolContact:
    """One of the school's own people.  ``phone`` is written the Dutch way
    ("030 123 45 67"); ``content.model.Phone(phone).tel_uri`` dials it."""

    role: SchoolRole
    phone: str = ""
    email: str = ""
    name: str = ""
    reachable: str = ""  # free text: "ma, di en do 8.30-16.00"
    hours: Optional[Hours] = None  # optional: then the app says whether they are reachable now


@dataclass(frozen=True)
class SchoolProfile:
    school_name: str
    contacts: tuple[SchoolContact, ...] = ()
    step_notes: Mapping[int, str] = field(default_factory=dict)  # step 1..7 -> the school's own note
    sanction_policy_url: str = ""
    updated: Optional[datetime] = None  # when it was last saved by the editor (UTC)

    def __post_init__(self) -> None:
        object.__setattr__(self, "contacts", tuple(self.contacts))
        notes = {step: text for step, text in sorted(dict(self.step_notes).items()) if text.strip()}
        object.__setattr__(self, "step_notes", MappingProxyType(notes))

    def contacts_with(self, role: SchoolRole) -> tuple[SchoolContact, ...]:
        return tuple(c for c in self.contacts if c.role == role)

    def note(self, step: int) -> str:
        return self.step_notes.get(step, "")


# --- single-value rules ---------------------------------------------------------------

# Explicit bidi embeddings, overrides and isolates: they can make a phone
# number or a name display as something else (and have no use in a Dutch profile).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_PHONE_CHARS = frozenset("0123456789 -()+")
_EMAIL = re.compile(
    r"(?=.{1,254}$)(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def check_text(value: Any, where: str, max_len: int, *, multiline: bool = False) -> str:
    """``value`` as valid text of at most ``max_len`` characters, or ProfileValidationError."""
    if not isinstance(value, str):
        raise ProfileValidationError(where, "type", "expected text")
    if len(value) > max_len:
        raise ProfileValidationError(where, "too_long", f"{len(value)} > {max_len}", limit=max_len)
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise ProfileValidationError(where, "text", "lone surrogate")
        if (category == "Cc" and not (multiline and ch == "\n")) or ch in _BIDI_CONTROLS:
            raise ProfileValidationError(where, "text", f"character U+{ord(ch):04X}")
    return value


def valid_phone(text: str) -> bool:
    """A phone number as people type it: 3-15 digits with spaces, dashes,
    brackets and a leading +; no "(0)" after a country code (it would be dialled)."""
    stripped = text.strip()
    digits = sum(ch.isdigit() for ch in stripped)
    return (
        0 < len(stripped) <= LIMITS.phone
        and LIMITS.phone_digits_min <= digits <= LIMITS.phone_digits_max
        and all(ch in _PHONE_CHARS for ch in stripped)
        and "+" not in stripped[1:]
        and not (stripped.startswith("+") and "(0)" in stripped.replace(" ", ""))
    )


def valid_email(text: str) -> bool:
    """A plain work address (ASCII, ``local@domain.tld``); no display names, no quoting."""
    match = _EMAIL.fullmatch(text)
    return bool(match) and len(match["local"]) <= LIMITS.email_local


def valid_url(text: str) -> bool:
    """An ``https://`` or ``http://`` link to a host name, without user name or password."""
    if not text or len(text) > LIMITS.url or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or parts.username is not None or parts.password is not None:
        return False
    try:
        ascii_host = host.encode("idna").decode("ascii") if host else ""
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return len(labels) >= 2 and all(_HOST_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit()


# --- the strict reader ------------------------------------------------------------------

_MISSING = object()


class _Reader:
    """Reads one mapping strictly: every key once, no unknown keys (``done``)."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise ProfileValidationError(where, "type", "expected a mapping")
        self.value = value
        self.where = where
        self.seen: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, default: Any = _MISSING) -> Any:
        self.seen.add(key)
        if key in self.value and self.value[key] is not None:
            return self.value[key]
        if default is _MISSING:
            raise ProfileValidationError(self.path(key), "missing")
        return default

    def text(self, key: str, max_len: int, *, multiline: bool = False, required: bool = False) -> str:
        value = check_text(self.get(key, "" if not required else _MISSING), self.path(key), max_len,
                           multiline=multiline)
        if required and not value.strip():
            raise ProfileValidationError(self.path(key), "empty")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise ProfileValidationError(self.path(key), "type", "expected true or false")
        return value

    def items(self, key: str, max_items: int) -> list:
        value = self.get(key, [])
        if not isinstance(value, list):
            raise ProfileValidationError(self.path(key), "type", "expected a list")
        if len(value) > max_items:
            raise ProfileValidationError(self.path(key), "too_many", f"{len(value)} > {max_items}", limit=max_items)
        return value

    def done(self) -> None:
        for key in self.value:
            if key not in self.seen:
                raise ProfileValidationError(self.path(str(key)), "unknown_key")


def _iso_date(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ProfileValidationError(where, "date", "expected YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ProfileValidationError(where, "date", "not a calendar date") from None
    if not LIMITS.year_min <= day.year <= LIMITS.year_max:
        raise ProfileValidationError(where, "date", "year out of range")
    return value


def _hhmm(value: Any, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 16:00 as 57600
        raise ProfileValidationError(where, "time", 'write times in quotes, e.g. "16:00"')
    return check_text(value, where, 5)


def _rule_from(value: Any, where: str) -> OpeningRule:
    r = _Reader(value, where)
    days = r.get("days")
    if not isinstance(days, list) or not all(isinstance(d, str) for d in days) or len(days) > 7:
        raise ProfileValidationError(r.path("days"), "hours", "expected a list of days (ma di wo do vr za zo)")
    opens, closes = _hhmm(r.get("opens"), r.path("opens")), _hhmm(r.get("closes"), r.path("closes"))
    certain = r.flag("certain", True)
    r.done()
    try:
        return OpeningRule(tuple(days), opens, closes, certain)
    except ValueError as exc:
        raise ProfileValidationError(where, "hours", str(exc)) from None


def _closure_from(value: Any, where: str) -> Closure:
    r = _Reader(value, where)
    start = _iso_date(r.get("start"), r.path("start"))
    end = _iso_date(r.get("end"), r.path("end"))
    reason = r.text("reason", LIMITS.closure_reason)
    certain = r.flag("certain", True)
    r.done()
    try:
        return Closure(start, end, reason, certain)
    except ValueError as exc:
        raise ProfileValidationError(where, "hours", str(exc)) from None


def hours_from_dict(value: Any, where: str = "hours") -> Hours:
    """Opening hours of a school contact: ``always`` or ``weekly`` (see ``content.model.Hours``)."""
    r = _Reader(value, where)
    kind = r.get("kind")
    if kind not in ("always", "weekly"):
        raise ProfileValidationError(r.path("kind"), "hours", "expected always or weekly")
    rules = tuple(_rule_from(x, f"{r.path('rules')}[{k}]") for k, x in enumerate(r.items("rules", LIMITS.hours_rules)))
    school_days_only = r.flag("school_days_only", False)
    closures = tuple(
        _closure_from(x, f"{r.path('closures')}[{k}]")
        for k, x in enumerate(r.items("closures", LIMITS.hours_closures))
    )
    note = r.text("note", LIMITS.hours_note)
    r.done()
    if kind == "weekly" and not rules:
        raise ProfileValidationError(r.path("rules"), "hours", "weekly hours need at least one rule")
    return Hours(kind, rules, school_days_only, closures, note)


def hours_to_dict(hours: Hours) -> dict:
    return {
        "kind": hours.kind,
        "rules": [
            {"days": list(rule.days), "opens": rule.opens, "closes": rule.closes, "certain": rule.certain}
            for rule in hours.rules
        ],
        "school_days_only": hours.school_days_only,
        "closures": [
            {"start": c.start, "end": c.end, "reason": c.reason, "certain": c.certain} for c in hours.closures
        ],
        "note": hours.note,
    }


def _contact_from(value: Any, where: str) -> SchoolContact:
    r = _Reader(value, where)
    role_value = r.get("role")
    try:
        role = SchoolRole(role_value)
    except (ValueError, TypeError):
        raise ProfileValidationError(r.path("role"), "role", f"one of {', '.join(SchoolRole)}") from None
    name = r.text("name", LIMITS.contact_name)
    phone = r.text("phone", LIMITS.phone)
    if phone and not valid_phone(phone):
        raise ProfileValidationError(r.path("phone"), "phone")
    email = r.text("email", LIMITS.email)
    if email and not valid_email(email):
        raise ProfileValidationError(r.path("email"), "email")
    reachable = r.text("reachable", LIMITS.reachable)
    raw_hours = r.get("hours", None)
    hours = None if raw_hours is None else hours_from_dict(raw_hours, r.path("hours"))
    r.done()
    if not phone.strip() and not email.strip():
        raise ProfileValidationError(where, "reach", "a contact needs a phone number or an e-mail address")
    return SchoolContact(role, phone, email, name, reachable, hours)


def _contact_to(contact: SchoolContact) -> dict:
    return {
        "role": str(contact.role),
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "reachable": contact.reachable,
        "hours": None if contact.hours is None else hours_to_dict(contact.hours),
    }


def _updated_from(value: Any, where: str) -> Optional[datetime]:
    if value is None:
        return None
    if not isinstance(value, str) or not _ISO_UTC.fullmatch(value):
        raise ProfileValidationError(where, "date", "expected YYYY-MM-DDTHH:MM:SSZ")
    try:
        moment = datetime.fromisoformat(value[:-1]).replace(tzinfo=timezone.utc)
    except ValueError:
        raise ProfileValidationError(where, "date", "not a valid time") from None
    if not LIMITS.year_min <= moment.year <= LIMITS.year_max:
        raise ProfileValidationError(where, "date", "year out of range")
    return moment


def _updated_to(moment: Optional[datetime]) -> Optional[str]:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def profile_from_dict(value: Any) -> SchoolProfile:
    """The one strict reader of a profile (file body, YAML form, stored copy)."""
    r = _Reader(value, "")
    school_name = r.text("school", LIMITS.school_name, required=True)
    contacts = tuple(
        _contact_from(x, f"contacts[{k}]") for k, x in enumerate(r.items("contacts", LIMITS.contacts))
    )
    raw_notes = r.get("step_notes", {})
    if not isinstance(raw_notes, dict):
        raise ProfileValidationError("step_notes", "type", "expected a mapping of step number to text")
    notes: dict[int, str] = {}
    for key, text in raw_notes.items():
        step = _step_key(key)
        if step in notes:
            raise ProfileValidationError(f"step_notes.{key}", "step", "step given twice")
        notes[step] = check_text(text, f"step_notes.{step}", LIMITS.step_note, multiline=True)
    url = r.text("sanction_policy_url", LIMITS.url)
    if url and not valid_url(url):
        raise ProfileValidationError("sanction_policy_url", "url")
    updated = _updated_from(r.get("updated", None), "updated")
    r.done()
    return SchoolProfile(school_name, contacts, notes, url, updated)


def _step_key(key: Any) -> int:
    # JSON object keys are text ("3"); the YAML form may write numbers (3).
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        raise ProfileValidationError("step_notes", "step", "expected a step number 1-7")
    text = str(key)
    if text not in {str(s) for s in STEPS}:
        raise ProfileValidationError(f"step_notes.{text[:10]}", "step", "expected a step number 1-7")
    return int(text)


def profile_to_dict(profile: SchoolProfile) -> dict:
    """Every field, always, so the JSON of equal profiles is byte for byte equal."""
    return {
        "school": profile.school_name,
        "contacts": [_contact_to(c) for c in profile.contacts],
        "step_notes": {str(step): text for step, text in sorted(profile.step_notes.items())},
        "sanction_policy_url": profile.sanction_policy_url,
        "updated": _updated_to(profile.updated),
    }


def validate_profile(profile: SchoolProfile) -> SchoolProfile:
    """Check a profile built in memory (the editor) by the same rules as a file.

    Returns the profile as a file would give it back (``updated`` to whole
    seconds); raises ProfileValidationError naming the first broken field.
    """
    if not isinstance(profile, SchoolProfile):
        raise ProfileValidationError("", "type", "not a SchoolProfile")
    try:
        as_dict = profile_to_dict(profile)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ProfileValidationError("", "type", type(exc).__name__) from None
    return profile_from_dict(as_dict)


def tidy(profile: SchoolProfile, *, now: Optional[datetime] = None) -> SchoolProfile:
    """What the editor saves: text stripped and in NFC, empty notes dropped,
    ``updated`` set to ``now``.  Not validated (call :func:`validate_profile`)."""

    def clean(text: str) -> str:
        return unicodedata.normalize("NFC", text.strip())

    def clean_contact(c: SchoolContact) -> SchoolContact:
        return SchoolContact(c.role, clean(c.phone), clean(c.email), clean(c.name), clean(c.reachable), c.hours)

    return SchoolProfile(
        clean(profile.school_name),
        tuple(clean_contact(c) for c in profile.contacts),
        {step: clean(text) for step, text in profile.step_notes.items()},
        clean(profile.sanction_policy_url),
        now if now is not None else profile.updated,
    )


__all__ = [
    "LIMITS",
    "Limits",
    "ProfileValidationError",
    "STEPS",
    "SchoolContact",
    "SchoolProfile",
    "SchoolRole",
    "check_text",
    "hours_from_dict",
    "hours_to_dict",
    "profile_from_dict",
    "profile_to_dict",
    "tidy",
    "valid_email",
    "valid_phone",
    "valid_url",
    "validate_profile",
]
