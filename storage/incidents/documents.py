"""Records to and from their stored and shared form (JSON documents), each checked by the
rules of its type on the way in."""

from __future__ import annotations

from typing import Any

from storage.codec import LOCAL, Context, codec_of
from storage.errors import ValidationError
from storage.incidents.records import Incident, PolicyItem, Settings, Tombstone

# -- (de)serialisation and validation -------------------------------------------------


def _check_incident_rules(i: Incident, where: str = "incident") -> None:
    """Rules across fields (the field table checks each field on its own)."""
    for contact in i.contacts:
        if contact.not_informed and contact.kind != "ouders":
            raise ValidationError(f"{where}.contacts.not_informed", "only for parents")
        if contact.not_informed and not contact.not_informed_reason.strip():
            raise ValidationError(f"{where}.contacts.not_informed_reason", "a reason is required")
    for n in i.notes:
        if not n.versions:
            raise ValidationError(f"{where}.notes.versions", "a note needs at least one version")
        ids = {v.id for v in n.versions}
        if any(r not in ids for v in n.versions for r in v.replaces):
            raise ValidationError(f"{where}.notes.versions.replaces", "unknown version")


def _check_register_stamps(i: Incident, where: str = "incident") -> None:
    """Every register's base lies before its change (what makes the merge a
    join).  Checked on stored and incoming records; an edit from the UI may
    carry stale stamps, which ``Journal.save`` replaces anyway."""
    for key, stamp in i.field_base.items():
        at = i.register_stamp(key)  # None: a sub-record the edit dropped (it is kept, removed)
        if at is not None and not stamp < at:
            raise ValidationError(f"{where}.field_base.{key}", "not before the change it belongs to")
    for key, alts in i.alternatives.items():
        if any(a.base is not None and not a.base < a.at for a in alts):
            raise ValidationError(f"{where}.alternatives.{key}", "base not before the change")


def incident_to_dict(i: Incident) -> dict:
    return codec_of(Incident).dump(i)


def incident_from_dict(d: Any, ctx: Context = LOCAL) -> Incident:
    """Strict: unknown keys, wrong types or invalid values raise ``ValidationError``."""
    incident = codec_of(Incident).strict(d, "incident", ctx)
    _check_incident_rules(incident)
    _check_register_stamps(incident)
    return incident


def incident_from_trusted(d: dict) -> Incident:
    """Build an incident from a record this journal wrote itself.

    Every stored incident passed ``validate_incident`` when it was saved or
    imported and the file is authenticated, so unlock skips the per-field
    checks.  Raises ``KeyError``/``TypeError``/``ValueError`` if the record
    is not what we write (the caller reports a damaged file).
    """
    return codec_of(Incident).fast(d)


def _validate(obj: Any, cls: type, label: str) -> dict:
    """Full check of an in-memory record (types included), as on import;
    returns its wire form."""
    if not isinstance(obj, cls):
        raise ValidationError(label, f"not a {cls.__name__}")
    try:
        d = codec_of(cls).dump(obj)
    except ValidationError:
        raise
    except (AttributeError, TypeError, ValueError, OverflowError) as exc:
        raise ValidationError(label, f"wrong type: {type(exc).__name__}") from None
    codec_of(cls).strict(d)
    return d


def validate_incident(i: Incident) -> dict:
    """Full check of an incident typed in the app; returns its wire form."""
    d = _validate(i, Incident, "incident")
    _check_incident_rules(i)
    return d


def settings_to_dict(s: Settings) -> dict:
    return codec_of(Settings).dump(s)


def settings_from_dict(d: Any, ctx: Context = LOCAL) -> Settings:
    return codec_of(Settings).strict(d, "settings", ctx)


def validate_settings(s: Settings) -> dict:
    return _validate(s, Settings, "settings")


def policy_to_dict(p: PolicyItem) -> dict:
    return codec_of(PolicyItem).dump(p)


def policy_from_dict(d: Any, ctx: Context = LOCAL) -> PolicyItem:
    item = codec_of(PolicyItem).strict(d, "policy", ctx)
    for k, alt in enumerate(item.alternatives):
        policy_from_dict(alt.value, ctx)  # each alternative is a whole, valid item
        if alt.base is not None and not alt.base < alt.at:
            raise ValidationError(f"policy.alternatives[{k}].base", "not before the change")
    if item.base is not None and (item.updated is None or not item.base < item.updated):
        raise ValidationError("policy.base", "not before the change")
    return item


def validate_policy(p: PolicyItem) -> dict:
    d = _validate(p, PolicyItem, "policy")
    policy_from_dict(d)
    return d


def tombstone_to_dict(t: Tombstone) -> dict:
    return codec_of(Tombstone).dump(t)


def tombstone_from_dict(d: Any, ctx: Context = LOCAL) -> Tombstone:
    return codec_of(Tombstone).strict(d, "tombstone", ctx)
