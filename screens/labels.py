"""Names for the journal's vocabularies (status, type, role, contact kind), in the active language."""

from __future__ import annotations

from content.model import Plan
from screens.i18n import _


def status_label(status: str) -> str:
    return {
        "acuut": _("Acute"),
        "lopend": _("In progress"),
        "herstel": _("Recovery & aftercare"),
        "geevalueerd": _("Evaluated"),
        "gesloten": _("Closed"),
    }[status]


def type_label(plan: Plan, incident_type: str, other: str = "") -> str:
    if incident_type == "anders":
        return _("Other: {what}").format(what=other) if other else _("Other")
    for item in plan.incident_types:
        if item.id == incident_type:
            return item.label
    return incident_type


def role_label(role: str) -> str:
    return {"aanstichter": _("Instigator"), "slachtoffer": _("Victim"), "omstander": _("Bystander")}[role]


def contact_kind_label(kind: str) -> str:
    return {
        "politie": _("Police"),
        "ouders": _("Parents/carers"),
        "zorg": _("Care"),
        "school": _("School"),
        "anders": _("Other"),
    }[kind]
