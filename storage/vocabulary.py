"""The journal's vocabularies: the values stored in an incident and a policy item.

Each is a ``StrEnum``: its members are the Dutch words written to the
journal file (so they compare equal to the stored strings and need no
migration), and the order of the members is the order the UI shows them
in.  The words a user reads are in ``words.labels``.
"""

from __future__ import annotations

from enum import StrEnum


class IncidentType(StrEnum):
    """The kinds of online incident of the step plan (``content``'s ``incident_types``), and "other"."""

    NUDE_PHOTO = "naaktfoto"
    BANGALIJST = "bangalijst"
    HUMILIATION = "vernedering"
    THREAT = "bedreiging"
    FAKE_ACCOUNT = "nepaccount"
    CHALLENGE = "challenge"
    OTHER = "anders"  # described in the incident's ``type_other``


class PupilRole(StrEnum):
    INSTIGATOR = "aanstichter"
    VICTIM = "slachtoffer"
    BYSTANDER = "omstander"


class ContactKind(StrEnum):
    POLICE = "politie"
    PARENTS = "ouders"  # the only kind that may be "deliberately not informed yet"
    CARE = "zorg"
    SCHOOL = "school"
    OTHER = "anders"


class Status(StrEnum):
    """An incident's status, in the order an incident normally goes through them."""

    ACUTE = "acuut"
    ONGOING = "lopend"
    RECOVERY = "herstel"
    EVALUATED = "geevalueerd"
    CLOSED = "gesloten"

    @property
    def awaits_evaluation(self) -> bool:
        """Still before the evaluation of step 7 (the evaluation can be finished from here)."""
        return self in (Status.ACUTE, Status.ONGOING, Status.RECOVERY)


class PolicyStatus(StrEnum):
    """Where the school stands on one item of the policy check."""

    NOT_DISCUSSED = ""
    IN_PROGRESS = "bezig"
    IN_PLACE = "op-orde"


#: The step plan's action whose questions are the incident's evaluation (step 7).
EVALUATION_ACTION = "evaluatie-incident"


__all__ = [
    "EVALUATION_ACTION",
    "ContactKind",
    "IncidentType",
    "PolicyStatus",
    "PupilRole",
    "Status",
]
