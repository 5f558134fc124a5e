"""The school profile as YAML, for ``tools/build_web.py --school-profile school.yaml``.

A school's IT administrator writes (or receives) the profile as a readable
YAML file and builds the Chromebook web app with it; see
``docs/schoolprofiel.voorbeeld.yaml`` for every field with an explanation.
The keys are those of the ``.stappenplan-school`` body, read by the same
strict reader (``school.profile.profile_from_dict``), so both forms accept
exactly the same profiles.  :func:`read_profile_source` also takes a
``.stappenplan-school`` file exported from the app.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from school import profile_file
from school.profile import LIMITS, ProfileValidationError, SchoolProfile, profile_from_dict

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class ProfileYamlError(ValueError):
    """The YAML form cannot be read; ``str()`` says where and why, in English."""


def profile_from_yaml(text: str) -> SchoolProfile:
    if len(text.encode("utf-8", "surrogatepass")) > LIMITS.file_bytes:
        raise ProfileYamlError(f"the file is larger than {LIMITS.file_bytes} bytes")
    try:
        value = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ProfileYamlError(f"not valid YAML: {exc}") from None
    if isinstance(value, dict) and isinstance(value.get("updated"), datetime):
        # YAML reads an unquoted time stamp as a datetime; the profile keeps text in UTC.
        moment = value["updated"]
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        value = {**value, "updated": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    try:
        return profile_from_dict(value)
    except ProfileValidationError as exc:
        raise ProfileYamlError(f"{exc.field or 'the profile'}: {_REASONS.get(exc.reason, exc.reason)}"
                               + (f" ({exc.detail})" if exc.detail else "")) from None


def read_profile_source(path: Path) -> SchoolProfile:
    """A profile from a ``.yaml``/``.yml`` file or a ``.stappenplan-school`` file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProfileYamlError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix == profile_file.FILE_SUFFIX:
        try:
            return profile_file.decode(data)
        except profile_file.ProfileFileError as exc:
            raise ProfileYamlError(f"{path.name}: {exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProfileYamlError(f"{path.name}: not UTF-8 text") from None
    try:
        return profile_from_yaml(text)
    except ProfileYamlError as exc:
        raise ProfileYamlError(f"{path.name}: {exc}") from None


_REASONS = {
    "missing": "missing",
    "unknown_key": "unknown field (check the spelling)",
    "type": "wrong kind of value",
    "empty": "empty",
    "too_long": "too long",
    "too_many": "too many entries",
    "text": "contains a character that is not allowed",
    "phone": "not a phone number",
    "email": "not an e-mail address",
    "url": "not an https:// link",
    "role": "unknown role",
    "step": "not a step number 1-7",
    "hours": "invalid opening hours",
    "date": "invalid date",
    "reach": "needs a phone number or an e-mail address",
}

__all__ = ["ProfileYamlError", "profile_from_yaml", "read_profile_source"]
