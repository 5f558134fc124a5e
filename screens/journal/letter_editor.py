"""The letter editor: a template filled from the school profile and the incident, edited, then
copied, shared or exported — but only once the privacy guard and the fill-in markers allow it.

The guard (``letters.privacy``) looks in the subject and the body for every
name, initials and pseudonym recorded in the incident (in a letter to a
pupil's own parents that pupil's name may appear).  While one is found, or
a fill-in marker (``[[invullen: ...]]``) is left, or a possible name ("Roos")
is not confirmed as an ordinary word, copying, sharing, exporting and
"Verstuurd" are refused and each place is shown highlighted in its context.
"Verstuurd" records the letter in the incident (``letters.record``): a
contact with the letter's text and a line in the timeline, saved through
``update_incident``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Optional

import flet as ft

from content.letter_model import LetterTemplate
from letters.export import DOCX_MEDIA_TYPE, export_formats, letter_docx, letter_pdf, plain_text
from letters.privacy import Hit, ProtectedName, check_letter, fold
from letters.record import SentRecord, sent_record
from letters.render import render_letter, unfilled
from letters.suggest import pupil_labels, suggest_letters
from school.profile import SchoolProfile
from screens import routes
from screens.i18n import _
from screens.journal.edits import Stamp, update_incident
from screens.journal.gate import journal_view
from screens.journal.letters import pupil_name
from screens.ui.forms import DateTimeField, fields, form_dialog
from screens.ui.widgets import page_view, section_title
from storage import errors, incidents as inc

if TYPE_CHECKING:
    from screens.context import AppContext

Part = Literal["subject", "body"]
_CONTEXT = 30  # characters shown on either side of a highlighted place
_MEDIA_TYPES = {"docx": DOCX_MEDIA_TYPE, "pdf": "application/pdf", "txt": "text/plain"}


# -- the review (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A place in the subject or the body: a name, a possible name, or a fill-in marker."""

    part: Part
    start: int
    end: int
    hit: Optional[Hit] = None  # None: a fill-in marker


@dataclass(frozen=True)
class Review:
    names: tuple[Place, ...]  # certain: the letter may not leave the app
    to_confirm: tuple[Place, ...]  # possibly a name ("Roos"), not yet confirmed as a word
    markers: tuple[Place, ...]  # fill-in markers left
    unchecked: tuple[ProtectedName, ...]  # single initials: the user reads for them

    @property
    def ready(self) -> bool:
        return not (self.names or self.to_confirm or self.markers)


def confirmation_key(text: str, hit: Hit) -> tuple[str, str, str, str]:
    """What identifies a possible name the user confirmed as a word: the name it resembles,
    the word and a little text around it (so an edit elsewhere keeps the confirmation)."""
    before = text[max(0, hit.start - 12):hit.start]
    after = text[hit.end:hit.end + 12]
    return hit.name.text, fold(hit.found)[0].casefold(), before, after


def review_letter(subject: str, body: str, incident: Optional[inc.Incident], *,
                  profile: Optional[SchoolProfile], pupil_id: Optional[str],
                  confirmed: frozenset = frozenset()) -> Review:
    names: list[Place] = []
    to_confirm: list[Place] = []
    markers: list[Place] = []
    unchecked: list[ProtectedName] = []
    for part, text in (("subject", subject), ("body", body)):
        guard = check_letter(text, incident, profile=profile, for_pupil=pupil_id)
        for hit in guard.hits:
            place = Place(part, hit.start, hit.end, hit)
            if hit.certain:
                names.append(place)
            elif confirmation_key(text, hit) not in confirmed:
                to_confirm.append(place)
        markers.extend(Place(part, start, end) for start, end in unfilled(text))
        unchecked.extend(n for n in guard.unchecked if n not in unchecked)
    return Review(tuple(names), tuple(to_confirm), tuple(markers), tuple(unchecked))


