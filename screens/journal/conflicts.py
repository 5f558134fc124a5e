"""Values changed in two places at once: both versions, and the user's choice.

When two windows, two members of the action team or an imported backup
changed the same value without seeing each other's change, the journal
keeps both (``Incident.conflicts``; see ``storage.merge``).  This section of
the incident screen shows each such value: the version the journal shows
now and the other one(s), each with who wrote it and when.  "Keep this one"
settles it: the choice is saved as a new edit, which every device takes
over.  Journal home names the values on the incident's row
(``conflict_summary``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

import flet as ft

from screens.journal.edits import update_incident
from screens.ui.widgets import section_title
from storage import incidents as inc
from storage.codec import codec_of
from storage.vocabulary import EVALUATION_ACTION
from words.formatting import moment
from words.i18n import _
from words.labels import contact_kind_label, role_label, type_label

if TYPE_CHECKING:
    from screens.context import AppContext


async def keep_value(app: "AppContext", incident_id: str, key: str, choice: Optional[inc.Alternative]) -> None:
    """Keep the value shown (``choice=None``) or one of the other versions."""
    await update_incident(app, incident_id, lambda i, s: inc.settle(i, key, choice), saved=_("Your choice is saved."))


async def keep_note_version(app: "AppContext", incident_id: str, note_id: str, version_id: str) -> None:
    await update_incident(
        app, incident_id, lambda i, s: inc.settle_note(i, note_id, version_id, by=s.by, at=s.at),
        saved=_("Your choice is saved."),
    )


def conflicts_section(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    """The incident screen's section; nothing when every value is settled."""
    if not incident.conflicts:
        return []
    cards = [_note_card(app, incident, key) if key.startswith("notes:") else _value_card(app, incident, key)
             for key in incident.conflicts]
    return [
        section_title(_("Changed in two places")),
        ft.Text(_("These were changed at the same time in two places (another window, a colleague, or a "
                  "backup), without one seeing the other's change. Both versions are kept until you choose.")),
        *cards,
    ]


def _card(title: str, versions: list[ft.Control]) -> ft.Control:
    return ft.Container(
        border=ft.Border.all(1, ft.Colors.TERTIARY), border_radius=12, padding=12,
        content=ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH, controls=[
            ft.Row([ft.Icon(ft.Icons.CALL_SPLIT, color=ft.Colors.TERTIARY, semantics_label=_("Conflict")),
                    ft.Text(title, weight=ft.FontWeight.BOLD, expand=True)]),
            *versions,
        ]),
    )


def conflict_summary(app: "AppContext", incident: inc.Incident) -> str:
    """'Op twee plaatsen gewijzigd: Korte titel, Notitie' for journal home ('' when settled)."""
    if not incident.conflicts:
        return ""
    labels = dict.fromkeys(_("Note") if key.startswith("notes:") else _field_label(app, key)
                           for key in incident.conflicts)
    return _("Changed in two places: {what}").format(what=", ".join(labels))


def _written(who: str, when: str) -> str:
    return _("changed by {who}, {when}").format(who=who, when=when) if who else _("changed {when}").format(when=when)


def _version(label: str, text: str, on_keep) -> ft.Control:
    return ft.Container(
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST, border_radius=8, padding=10,
        content=ft.Column(spacing=4, horizontal_alignment=ft.CrossAxisAlignment.START, controls=[
            ft.Text(label, theme_style=ft.TextThemeStyle.LABEL_MEDIUM),
            ft.Text(text),
            ft.OutlinedButton(_("Keep this one"), icon=ft.Icons.CHECK, on_click=on_keep),
        ]),
    )


