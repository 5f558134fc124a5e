"""What creating and joining a team share: who you are in the team, the team
server's address, and a button that works while the server answers."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Awaitable, Callable, Optional
from urllib.parse import urlsplit

import flet as ft

from screens import routes
from screens.errors import error_message
from screens.ui.forms import text_field
from screens.ui.sync_status import refused_field, sync_error_text
from sync.errors import SyncError
from sync.limits import MAX_DEVICE_LABEL_CHARS, MAX_DISPLAY_NAME_CHARS, MAX_ROLE_CHARS
from sync.names import name_problem
from words.i18n import _, ngettext

if TYPE_CHECKING:
    from screens.context import AppContext

#: Hosts a plain http:// address may name: the device itself (a test server, tools/serve on a laptop).
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
_MOBILE = {ft.PagePlatform.ANDROID, ft.PagePlatform.IOS}


def in_browser_build() -> bool:
    """The installable web app (Pyodide): it talks to the server it was loaded from."""
    return sys.platform == "emscripten"


class InvalidAddress(ValueError):
    """A server address the app will not use; ``str()`` says why, in the active language."""


def server_url(text: str) -> str:
    """The team server's address as typed -> its canonical form.

    ``school.example`` becomes ``https://school.example``; a trailing slash
    goes. Plain ``http://`` only for this device itself: elsewhere the access
    token would cross the network readable.
    """
    text = text.strip()
    if not text:
        raise InvalidAddress(_("Enter the address of the team server, e.g. https://school.example."))
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port that is not a number raises ValueError
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc
            or parts.query or parts.fragment or " " in text):
        raise InvalidAddress(_("This is not a web address. An address looks like https://school.example."))
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidAddress(_("Use an address that starts with https://: the school puts the team server "
                               "behind a secure connection."))
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def server_field(app: "AppContext", value: str = "") -> Optional[ft.TextField]:
    """The server's address, natively; ``None`` in the browser build (its own site is the server)."""
    if in_browser_build():
        return None
    return text_field(app, _("Address of the team server"), value, hint_text="https://school.example",
                      keyboard_type=ft.KeyboardType.URL, autocorrect=False, enable_suggestions=False)


def read_server(field: Optional[ft.TextField]) -> Optional[str]:
    """The address in ``field`` (``""`` in the browser build), or None after showing what is wrong."""
    if field is None:
        return ""
    try:
        url = server_url(field.value or "")
    except InvalidAddress as exc:
        field.error = str(exc)
        field.update()
        return None
    field.error = None
    field.update()
    return url


def server_note() -> list[ft.Control]:
    """In the browser build: where the team server is."""
    if not in_browser_build():
        return []
    return [ft.Text(_("The team server is the website this app was opened from."),
                    theme_style=ft.TextThemeStyle.BODY_SMALL)]


class MemberFields:
    """How a member appears to the team: a name, a role and a device, each as they choose.

    A value the team server would refuse (``sync.names``: invisible or control
    characters) is marked before anything is sent; a refusal from the server
    that names one of these fields is marked on that field (``show_refusal``).
    """

    def __init__(self, app: "AppContext") -> None:
        device = _("Phone") if app.page.platform in _MOBILE else _("Computer")
        self.name = text_field(app, _("Your name in the team"), app.journal.author[:MAX_DISPLAY_NAME_CHARS],
                               max_length=MAX_DISPLAY_NAME_CHARS)
        self.role = text_field(app, _("Your role in the action team, e.g. care coordinator"),
                               max_length=MAX_ROLE_CHARS)
        self.device = text_field(app, _("This device, e.g. phone or Chromebook"), device,
                                 max_length=MAX_DEVICE_LABEL_CHARS)

    @property
    def controls(self) -> list[ft.Control]:
        return [self.name, self.role, self.device]

    def _by_request_field(self) -> dict[str, ft.TextField]:
        return {"member.display_name": self.name, "member.role": self.role, "member.device_label": self.device}

    def read(self) -> Optional[tuple[str, str, str]]:
        """(name, role, device), or None after marking the empty ones and those the server would refuse."""
        values, good = [], True
        for field in self.controls:
            value = (field.value or "").strip()
            if not value:
                field.error = _("Fill this in.")
            elif name_problem(value) is not None:
                field.error = _("Use only letters, digits, spaces and punctuation you can see: this holds an "
                                "invisible or control character.")
            else:
                field.error = None
            good = good and field.error is None
            field.update()
            values.append(value)
        return tuple(values) if good else None  # type: ignore[return-value]

    def show_refusal(self, exc: SyncError) -> bool:
        """Mark the field the server refused (True), if it refused one of these."""
        field = self._by_request_field().get(refused_field(exc) or "")
        if field is None:
            return False
        field.error = sync_error_text(exc)
        field.update()
        return True


