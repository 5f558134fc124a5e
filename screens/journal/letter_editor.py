"""The letter editor: a template filled from the school profile and the incident, edited, then
copied, shared or exported — but only once the privacy guard and the fill-in markers allow it.

The guard (``letters.privacy``, reviewed by ``letters.review``) looks in the
subject and the body for every name, initials and pseudonym recorded in the
incident (in a letter about one pupil that pupil's name may appear; in the
message to the melder the melder's).  While one is found, or a fill-in
marker (``[[invullen: ...]]``) is left, or a possible name ("Roos") is not
confirmed as an ordinary word, copying, sharing, exporting and "Verstuurd"
are refused and each place is shown highlighted in its context.  A place
that is not a pupil's name ("de DJ" beside a pupil D.J.) can be released,
that one place, with the user's reason; the reason is recorded with the
letter when it is marked as sent.  "Verstuurd" records the letter in the
incident (``letters.record``): a contact with the letter's text (and the
released places) and a line in the timeline, saved through ``update_incident``.

The text is kept in the session's drafts (``letter_drafts``) on every edit,
so it survives the journal locking itself; leaving with edits that are not
kept asks first (``App`` asks on every way out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import flet as ft

from content.letter_model import LetterTemplate
from letters.export import export_formats, letter_docx, letter_pdf, plain_text
from letters.record import SentRecord, sent_record
from letters.render import render_letter
from letters.review import ClearedLetter, NotCleared, Place, Release, Review, cleared, excerpt, release, review_letter
from letters.suggest import pupil_labels, suggest_letters
from screens import routes
from screens.journal.edits import Stamp, update_incident
from screens.journal.gate import journal_view
from screens.journal.leave_letter import confirm_before_pop
from screens.journal.letter_drafts import Draft
from screens.journal.letters import pupil_name
from screens.ui.forms import DateTimeField, fields, form_dialog
from screens.ui.widgets import page_view, section_title
from storage import errors
from storage import incidents as inc
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


class LetterEditor:
    def __init__(self, app: "AppContext", route: str, template: LetterTemplate, incident: Optional[inc.Incident],
                 pupil_id: Optional[str]) -> None:
        self.app = app
        self.route = route
        self.template = template
        self.incident = incident
        self.pupil_id = pupil_id
        self.profile = app.school.profile
        letter = render_letter(app.letters, template.id, profile=self.profile, incident=incident, now=app.now(),
                               pupil_id=pupil_id)
        draft = app.journal.drafts.open(route, Draft(letter.subject, letter.body))
        self.releases: list[Release] = list(draft.releases)
        self.subject = ft.TextField(label=_("Subject"), value=draft.subject, on_change=self._edited)
        self.body = ft.TextField(label=_("Text of the letter"), value=draft.body, multiline=True, min_lines=12,
                                 on_change=self._edited)
        self.panel = ft.Column(spacing=8)
        self.show_review()

    # the guard

    def review(self) -> Review:
        return review_letter(self.subject.value or "", self.body.value or "", self.incident, profile=self.profile,
                             pupil_id=self.pupil_id, for_reporter=self.template.kind == "melder",
                             releases=tuple(self.releases))

    def draft(self) -> Draft:
        return Draft(self.subject.value or "", self.body.value or "", tuple(self.releases))

    def _edited(self, e=None) -> None:
        self.app.journal.touch()
        self.app.journal.drafts.edit(self.route, self.draft())
        self.show_review()
        self.panel.update()

    def _text(self, part: str) -> str:
        return (self.subject.value if part == "subject" else self.body.value) or ""

    def _what(self, place: Place) -> str:
        if place.hit is None:
            return _("To fill in")
        name = place.hit.name
        if name.origin == "pupil":
            label = pupil_labels(self.incident, self.app.letters).get(name.pupil_id, "") if self.incident else ""
            return _("Name of a pupil ({label})").format(label=label) if label else _("Name of a pupil")
        if name.origin == "reporter":
            return _("Name from 'reported by'")
        if name.origin == "parents":
            return _("Name from a contact with parents")
        return _("Name from a contact or follow-up")

    def _place_row(self, place: Place, look: str) -> ft.Control:
        text = self._text(place.part)
        before, found, after = excerpt(text, place.start, place.end)
        background, foreground = {
            "name": (ft.Colors.ERROR, ft.Colors.ON_ERROR),
            "possible": (ft.Colors.TERTIARY_CONTAINER, ft.Colors.ON_TERTIARY_CONTAINER),
            "marker": (ft.Colors.SECONDARY_CONTAINER, ft.Colors.ON_SECONDARY_CONTAINER),
        }[look]
        where = _("in the subject") if place.part == "subject" else _("in the text")
        rows: list[ft.Control] = [
            ft.Text(f"{self._what(place)} · {where}", theme_style=ft.TextThemeStyle.LABEL_MEDIUM),
            ft.Text(spans=[
                ft.TextSpan(before),
                ft.TextSpan(found, style=ft.TextStyle(bgcolor=background, color=foreground,
                                                      weight=ft.FontWeight.BOLD)),
                ft.TextSpan(after),
            ]),
        ]
        if look == "possible":
            rows.append(ft.TextButton(_("'{word}' is not a name here").format(word=found), icon=ft.Icons.CHECK,
                                      on_click=lambda e: self._release(place, _("Confirmed as an ordinary word, "
                                                                                "not a name."))))
        elif look == "name":
            rows.append(ft.TextButton(_("Not a pupil's name: release with a reason"), icon=ft.Icons.LOCK_OPEN,
                                      on_click=lambda e: self._ask_reason(place)))
        return ft.Container(border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=8, padding=8,
                            content=ft.Column(spacing=4, controls=rows))

    def _release(self, place: Place, reason: str) -> None:
        self.releases.append(release(self._text(place.part), place, reason))
        self._edited()

    def _ask_reason(self, place: Place) -> None:
        """Release one place the guard marked, with the user's reason (recorded when the letter is sent)."""
        prefix = _("This is not a pupil's name: ")
        found = excerpt(self._text(place.part), place.start, place.end)[1]
        reason = ft.TextField(label=_("Reason"), value=prefix, multiline=True, autofocus=True)
        message = ft.Text(color=ft.Colors.ERROR, visible=False)

        async def on_save() -> bool:
            given = (reason.value or "").strip()
            if not given.removeprefix(prefix.strip()).strip(" :…."):
                message.value, message.visible = _("Say why this is not a pupil's name."), True
                message.update()
                return False
            self._release(place, given)
            return True

        form_dialog(self.app, _("Release '{found}'?").format(found=found), [
            ft.Text(_("Only this place is released, and only while the text around it stays the same. The reason "
                      "is recorded with the letter in the incident when you mark it as sent.")),
            reason, message,
        ], on_save, save_label=_("Release"))

    def _undo(self, given: Release) -> None:
        self.releases.remove(given)
        self._edited()

    def _released_row(self, given: Release) -> ft.Control:
        return ft.Row(vertical_alignment=ft.CrossAxisAlignment.CENTER, controls=[
            ft.Icon(ft.Icons.LOCK_OPEN, size=18),
            ft.Text(_("Released: '{found}' — {reason}").format(found=given.found, reason=given.reason), expand=True,
                    theme_style=ft.TextThemeStyle.BODY_SMALL),
            ft.TextButton(_("Undo"), on_click=lambda e: self._undo(given)),
        ])

    def show_review(self) -> None:
        result = self.review()
        controls: list[ft.Control] = []
        if result.ready:
            if self.incident is not None:
                controls.append(_status(ft.Icons.VERIFIED_USER_OUTLINED, ft.Colors.GREEN,
                                        _("No names from the incident found, nothing left to fill in.")))
            else:
                controls.append(_status(ft.Icons.INFO_OUTLINE, None,
                                        _("Nothing left to fill in. Not linked to an incident: read it yourself for "
                                          "names before it leaves the school.")))
        else:
            if result.names:
                controls.append(_status(ft.Icons.BLOCK, ft.Colors.ERROR, _(
                    "This letter contains a name recorded in the incident. Remove it (highlighted below) before "
                    "you copy, share or export the letter.")))
            if result.to_confirm:
                controls.append(_status(ft.Icons.HELP_OUTLINE, ft.Colors.AMBER, _(
                    "A word that is also a name of someone in the incident: remove it, or confirm that it is "
                    "not the name here.")))
            if result.markers:
                controls.append(_status(ft.Icons.EDIT_NOTE, None, _(
                    "Fill in or remove what is marked [[…]].")))
            controls += [self._place_row(p, "name") for p in result.names]
            controls += [self._place_row(p, "possible") for p in result.to_confirm]
            controls += [self._place_row(p, "marker") for p in result.markers]
        controls += [self._released_row(r) for r in result.released]
        if result.unchecked:
            initials = ", ".join(n.text for n in result.unchecked)
            controls.append(_status(ft.Icons.VISIBILITY_OUTLINED, ft.Colors.AMBER, _(
                "Read the letter yourself for {initials}: a single initial cannot be checked.").format(
                initials=initials)))
        self.panel.controls = controls

    def cleared(self) -> Optional[ClearedLetter]:
        """The letter as it may leave the app; otherwise None, after saying why (the places are highlighted)."""
        try:
            return cleared(self.subject.value or "", self.body.value or "", self.incident, profile=self.profile,
                           pupil_id=self.pupil_id, for_reporter=self.template.kind == "melder",
                           releases=tuple(self.releases))
        except NotCleared:
            self.show_review()
            self.panel.update()
            self.app.toast(_("Not yet: the letter still contains a name or something to fill in (highlighted)."))
            return None

    # leaving the app: every way out takes the cleared letter

    def copy(self) -> None:
        letter = self.cleared()
        if letter is not None:
            self.app.copy(plain_text(letter.subject, letter.body), confirmation=_("Letter copied."))

    def share(self) -> None:
        letter = self.cleared()
        if letter is not None:
            self.app.share_text(plain_text(letter.subject, letter.body), subject=letter.subject)

    async def export(self, kind: str) -> None:
        letter = self.cleared()
        if letter is None:
            return
        app, language, now = self.app, self.app.letters.language, self.app.now()
        if kind == "docx":
            data = await app.run_blocking(lambda: letter_docx(letter.subject, letter.body, language=language, now=now))
        elif kind == "pdf":
            data = await app.run_blocking(lambda: letter_pdf(letter.subject, letter.body, language=language, now=now))
        else:
            data = plain_text(letter.subject, letter.body).encode("utf-8")
        name = f"brief-{self.template.id}-{now.strftime('%Y-%m-%d')}.{kind}"
        saved = await app.file_picker.save_file(dialog_title=_("Save the letter"), file_name=name, src_bytes=data)
        if saved is not None or app.page.web:
            app.toast(_("Letter saved as {name}.").format(name=name))

    def mark_sent(self) -> None:
        letter = self.cleared()
        if letter is not None:
            sent_form(self.app, self.route, self.template, self.incident.id, self.pupil_id, letter)

    def start_afresh(self) -> None:
        self.app.journal.drafts.forget(self.route)
        self.app.refresh()

    # drawing

    def controls(self) -> list[ft.Control]:
        async def export_clicked(e) -> None:
            await self.export(e.control.data)

        labels = {"docx": _("Export as Word (.docx)"), "pdf": _("Export as PDF"), "txt": _("Export as text (.txt)")}
        icons = {"docx": ft.Icons.DESCRIPTION_OUTLINED, "pdf": ft.Icons.PICTURE_AS_PDF_OUTLINED,
                 "txt": ft.Icons.TEXT_SNIPPET_OUTLINED}
        outputs: list[ft.Control] = [
            ft.FilledButton(_("Copy"), icon=ft.Icons.CONTENT_COPY, on_click=lambda e: self.copy()),
            ft.OutlinedButton(_("Share"), icon=ft.Icons.SHARE, on_click=lambda e: self.share()),
            *[ft.OutlinedButton(labels[kind], icon=icons[kind], data=kind, on_click=export_clicked)
              for kind in export_formats()],
        ]
        controls: list[ft.Control] = []
        if self.app.journal.drafts.kept(self.route) is not None:
            controls.append(ft.Row(wrap=True, controls=[
                ft.Text(_("A draft kept in this session."), italic=True),
                ft.TextButton(_("Start afresh"), icon=ft.Icons.RESTART_ALT, on_click=lambda e: self.start_afresh()),
            ]))
        controls += [fields(self.subject, self.body), section_title(_("Check")), self.panel,
                     ft.Row(wrap=True, spacing=8, run_spacing=8, controls=outputs)]
        if self.incident is not None:
            controls.append(ft.FilledTonalButton(_("Sent: record in the incident"), icon=ft.Icons.TASK_ALT,
                                                 on_click=lambda e: self.mark_sent()))
        return controls


