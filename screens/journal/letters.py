"""Brieven en berichten: which letters an incident calls for, or every template stand-alone.

From an incident (``/logboek/incident/<id>/brieven``) the list follows
``letters.suggest``: a letter to the parents of each pupil involved (to the
pupil itself for one of 18 or older), except where the journal records that
the parents are deliberately not informed yet (step 4, LET OP: the recorded
reason is shown and no letter is offered); then the letter to all parents,
the team messages, the media statement and the message to the melder.
Stand-alone (``/brieven``, from the step screens) it lists every template;
the app then knows no names to check a letter for, and says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import flet as ft

from content.letter_model import LetterTemplate
from letters.suggest import ParentsLetter, pupil_labels, suggest_letters
from screens import routes
from screens.journal.gate import journal_view
from screens.ui.forms import confirm
from screens.ui.widgets import page_view, section_title
from storage import errors
from storage import incidents as inc
from words.formatting import moment
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def template_links(app: "AppContext", action_id: str) -> list[ft.Control]:
    """Inside an action of the step plan: the letters it asks for, to write stand-alone."""
    return [
        ft.OutlinedButton(template.title, icon=ft.Icons.EDIT_NOTE,
                          on_click=lambda e, t=template.id: app.go(routes.path("letter_template", template_id=t)))
        for template in app.letters.templates if template.action == action_id
    ]


def parents_links(app: "AppContext", incident: inc.Incident, with_whom: ft.TextField) -> ft.Control:
    """In the contact form: whose parents, in the words the letters and the LET OP check read
    ("ouders van slachtoffer 1"), one tap per pupil."""
    labels = pupil_labels(incident, app.letters)

    def fill(label: str) -> None:
        with_whom.value = app.letters.words.record.parents.replace("{pupil}", label)
        with_whom.update()

    return ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
        ft.OutlinedButton(_("Parents of {pupil}").format(pupil=pupil_name(incident, p.id, labels[p.id])),
                          on_click=lambda e, label=labels[p.id]: fill(label))
        for p in incident.active_pupils
    ])


def _step_of(template: LetterTemplate) -> str:
    return _("Step {number}").format(number=template.step)


def _tile(title: str, subtitle: str, on_click, icon=ft.Icons.MAIL_OUTLINE) -> ft.Control:
    return ft.ListTile(
        leading=ft.Icon(icon),
        title=ft.Text(title, weight=ft.FontWeight.W_500),
        subtitle=ft.Text(subtitle),
        trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
        min_height=56,
        on_click=on_click,
    )


def _warning(controls: list[ft.Control]) -> ft.Control:
    return ft.Container(
        bgcolor=ft.Colors.ERROR_CONTAINER,
        border_radius=12,
        padding=12,
        content=ft.Row(vertical_alignment=ft.CrossAxisAlignment.START, controls=[
            ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, color=ft.Colors.ON_ERROR_CONTAINER, semantics_label=_("Warning")),
            ft.Column(expand=True, spacing=6, controls=controls),
        ]),
    )


def pupil_name(incident: inc.Incident, pupil_id: str, label: str) -> str:
    """'slachtoffer 1 (Sanne de Vries, 2B)': the label with what the journal holds."""
    pupil = next((p for p in incident.pupils if p.id == pupil_id), None)
    held = ", ".join(p for p in (pupil.alias, pupil.group) if p) if pupil else ""
    return f"{label} ({held})" if held else label


def _parents_entry(app: "AppContext", incident: inc.Incident, item: ParentsLetter) -> ft.Control:
    template = app.letters.get(item.template_id)
    who = pupil_name(incident, item.pupil_id, item.label)
    title = (_("To {pupil} themselves: 18 or older").format(pupil=who) if item.adult
             else _("Parents of {pupil}").format(pupil=who))
    target = routes.path("parents_letter", incident_id=incident.id, template_id=item.template_id,
                         pupil_id=item.pupil_id)
    if item.state == "withheld":
        return _warning([
            ft.Text(_("{title}: deliberately not informed yet").format(title=title), weight=ft.FontWeight.BOLD,
                    color=ft.Colors.ON_ERROR_CONTAINER),
            ft.Text(_("Recorded reason: {reason}").format(reason=item.reason), color=ft.Colors.ON_ERROR_CONTAINER),
            ft.Text(_("No letter is offered (step 4, LET OP). Once the parents may be informed, record that as a "
                      "contact with the parents in the incident."), color=ft.Colors.ON_ERROR_CONTAINER),
        ])
    if item.state == "unclear":
        return _warning([
            ft.Text(title, weight=ft.FontWeight.BOLD, color=ft.Colors.ON_ERROR_CONTAINER),
            ft.Text(_("The journal records that parents are deliberately not informed yet ({reason}), but not "
                      "of which pupil. Check whether these parents may be informed.").format(reason=item.reason),
                    color=ft.Colors.ON_ERROR_CONTAINER),
            ft.OutlinedButton(_("These parents may be informed: write the letter"), icon=ft.Icons.EDIT_NOTE,
                              on_click=lambda e: confirm(
                                  app, _("Inform these parents?"),
                                  _("Only write this letter if informing the parents of {pupil} does not put the "
                                    "child at risk.").format(pupil=who),
                                  _("Write the letter"), lambda: _go(app, target))),
        ])
    subtitle = template.title
    if item.state == "informed" and item.since is not None:
        subtitle = _("Informed {when} · write another letter").format(when=moment(item.since, app.now()))
    return _tile(title, subtitle, lambda e: app.go(target),
                 ft.Icons.MARK_EMAIL_READ_OUTLINED if item.state == "informed" else ft.Icons.MAIL_OUTLINE)


async def _go(app: "AppContext", route: str) -> None:
    app.go(route)


def _from_incident(app: "AppContext", route: str, incident_id: str) -> ft.View:
    try:
        incident = app.journal.current.get(incident_id)
    except errors.IncidentNotFoundError:
        return journal_view(app, route, _("Letters and messages"), [
            ft.Text(_("This incident is not in the journal (any more).")),
            ft.TextButton(_("To the journal"), on_click=lambda e: app.go(routes.path("journal"))),
        ])
    letters = app.letters
    suggestions = suggest_letters(incident, letters)
    parents: list[ft.Control] = [_parents_entry(app, incident, item) for item in suggestions.parents]
    if not parents:
        parents = [ft.Text(_("No pupils are recorded in this incident yet: add them to write to their parents."),
                           italic=True)]
    others = [
        _tile(t.title, _step_of(t),
              lambda e, t=t: app.go(routes.path("letter", incident_id=incident.id, template_id=t.id)))
        for t in (letters.get(template_id) for template_id in suggestions.others)
    ]
    return journal_view(app, route, _("Letters and messages"), [
        ft.Text(incident.title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
        ft.Text(letters.intro),
        section_title(_("Parents of the pupils involved, or the pupil of 18 or older (step 4)")),
        ft.Column(spacing=8, controls=parents),
        section_title(_("All parents, the team, the media, whoever reported it")),
        ft.Column(spacing=0, controls=others),
        ft.Text(_("A sent letter is recorded in the incident's contacts and timeline, with its text, when you "
                  "mark it as sent.")),
    ])


def _standalone(app: "AppContext", route: str) -> ft.View:
    letters = app.letters
    by_step: dict[int, list[LetterTemplate]] = {}
    for template in letters.templates:
        by_step.setdefault(template.step, []).append(template)
    sections: list[ft.Control] = []
    for number in sorted(by_step):
        step = app.plan.step(number)
        sections.append(section_title(_("Step {number}: {title}").format(number=number, title=step.title)))
        sections.append(ft.Column(spacing=0, controls=[
            _tile(t.title, app.plan.action(t.action).title,
                  lambda e, t=t: app.go(routes.path("letter_template", template_id=t.id)))
            for t in by_step[number]
        ]))
    return page_view(app, route, _("Letters and messages"), [
        ft.Text(letters.intro),
        ft.Text(_("Written from a step screen, a letter is not linked to an incident, so the app knows no "
                  "names to check it for: read it yourself before it leaves the school. Written from an "
                  "incident in the journal, the app checks every name recorded there.")),
        *sections,
    ])


def build(app: "AppContext", route: str, incident_id: Optional[str] = None) -> ft.View:
    if incident_id is None:
        return _standalone(app, route)
    return _from_incident(app, route, incident_id)