def excerpt(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The place with a little context: ('…gesprek met ', 'Sanne', ' in de klas…')."""
    left = max(0, start - _CONTEXT)
    right = min(len(text), end + _CONTEXT)
    before = ("…" if left else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")
    return before.replace("\n", " "), text[start:end], after.replace("\n", " ")


# -- the screen -------------------------------------------------------------------------------------


class LetterEditor:
    def __init__(self, app: "AppContext", template: LetterTemplate, incident: Optional[inc.Incident],
                 pupil_id: Optional[str]) -> None:
        self.app = app
        self.template = template
        self.incident = incident
        self.pupil_id = pupil_id
        self.profile = app.school.profile
        letter = render_letter(app.letters, template.id, profile=self.profile, incident=incident, now=app.now(),
                               pupil_id=pupil_id)
        self.confirmed: set = set()
        self.subject = ft.TextField(label=_("Subject"), value=letter.subject, on_change=self._edited)
        self.body = ft.TextField(label=_("Text of the letter"), value=letter.body, multiline=True, min_lines=12,
                                 on_change=self._edited)
        self.panel = ft.Column(spacing=8)
        self.show_review()

    # the guard

    def review(self) -> Review:
        return review_letter(self.subject.value or "", self.body.value or "", self.incident, profile=self.profile,
                             pupil_id=self.pupil_id, confirmed=frozenset(self.confirmed))

    def _edited(self, e=None) -> None:
        self.app.journal.touch()
        self.show_review()
        self.panel.update()

    def _text(self, part: Part) -> str:
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
            key = confirmation_key(text, place.hit)
            rows.append(ft.TextButton(_("'{word}' is not a name here").format(word=found),
                                      icon=ft.Icons.CHECK, on_click=lambda e: self._confirm(key)))
        return ft.Container(border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=8, padding=8,
                            content=ft.Column(spacing=4, controls=rows))

    def _confirm(self, key: tuple) -> None:
        self.confirmed.add(key)
        self._edited()

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
        if result.unchecked:
            initials = ", ".join(n.text for n in result.unchecked)
            controls.append(_status(ft.Icons.VISIBILITY_OUTLINED, ft.Colors.AMBER, _(
                "Read the letter yourself for {initials}: a single initial cannot be checked.").format(
                initials=initials)))
        self.panel.controls = controls

    def ready(self) -> bool:
        """True if the letter may leave the app; otherwise say why (the places are highlighted)."""
        self.show_review()
        self.panel.update()
        if self.review().ready:
            return True
        self.app.toast(_("Not yet: the letter still contains a name or something to fill in (highlighted)."))
        return False

    # leaving the app

    def _parts(self) -> tuple[str, str]:
        return (self.subject.value or "").strip(), (self.body.value or "").strip()

    def copy(self) -> None:
        if self.ready():
            self.app.copy(plain_text(*self._parts()), confirmation=_("Letter copied."))

    def share(self) -> None:
        if self.ready():
            subject, body = self._parts()
            self.app.share_text(plain_text(subject, body), subject=subject)

    async def export(self, kind: str) -> None:
        if not self.ready():
            return
        subject, body = self._parts()
        app, language, now = self.app, self.app.letters.language, self.app.now()
        if kind == "docx":
            data = await app.run_blocking(lambda: letter_docx(subject, body, language=language, now=now))
        elif kind == "pdf":
            data = await app.run_blocking(lambda: letter_pdf(subject, body, language=language, now=now))
        else:
            data = plain_text(subject, body).encode("utf-8")
        name = f"brief-{self.template.id}-{now.strftime('%Y-%m-%d')}.{kind}"
        saved = await app.file_picker.save_file(dialog_title=_("Save the letter"), file_name=name, src_bytes=data)
        if saved is not None or app.page.web:
            app.toast(_("Letter saved as {name}.").format(name=name))

    def mark_sent(self) -> None:
        if self.ready():
            sent_form(self.app, self.template, self.incident.id, self.pupil_id, *self._parts())

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
        controls: list[ft.Control] = [fields(self.subject, self.body), section_title(_("Check")), self.panel,
                                      ft.Row(wrap=True, spacing=8, run_spacing=8, controls=outputs)]
        if self.incident is not None:
            controls.append(ft.FilledTonalButton(_("Sent: record in the incident"), icon=ft.Icons.TASK_ALT,
                                                 on_click=lambda e: self.mark_sent()))
        return controls


def _status(icon, color, text: str) -> ft.Control:
    return ft.Row(vertical_alignment=ft.CrossAxisAlignment.START, controls=[
        ft.Icon(icon, color=color), ft.Text(text, expand=True, weight=ft.FontWeight.W_500)])


# -- "Verstuurd" --------------------------------------------------------------------------------


def record_edit(letters, kind: str, subject: str, body: str, pupil_id: Optional[str], sent_at,
                out: list[SentRecord]):
    """The edit of the incident that records a sent letter: a contact and a timeline note."""

    def edit(current: inc.Incident, stamp: Stamp) -> inc.Incident:
        record = sent_record(letters, kind, subject, body, incident=current, sent_at=sent_at, pupil_id=pupil_id)
        out.append(record)
        contact = inc.Contact(inc.new_id(), record.contact_kind, record.at, record.with_whom, record.summary)
        return inc.add_note(inc.put_contact(current, contact), record.note, by=stamp.by, at=record.at)

    return edit


def sent_form(app: "AppContext", template: LetterTemplate, incident_id: str, pupil_id: Optional[str],
              subject: str, body: str) -> None:
    when = DateTimeField(app, _("Sent"), app.now())

    async def on_save() -> bool:
        sent_at = when.read()
        if sent_at is None:
            return False
        records: list[SentRecord] = []
        await update_incident(app, incident_id, record_edit(app.letters, template.kind, subject, body, pupil_id,
                                                            sent_at, records), in_form=True)
        app.go(routes.path("letters", incident_id=incident_id))
        app.toast(_("Recorded in the incident: {note}").format(note=records[-1].note))
        return True

    form_dialog(app, _("Record the letter as sent?"), [
        ft.Text(_("The incident keeps this as a contact, with the text of the letter, and a line in the timeline "
                  "(encrypted, like everything in the journal).")),
        when.control,
    ], on_save, save_label=_("Record as sent"))


def _recipient(app: "AppContext", template: LetterTemplate, incident: Optional[inc.Incident],
               pupil_id: Optional[str]) -> str:
    if template.kind == "parents" and incident is not None and pupil_id is not None:
        label = pupil_labels(incident, app.letters)[pupil_id]
        return _("To the parents of {pupil}").format(pupil=pupil_name(incident, pupil_id, label))
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
    if incident is not None and template.kind == "parents":
        state = next((p for p in suggest_letters(incident, app.letters).parents if p.pupil_id == pupil_id), None)
        if state is None or state.role != template.role:
            return _refusal(app, route, incident, _("Choose the pupil whose parents this letter is for under "
                                                    "letters and messages."))
        if state.state == "withheld":
            return _refusal(app, route, incident, _(
                "The parents of {pupil} are deliberately not informed yet: {reason}. No letter is written to them "
                "(step 4, LET OP).").format(pupil=state.label, reason=state.reason))
    elif pupil_id is not None:
        return _refusal(app, route, incident, _("This letter is not for the parents of one pupil."))
    else:
        state = None
    editor = LetterEditor(app, template, incident, pupil_id)
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
    return frame(app, route, template.title, [body])
