"""What the user is told about a school profile that cannot be saved or imported, in the session's
language: the words are ``words.school_profile``' (shared with the web build's ``--school-profile``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from school import profile_file
from school.profile import ProfileValidationError
from words import school_profile
from words.i18n import _

if TYPE_CHECKING:
    from content.model import SchoolRoles
    from school.profile import SchoolProfile


def problem(exc: ProfileValidationError) -> str:
    """What is wrong with one field, shown at that field (with the limit, for a value too long)."""
    return school_profile.problem(exc, _)


def where(exc: ProfileValidationError, profile: Optional["SchoolProfile"], roles: "SchoolRoles") -> str:
    """Which field, in words: 'Contactpersoon 2 (Vertrouwenspersoon), telefoonnummer'."""

    def role_at(index: int) -> Optional[str]:
        return profile.contacts[index].role if profile is not None and index < len(profile.contacts) else None

    return school_profile.where(exc, lambda role: roles.get(role).label, _, role_at)


def file_problem(exc: profile_file.ProfileFileError, roles: "SchoolRoles") -> str:
    """Why a ``.stappenplan-school`` file cannot be imported; nothing was changed."""
    return school_profile.file_problem(exc, lambda role: roles.get(role).label, _)