def _status(icon, color, text: str) -> ft.Control:
    return ft.Row(vertical_alignment=ft.CrossAxisAlignment.START, controls=[
        ft.Icon(icon, color=color), ft.Text(text, expand=True, weight=ft.FontWeight.W_500)])


# -- "Verstuurd" --------------------------------------------------------------------------------


def record_edit(letters, kind: str, letter: ClearedLetter, pupil_id: Optional[str], sent_at,
                out: list[SentRecord]):
    """The edit of the incident that records a sent letter: a contact and a timeline note."""

    def edit(current: inc.Incident, stamp: Stamp) -> inc.Incident:
        record = sent_record(letters, kind, letter.subject, letter.body, incident=current, sent_at=sent_at,
                             pupil_id=pupil_id, released=letter.released)
        out.append(record)
        contact = inc.Contact(inc.new_id(), record.contact_kind, record.at, record.with_whom, record.summary)
        return inc.add_note(inc.put_contact(current, contact), record.note, by=stamp.by, at=record.at)

    return edit


def sent_form(app: "AppContext", route: str, template: LetterTemplate, incident_id: str, pupil_id: Optional[str],
              letter: ClearedLetter) -> None:
    when = DateTimeField(app, _("Sent"), app.now())

    async def on_save() -> bool:
        sent_at = when.read()
        if sent_at is None:
            return False
        records: list[SentRecord] = []
        await update_incident(app, incident_id, record_edit(app.letters, template.kind, letter, pupil_id,
                                                            sent_at, records), in_form=True)
        app.journal.drafts.forget(route)  # sent: the journal keeps the letter now
        app.go(routes.path("letters", incident_id=incident_id))
        app.toast(_("Recorded in the incident: {note}").format(note=records[-1].note))
        return True

    explained = [ft.Text(_("The incident keeps this as a contact, with the text of the letter, and a line in the "
                           "timeline (encrypted, like everything in the journal)."))]
    if letter.released:
        explained.append(ft.Text(_("The places you released are recorded with it, each with your reason.")))
    form_dialog(app, _("Record the letter as sent?"), [*explained, when.control], on_save,
                save_label=_("Record as sent"))


