"""Records on the wire, built from one field table.

Every field of a journal record (``storage.incidents``) declares its wire
form once, in the dataclass field's metadata (``wire(...)``): its codec
(text with a length limit and perhaps a vocabulary, id, time, list of
sub-records ...), its wire name and whether an empty value is left out.
From that table this module builds, per record class:

* ``dump``   -- the writer (object -> JSON-able dict);
* ``strict`` -- the reader for anything from outside (imports, a typed
  incident before it is saved): every key known, every type and limit
  checked, errors name the field (``incident.notes[3].versions[0].text``);
* ``fast``   -- the reader for the journal's own authenticated file, which
  only converts (each record passed ``strict`` when it was saved).

So adding a field to a record is one line in its dataclass.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Optional, Sequence

from storage.errors import ValidationError
from storage.limits import EARLIEST, LATEST, MAX_ITEMS, MAX_SHORT

UTC = timezone.utc

ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Context:
    """What a strict read is checked against besides the field table.

    ``horizon``: the latest acceptable *stamp* (a time the app set, not one
    the user typed); ``None`` for the journal's own records.
    """

    horizon: Optional[datetime] = None


LOCAL = Context()


def invalid(where: str, why: str) -> ValidationError:
    return ValidationError(where, why)


# -- times ---------------------------------------------------------------------


def time_to_str(when: datetime) -> str:
    """ISO 8601 in UTC with microseconds and ``Z`` (the one form the app writes)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError("time", "naive datetime")
    u = when.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def parse_time(value: Any, where: str) -> datetime:
    """A time from outside: ISO 8601 with a zone, inside the journal's window."""
    if not isinstance(value, str) or not _TIME_RE.match(value):
        raise invalid(where, "not an ISO 8601 time with zone")
    try:
        when = datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid(where, "not a valid time") from None
    if not EARLIEST <= when < LATEST:
        raise invalid(where, "time out of range")
    return when