def privacy_note() -> ft.Control:
    return ft.Text(
        _("The team server sees these names, roles and devices and when members sync — never a word of an "
          "incident. Do not use pupils' names."),
        theme_style=ft.TextThemeStyle.BODY_SMALL,
    )


def shared_elsewhere_warning(app: "AppContext") -> list[ft.Control]:
    """Why this journal cannot start or join a team while it holds incidents shared
    with a team it is no longer in ([] when it holds none)."""
    incidents = app.team_sync.shared_elsewhere()
    if not incidents:
        return []
    return [ft.Container(
        bgcolor=ft.Colors.TERTIARY_CONTAINER, border_radius=12, padding=12,
        content=ft.Column(spacing=6, controls=[
            ft.Text(ngettext(
                "This journal holds {n} incident shared with an earlier team.",
                "This journal holds {n} incidents shared with an earlier team.", len(incidents),
            ).format(n=len(incidents)), weight=ft.FontWeight.BOLD),
            ft.Text(_("Changes to a shared incident go to the team the journal is in, so it cannot start or join "
                      "another team while they are here: they would reach people they were never shared with. "
                      "Delete them first (export a backup first if the school must keep them).")),
            *[ft.TextButton(i.title, icon=ft.Icons.ARROW_FORWARD,
                            on_click=lambda e, i=i: app.go(routes.path("incident", incident_id=i.id)))
              for i in incidents],
        ]),
    )]


def cannot_start(app: "AppContext") -> Optional[list[ft.Control]]:
    """What the create and join screens show instead of their form, if the journal
    is in a team already or holds another team's incidents; else None."""
    state = app.team_sync.team()
    if state is not None and not state.removed:
        return [
            ft.Text(_("This journal is in team {name} already.").format(name=state.team_name)),
            ft.FilledTonalButton(_("To the team"), icon=ft.Icons.GROUPS_OUTLINED,
                                 on_click=lambda e: app.go(routes.path("team"))),
        ]
    return shared_elsewhere_warning(app) or None


class Submit:
    """The form's button: it works while the server answers; a problem shows under it.

    ``on_refused``: the form's own handling of a team error (marking a field);
    True when the form said it all, so nothing more shows under the button.
    """

    def __init__(self, app: "AppContext", label: str, icon: ft.IconData,
                 action: Callable[["Submit"], Awaitable[None]],
                 on_refused: Callable[[SyncError], bool] = lambda exc: False) -> None:
        self._app, self._action, self._on_refused = app, action, on_refused
        self.message = ft.Text(color=ft.Colors.ERROR, visible=False)
        self.busy = ft.ProgressRing(width=24, height=24, visible=False)
        self.button = ft.FilledButton(label, icon=icon, on_click=self._clicked,
                                      style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=16)))

    @property
    def controls(self) -> list[ft.Control]:
        return [self.message, ft.Row(spacing=12, controls=[self.button, self.busy])]

    def show(self, text: str) -> None:
        self.message.value, self.message.visible = text, True
        self.message.update()

    async def _clicked(self, e) -> None:
        self._app.journal.touch()
        self.message.visible = False
        self.button.disabled, self.busy.visible = True, True
        self._update()

        async def attempt() -> None:
            try:
                await self._action(self)
            except SyncError as exc:
                if not self._on_refused(exc):
                    self.show(sync_error_text(exc))

        try:
            await self._app.storage_action(attempt(), on_error=lambda exc: self.show(error_message(exc)))
        finally:
            self.button.disabled, self.busy.visible = False, False
            self._update()

    def _update(self) -> None:
        try:
            self.message.update(), self.button.update(), self.busy.update()
        except RuntimeError:  # the screen changed (the team was joined)
            pass


__all__ = ["InvalidAddress", "MemberFields", "Submit", "cannot_start", "in_browser_build", "privacy_note",
           "read_server", "server_field", "server_note", "server_url", "shared_elsewhere_warning"]
