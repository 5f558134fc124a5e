"""The forms of an incident: the incident itself, pupils, the action team,
contacts, follow-ups and notes.  Each saves straight into the journal through
``screens.journal.edits``; a storage error is shown in the form, which keeps
what was typed."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Optional

import flet as ft

from content.progress import Progress, Tick
from screens import routes
from screens.journal import letters
from screens.journal.edits import Stamp, add_incident, update_incident
from screens.ui import school_contacts
from screens.ui.forms import Choice, DateTimeField, form_dialog, text_field
from storage import incidents as inc
from storage.vocabulary import ContactKind, IncidentType, PupilRole
from words.i18n import _
from words.labels import contact_kind_label, role_label, type_label

if TYPE_CHECKING:
    from screens.context import AppContext


def progress_of(incident: inc.Incident) -> Progress:
    """The incident's ticks as a checklist progress (for the next-step rule)."""
    return Progress({a: Tick(ev.at, ev.by) for a, ev in incident.ticked.items()})


def _required(field: ft.TextField, message: str) -> bool:
    ok = bool((field.value or "").strip())
    field.error = None if ok else message
    field.update()
    return ok


def incident_form(app: "AppContext", incident: Optional[inc.Incident] = None, *, from_session: bool = False) -> None:
    """New incident (optionally with the acute flow's ticks and report time), or edit one."""
    now = app.now()
    reported_at = incident.reported_at if incident else (app.report_time if from_session else None) or now
    title = text_field(app, _("Short title, without names"), incident.title if incident else "", autofocus=True)
    other = text_field(app, _("Which kind, if other"), incident.type_other if incident else "")

    def kind_chosen(value: str) -> None:
        other.visible = value == IncidentType.OTHER
        other.update()

    kind = Choice(app, _("Type of incident"), [(t, type_label(app.plan, t)) for t in IncidentType],
                  incident.type if incident else "", kind_chosen)
    other.visible = kind.value == IncidentType.OTHER
    when = DateTimeField(app, _("Reported"), reported_at)
    reporter = text_field(app, _("Reported by (role, e.g. a parent or mentor)"),
                          incident.reported_by if incident else "")
    channel = text_field(app, _("How (e.g. in person, by phone, by e-mail)"),
                         incident.report_channel if incident else "")

    async def on_save() -> bool:
        valid = _required(title, _("Give the incident a short title."))
        valid = kind.required(_("Choose the type of incident.")) and valid
        reported = when.read()
        if not valid or reported is None:
            return False
        by = app.journal.author
        if incident is None:
            item = inc.new_incident(
                title.value.strip(), kind.value, reported_at=reported, type_other=(other.value or "").strip(),
                reported_by=(reporter.value or "").strip(), report_channel=(channel.value or "").strip(),
                by=by, now=app.now(),
            )
            if from_session:
                for action_id, tick in app.progress.ticks.items():
                    item = inc.set_ticked(item, action_id, True, by=by, at=tick.at)
            saved = await add_incident(app, item)
            if from_session:
                app.session_saved()
            app.go(routes.path("incident", incident_id=saved.id))
        else:
            await update_incident(app, incident.id, lambda i, _stamp: dataclasses.replace(
                i, title=title.value.strip(), type=kind.value, type_other=(other.value or "").strip(),
                reported_at=reported, reported_by=(reporter.value or "").strip(),
                report_channel=(channel.value or "").strip(),
            ), in_form=True)
        return True

    intro = []
    if from_session:
        intro.append(ft.Text(_("The actions ticked in the acute flow and the time of the report are saved "
                               "with the incident.")))
    form_dialog(app, _("New incident") if incident is None else _("Edit incident"),
                [*intro, title, kind.control, other, when.control, reporter, channel], on_save)


def pupil_form(app: "AppContext", incident: inc.Incident, pupil: Optional[inc.Pupil] = None) -> None:
    role = Choice(app, _("Role"), [(r, role_label(r)) for r in PupilRole],
                  pupil.role if pupil else PupilRole.VICTIM)
    alias = text_field(app, _("Initials or a pseudonym"), pupil.alias if pupil else "", autofocus=True)
    group = text_field(app, _("Class or group"), pupil.group if pupil else "")
    adult = ft.Checkbox(label=_("18 or older"), value=pupil.adult if pupil else False,
                        on_change=lambda e: app.journal.touch())
    adult_note = ft.Text(_("The school then informs the pupil, not the parents (step 4)."),
                         theme_style=ft.TextThemeStyle.BODY_SMALL)

    async def on_save() -> bool:
        if not _required(alias, _("Enter initials or a pseudonym.")):
            return False
        item = inc.Pupil(pupil.id if pupil else inc.new_id(), role.value, alias.value.strip(),
                         (group.value or "").strip(), adult=bool(adult.value))
        await update_incident(app, incident.id, lambda i, _stamp: inc.put_pupil(i, item), in_form=True)
        return True

    async def remove() -> None:
        await update_incident(app, incident.id, lambda i, _stamp: inc.put_pupil(
            i, dataclasses.replace(pupil, removed=True)), in_form=True)

    form_dialog(app, _("Pupil involved"), [
        ft.Text(_("Record only what is needed (data minimisation): initials or a pseudonym and the class, "
                  "never full names.")),
        role.control, alias, group, adult, adult_note,
    ], on_save, on_remove=remove if pupil else None)


