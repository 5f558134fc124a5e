"""The journal's content: incidents, settings and policy items.

Plain frozen dataclasses plus pure functions.  Collections are tuples and
mappings are read-only, so an object handed to the UI can be shared and
cached safely; "editing" returns a new object (``dataclasses.replace`` or the
helpers below), which is then passed to ``Journal.save``.

Each dataclass field declares its wire form once (``wire(...)``, see
``storage.codec``); the writer and both readers are built from that table.

Times are timezone-aware ``datetime`` objects between 2000 and 2100
(``storage.limits``); on disk they are ISO 8601 in UTC with a ``Z`` suffix.
Ids are time-ordered UUID strings (``new_id()``), so sorting by id keeps
records in the order they were made on every device.  Action ids
(``melder`` ...) and evaluation question ids come from ``content`` and are
stored as opaque strings, so the content can change without a migration.

Append-only parts (note versions, tick events, status changes) are the audit
trail: ``Journal.save`` refuses an incident in which a stored entry is missing
or altered.  Every other value is a *register*: a scalar field, one
evaluation answer, or one sub-record (pupil, team member, contact,
follow-up).  Each register carries when it was last changed (``at``) and the
latest stamp its writer had seen (``base``); two edits of which neither saw
the other are a conflict, and the value that did not win is kept in
``alternatives`` until a person chooses (see ``storage.merge``).  The UI does
not manage any of these stamps: ``Journal.save`` sets them.

No field can hold an image or a file: only text, times and ids.


The package's modules: ``records`` (the dataclasses), ``edits`` (making and changing
them), ``queries`` and ``documents`` (stored and shared form, validation); this
module is their public face, ``from storage import incidents as inc``.
"""

from storage.codec import time_to_str  # noqa: F401
from storage.incidents.documents import (  # noqa: F401
    incident_from_dict,
    incident_from_trusted,
    incident_to_dict,
    policy_from_dict,
    policy_to_dict,
    settings_from_dict,
    settings_to_dict,
    tombstone_from_dict,
    tombstone_to_dict,
    validate_incident,
    validate_policy,
    validate_settings,
)
from storage.incidents.edits import (  # noqa: F401
    add_note,
    delete_note,
    edit_note,
    mark_deleted,
    mark_restored,
    new_incident,
    put_contact,
    put_follow_up,
    put_pupil,
    put_team_member,
    set_evaluation,
    set_status,
    set_ticked,
    settle,
    settle_note,
    settle_policy,
)
from storage.incidents.queries import (  # noqa: F401
    add_months,
    filter_incidents,
    past_retention,
    sort_incidents,
)
from storage.incidents.records import (  # noqa: F401
    Alternative,
    CLOSED_STATUS,
    CONTACT_KINDS,
    Contact,
    DeletionEvent,
    FollowUp,
    INCIDENT_TYPES,
    Incident,
    LOGS,
    Note,
    NoteVersion,
    PUPIL_ROLES,
    PolicyItem,
    Pupil,
    RESTORE_PERIOD,
    SCALAR_FIELDS,
    SCHEMA_VERSION,
    STATUSES,
    SUB_RECORDS,
    Settings,
    StatusChange,
    TeamMember,
    TickEvent,
    Tombstone,
    current_status,
    new_id,
    register_value,
    sub_record_key,
    utcnow,
)

__all__ = [
    "Alternative",
    "CLOSED_STATUS",
    "CONTACT_KINDS",
    "Contact",
    "DeletionEvent",
    "FollowUp",
    "INCIDENT_TYPES",
    "Incident",
    "LOGS",
    "Note",
    "NoteVersion",
    "PUPIL_ROLES",
    "PolicyItem",
    "Pupil",
    "RESTORE_PERIOD",
    "SCALAR_FIELDS",
    "SCHEMA_VERSION",
    "STATUSES",
    "SUB_RECORDS",
    "Settings",
    "StatusChange",
    "TeamMember",
    "TickEvent",
    "Tombstone",
    "add_months",
    "add_note",
    "current_status",
    "delete_note",
    "edit_note",
    "filter_incidents",
    "incident_from_dict",
    "incident_from_trusted",
    "incident_to_dict",
    "mark_deleted",
    "mark_restored",
    "new_id",
    "new_incident",
    "past_retention",
    "policy_from_dict",
    "policy_to_dict",
    "put_contact",
    "put_follow_up",
    "put_pupil",
    "put_team_member",
    "register_value",
    "set_evaluation",
    "set_status",
    "set_ticked",
    "settings_from_dict",
    "settings_to_dict",
    "settle",
    "settle_note",
    "settle_policy",
    "sort_incidents",
    "sub_record_key",
    "time_to_str",
    "tombstone_from_dict",
    "tombstone_to_dict",
    "utcnow",
    "validate_incident",
    "validate_policy",
    "validate_settings",
]

