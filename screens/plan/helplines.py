"""Help lines: who each line is for, whether it is open right now, one tap to call.

112 is at the top, then the school's own people ("Eigen school", from the
school profile).  The police card carries the school's own police contact:
the profile's, or else a number kept on this device, filled in here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from content.model import Phone
from school.profile import valid_phone
from screens import routes
from screens.preferences import PoliceContact
from screens.ui import school_contacts
from screens.ui.forms import form_dialog
from screens.ui.widgets import contact_card, emergency_banner, page_view
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


_COLUMNS = {"xs": 12, "md": 6, "xl": 4}


def police_contact_editor(app: "AppContext") -> ft.Control:
    """The school's police contact: call it, or fill it in / change it (updated in place)."""
    holder = ft.Container()
    holder.content = _police_contact(app, holder)
    return holder


def _police_contact(app: "AppContext", holder: ft.Container) -> ft.Control:
    contact = app.preferences.police_contact
    if contact is None:
        return ft.OutlinedButton(
            _("Fill in your school's police contact"),
            icon=ft.Icons.EDIT_OUTLINED,
            on_click=lambda e: _edit_police_contact(app, holder),
        )
    return ft.Container(
        bgcolor=ft.Colors.SECONDARY_CONTAINER,
        border_radius=12,
        padding=12,
        content=ft.Column(
            spacing=6,
            controls=[
                ft.Text(_("Your school's police contact"), weight=ft.FontWeight.BOLD),
                ft.Text(" · ".join(p for p in (contact.name, contact.phone.display) if p)),
                ft.Row(
                    wrap=True,
                    spacing=8,
                    run_spacing=8,
                    controls=[
                        ft.FilledButton(
                            _("Call {number}").format(number=contact.phone.display),
                            icon=ft.Icons.PHONE,
                            on_click=lambda e: app.call(contact.phone),
                        ),
                        ft.TextButton(_("Change"), icon=ft.Icons.EDIT_OUTLINED,
                                      on_click=lambda e: _edit_police_contact(app, holder)),
                    ],
                ),
            ],
        ),
    )


def _edit_police_contact(app: "AppContext", holder: ft.Container) -> None:
    current = app.preferences.police_contact
    name = ft.TextField(label=_("Name, e.g. community police officer"), value=current.name if current else "",
                        autofocus=True)
    phone = ft.TextField(label=_("Phone number"), value=current.phone.display if current else "",
                         keyboard_type=ft.KeyboardType.PHONE)

    def show(message: str) -> None:
        holder.content = _police_contact(app, holder)
        holder.update()
        app.toast(message)

    async def save() -> bool:
        if not valid_phone(phone.value or ""):
            phone.error = ft.Text(_("Enter a phone number, e.g. 0900-8844 or 06 12345678."),
                                  color=ft.Colors.ERROR, size=12)
            phone.update()
            return False
        await app.preferences.set_police_contact(PoliceContact((name.value or "").strip(), Phone(phone.value.strip())))
        show(_("Police contact saved on this device."))
        return True

    async def remove() -> None:
        await app.preferences.set_police_contact(None)
        show(_("Police contact removed."))

    form_dialog(app, _("Your school's police contact"), [
        ft.Text(_("Step 3 advises to consult your school's police contact. The number is kept on this device only.")),
        name,
        phone,
    ], save, on_remove=remove if current else None)


def _own_school(app: "AppContext") -> list[ft.Control]:
    """The school's own people first; without a profile, the way to fill one in."""
    if app.school.profile is None and app.school.stored_error is None:
        return [ft.TextButton(_("Add your school's own contact people (school profile)"),
                              icon=ft.Icons.SCHOOL_OUTLINED, on_click=lambda e: app.go(routes.path("school_profile")))]
    return school_contacts.own_school(app, columns=_COLUMNS)


def build(app: "AppContext", route: str) -> ft.View:
    cards = []
    for org in app.organisations.helplines:
        if org.emergency:
            continue  # 112 has its own button at the top
        extra = []
        if org.editable_phone:  # the profile's police contact replaces the one kept per device
            extra = list(school_contacts.police_contacts(app)) or [police_contact_editor(app)]
        cards.append(contact_card(app, org, full=True, extra=extra, col=_COLUMNS))
    return page_view(
        app,
        route,
        _("Help lines"),
        [
            emergency_banner(app),
            *_own_school(app),
            ft.ResponsiveRow(spacing=12, run_spacing=12, controls=cards),
        ],
    )
