"""One incident: progress per step and the next step, the timeline of notes,
who was involved, contacts, follow-ups, status, and deleting or exporting it.

The handlers that change the incident are the module's public async
functions (``choose_status``, ``tick_action``, ...); each says what changes and
leaves the rest to ``screens.journal.edits.update_incident``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import flet as ft

from content.progress import next_action, step_progress
from screens import routes
from screens.journal.backup import export_backup
from screens.journal.conflicts import conflicts_section
from screens.journal.deleted import deleted_notice
from screens.journal.edits import Stamp, update_incident
from screens.journal.gate import journal_view, no_images_note
from screens.journal.incident_forms import (
    contact_form,
    follow_up_form,
    incident_form,
    note_form,
    progress_of,
    pupil_form,
    team_form,
)
from screens.journal.report_export import export_report
from screens.team.share import sharing_section
from screens.ui.forms import confirm, fields, text_field
from screens.ui.widgets import icon_button, section_title
from storage import Journal, errors
from storage import incidents as inc
from storage.statistics import earlier_of_same_type
from storage.vocabulary import EVALUATION_ACTION, PupilRole, Status
from words.formatting import moment
from words.i18n import _
from words.labels import contact_kind_label, role_label, status_label, type_label

if TYPE_CHECKING:
    from screens.context import AppContext


# -- what the handlers change ---------------------------------------------------------


async def choose_status(app: "AppContext", incident: inc.Incident, status: Status) -> None:
    if status == incident.status:
        app.refresh()  # a chip cannot be unselected: the status stays
        return
    await update_incident(app, incident.id, lambda i, s: inc.set_status(i, status, by=s.by, at=s.at))


async def tick_action(app: "AppContext", incident_id: str, action_id: str, ticked: bool) -> None:
    await update_incident(app, incident_id, lambda i, s: inc.set_ticked(i, action_id, ticked, by=s.by, at=s.at))


async def mark_follow_up(app: "AppContext", incident_id: str, follow_up: inc.FollowUp, done: bool) -> None:
    await update_incident(app, incident_id, lambda i, s: inc.put_follow_up(
        i, dataclasses.replace(follow_up, done_at=s.at if done else None)))


async def save_evaluation(app: "AppContext", incident_id: str, answers: dict[str, str], finish: bool) -> None:
    """The answers to the evaluation questions; ``finish``: the incident is evaluated."""

    def edit(incident: inc.Incident, stamp: Stamp) -> inc.Incident:
        for question_id, answer in answers.items():
            incident = inc.set_evaluation(incident, question_id, answer.strip())
        return inc.set_status(incident, Status.EVALUATED, by=stamp.by, at=stamp.at) if finish else incident

    await update_incident(app, incident_id, edit, saved=_("Evaluation saved."))


def _restorable(app: "AppContext", incident_id: str) -> bool:
    """A shared incident, while the journal is in its team: deleted for the team, and restorable."""
    return app.journal.current.is_shared(incident_id) and app.team_sync.in_team()


async def delete(app: "AppContext", incident_id: str) -> None:
    """From the confirmation dialog (which reports a storage error)."""
    restorable = _restorable(app, incident_id)
    await app.journal.current.delete(incident_id, by=app.team_sync.signature(), restorable=restorable)
    app.go(routes.path("journal"))
    app.toast(_("Incident deleted, for the whole team. Anyone in the team can restore it for {days} days: "
                "Deleted — restore, on the journal.").format(days=inc.RESTORE_PERIOD.days) if restorable
              else _("Incident deleted."))


def _confirm_delete(app: "AppContext", incident: inc.Incident) -> None:
    if _restorable(app, incident.id):
        text = _("'{title}' is deleted for the whole team. Anyone in the team can restore it for {days} days; "
                 "after that it is gone for good. Backups made earlier still contain it.").format(
            title=incident.title, days=inc.RESTORE_PERIOD.days)
    else:
        text = _("'{title}' is removed from the journal on this device. Backups made earlier "
                 "still contain it.").format(title=incident.title)
    confirm(app, _("Delete this incident?"), text, _("Delete"), lambda: delete(app, incident.id))


# -- the screen ---------------------------------------------------------------------------


def _header(app: "AppContext", incident: inc.Incident) -> ft.Control:
    def status_chip(status: Status) -> ft.Chip:
        async def choose(e) -> None:
            await choose_status(app, incident, status)

        return ft.Chip(label=ft.Text(status_label(status)), selected=status == incident.status, on_select=choose)

    details = [
        type_label(app.plan, incident.type, incident.type_other),
        _("reported {when}").format(when=moment(incident.reported_at, app.now())),
    ]
    if incident.reported_by or incident.report_channel:
        details.append(_("by {who}").format(who=", ".join(
            p for p in (incident.reported_by, incident.report_channel) if p)))
    return ft.Column(spacing=8, controls=[
        ft.Text(incident.title, theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(" · ".join(details)),
        ft.Text(_("Status"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        ft.Row(wrap=True, spacing=6, run_spacing=6, controls=[status_chip(s) for s in Status]),
        ft.OutlinedButton(_("Edit incident"), icon=ft.Icons.EDIT_OUTLINED,
                          on_click=lambda e: incident_form(app, incident)),
    ])


def _next_step(app: "AppContext", incident: inc.Incident) -> ft.Control:
    action = next_action(app.plan, progress_of(incident))
    if action is None:
        text = _("All actions are ticked off.")
    else:
        step = app.plan.step_of(action.id)
        text = _("Step {number}: {action}").format(number=step.number, action=action.title)
    return ft.Card(content=ft.ListTile(
        leading=ft.Icon(ft.Icons.ARROW_FORWARD, semantics_label=_("Next step")),
        title=ft.Text(_("Next step"), weight=ft.FontWeight.BOLD),
        subtitle=ft.Text(text),
    ))


def _steps(app: "AppContext", journal: Journal, incident: inc.Incident) -> ft.Control:
    progress = progress_of(incident)
    first_open = next_action(app.plan, progress)
    tiles = []
    for step in app.plan.steps:
        done, total = step_progress(step, progress)
        rows = []
        for action in step.checklist:
            tick = incident.ticked.get(action.id)

            async def toggled(e, action_id=action.id) -> None:
                await tick_action(app, incident.id, action_id, bool(e.control.value))

            subtitle = None
            if tick:
                when = moment(tick.at, app.now())
                subtitle = ft.Text(_("ticked {when} by {who}").format(when=when, who=tick.by) if tick.by
                                   else _("ticked {when}").format(when=when))
            rows.append(ft.ListTile(
                leading=ft.Checkbox(value=tick is not None, semantics_label=action.title, on_change=toggled,
                                    scale=1.2),
                title=ft.Text(action.title),
                subtitle=subtitle,
                on_click=lambda e, s=step.number, a=action.id: app.go(routes.step(s, a)),
            ))
        if step.id == "actieteam":
            rows.append(_earlier_incidents(app, journal, incident))
        tiles.append(ft.ExpansionTile(
            title=ft.Text(_("Step {number}: {title}").format(number=step.number, title=step.title)),
            subtitle=ft.Text(_("{done} of {total}").format(done=done, total=total)),
            expanded=first_open is not None and app.plan.step_of(first_open.id) is step,
            maintain_state=True,
            controls=rows,
        ))
    return ft.Column(spacing=0, controls=tiles)


def _earlier_incidents(app: "AppContext", journal: Journal, incident: inc.Incident) -> ft.Control:
    """Step 2 asks whether the school met something like this before and what it did then."""
    earlier = earlier_of_same_type(incident, journal.of_type(incident.type))
    question = next(q for b in app.plan.action("situatie-beschrijven").blocks for q in b.questions
                    if q.id == "situatie-3")
    header = ft.Column(spacing=2, controls=[
        ft.Text(question.text, italic=True),
        ft.Text(_("Earlier incidents of this type in the journal:"), weight=ft.FontWeight.BOLD),
    ])
    if not earlier:
        return ft.Container(padding=ft.Padding.symmetric(horizontal=16, vertical=8), content=ft.Column([
            header, ft.Text(_("None in this journal."))]))
    items = []
    for item in earlier:
        done = [app.plan.action(a).title for a in item.done if _known(app, a)]
        lines = [ft.Text(f"{item.title} · {moment(item.reported_at, app.now())} · {status_label(item.status)}",
                         weight=ft.FontWeight.W_500)]
        if done:
            lines.append(ft.Text(_("Done: {actions}").format(actions="; ".join(done))))
        if item.lessons:
            lines.append(ft.Text(_("Lessons: {lessons}").format(lessons=item.lessons), italic=True))
        items.append(ft.Container(
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=12, padding=12,
            on_click=lambda e, i=item.incident_id: app.go(routes.path("incident", incident_id=i)),
            content=ft.Column(spacing=4, controls=lines),
        ))
    return ft.Container(padding=ft.Padding.symmetric(horizontal=16, vertical=8),
                        content=ft.Column(spacing=8, controls=[header, *items]))


def _known(app: "AppContext", action_id: str) -> bool:
    try:
        app.plan.action(action_id)
    except KeyError:  # an action of an older version of the plan
        return False
    return True


def _evaluation(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    """Step 7: the six evaluation questions, answered in the journal."""
    action = app.plan.action(EVALUATION_ACTION)
    questions = [q for block in action.blocks for q in block.questions]
    answers = {
        q.id: text_field(app, q.text, incident.evaluation.get(q.id, ""), multiline=True, min_lines=2)
        for q in questions
    }

    async def store(finish: bool) -> None:
        await save_evaluation(app, incident.id, {qid: field.value or "" for qid, field in answers.items()}, finish)

    async def save_clicked(e) -> None:
        await store(False)

    async def finish_clicked(e) -> None:
        await store(True)

    buttons = [ft.OutlinedButton(_("Save evaluation"), icon=ft.Icons.SAVE_OUTLINED, on_click=save_clicked)]
    if Status(incident.status).awaits_evaluation:
        buttons.append(ft.FilledButton(_("Save and mark as evaluated"), icon=ft.Icons.TASK_ALT,
                                       on_click=finish_clicked))
    return [
        section_title(_("Evaluation")),
        ft.Text(_("Take time for an evaluation once the situation is under control; involve staff, the pupils "
                  "and parents involved and, where relevant, external partners.")),
        fields(*answers.values()),
        ft.Row(wrap=True, spacing=8, run_spacing=8, controls=buttons),
    ]


def _notes(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    items: list[ft.Control] = []
    for note in reversed(incident.timeline):
        current = note.current
        edited = len([v for v in note.versions if not v.deleted]) > 1
        meta = moment(note.created_at, app.now())
        if current.by:
            meta += " · " + current.by
        if edited:
            meta += " · " + _("edited {when}").format(when=moment(current.at, app.now()))
        history = [
            ft.Text(_("{when}: {text}").format(when=moment(v.at, app.now()), text=v.text),
                    theme_style=ft.TextThemeStyle.BODY_SMALL)
            for v in note.versions[:-1]
        ]
        body: list[ft.Control] = [
            ft.Text(meta, theme_style=ft.TextThemeStyle.LABEL_MEDIUM),
            ft.Text(current.text),
        ]
        if history:
            body.append(ft.ExpansionTile(title=ft.Text(_("Earlier versions")), controls=history, dense=True))
        body.append(ft.Row(spacing=0, controls=[
            ft.TextButton(_("Edit note"), icon=ft.Icons.EDIT_OUTLINED,
                          on_click=lambda e, n=note: note_form(app, incident, n)),
        ]))
        items.append(ft.Container(
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=12, padding=12,
            content=ft.Column(spacing=4, controls=body),
        ))
    return items


def _list_section(title: str, add_label: str, on_add, rows: list[ft.Control]) -> list[ft.Control]:
    return [
        section_title(title),
        *rows,
        ft.TextButton(add_label, icon=ft.Icons.ADD, on_click=on_add),
    ]


def _row(text: str, subtitle: str, on_click) -> ft.Control:
    # a contact may keep a whole letter: the list shows its start, the form all of it
    return ft.ListTile(title=ft.Text(text),
                       subtitle=ft.Text(subtitle, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS) if subtitle else None,
                       trailing=ft.Icon(ft.Icons.EDIT_OUTLINED), on_click=on_click)


def _people(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    pupils = [
        _row(f"{p.alias}" + (f" ({p.group})" if p.group else ""),
             role_label(p.role) + (" · " + _("18 or older") if p.adult else ""),
             lambda e, p=p: pupil_form(app, incident, p))
        for p in sorted(incident.active_pupils, key=lambda p: list(PupilRole).index(p.role))
    ]
    team = [_row(m.role, m.name, lambda e, m=m: team_form(app, incident, m)) for m in incident.active_team]
    return [
        *_list_section(_("Pupils involved"), _("Add a pupil"), lambda e: pupil_form(app, incident), pupils),
        *_list_section(_("Action team"), _("Add a member"), lambda e: team_form(app, incident), team),
    ]


def _contacts(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    rows = []
    for c in incident.active_contacts:
        title = contact_kind_label(c.kind) + (f": {c.with_whom}" if c.with_whom else "")
        if c.not_informed:
            subtitle = _("Deliberately not informed yet: {reason}").format(reason=c.not_informed_reason)
        else:
            # on one run of lines: a letter's blank lines would leave the list's three lines empty
            subtitle = " · ".join(p for p in (moment(c.at, app.now()), " ".join(c.summary.split())) if p)
        rows.append(_row(title, subtitle, lambda e, c=c: contact_form(app, incident, c)))
    return _list_section(_("Contacts (police, parents, care)"), _("Add a contact"),
                         lambda e: contact_form(app, incident), rows)


def _follow_ups(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    rows = []
    for f in incident.active_follow_ups:
        async def done(e, f=f) -> None:
            await mark_follow_up(app, incident.id, f, bool(e.control.value))

        rows.append(ft.ListTile(
            leading=ft.Checkbox(value=f.done_at is not None, on_change=done, scale=1.2,
                                semantics_label=_("Done: {who}").format(who=f.with_whom)),
            title=ft.Text(f"{moment(f.due, app.now())} · {f.with_whom}"),
            subtitle=ft.Text(f.what) if f.what else None,
            trailing=icon_button(ft.Icons.EDIT_OUTLINED, _("Edit"), lambda e, f=f: follow_up_form(app, incident, f)),
        ))
    return _list_section(_("Follow-up conversations"), _("Plan a follow-up"),
                         lambda e: follow_up_form(app, incident), rows)


def _danger_zone(app: "AppContext", incident: inc.Incident) -> list[ft.Control]:
    return [
        ft.Divider(),
        ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
            ft.OutlinedButton(_("Export the report"), icon=ft.Icons.DESCRIPTION_OUTLINED,
                              on_click=lambda e: export_report(app, incident)),
            ft.OutlinedButton(_("Export this incident"), icon=ft.Icons.IOS_SHARE,
                              on_click=lambda e: export_backup(app, [incident.id])),
            ft.TextButton(_("Delete incident"), icon=ft.Icons.DELETE_OUTLINE,
                          style=ft.ButtonStyle(color=ft.Colors.ERROR),
                          on_click=lambda e: _confirm_delete(app, incident)),
        ]),
    ]


def build(app: "AppContext", route: str, incident_id: str) -> ft.View:
    journal = app.journal.current
    try:
        incident = journal.get(incident_id)
    except errors.IncidentNotFoundError:
        deleted = journal.deleted_incident(incident_id)
        if deleted is not None and deleted.restorable_until() > app.now():
            return deleted_notice(app, route, deleted)
        return journal_view(app, route, _("Incident"), [
            ft.Text(_("This incident is not in the journal (any more).")),
            ft.TextButton(_("To the journal"), on_click=lambda e: app.go(routes.path("journal"))),
        ])
    return journal_view(app, route, _("Incident"), [
        _header(app, incident),
        *conflicts_section(app, incident),
        *sharing_section(app, incident),
        _next_step(app, incident),
        ft.FilledTonalButton(_("Letters and messages"), icon=ft.Icons.MAIL_OUTLINE,
                             on_click=lambda e: app.go(routes.path("letters", incident_id=incident.id))),
        section_title(_("Progress per step")),
        _steps(app, journal, incident),
        section_title(_("Timeline")),
        ft.FilledTonalButton(_("Add a note"), icon=ft.Icons.NOTE_ADD_OUTLINED,
                             on_click=lambda e: note_form(app, incident)),
        *_notes(app, incident),
        *_people(app, incident),
        *_contacts(app, incident),
        *_follow_ups(app, incident),
        *_evaluation(app, incident),
        no_images_note(),
        *_danger_zone(app, incident),
    ])
