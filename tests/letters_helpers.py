"""An incident and a school profile as the letters tests use them."""

from __future__ import annotations

from datetime import datetime, timezone

from school.profile import profile_from_dict
from storage import incidents as inc

NOW = datetime(2026, 11, 24, 13, 5, tzinfo=timezone.utc)  # 14:05 in Amsterdam

SCHOOL = profile_from_dict({
    "school": "OSG De Linde",
    "contacts": [
        {"role": "zorgcoordinator", "name": "Marieke Jansen", "phone": "030 123 45 68"},
        {"role": "vertrouwenspersoon", "name": "Karel Smit", "phone": "030 123 45 67", "email": "k.smit@delinde.nl"},
        {"role": "aanspreekpunt-pesten", "phone": "030 123 45 69"},
        {"role": "mediawoordvoerder", "name": "Els Visser", "email": "pers@delinde.nl"},
        {"role": "directie", "name": "Jeroen de Boer", "phone": "030 123 45 60"},
        {"role": "politie", "name": "wijkagent Sander Bakker", "phone": "0900-8844"},
    ],
    "sanction_policy_url": "https://delinde.nl/schoolgids#sancties",
})


def incident(type_: str = "vernedering", **kwargs) -> inc.Incident:
    """Sanne de Vries (victim, 2B), SdV's friend 'Bram' (instigator, 2C), 'L.' (bystander),
    reported by Sanne's mother Petra de Vries; action team with Marieke Jansen."""
    result = inc.new_incident("Groepsapp 2B", type_, reported_by="Petra de Vries (moeder van Sanne)",
                              now=datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc), **kwargs)
    result = inc.put_pupil(result, inc.Pupil("p-victim", "slachtoffer", "Sanne de Vries", "2B"))
    result = inc.put_pupil(result, inc.Pupil("p-instigator", "aanstichter", "Bram", "2C"))
    result = inc.put_pupil(result, inc.Pupil("p-bystander", "omstander", "L.", "2B"))
    result = inc.put_team_member(result, inc.TeamMember("t-1", "zorgcoördinator", "Marieke Jansen"))
    result = inc.put_team_member(result, inc.TeamMember("t-2", "mentor 2B", "Hans Mulder"))
    return result


def with_contact(incident_: inc.Incident, kind: str, with_whom: str, *, at: datetime = NOW,
                 not_informed_reason: str = "") -> inc.Incident:
    contact = inc.Contact(inc.new_id(), kind, at, with_whom, "", bool(not_informed_reason), not_informed_reason)
    return inc.put_contact(incident_, contact)
