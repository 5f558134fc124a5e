"""Schoolprofiel: the school's own people, its agreements per step and its sanction policy.

A coordinator fills it in once and shares it as a ``.stappenplan-school``
file; a colleague imports that file after comparing its check code
("Controlecode") with the one the coordinator announced.  It lives in the
device's settings, not in the journal (no passphrase: the acute flow shows
it), and holds staff work contacts only.  Importing never touches the
journal.  The rules are ``school.profile``'s; the words for what is wrong
are ``screens.ui.profile_words``'s.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Optional

import flet as ft

from content.model import Hours
from school import profile_file
from school.profile import (
    LIMITS,
    ProfileValidationError,
    SchoolContact,
    SchoolProfile,
    SchoolRole,
    check_text,
    tidy,
    valid_email,
    valid_phone,
    validate_profile,
)
from screens.ui.forms import Choice, close, confirm, fields, form_dialog
from screens.ui.hours_editor import HoursEditor
from screens.ui.profile_words import file_problem, problem, where
from screens.ui.widgets import page_view, section_title
from words.i18n import _, ngettext

if TYPE_CHECKING:
    from screens.context import AppContext

FILE_MIME_TYPE = "application/octet-stream"


async def save_profile(app: "AppContext", draft: SchoolProfile) -> SchoolProfile:
    """Tidy, check and keep ``draft`` on this device; ProfileValidationError changes nothing."""
    return await app.school.save(validate_profile(tidy(draft, now=app.now())))


def file_name(profile: SchoolProfile) -> str:
    """'schoolprofiel-osg-de-linde.stappenplan-school'."""
    ascii_name = unicodedata.normalize("NFKD", profile.school_name).encode("ascii", "ignore").decode("ascii")
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))[:40].strip("-")
    return f"schoolprofiel{'-' + slug if slug else ''}{profile_file.FILE_SUFFIX}"


def _contact_summary(contact: SchoolContact) -> str:
    return " · ".join(p for p in (contact.name, contact.phone, contact.email, contact.reachable) if p.strip())


class ProfileEditor:
    """The profile as the screen shows it; every save keeps the whole profile."""

    def __init__(self, app: "AppContext") -> None:
        self.app = app
        profile = app.school.profile
        self.contacts: list[SchoolContact] = list(profile.contacts) if profile else []
        self.name = ft.TextField(label=_("Name of the school"), value=profile.school_name if profile else "",
                                 on_change=self._changed)
        self.url = ft.TextField(label=_("Link to the sanction policy (optional)"),
                                value=profile.sanction_policy_url if profile else "",
                                keyboard_type=ft.KeyboardType.URL, on_change=self._changed)
        self.notes = {
            step.number: ft.TextField(
                label=_("Step {number}: {title}").format(number=step.number, title=step.title),
                value=profile.note(step.number) if profile else "", multiline=True, min_lines=2,
                on_change=self._changed)
            for step in app.plan.steps
        }
        self.message = ft.Text(color=ft.Colors.ERROR, visible=False)
        self.unsaved = ft.Text(_("Changes not saved yet."), italic=True, visible=False)

    def _changed(self, e=None) -> None:
        if e is not None:
            clear_error(e)
        if not self.unsaved.visible:
            self.unsaved.visible = True
            self.unsaved.update()

    def draft(self, contacts: list[SchoolContact]) -> SchoolProfile:
        return SchoolProfile(
            self.name.value or "",
            tuple(contacts),
            {number: field.value or "" for number, field in self.notes.items()},
            self.url.value or "",
        )

    async def save(self, contacts: Optional[list[SchoolContact]] = None,
                   on_invalid: Optional[ft.Text] = None) -> bool:
        """Keep the profile with ``contacts`` (default: as shown).  What is wrong is shown
        at its field, and in ``on_invalid`` too (the message line of an open form)."""
        contacts = self.contacts if contacts is None else contacts
        draft = self.draft(contacts)
        for field in (self.name, self.url, *self.notes.values()):
            if field.error:
                field.error = None
                field.update()
        try:
            saved = await save_profile(self.app, draft)
        except ProfileValidationError as exc:
            self._show(exc, draft, on_invalid)
            return False
        self.contacts = list(saved.contacts)
        self.app.refresh()
        self.app.toast(_("School profile saved on this device."))
        return True

    def _show(self, exc: ProfileValidationError, draft: SchoolProfile, on_invalid: Optional[ft.Text]) -> None:
        field = {"school": self.name, "sanction_policy_url": self.url}.get(exc.field)
        if exc.field.startswith("step_notes."):
            field = self.notes.get(int(exc.field.split(".", 1)[1]))
        text = f"{where(exc, draft, self.app.school_roles)}: {problem(exc)}"
        if field is not None:
            field.error = field_error(problem(exc))
            field.update()
        self.message.value, self.message.visible = text, True
        self.message.update()
        if on_invalid is not None:
            on_invalid.value, on_invalid.visible = text, True
            on_invalid.update()


def field_error(text: Optional[str]) -> Optional[ft.Text]:
    """What is wrong, under a field (wrapping: a field's own error line is cut off on a phone)."""
    return ft.Text(text, color=ft.Colors.ERROR, size=12) if text else None


def clear_error(e) -> None:
    """A field the user changes no longer says it is wrong (saving checks it again)."""
    if e.control.error:
        e.control.error = None
        e.control.update()


# -- one contact ------------------------------------------------------------------------------


def _text_problem(value: str, max_len: int) -> Optional[str]:
    try:
        check_text(value, "", max_len)
    except ProfileValidationError as exc:
        return problem(exc)
    return None


def contact_form(editor: ProfileEditor, index: Optional[int] = None) -> None:
    """Add a contact person (``index`` None) or change one; saving keeps the whole profile."""
    app = editor.app
    current = editor.contacts[index] if index is not None else None
    roles = app.school_roles
    description = ft.Text(roles.get(current.role).description if current else "",
                          theme_style=ft.TextThemeStyle.BODY_SMALL, visible=current is not None)

    def role_chosen(value: str) -> None:
        description.value, description.visible = roles.get(value).description, True
        description.update()

    role = Choice(app, _("Role"), [(r.id, r.label) for r in roles.items], current.role if current else "",
                  role_chosen)
    name = ft.TextField(label=_("Name (optional)"), value=current.name if current else "", on_change=clear_error)
    phone = ft.TextField(label=_("Phone number"), value=current.phone if current else "",
                         keyboard_type=ft.KeyboardType.PHONE, on_change=clear_error)
    email = ft.TextField(label=_("E-mail address"), value=current.email if current else "",
                         keyboard_type=ft.KeyboardType.EMAIL, on_change=clear_error)
    reachable = ft.TextField(label=_("When reachable"), hint_text=_("e.g. Mon to Thu 8.30-16.00"),
                             value=current.reachable if current else "", on_change=clear_error)
    hours = HoursEditor(app, current.hours if current else None)
    message = ft.Text(color=ft.Colors.ERROR, visible=False)

    def check() -> tuple[bool, Optional[Hours]]:
        """Every field checked at once (each says what is wrong); the hours if all is well."""
        errors = {
            name: _text_problem(name.value or "", LIMITS.contact_name),
            reachable: _text_problem(reachable.value or "", LIMITS.reachable),
            phone: None if valid_phone(phone.value or "") or not (phone.value or "").strip()
            else problem(ProfileValidationError("phone", "phone")),
            email: None if valid_email((email.value or "").strip()) or not (email.value or "").strip()
            else problem(ProfileValidationError("email", "email")),
        }
        if not (phone.value or "").strip() and not (email.value or "").strip():
            errors[phone] = problem(ProfileValidationError("", "reach"))
        for field, error in errors.items():
            field.error = field_error(error)
            field.update()
        chosen = role.required(_("Choose a role."))
        hours_ok, chosen_hours = hours.read()
        return chosen and hours_ok and not any(errors.values()), chosen_hours

    async def on_save() -> bool:
        message.visible = False
        valid, chosen_hours = check()
        if not valid:
            return False
        contact = SchoolContact(SchoolRole(role.value), (phone.value or "").strip(), (email.value or "").strip(),
                                (name.value or "").strip(), (reachable.value or "").strip(), chosen_hours)
        contacts = list(editor.contacts)
        if index is None:
            contacts.append(contact)
        else:
            contacts[index] = contact
        return await editor.save(contacts, on_invalid=message)

    async def remove() -> None:
        contacts = [c for k, c in enumerate(editor.contacts) if k != index]
        await editor.save(contacts)

    form_dialog(app, _("Contact person") if current else _("Add a contact person"), [
        ft.Text(_("Work details of staff only: never anything about pupils.")),
        role.control, description, name, phone, email, reachable, hours.control, message,
    ], on_save, on_remove=remove if current else None)


# -- sharing ----------------------------------------------------------------------------------------


async def export_profile(app: "AppContext") -> None:
    profile = app.school.profile
    saved = await app.file_picker.save_file(dialog_title=_("Save the school profile"), file_name=file_name(profile),
                                            src_bytes=profile_file.encode(profile))
    if saved is not None or app.page.web:
        app.toast(_("School profile saved as a file. Give colleagues the check code separately."))


def share_profile(app: "AppContext") -> None:
    profile = app.school.profile
    app.share_file(file_name(profile), profile_file.encode(profile), FILE_MIME_TYPE)


async def import_profile(app: "AppContext") -> None:
    """Pick a file, show what it holds and its check code, import it after the user confirms."""
    files = await app.file_picker.pick_files(dialog_title=_("Choose a school profile file"), with_data=True,
                                             allow_multiple=False)
    if files:
        preview_import(app, files[0].name, files[0].bytes or b"")


def _refused(app: "AppContext", text: str) -> None:
    dialog = ft.AlertDialog(
        title=ft.Text(_("Not imported")),
        content=ft.Text(text),
        actions=[ft.TextButton(_("OK"), on_click=lambda e: close(dialog))],
    )
    app.page.show_dialog(dialog)


def preview_import(app: "AppContext", name: str, data: bytes) -> None:
    try:
        profile = profile_file.decode(data)
    except profile_file.ProfileFileError as exc:
        _refused(app, file_problem(exc, app.school_roles))
        return
    roles = app.school_roles
    current = app.school.profile
    contacts = [ft.Text(f"{roles.get(c.role).label}: {_contact_summary(c)}") for c in profile.contacts]
    details = [ft.Text(profile.school_name, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD),
               *contacts]
    if profile.step_notes:
        details.append(ft.Text(ngettext("{n} agreement for a step", "{n} agreements for steps",
                                        len(profile.step_notes)).format(n=len(profile.step_notes))))
    if profile.sanction_policy_url:
        details.append(ft.Text(_("Sanction policy: {url}").format(url=profile.sanction_policy_url)))
    replaces = (_("This replaces the school profile on this device ({school}).").format(school=current.school_name)
                if current else "")

    async def on_import() -> bool:
        try:
            imported = await app.school.import_file(data)
        except profile_file.ProfileFileError as exc:  # checked above; the same bytes
            _refused(app, file_problem(exc, roles))
            return True
        app.refresh()
        app.toast(_("School profile of {school} imported.").format(school=imported.school_name))
        return True

    form_dialog(app, _("Import this school profile?"), [
        ft.Text(_("From the file {name}:").format(name=name)),
        *details,
        _check_code(profile),
        ft.Text(_("Compare this check code with the one the coordinator gave you (in person or in the "
                  "school's own mail). If it differs, do not import the file.")),
        ft.Text(" ".join(p for p in (replaces, _("The journal is not touched.")) if p)),
    ], on_import, save_label=_("Import"))


def _check_code(profile: SchoolProfile) -> ft.Control:
    return ft.Text(_("Check code: {code}").format(code=profile_file.fingerprint(profile)),
                   weight=ft.FontWeight.BOLD)


async def remove_profile(app: "AppContext") -> None:
    await app.school.remove()
    app.refresh()
    app.toast(_("School profile removed from this device."))


def _sharing(app: "AppContext") -> list[ft.Control]:
    profile = app.school.profile
    controls: list[ft.Control] = [section_title(_("Share with colleagues"))]
    if profile is not None:
        async def export_clicked(e) -> None:
            await export_profile(app)

        controls += [
            ft.Text(_("Save the profile as a file and send it to colleagues (e.g. by the school's mail). "
                      "Tell them the check code separately, so they can see the file was not changed.")),
            _check_code(profile),
            ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
                ft.FilledTonalButton(_("Save as a file"), icon=ft.Icons.DOWNLOAD, on_click=export_clicked),
                ft.OutlinedButton(_("Share"), icon=ft.Icons.SHARE, on_click=lambda e: share_profile(app)),
            ]),
        ]

    async def import_clicked(e) -> None:
        await import_profile(app)

    controls += [
        ft.Text(_("Received a school profile file (.stappenplan-school) from a colleague? Import it here.")),
        ft.OutlinedButton(_("Import a school profile"), icon=ft.Icons.UPLOAD_FILE, on_click=import_clicked),
    ]
    if app.school.stored is not None or app.school.stored_error is not None:
        consequence = (
            _("What was saved on this device is removed; the profile built into this installation stays. "
              "The journal is not touched.") if app.school.bundled is not None else
            _("The school's own contacts are no longer shown on this device. The journal is not touched."))
        controls.append(ft.TextButton(
            _("Remove the school profile from this device"), icon=ft.Icons.DELETE_OUTLINE,
            style=ft.ButtonStyle(color=ft.Colors.ERROR),
            on_click=lambda e: confirm(app, _("Remove the school profile?"), consequence, _("Remove"),
                                       lambda: remove_profile(app))))
    return controls


