"""What the user is told about a school profile that cannot be saved or imported.

``school.profile`` and ``school.profile_file`` raise errors with stable codes
(``ProfileValidationError.reason`` and ``.field``, ``ProfileFileError.code``);
they become plain words in the user's language here, once, for the editor,
the import and the banner about a stored copy that cannot be read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from school import profile_file
from school.profile import LIMITS, ProfileValidationError
from screens.i18n import _

if TYPE_CHECKING:
    from content.model import SchoolRoles
    from school.profile import SchoolProfile

#: The last part of a field's path -> its limit in characters.
_LENGTHS = {
    "school": LIMITS.school_name,
    "name": LIMITS.contact_name,
    "phone": LIMITS.phone,
    "email": LIMITS.email,
    "reachable": LIMITS.reachable,
    "note": LIMITS.hours_note,
    "reason": LIMITS.closure_reason,
    "sanction_policy_url": LIMITS.url,
}
_CONTACT_FIELD = re.compile(r"contacts\[(\d+)\](?:\.(\w+))?")


def _limit(field: str) -> Optional[int]:
    if field.startswith("step_notes"):
        return LIMITS.step_note
    return _LENGTHS.get(field.rsplit(".", 1)[-1])


def problem(exc: ProfileValidationError) -> str:
    """What is wrong with one field, shown at that field."""
    reason = exc.reason
    if reason in ("missing", "empty"):
        return _("Enter the name of the school.") if exc.field == "school" else _("Fill this in.")
    if reason == "too_long":
        limit = _limit(exc.field)
        return (_("Too long: at most {n} characters.").format(n=limit) if limit
                else _("This is too long."))
    if reason == "too_many":
        if exc.field == "contacts":
            return _("At most {n} contact people.").format(n=LIMITS.contacts)
        return _("Too many entries.")
    words = {
        "text": _("Contains a character that is not allowed (such as a control character)."),
        "phone": _("Enter a phone number, e.g. 030 123 45 67 or 06 12345678."),
        "email": _("Enter an e-mail address, e.g. name@school.nl."),
        "url": _("Enter a link that starts with https://, e.g. https://www.school.nl/schoolgids."),
        "role": _("Choose a role."),
        "step": _("Not a step of the plan (1 to 7)."),
        "hours": _("These hours are not valid."),
        "date": _("This date is not valid."),
        "reach": _("Enter a phone number or an e-mail address."),
    }
    return words.get(reason, _("This value cannot be used."))


def where(exc: ProfileValidationError, profile: Optional["SchoolProfile"], roles: "SchoolRoles") -> str:
    """Which field, in words: 'Contactpersoon 2 (Vertrouwenspersoon), telefoon'."""
    field = exc.field
    if field == "school":
        return _("Name of the school")
    if field == "sanction_policy_url":
        return _("Sanction policy")
    if field.startswith("step_notes."):
        return _("Agreement for step {number}").format(number=field.split(".", 1)[1])
    found = _CONTACT_FIELD.match(field)
    if found:
        index = int(found[1])
        role = ""
        if profile is not None and index < len(profile.contacts):
            role = roles.get(profile.contacts[index].role).label
        person = (_("Contact person {n} ({role})").format(n=index + 1, role=role) if role
                  else _("Contact person {n}").format(n=index + 1))
        part = {"name": _("name"), "phone": _("phone number"), "email": _("e-mail address"),
                "reachable": _("when reachable"), "hours": _("fixed hours")}.get(found[2] or "", "")
        return f"{person}, {part}" if part else person
    return _("School profile")


def file_problem(exc: profile_file.ProfileFileError, roles: "SchoolRoles") -> str:
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
            where=where(reason, None, roles), problem=problem(reason))
    else:
        text = _("This school profile file cannot be imported.")
    return _("{problem} Nothing was changed.").format(problem=text)
