"""The school's own people on the screens that need them ("Eigen school").

Which contacts show where is ``school.placement``'s rule; this module draws
them: a card per person (role, name, whether they are reachable now, one
tap to call or mail), the "Eigen school" section that comes first in the
acute flow and the help lines, the contacts an action of the step plan
points to, the school's sanction policy, and its own agreement per step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import flet as ft

from content.model import Phone
from school.placement import (
    ACTION_TEAM_ACTION,
    SANCTION_POLICY_ACTIONS,
    acute_contacts,
    acute_split,
    contacts_for_action,
)
from school.profile import SchoolContact, SchoolRole
from screens import routes
from screens.ui.widgets import icon_button
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def role_label(app: "AppContext", role: str) -> str:
    return app.school_roles.get(role).label


def contact_card(app: "AppContext", contact: SchoolContact, **kwargs) -> ft.Container:
    """One of the school's people: role, name, reachable now (by the profile's hours), call and mail."""
    controls: list[ft.Control] = [
        ft.Text(role_label(app, contact.role), theme_style=ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.BOLD),
    ]
    who = " · ".join(p for p in (contact.name, contact.email) if p)
    if who:
        controls.append(ft.Text(who))
    if contact.hours is not None:
        line = app.live_statuses.contact_line(contact.hours)
        if line is not None:
            controls.append(line)
    if contact.reachable:
        controls.append(ft.Text(contact.reachable, theme_style=ft.TextThemeStyle.BODY_SMALL))
    buttons: list[ft.Control] = []
    if contact.phone.strip():
        phone = Phone(contact.phone)
        buttons.append(ft.FilledButton(_("Call {number}").format(number=phone.display), icon=ft.Icons.PHONE,
                                       on_click=lambda e: app.call(phone)))
        if app.can_copy_numbers:  # a call may not be placed from here (web, desktop)
            buttons.append(icon_button(ft.Icons.CONTENT_COPY, _("Copy {number}").format(number=phone.display),
                                       lambda e: app.copy(phone.display)))
    if contact.email:
        buttons.append(ft.OutlinedButton(_("E-mail {role}").format(role=app.school_roles.get(contact.role).noun),
                                         icon=ft.Icons.MAIL_OUTLINE,
                                         on_click=lambda e: app.open_link(f"mailto:{contact.email}")))
    controls.append(ft.Row(wrap=True, spacing=8, run_spacing=8, controls=buttons))
    return ft.Container(
        bgcolor=ft.Colors.SECONDARY_CONTAINER,
        border_radius=12,
        padding=12,
        content=ft.Column(spacing=6, controls=controls),
        **kwargs,
    )


def _heading(app: "AppContext") -> ft.Text:
    profile = app.school.profile
    return ft.Text(_("{heading}: {school}").format(heading=app.school_roles.heading, school=profile.school_name),
                   theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD)


def stored_copy_problem(app: "AppContext") -> list[ft.Control]:
    """The device's copy of the profile cannot be read: say so and lead to the import."""
    if app.school.stored_error is None:
        return []
    return [ft.Container(
        bgcolor=ft.Colors.ERROR_CONTAINER,
        border_radius=12,
        padding=12,
        content=ft.Column(spacing=6, controls=[
            ft.Text(_("The school profile kept on this device cannot be read (it was changed outside the "
                      "app). Import the school profile file again."), color=ft.Colors.ON_ERROR_CONTAINER),
            ft.OutlinedButton(_("To the school profile"), icon=ft.Icons.SCHOOL_OUTLINED,
                              on_click=lambda e: app.go(routes.path("school_profile"))),
        ]),
    )]