# -- the screen -------------------------------------------------------------------------------------


def _contact_rows(editor: ProfileEditor) -> list[ft.Control]:
    roles = editor.app.school_roles
    if not editor.contacts:
        return [ft.Text(_("No contact people yet."), italic=True)]
    return [
        ft.ListTile(
            title=ft.Text(roles.get(c.role).label, weight=ft.FontWeight.W_500),
            subtitle=ft.Text(_contact_summary(c)),
            trailing=ft.Icon(ft.Icons.EDIT_OUTLINED),
            min_height=56,
            on_click=lambda e, k=k: contact_form(editor, k),
        )
        for k, c in enumerate(editor.contacts)
    ]


def build(app: "AppContext", route: str) -> ft.View:
    editor = ProfileEditor(app)

    async def save_clicked(e) -> None:
        await editor.save()

    notices: list[ft.Control] = []
    if app.school.stored_error is not None:
        notices.append(ft.Text(_("The school profile kept on this device cannot be read (it was changed outside "
                                 "the app). Import the school profile file again."), color=ft.Colors.ERROR))
    if app.school.bundled is not None and app.school.profile is app.school.bundled:
        notices.append(ft.Text(_("This profile came with the school's installation of the app. What you save "
                                 "here is kept on this device.")))
    form = [
        ft.Text(_("The school's own people, whom the step plan keeps referring to: they come first in the "
                  "acute flow and the help lines, and in the steps where they are needed. The profile is "
                  "kept in this device's settings, not in the journal, so it is shown without a passphrase. "
                  "Work details of staff only: never anything about pupils.")),
        *notices,
        fields(editor.name),
        section_title(_("Contact people")),
        ft.Column(spacing=0, controls=_contact_rows(editor)),
        ft.TextButton(_("Add a contact person"), icon=ft.Icons.PERSON_ADD_ALT,
                      on_click=lambda e: contact_form(editor)),
        section_title(_("Sanction policy")),
        fields(editor.url),
        ft.ExpansionTile(
            title=ft.Text(_("The school's own agreements per step (optional)")),
            subtitle=ft.Text(_("Shown at the top of the step, e.g. 'sanction policy: see school guide §4'.")),
            expanded=any(field.value for field in editor.notes.values()),
            maintain_state=True,
            controls_padding=ft.Padding.symmetric(horizontal=4, vertical=8),
            controls=[fields(*editor.notes.values())],
        ),
        editor.message,
        ft.Row(wrap=True, spacing=12, run_spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER, controls=[
            ft.FilledButton(_("Save the school profile"), icon=ft.Icons.SAVE_OUTLINED, on_click=save_clicked),
            editor.unsaved,
        ]),
    ]
    return page_view(app, route, _("School profile"), [
        ft.ResponsiveRow(spacing=24, run_spacing=24, controls=[
            ft.Column(col={"xs": 12, "lg": 7}, spacing=12, controls=form),
            ft.Column(col={"xs": 12, "lg": 5}, spacing=12, controls=_sharing(app)),
        ]),
    ])
