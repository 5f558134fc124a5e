"""The app shell: session state, routing and the view stack, links and calls."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Callable

import flet as ft

from content.loader import load_organisations, load_plan
from content.model import Phone
from content.progress import Progress
from screens import about, acute, helplines, home, organisations, routes, step_detail, steps, theme
from screens.i18n import _, set_language

log = logging.getLogger(__name__)

_BUILDERS: dict[str, Callable[..., ft.View]] = {
    "home": home.build,
    "acute": acute.build,
    "steps": steps.build,
    "step": step_detail.build,
    "step_action": step_detail.build,
    "organisations": organisations.build,
    "helplines": helplines.build,
    "about": about.build,
}


class App:
    """One user session: what is ticked, where the user is, and how to get around."""

    def __init__(self, page: ft.Page, language: str = "nl") -> None:
        self.page = page
        self.language = set_language(language)
        self.plan = load_plan(self.language)
        self.organisations = load_organisations(self.language)
        self.progress = Progress()
        self.stack: list[str] = []
        self._launcher = ft.UrlLauncher()

    # --- start-up and routing ---------------------------------------------------

    def start(self) -> None:
        page = self.page
        page.title = _("Online incidents step plan")
        theme.apply(page)
        page.on_route_change = self._on_route_change
        page.on_view_pop = self._on_view_pop
        self.show(page.route or routes.HOME)

    def show(self, route: str) -> None:
        """Render the view stack for ``route`` (the top view is always rebuilt)."""
        self.stack = routes.next_stack(self.stack, route)
        cached = {view.route: view for view in self.page.views}
        views = [cached.get(r) or self._build(r) for r in self.stack[:-1]]
        views.append(self._build(self.stack[-1]))
        self.page.views.clear()
        self.page.views.extend(views)
        if routes.normalise(route) != self.stack[-1]:
            # An unknown route: correct the address bar too.
            self.go(self.stack[-1])
        self.page.update()

    def _build(self, route: str) -> ft.View:
        found = routes.match(route)
        assert found is not None, route  # next_stack only yields known routes
        return _BUILDERS[found.name](self, route, **found.params)

    def _on_route_change(self, e: ft.RouteChangeEvent) -> None:
        self.show(e.route)

    async def _on_view_pop(self, e: ft.ViewPopEvent) -> None:
        """The Android back gesture and the app bar's back arrow."""
        if len(self.stack) > 1:
            await self.page.push_route(self.stack[-2])

    def go(self, route: str) -> None:
        self.page.navigate(route)

    # --- session state --------------------------------------------------------

    def set_ticked(self, action_id: str, ticked: bool) -> None:
        now = datetime.now(timezone.utc)
        self.progress = (
            self.progress.tick(action_id, now) if ticked else self.progress.untick(action_id)
        )

    # --- leaving the app: links and calls -----------------------------------------

    def open_link(self, url: str) -> None:
        if url.startswith("/"):
            self.go(url)
        else:
            self._launch(url)

    def call(self, phone: Phone) -> None:
        self._launch(phone.tel_uri)

    def _launch(self, url: str) -> None:
        async def launch() -> None:
            try:
                await self._launcher.launch_url(url)
            except Exception:  # the platform refused (e.g. no dialer); tell the user
                log.exception("could not open %s", url)
                self.toast(_("Could not open {url}").format(url=url))

        asyncio.create_task(launch())

    def toast(self, message: str) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(message)))