def own_school(app: "AppContext", columns: Optional[dict] = None) -> list[ft.Control]:
    """'Eigen school': every contact with a phone number, before the national lines.

    ``columns``: the cards side by side in a responsive grid (``col`` of each card).
    """
    contacts = acute_contacts(app.school.profile)
    if not contacts:
        return stored_copy_problem(app)
    if columns is None:
        cards: list[ft.Control] = [contact_card(app, c) for c in contacts]
    else:
        cards = [ft.ResponsiveRow(spacing=12, run_spacing=12,
                                  controls=[contact_card(app, c, col=columns) for c in contacts])]
    return [*stored_copy_problem(app), _heading(app), *cards]


def acute_own_school(app: "AppContext") -> tuple[list[ft.Control], list[ft.Control]]:
    """'Eigen school' in the acute flow, in two parts: the heading with the first contacts (before
    the national help lines), and the school's other contacts (after them)."""
    first, rest = acute_split(app.school.profile)
    if not first:
        return stored_copy_problem(app), []
    later: list[ft.Control] = []
    if rest:
        later = [ft.Text(_("More of your own school: {school}").format(school=app.school.profile.school_name),
                         theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD),
                 *[contact_card(app, c) for c in rest]]
    return [*stored_copy_problem(app), _heading(app), *[contact_card(app, c) for c in first]], later


def police_contacts(app: "AppContext") -> Sequence[ft.Control]:
    """The school's police contact from the profile (it replaces the number kept per device)."""
    profile = app.school.profile
    contacts = profile.contacts_with(SchoolRole.POLITIE) if profile else ()
    return [contact_card(app, c) for c in contacts]


def for_action(app: "AppContext", action_id: str) -> list[ft.Control]:
    """Inside an action of the step plan: the school's people it points to, and its sanction policy."""
    profile = app.school.profile
    controls: list[ft.Control] = []
    contacts = contacts_for_action(profile, action_id)
    if contacts:
        controls.append(ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH, controls=[
            _heading(app), *[contact_card(app, c) for c in contacts]]))
    if action_id in SANCTION_POLICY_ACTIONS and profile is not None and profile.sanction_policy_url:
        controls.append(ft.OutlinedButton(_("The school's sanction policy"), icon=ft.Icons.OPEN_IN_NEW,
                                          on_click=lambda e: app.open_link(profile.sanction_policy_url)))
    return controls


def team_suggestions(app: "AppContext", role: ft.TextField, name: ft.TextField) -> list[ft.Control]:
    """Step 2's suggested members of the action team from the profile: a tap fills the form."""
    contacts = contacts_for_action(app.school.profile, ACTION_TEAM_ACTION)
    if not contacts:
        return []

    def fill(contact: SchoolContact) -> None:
        role.value, name.value = role_label(app, contact.role), contact.name
        role.update()
        name.update()

    return [
        ft.Text(_("From the school profile:"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
            ft.OutlinedButton(" · ".join(p for p in (role_label(app, c.role), c.name) if p),
                              icon=ft.Icons.PERSON_ADD_ALT, on_click=lambda e, c=c: fill(c))
            for c in contacts
        ]),
    ]


def step_note(app: "AppContext", step_number: int) -> list[ft.Control]:
    """The school's own agreement for this step ("sanctiebeleid: zie schoolgids §4")."""
    profile = app.school.profile
    note = profile.note(step_number) if profile else ""
    if not note:
        return []
    return [ft.Container(
        bgcolor=ft.Colors.SECONDARY_CONTAINER,
        border_radius=12,
        padding=12,
        content=ft.Row(vertical_alignment=ft.CrossAxisAlignment.START, controls=[
            ft.Icon(ft.Icons.SCHOOL_OUTLINED, color=ft.Colors.ON_SECONDARY_CONTAINER,
                    semantics_label=_("Agreement of the school")),
            ft.Column(expand=True, spacing=2, controls=[
                ft.Text(_("Agreement of {school}").format(school=profile.school_name), weight=ft.FontWeight.BOLD,
                        color=ft.Colors.ON_SECONDARY_CONTAINER),
                ft.Text(note, color=ft.Colors.ON_SECONDARY_CONTAINER),
            ]),
        ]),
    )]