def _recipient(app: "AppContext", template: LetterTemplate, incident: Optional[inc.Incident],
               pupil_id: Optional[str]) -> str:
    if template.for_one_pupil and incident is not None and pupil_id is not None:
        who = pupil_name(incident, pupil_id, pupil_labels(incident, app.letters)[pupil_id])
        if template.kind == "pupil":
            return _("To {pupil} (18 or older)").format(pupil=who)
        return _("To the parents of {pupil}").format(pupil=who)
    return template.title


def _guidance(template: LetterTemplate) -> ft.Control:
    return ft.Container(
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
        border_radius=12,
        padding=12,
        content=ft.Column(spacing=8, controls=[
            ft.Text(_("What the step plan asks of this letter"), weight=ft.FontWeight.BOLD),
            *[ft.Text(f"• {point}") for point in template.guidance],
        ]),
    )


def _refusal(app: "AppContext", route: str, incident: Optional[inc.Incident], text: str) -> ft.View:
    back = (routes.path("letters", incident_id=incident.id) if incident is not None
            else routes.path("letter_templates"))
    frame = journal_view if incident is not None else page_view
    return frame(app, route, _("Letter"), [
        ft.Text(text),
        ft.TextButton(_("To letters and messages"), on_click=lambda e: app.go(back)),
    ])


