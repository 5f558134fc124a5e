"""The journal's tables, and how a record from the journal or from outside is checked and
written canonically: shared by the journal (``storage.journal``), its backups
(``storage.journal_backup``) and its team records (``storage.journal_team``)."""

from __future__ import annotations

import json
from typing import Any, Callable

from storage.codec import Context, codec_of
from storage.errors import TooLargeToShareError, ValidationError
from storage.incidents import Incident, incident_from_dict, incident_to_dict
from storage.limits import MAX_SHARED_RECORD
from storage.merge import content_of
from storage.sealed import KINDS

INCIDENTS, POLICY, SETTINGS, TOMBSTONES = (KINDS[k] for k in ("incident", "policy", "settings", "tombstone"))
TEAM, SHARES, OUTBOX, DELETED = (KINDS[k] for k in ("team", "share", "outbox", "deleted"))
TEAM_ID = "team"


def check_shareable(doc: Any) -> None:
    """Refuse a shared incident the team could not receive (``Journal.outbox`` sends this JSON)."""
    size = len(canonical(content_of(doc)))
    if size > MAX_SHARED_RECORD:
        raise TooLargeToShareError(size=size)


def reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def canonical(doc: dict) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def wire(incident: Incident) -> dict:
    return incident_to_dict(incident)


def valid(doc: dict) -> dict:
    """``doc`` after the full check of a typed incident (raises ``ValidationError``)."""
    incident_from_dict(doc)
    return doc


def checked(
    docs: dict[str, dict], read: Callable[..., Any], ctx: Context, skipped: list[tuple[str, str]]
) -> dict[str, tuple[Any, dict]]:
    """Records from outside that pass every rule, in canonical wire form; the
    others are listed in ``skipped`` as (id, the field that failed)."""
    out = {}
    for rid, doc in docs.items():
        try:
            obj = read(dict(doc), ctx)
        except ValidationError as exc:
            skipped.append((str(rid)[:100], exc.field))
            continue
        out[rid] = (obj, codec_of(type(obj)).dump(obj))
    return out
