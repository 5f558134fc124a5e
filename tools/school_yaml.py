"""The school profile as YAML, for ``tools/build_web.py --school-profile school.yaml``.

A school's IT administrator writes (or receives) the profile as a readable
YAML file and builds the Chromebook web app with it; see
``docs/schoolprofiel.voorbeeld.yaml`` for every field with an explanation.
The keys are those of the ``.stappenplan-school`` body, read by the same
strict reader (``school.profile.profile_from_dict``), so both forms accept
exactly the same profiles.  :func:`read_profile_source` also takes a
``.stappenplan-school`` file exported from the app.

A mistake is a :class:`ProfileYamlError` that names the file and says what
is wrong in the words of the profile editor (``words.school_profile``): the
field as the editor calls it, counted from 1, in any of the app's languages
(:func:`explained` gives Dutch and English, for the build's error output).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from content.loader import load_school_roles
from school import profile_file
from school.profile import LIMITS, ProfileValidationError, SchoolProfile, SchoolRole, profile_from_dict
from words.school_profile import RoleAt, Translate, file_problem, problem, translation, where

RoleLabel = Callable[[str], str]

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class ProfileYamlError(ValueError):
    """The YAML form (or an app file given instead) cannot be read.

    ``describe(language)`` says where and why in that language (``str()``: in
    English); ``file``: the file's name.
    """

    def __init__(self, words: Callable[[Translate, RoleLabel], str], *, file: str = "") -> None:
        self._words = words
        self.file = file
        super().__init__(self.describe("en"))

    def describe(self, language: str) -> str:
        """Where and why, in ``language`` ("nl" or "en")."""
        roles = load_school_roles(language)
        said = self._words(translation(language), lambda role: roles.get(role).label)
        return f"{self.file}: {said}" if self.file else said

    def in_file(self, file: str) -> "ProfileYamlError":
        return ProfileYamlError(self._words, file=file)


def _validation_words(exc: ProfileValidationError, role_at: RoleAt) -> Callable[[Translate, RoleLabel], str]:
    return lambda _, label: f"{where(exc, label, _, role_at)}: {problem(exc, _)}"


def _roles_in(value: Any) -> RoleAt:
    """The role of each contact as the file writes it (known roles only)."""
    contacts = value.get("contacts") if isinstance(value, dict) else None
    roles = [c.get("role") if isinstance(c, dict) else None for c in contacts] if isinstance(contacts, list) else []

    def role_at(index: int) -> Optional[str]:
        role = roles[index] if index < len(roles) else None
        return role if role in set(SchoolRole) else None

    return role_at


def profile_from_yaml(text: str) -> SchoolProfile:
    if len(text.encode("utf-8", "surrogatepass")) > LIMITS.file_bytes:
        raise ProfileYamlError(lambda _, label: _("The file is larger than {n} bytes.").format(n=LIMITS.file_bytes))
    try:
        value = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise ProfileYamlError(lambda _, label: _("This is not valid YAML.")) from None
        line, column = mark.line + 1, mark.column + 1  # PyYAML counts from 0
        raise ProfileYamlError(lambda _, label: _("This is not valid YAML (line {line}, column {column}).").format(
            line=line, column=column)) from None
    if isinstance(value, dict) and isinstance(value.get("updated"), datetime):
        # YAML reads an unquoted time stamp as a datetime; the profile keeps text in UTC.
        moment = value["updated"]
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        value = {**value, "updated": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    try:
        return profile_from_dict(value)
    except ProfileValidationError as exc:
        raise ProfileYamlError(_validation_words(exc, _roles_in(value))) from None


def read_profile_source(path: Path) -> SchoolProfile:
    """A profile from a ``.yaml``/``.yml`` file or a ``.stappenplan-school`` file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ProfileYamlError(lambda _, label: _("The file cannot be read ({reason}).").format(reason=reason),
                               file=str(path)) from None
    if path.suffix == profile_file.FILE_SUFFIX:
        try:
            return profile_file.decode(data)
        except profile_file.ProfileFileError as exc:
            error = exc
            raise ProfileYamlError(lambda _, label: file_problem(error, label, _), file=path.name) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProfileYamlError(lambda _, label: _("The file is not UTF-8 text."), file=path.name) from None
    try:
        return profile_from_yaml(text)
    except ProfileYamlError as exc:
        raise exc.in_file(path.name) from None


def explained(exc: ProfileYamlError, languages: tuple[str, ...] = ("nl", "en")) -> str:
    """What is wrong, one line per language (Dutch, then English): for ``tools/build_web.py``."""
    return "\n".join(exc.describe(language) for language in languages)


__all__ = ["ProfileYamlError", "explained", "profile_from_yaml", "read_profile_source"]