def _pupil_refusal(app: "AppContext", route: str, template: LetterTemplate, incident: inc.Incident,
                   pupil_id: Optional[str]) -> Optional[ft.View]:
    """Why this letter about one pupil may not be written (None: it may)."""
    state = next((p for p in suggest_letters(incident, app.letters).parents if p.pupil_id == pupil_id), None)
    if state is None or (template.kind == "parents" and state.role != template.role):
        return _refusal(app, route, incident, _("Choose the pupil this letter is for under letters and messages."))
    if state.adult != (template.kind == "pupil"):
        return _refusal(app, route, incident, _(
            "{pupil} is 18 or older: the school informs the pupil, not the parents (step 4).").format(
            pupil=state.label) if state.adult else _(
            "{pupil} is not recorded as 18 or older: write to the parents (step 4).").format(pupil=state.label))
    if state.state == "withheld":
        return _refusal(app, route, incident, _(
            "The parents of {pupil} are deliberately not informed yet: {reason}. No letter is written to them "
            "(step 4, LET OP).").format(pupil=state.label, reason=state.reason))
    return None


def build(app: "AppContext", route: str, template_id: str, incident_id: Optional[str] = None,
          pupil_id: Optional[str] = None) -> ft.View:
    try:
        template = app.letters.get(template_id)
    except KeyError:
        return _refusal(app, route, None, _("There is no such letter."))
    incident = None
    if incident_id is not None:
        try:
            incident = app.journal.current.get(incident_id)
        except errors.IncidentNotFoundError:
            return journal_view(app, route, _("Letter"), [ft.Text(_("This incident is not in the journal (any more)."))])
    state = None
    if incident is not None and template.for_one_pupil:
        refused = _pupil_refusal(app, route, template, incident, pupil_id)
        if refused is not None:
            return refused
        state = next(p for p in suggest_letters(incident, app.letters).parents if p.pupil_id == pupil_id)
    elif pupil_id is not None:
        return _refusal(app, route, incident, _("This letter is not about one pupil."))
    editor = LetterEditor(app, routes.normalise(route), template, incident, pupil_id)
    heading = [ft.Text(_recipient(app, template, incident, pupil_id), theme_style=ft.TextThemeStyle.TITLE_MEDIUM)]
    if state is not None and state.state == "unclear":
        heading.append(ft.Text(_("The journal records that parents are deliberately not informed yet ({reason}), "
                                 "but not of which pupil: send this letter only if these parents may be informed."
                                 ).format(reason=state.reason), color=ft.Colors.ERROR))
    if incident is None:
        heading.append(ft.Text(_("Not linked to an incident: fill in what is marked, and read it yourself for names.")))
    body = ft.ResponsiveRow(spacing=16, run_spacing=16, controls=[
        ft.Column(col={"xs": 12, "lg": 8}, spacing=12, controls=[*heading, *editor.controls()]),
        ft.Column(col={"xs": 12, "lg": 4}, controls=[_guidance(template)]),
    ])
    frame = journal_view if incident is not None else page_view
    view = frame(app, route, template.title, [body])
    confirm_before_pop(app, view, editor.route)
    return view


__all__ = ["LetterEditor", "build", "record_edit", "sent_form"]