def check_moment(when: Any, where: str) -> datetime:
    """A time held in memory: aware and inside the journal's window."""
    if not isinstance(when, datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise invalid(where, "not an aware datetime")
    if not EARLIEST <= when < LATEST:
        raise invalid(where, "time out of range")
    return when


# -- codecs ----------------------------------------------------------------------


class Codec:
    """One kind of wire value.  ``fast_fn`` is ``None`` when the wire value is
    used as is by the fast reader (strings, booleans, integers)."""

    fast_fn: Optional[Callable[[Any], Any]] = None

    def dump(self, value: Any) -> Any:
        return value

    def strict(self, value: Any, where: str, ctx: Context) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def empty(self, value: Any) -> bool:
        return not value


@dataclass(frozen=True)
class Text(Codec):
    """A string: valid Unicode (no lone surrogates), at most ``max_len``
    characters, one of ``choices`` if given, not blank if ``required``."""

    max_len: int = MAX_SHORT
    choices: Optional[Sequence[str]] = None
    required: bool = False

    def strict(self, value: Any, where: str, ctx: Context) -> str:
        if not isinstance(value, str) or len(value) > self.max_len:
            raise invalid(where, "not a string (or too long)")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise invalid(where, "value not valid") from None
        if self.choices is not None and value not in self.choices:
            raise invalid(where, "unknown value")
        if self.required and not value.strip():
            raise invalid(where, "empty")
        return str(value)


@dataclass(frozen=True)
class Ident(Codec):
    """An id: ``[A-Za-z0-9_.:-]{1,100}``; with ``uuid``, a lowercase UUID."""

    uuid: bool = False

    def strict(self, value: Any, where: str, ctx: Context) -> str:
        if not isinstance(value, str) or not ID_RE.match(value):
            raise invalid(where, "not an id")
        if self.uuid:
            try:
                ok = str(uuid.UUID(value)) == value
            except ValueError:
                ok = False
            if not ok:
                raise invalid(where, "not a lowercase UUID")
        return value


@dataclass(frozen=True)
class Raw(Codec):
    """Any JSON value, checked by the record's own rules afterwards."""

    def strict(self, value: Any, where: str, ctx: Context) -> Any:
        return value


@dataclass(frozen=True)
class Idents(Codec):
    """A list of ids (at most ``MAX_ITEMS``), kept as a tuple."""

    fast_fn = staticmethod(tuple)

    def dump(self, value: Sequence[str]) -> list:
        return list(value)

    def strict(self, value: Any, where: str, ctx: Context) -> tuple:
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise invalid(where, "not a list (or too long)")
        return tuple(_IDENT.strict(v, f"{where}[{k}]", ctx) for k, v in enumerate(value))


@dataclass(frozen=True)
class Flag(Codec):
    def strict(self, value: Any, where: str, ctx: Context) -> bool:
        if not isinstance(value, bool):
            raise invalid(where, "not a boolean")
        return value


_IDENT = Ident()


@dataclass(frozen=True)
class Integer(Codec):
    lo: int
    hi: int

    def strict(self, value: Any, where: str, ctx: Context) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not self.lo <= value <= self.hi:
            raise invalid(where, "not an integer in range")
        return value


@dataclass(frozen=True)
class Moment(Codec):
    """A time.  ``stamp``: set by the app (when something was changed), so
    from another device it may not lie beyond ``Context.horizon``; other
    times are typed by the user (a follow-up next week)."""

    stamp: bool = False
    fast_fn = staticmethod(datetime.fromisoformat)

    def dump(self, value: datetime) -> str:
        return time_to_str(value)

    def strict(self, value: Any, where: str, ctx: Context) -> datetime:
        when = parse_time(value, where)
        if self.stamp and ctx.horizon is not None and when > ctx.horizon:
            raise invalid(where, "stamped in the future")
        return when

    def empty(self, value: Any) -> bool:
        return value is None


@dataclass(frozen=True)
class Day(Codec):
    """A calendar date (``YYYY-MM-DD``) inside the journal's window."""

    fast_fn = staticmethod(date.fromisoformat)

    def dump(self, value: date) -> str:
        return value.isoformat()

    def strict(self, value: Any, where: str, ctx: Context) -> date:
        if not isinstance(value, str) or not _DATE_RE.match(value):
            raise invalid(where, "not an ISO date")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise invalid(where, "not a valid date") from None
        if not EARLIEST.date() <= day < LATEST.date():
            raise invalid(where, "date out of range")
        return day


@dataclass(frozen=True)
class Maybe(Codec):
    """``None`` or a value of ``inner``."""

    inner: Codec

    def __post_init__(self) -> None:
        inner_fast = self.inner.fast_fn
        if inner_fast is not None:
            object.__setattr__(self, "fast_fn", lambda v: None if v is None else inner_fast(v))

    def dump(self, value: Any) -> Any:
        return None if value is None else self.inner.dump(value)

    def strict(self, value: Any, where: str, ctx: Context) -> Any:
        return None if value is None else self.inner.strict(value, where, ctx)

    def empty(self, value: Any) -> bool:
        return value is None


@dataclass(frozen=True)
class Many(Codec):
    """A list of records of ``record`` (a dataclass with a field table), each
    with a unique ``id`` unless ``unique`` is off."""

    record: type
    unique: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "fast_fn", None)

    def _codec(self) -> "RecordCodec":
        return codec_of(self.record)

    def fast(self, value: list) -> tuple:
        build = self._codec().fast
        return tuple(build(x) for x in value)

    def dump(self, value: Sequence[Any]) -> list:
        dump = self._codec().dump
        return [dump(x) for x in value]

    def strict(self, value: Any, where: str, ctx: Context) -> tuple:
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise invalid(where, "not a list (or too long)")
        codec = self._codec()
        items = tuple(codec.strict(x, f"{where}[{k}]", ctx) for k, x in enumerate(value))
        if self.unique:
            ids = [x.id for x in items]
            if len(set(ids)) != len(ids):
                raise invalid(where, "duplicate id")
        return items


@dataclass(frozen=True)
class Mapping(Codec):
    """An object whose keys match ``key`` and whose values are ``value``."""

    key: "re.Pattern[str]"
    value: Codec

    def __post_init__(self) -> None:
        inner = self.value.fast_fn
        if inner is not None:
            object.__setattr__(self, "fast_fn", lambda d: {k: inner(v) for k, v in d.items()})

    def dump(self, value: Any) -> dict:
        dump = self.value.dump
        return {k: dump(v) for k, v in value.items()}

    def strict(self, value: Any, where: str, ctx: Context) -> dict:
        if not isinstance(value, dict) or len(value) > MAX_ITEMS:
            raise invalid(where, "not an object (or too large)")
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or not self.key.match(k):
                raise invalid(where, "invalid key")
            out[k] = self.value.strict(v, f"{where}.{k}", ctx)
        return out


