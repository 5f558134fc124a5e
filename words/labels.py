"""Names for the journal's vocabularies (``storage.vocabulary``), in the active language."""

from __future__ import annotations

from content.model import Plan
from storage.vocabulary import ContactKind, IncidentType, PolicyStatus, PupilRole, Status
from words.i18n import _


def status_label(status: str) -> str:
    return {Status.ACUTE: _("Acute"), Status.ONGOING: _("In progress"), Status.RECOVERY: _("Recovery & aftercare"),
            Status.EVALUATED: _("Evaluated"), Status.CLOSED: _("Closed")}[status]


def type_label(plan: Plan, incident_type: str, other: str = "") -> str:
    """The step plan's name of the type (an unknown type as it is stored)."""
    if incident_type == IncidentType.OTHER:
        return _("Other: {what}").format(what=other) if other else _("Other")
    for item in plan.incident_types:
        if item.id == incident_type:
            return item.label
    return incident_type


def role_label(role: str) -> str:
    return {PupilRole.INSTIGATOR: _("Instigator"), PupilRole.VICTIM: _("Victim"),
            PupilRole.BYSTANDER: _("Bystander")}[role]


def contact_kind_label(kind: str) -> str:
    return {ContactKind.POLICE: _("Police"), ContactKind.PARENTS: _("Parents/carers"), ContactKind.CARE: _("Care"),
            ContactKind.SCHOOL: _("School"), ContactKind.OTHER: _("Other")}[kind]


def policy_status_label(status: str) -> str:
    return {PolicyStatus.NOT_DISCUSSED: _("Not discussed yet"), PolicyStatus.IN_PROGRESS: _("In progress"),
            PolicyStatus.IN_PLACE: _("In place")}[status]