def team_form(app: "AppContext", incident: inc.Incident, member: Optional[inc.TeamMember] = None) -> None:
    role = text_field(app, _("Role in the action team, e.g. management, pupil care"),
                      member.role if member else "", autofocus=True)
    name = text_field(app, _("Name"), member.name if member else "")

    async def on_save() -> bool:
        if not _required(role, _("Enter a role.")):
            return False
        item = inc.TeamMember(member.id if member else inc.new_id(), role.value.strip(), (name.value or "").strip())
        await update_incident(app, incident.id, lambda i, _stamp: inc.put_team_member(i, item), in_form=True)
        return True

    async def remove() -> None:
        await update_incident(app, incident.id, lambda i, _stamp: inc.put_team_member(
            i, dataclasses.replace(member, removed=True)), in_form=True)

    suggested = [] if member else school_contacts.team_suggestions(app, role, name)
    form_dialog(app, _("Action team member"), [*suggested, role, name], on_save, on_remove=remove if member else None)


def contact_form(app: "AppContext", incident: inc.Incident, contact: Optional[inc.Contact] = None) -> None:
    with_whom = text_field(app, _("With whom (role)"), contact.with_whom if contact else "")
    pupils = letters.parents_links(app, incident, with_whom)  # whose parents, one tap

    def kind_chosen(value: str) -> None:
        pupils.visible = value == ContactKind.PARENTS
        pupils.update()

    kind = Choice(app, _("Who"), [(k, contact_kind_label(k)) for k in ContactKind],
                  contact.kind if contact else ContactKind.POLICE, kind_chosen)
    pupils.visible = kind.value == ContactKind.PARENTS
    when = DateTimeField(app, _("Contact"), contact.at if contact else app.now())
    summary = text_field(app, _("What was discussed or agreed"), contact.summary if contact else "",
                         multiline=True, min_lines=2)
    not_informed = ft.Checkbox(label=_("Parents deliberately not informed (yet)"),
                               value=contact.not_informed if contact else False)
    reason = text_field(app, _("Reason for not informing the parents yet"),
                        contact.not_informed_reason if contact else "", multiline=True, min_lines=2)

    async def on_save() -> bool:
        at = when.read()
        if at is None:
            return False
        deliberately = bool(not_informed.value) and kind.value == ContactKind.PARENTS
        if deliberately and not _required(reason, _("Record why the parents are not informed yet.")):
            return False
        item = inc.Contact(
            contact.id if contact else inc.new_id(), kind.value, at, (with_whom.value or "").strip(),
            (summary.value or "").strip(), deliberately, (reason.value or "").strip() if deliberately else "",
        )
        await update_incident(app, incident.id, lambda i, _stamp: inc.put_contact(i, item), in_form=True)
        return True

    form_dialog(app, _("Contact"), [
        kind.control, when.control, with_whom, pupils, summary,
        ft.Text(_("Step 4: sometimes not informing parents straight away is a deliberate choice, when it "
                  "would endanger the child. Record the reason.")),
        not_informed, reason,
    ], on_save)


def follow_up_form(app: "AppContext", incident: inc.Incident, follow_up: Optional[inc.FollowUp] = None) -> None:
    due = DateTimeField(app, _("Planned"), follow_up.due if follow_up else app.now())
    with_whom = text_field(app, _("With whom"), follow_up.with_whom if follow_up else "", autofocus=True)
    what = text_field(app, _("What about"), follow_up.what if follow_up else "")

    async def on_save() -> bool:
        at = due.read()
        if at is None or not _required(with_whom, _("Enter with whom.")):
            return False
        item = inc.FollowUp(follow_up.id if follow_up else inc.new_id(), at, with_whom.value.strip(),
                            (what.value or "").strip(), follow_up.done_at if follow_up else None)
        await update_incident(app, incident.id, lambda i, _stamp: inc.put_follow_up(i, item), in_form=True)
        return True

    form_dialog(app, _("Follow-up conversation"), [due.control, with_whom, what], on_save)


def note_form(app: "AppContext", incident: inc.Incident, note: Optional[inc.Note] = None) -> None:
    text = text_field(app, _("Note"), note.current.text if note else "", multiline=True, min_lines=3,
                      autofocus=True)

    async def on_save() -> bool:
        if not _required(text, _("The note is empty.")):
            return False
        text_value = text.value.strip()

        def edit(current: inc.Incident, stamp: Stamp) -> inc.Incident:
            if note is None:
                return inc.add_note(current, text_value, by=stamp.by, at=stamp.at)
            return inc.edit_note(current, note.id, text_value, by=stamp.by, at=stamp.at)

        await update_incident(app, incident.id, edit, in_form=True)
        return True

    hint = [ft.Text(_("The earlier text is kept in the note's history."))] if note else []
    form_dialog(app, _("Edit note") if note else _("New note"), [*hint, text], on_save)
