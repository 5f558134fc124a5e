"""What the user is told about a school profile that cannot be saved, imported or built in.

``school.profile`` and ``school.profile_file`` raise errors with stable codes
(``ProfileValidationError.reason``, ``.field`` and ``.limit``,
``ProfileFileError.code``); they become plain words here, once, for the
editor, the import, the banner about a stored copy that cannot be read and
``tools/build_web.py --school-profile``: the field as the editor calls it,
counted from 1 ("Contactpersoon 2 (Vertrouwenspersoon), telefoonnummer"),
and what is wrong with it, with the limit where there is one.

The words are the app's gettext catalogs (``locale/``).  Every function takes
the translation to use (``_``): the screens pass the session's
(``words.i18n._``), the build asks :func:`translation` for Dutch and English.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Optional

from school import profile_file
from school.profile import LIMITS, ProfileValidationError
from words.i18n import LOCALE_DIR

Translate = Callable[[str], str]
#: The contact (by index, from 0) -> its role id, if known: the editor's draft or the file's text.
RoleAt = Callable[[int], Optional[str]]

_PART = re.compile(r"(\w+)(?:\[(\d+)\])?")


def problem(exc: ProfileValidationError, _: Translate) -> str:
    """What is wrong with one field, shown at that field."""
    reason = exc.reason
    if reason in ("missing", "empty"):
        return _("Enter the name of the school.") if exc.field == "school" else _("Fill this in.")
    if reason == "too_long":
        return (_("Too long: at most {n} characters.").format(n=exc.limit) if exc.limit
                else _("This is too long."))
    if reason == "too_many":
        if exc.field == "contacts":
            return _("At most {n} contact people.").format(n=LIMITS.contacts)
        return (_("Too many entries: at most {n}.").format(n=exc.limit) if exc.limit
                else _("Too many entries."))
    if reason == "unknown_key":
        key = exc.field.rsplit(".", 1)[-1]
        return _("Unknown field '{key}' (check the spelling).").format(key=key)
    words = {
        "type": _("This is not the right kind of value."),
        "text": _("Contains a character that is not allowed (such as a control character)."),
        "phone": _("Enter a phone number, e.g. 030 123 45 67 or 06 12345678."),
        "email": _("Enter an e-mail address, e.g. name@school.nl."),
        "url": _("Enter a link that starts with https://, e.g. https://www.school.nl/schoolgids."),
        "role": _("Choose a role."),
        "step": _("Not a step of the plan (1 to 7)."),
        "hours": _("These hours are not valid."),
        "time": _('Write times in quotes, e.g. "16:00".'),
        "date": _("This date is not valid."),
        "reach": _("Enter a phone number or an e-mail address."),
    }
    return words.get(reason, _("This value cannot be used."))


def where(exc: ProfileValidationError, role_label: Callable[[str], str], _: Translate,
          role_at: RoleAt = lambda index: None) -> str:
    """Which field, in words, counted from 1: 'Contactpersoon 2 (Vertrouwenspersoon), telefoonnummer'."""
    field = exc.field
    if field == "school":
        return _("Name of the school")
    if field == "sanction_policy_url":
        return _("Sanction policy")
    if field == "updated":
        return _("Time of the last change")
    if field.startswith("step_notes."):
        return _("Agreement for step {number}").format(number=field.split(".", 1)[1])
    if field == "step_notes":
        return _("Agreements per step")
    parts = [(m[1], m[2]) for m in _PART.finditer(field)]
    if not parts or parts[0][0] != "contacts":
        return _("School profile")
    if parts[0][1] is None:
        return _("Contact people")
    index = int(parts[0][1])
    role = role_at(index)
    person = (_("Contact person {n} ({role})").format(n=index + 1, role=role_label(role)) if role
              else _("Contact person {n}").format(n=index + 1))
    words = {"name": _("name"), "phone": _("phone number"), "email": _("e-mail address"),
             "reachable": _("when reachable"), "hours": _("fixed hours"), "role": _("role"),
             "rules": _("rules"), "closures": _("closures"), "days": _("days"), "opens": _("opens"),
             "closes": _("closes"), "start": _("first day"), "end": _("last day"), "reason": _("reason"),
             "note": _("note"), "kind": _("kind of hours")}
    numbered = {"rules": _("rule {n}"), "closures": _("closure {n}")}
    named = []
    for key, number in parts[1:]:
        if number is not None and key in numbered:
            named.append(numbered[key].format(n=int(number) + 1))
        elif key in words:
            named.append(words[key])
        else:
            break
    return ", ".join([person, *named])


def file_problem(exc: profile_file.ProfileFileError, role_label: Callable[[str], str], _: Translate) -> str:
    """Why a ``.stappenplan-school`` file cannot be imported; nothing was changed."""
    if isinstance(exc, profile_file.ProfileTooLargeError):
        text = _("This file is too large to be a school profile.")
    elif isinstance(exc, profile_file.NotAProfileError):
        text = _("This is not a school profile file (.stappenplan-school).")
    elif isinstance(exc, profile_file.TruncatedProfileError):
        text = _("The school profile file is incomplete: it was cut short while copying or downloading. "
                 "Ask for the file again.")
    elif isinstance(exc, profile_file.DamagedProfileError):
        text = _("The school profile file was changed or damaged after it was made. Ask the coordinator "
                 "for the file again.")
    elif isinstance(exc, profile_file.NewerProfileError):
        text = _("This school profile was made by a newer version of the app. Update the app first.")
    elif isinstance(exc, profile_file.InvalidProfileFileError):
        reason = ProfileValidationError(exc.field, exc.reason)
        text = _("The school profile in this file is not valid ({where}: {problem}).").format(
            where=where(reason, role_label, _), problem=problem(reason, _))
    else:
        text = _("This school profile file cannot be imported.")
    return _("{problem} Nothing was changed.").format(problem=text)


@lru_cache(maxsize=None)
def _catalog(language: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as po:
        return {m.id: m.string for m in read_po(po, locale=language) if isinstance(m.id, str) and m.string}


def translation(language: str) -> Translate:
    """The app's words in ``language``, read from its catalog (outside a session: the build tool)."""
    catalog = _catalog(language)
    return lambda message: catalog.get(message, message)


__all__ = ["RoleAt", "Translate", "file_problem", "problem", "translation", "where"]