def _value_card(app: "AppContext", incident: inc.Incident, key: str) -> ft.Control:
    now = app.now()
    shown_at = incident.register_stamp(key)

    async def keep_shown(e) -> None:
        await keep_value(app, incident.id, key, None)

    shown = _written(incident.field_by.get(key, ""), moment(shown_at, now))
    versions = [_version(_("Shown now · {written}").format(written=shown),
                         _describe(app, key, incident.shown_value(key)), keep_shown)]
    for alternative in incident.alternatives[key]:
        async def keep_other(e, alternative=alternative) -> None:
            await keep_value(app, incident.id, key, alternative)

        other = _written(alternative.by, moment(alternative.at, now))
        versions.append(_version(_("Other version · {written}").format(written=other),
                                 _describe(app, key, alternative.value), keep_other))
    return _card(_field_label(app, key), versions)


def _note_card(app: "AppContext", incident: inc.Incident, key: str) -> ft.Control:
    note = incident.note(key.partition(":")[2])
    now = app.now()
    versions = []
    for head in sorted(note.heads, key=lambda v: (v.at, v.id), reverse=True):
        async def keep(e, head=head) -> None:
            await keep_note_version(app, incident.id, note.id, head.id)

        when = moment(head.at, now)
        if head.by:
            label = (_("Deleted by {who}, {when}") if head.deleted else _("Written by {who}, {when}")).format(
                who=head.by, when=when)
        else:
            label = (_("Deleted {when}") if head.deleted else _("Written {when}")).format(when=when)
        versions.append(_version(label, head.text, keep))
    return _card(_("Note of {when}").format(when=moment(note.created_at, now)), versions)


_SCALAR_LABELS = {
    "title": lambda: _("Short title, without names"),
    "type": lambda: _("Type of incident"),
    "type_other": lambda: _("Which kind, if other"),
    "reported_at": lambda: _("Reported"),
    "reported_by": lambda: _("Reported by (role, e.g. a parent or mentor)"),
    "report_channel": lambda: _("How (e.g. in person, by phone, by e-mail)"),
}

_RECORD_LABELS = {
    "pupils": lambda: _("Pupil involved"),
    "team": lambda: _("Action team member"),
    "contacts": lambda: _("Contact"),
    "follow_ups": lambda: _("Follow-up conversation"),
}


def _field_label(app: "AppContext", key: str) -> str:
    if key in _SCALAR_LABELS:
        return _SCALAR_LABELS[key]()
    if key.startswith("evaluation."):
        question_id = key.partition(".")[2]
        questions = {q.id: q.text for b in app.plan.action(EVALUATION_ACTION).blocks for q in b.questions}
        return questions.get(question_id, _("Evaluation"))
    return _RECORD_LABELS[key.partition(":")[0]]()


def _describe(app: "AppContext", key: str, value: Any) -> str:
    """A register's value (wire form) as the user reads it."""
    if value in (None, ""):
        return _("(empty)")
    if key == "type":
        return type_label(app.plan, value)
    if key == "reported_at":
        return moment(datetime.fromisoformat(value), app.now())
    if key in _SCALAR_LABELS or key.startswith("evaluation."):
        return value
    collection = key.partition(":")[0]
    record = codec_of(_RECORD_TYPES[collection]).fast(value)
    parts = _RECORD_PARTS[collection](app, record)
    if record.removed:
        parts.append(_("removed"))
    return " · ".join(p for p in parts if p)


_RECORD_TYPES = {"pupils": inc.Pupil, "team": inc.TeamMember, "contacts": inc.Contact, "follow_ups": inc.FollowUp}
_RECORD_PARTS = {
    "pupils": lambda app, p: [p.alias, p.group, role_label(p.role)],
    "team": lambda app, m: [m.role, m.name],
    "contacts": lambda app, c: [contact_kind_label(c.kind), c.with_whom, moment(c.at, app.now()), c.summary,
                                c.not_informed_reason if c.not_informed else ""],
    "follow_ups": lambda app, f: [moment(f.due, app.now()), f.with_whom, f.what,
                                  _("done") if f.done_at is not None else ""],
}


__all__ = ["conflict_summary", "conflicts_section", "keep_note_version", "keep_value"]
