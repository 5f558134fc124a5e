"""Where the step plan needs the school's own people: pure rules, declared once.

The source keeps sending the user to the school's own people: "een
vertrouwd persoon binnen de school" (step 1), the action team of "een
vertegenwoordiger van de directie" and "iemand die over leerlingenzorg
gaat", plus whoever speaks to the media (step 2), "de contactpersoon van de
politie van je school" (step 3), care and a trusted person (step 4), whom
pupils and parents can turn to (step 5), who coordinates recovery and which
outside help to involve (step 6), and where pupils can go (step 7).
:data:`ACTION_ROLES` maps each of those actions (ids of
``content/data/stappenplan.*.yaml``) to the roles of the school profile it
shows, in that order.  The acute flow and the help lines show every contact
with a phone number, "Eigen school" first, in :data:`ACUTE_ORDER`.  In the
acute flow only the first :data:`ACUTE_FIRST` of them come before the
national help lines, the others after (:func:`acute_split`): so on a phone
(412x915) "Eigen school" and the first national help line are both within
the first two screens, whatever the size of the school's list.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Mapping, Optional

from content.opening_hours import Status, status
from school.profile import SchoolContact, SchoolProfile, SchoolRole

R = SchoolRole

# Whom to call first when a report has just come in: the people of the action
# team (care, management), the trusted person for the pupil, the police contact.
ACUTE_ORDER: tuple[SchoolRole, ...] = (
    R.ZORGCOORDINATOR,
    R.DIRECTIE,
    R.VERTROUWENSPERSOON,
    R.POLITIE,
    R.AANSPREEKPUNT_PESTEN,
    R.SCHOOLMAATSCHAPPELIJK_WERK,
    R.JEUGDARTS,
    R.VEILIG_THUIS,
    R.LEERPLICHT,
    R.MEDIAWOORDVOERDER,
)

#: How many of the school's own contacts come before the national help lines in the acute flow:
#: the action team's core (care, management) and whoever comes next in :data:`ACUTE_ORDER`.
ACUTE_FIRST = 2

# Step 2's action that names the action team's members (its contacts are suggested as members).
ACTION_TEAM_ACTION = "actieteam-samenstellen"

ACTION_ROLES: Mapping[str, tuple[SchoolRole, ...]] = MappingProxyType({
    # step 1: "een vertrouwd persoon binnen de school"; "maak gebruik van de zorgstructuren"
    "betrokken-leerlingen": (R.VERTROUWENSPERSOON, R.ZORGCOORDINATOR),
    "zorg": (R.ZORGCOORDINATOR, R.SCHOOLMAATSCHAPPELIJK_WERK, R.JEUGDARTS),
    # step 2: the suggested members of the action team
    ACTION_TEAM_ACTION: (R.DIRECTIE, R.ZORGCOORDINATOR, R.MEDIAWOORDVOERDER),
    # step 3: "Overleg met de contactpersoon van de politie van je school"
    "strafbare-feiten": (R.POLITIE,),
    # step 4: care for the pupil; Veilig Thuis for the LET OP case (a pupil threatened at home)
    "ouders-informeren": (R.ZORGCOORDINATOR, R.VEILIG_THUIS),
    "onderwijsteam-informeren": (R.DIRECTIE, R.MEDIAWOORDVOERDER),
    "slachtoffer-extra-hulp": (R.VERTROUWENSPERSOON, R.POLITIE),
    "betrokkenen-hulp": (R.VERTROUWENSPERSOON, R.ZORGCOORDINATOR, R.SCHOOLMAATSCHAPPELIJK_WERK, R.JEUGDARTS),
    # step 5: "bij wie leerlingen en ouders terecht kunnen met (zorg)vragen"
    "alle-ouders": (R.VERTROUWENSPERSOON, R.AANSPREEKPUNT_PESTEN, R.ZORGCOORDINATOR),
    # step 6: who coordinates recovery; outside help (Halt, youth work)
    "herstel-coordineren": (R.ZORGCOORDINATOR,),
    "follow-up": (R.VERTROUWENSPERSOON, R.ZORGCOORDINATOR),
    "hulp-externen": (R.SCHOOLMAATSCHAPPELIJK_WERK, R.LEERPLICHT, R.POLITIE),
    # step 7: "Zorg dat leerlingen weten bij wie ze terecht kunnen ... binnen ... de school"
    "leerlingen-informeren": (R.VERTROUWENSPERSOON, R.AANSPREEKPUNT_PESTEN),
})

# Where the school's own sanction policy is linked ("het schooleigen sanctiebeleid").
SANCTION_POLICY_ACTIONS: tuple[str, ...] = ("gesprek-begrenzen", "begrenzen-waar-nodig")


def acute_contacts(profile: Optional[SchoolProfile]) -> tuple[SchoolContact, ...]:
    """Every contact with a phone number, in :data:`ACUTE_ORDER` (profile order within a role)."""
    if profile is None:
        return ()
    return tuple(c for role in ACUTE_ORDER for c in profile.contacts_with(role) if c.phone.strip())


def acute_split(profile: Optional[SchoolProfile]) -> tuple[tuple[SchoolContact, ...], tuple[SchoolContact, ...]]:
    """:func:`acute_contacts` as (before the national help lines, after them)."""
    contacts = acute_contacts(profile)
    return contacts[:ACUTE_FIRST], contacts[ACUTE_FIRST:]


def contacts_for_action(profile: Optional[SchoolProfile], action_id: str) -> tuple[SchoolContact, ...]:
    """The school's contacts an action of the step plan points to (none for other actions)."""
    if profile is None:
        return ()
    return tuple(c for role in ACTION_ROLES.get(action_id, ()) for c in profile.contacts_with(role))


def reachability(contact: SchoolContact, now: datetime) -> Optional[Status]:
    """Whether the contact is reachable at ``now`` by its hours; None without hours
    (the UI then shows the free text ``reachable``)."""
    return None if contact.hours is None else status(contact.hours, now)


__all__ = [
    "ACTION_ROLES",
    "ACUTE_FIRST",
    "ACUTE_ORDER",
    "SANCTION_POLICY_ACTIONS",
    "acute_contacts",
    "acute_split",
    "contacts_for_action",
    "reachability",
]