# -- the field table -------------------------------------------------------------


@dataclass(frozen=True)
class Wire:
    codec: Codec
    name: Optional[str] = None  # the key on the wire, if not the field's name
    omit_empty: bool = False  # leave the key out when the value is empty
    missing: Any = None  # the value of a key left out (default: the field's default)


_NO_DEFAULT = object()


def wire(codec: Codec, *, name: Optional[str] = None, omit_empty: bool = False, missing: Any = _NO_DEFAULT) -> dict:
    """Field metadata: ``field(default=..., metadata=wire(Text()))``.

    ``missing``: what a reader takes for a key left out, for a field that has
    no default in Python (the default is otherwise used; without either the
    key is required)."""
    return {"wire": Wire(codec, name, omit_empty, missing)}


@dataclass(frozen=True)
class _Field:
    attr: str
    key: str
    codec: Codec
    default: Any  # _NO_DEFAULT: required on the wire
    omit_empty: bool


class RecordCodec:
    """Writer and both readers of one record class, built from its fields."""

    def __init__(self, cls: type, label: str) -> None:
        self.cls = cls
        self.label = label
        fields = []
        for f in dataclasses.fields(cls):
            spec = f.metadata.get("wire")
            if spec is None:
                raise TypeError(f"{cls.__name__}.{f.name} has no wire() metadata")
            if spec.missing is not _NO_DEFAULT:
                default = spec.missing
            elif f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = _NO_DEFAULT
            fields.append(_Field(f.name, spec.name or f.name, spec.codec, default, spec.omit_empty))
        self.fields = tuple(fields)
        self.keys = frozenset(f.key for f in fields)
        self._fast = tuple(
            (f.key, f.codec.fast if isinstance(f.codec, Many) else f.codec.fast_fn, f.default) for f in fields
        )

    def dump(self, obj: Any) -> dict:
        out = {}
        for f in self.fields:
            value = getattr(obj, f.attr)
            if f.omit_empty and f.codec.empty(value):
                continue
            out[f.key] = f.codec.dump(value)
        return out

    def strict(self, d: Any, where: Optional[str] = None, ctx: Context = LOCAL) -> Any:
        where = where or self.label
        if not isinstance(d, dict):
            raise invalid(where, "not an object")
        if not self.keys.issuperset(d):
            raise invalid(where, "unknown field")
        values = []
        for f in self.fields:
            if f.key in d:
                values.append(f.codec.strict(d[f.key], f"{where}.{f.key}", ctx))
            elif f.default is _NO_DEFAULT:
                raise invalid(f"{where}.{f.key}", "missing")
            else:
                values.append(f.default)
        try:
            return self.cls(*values)
        except ValidationError as exc:
            raise invalid(f"{where}.{exc.field}", exc.reason) from None

    def fast(self, d: dict) -> Any:
        """Convert only (the journal's own records).  Raises ``KeyError``,
        ``TypeError`` or ``ValueError`` on a record that is not what we write."""
        values = []
        for key, conv, default in self._fast:
            if key in d:
                v = d[key]
                values.append(v if conv is None else conv(v))
            elif default is _NO_DEFAULT:
                raise KeyError(key)
            else:
                values.append(default)
        return self.cls(*values)


_CODECS: dict[type, RecordCodec] = {}


def record(label: str) -> Callable[[type], type]:
    """Class decorator: register the class's field table under ``label``
    (the prefix of error paths, e.g. ``incident``)."""

    def register(cls: type) -> type:
        _CODECS[cls] = RecordCodec(cls, label)
        return cls

    return register


def codec_of(cls: type) -> RecordCodec:
    return _CODECS[cls]


__all__ = [
    "Codec",
    "Context",
    "Day",
    "Flag",
    "ID_RE",
    "Ident",
    "Idents",
    "Integer",
    "LOCAL",
    "Many",
    "Mapping",
    "Maybe",
    "Moment",
    "Raw",
    "RecordCodec",
    "Text",
    "check_moment",
    "codec_of",
    "parse_time",
    "record",
    "time_to_str",
    "wire",
]
