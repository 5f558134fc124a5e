"""Help-line status lines that stay true: refreshed every minute while the
screen is visible and when the app comes back to the foreground."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

import flet as ft

from content.model import Organisation, Organisations
from content.opening_hours import State, open_helplines, status
from screens.ui.formatting import helpline_status
from screens.i18n import _

if TYPE_CHECKING:
    from datetime import datetime

_LOOK = {
    State.ALWAYS: (ft.Icons.CHECK_CIRCLE, ft.Colors.GREEN),
    State.OPEN: (ft.Icons.CHECK_CIRCLE, ft.Colors.GREEN),
    State.UNCERTAIN: (ft.Icons.HELP, ft.Colors.AMBER),
    State.CLOSED: (ft.Icons.CANCEL, ft.Colors.ERROR),
}


class LiveStatuses:
    """The status lines on the screen that is being shown."""

    def __init__(self, organisations: Organisations, now: Callable[[], "datetime"]) -> None:
        self._organisations = organisations
        self._now = now
        self._lines: list[tuple[Organisation, ft.Icon, ft.Text, ft.Text]] = []

    def clear(self) -> None:
        """Forget the lines of the previous screen (called before a screen is built)."""
        self._lines.clear()

    def line(self, org: Organisation) -> Optional[ft.Control]:
        """'Nu open · tot 21:00' with an icon; for a closed line also who is open now."""
        if status(org, self._now()) is None:
            return None  # a website: no opening hours
        icon, text, alternatives = ft.Icon(ft.Icons.CIRCLE, size=20), ft.Text(weight=ft.FontWeight.BOLD), ft.Text()
        self._lines.append((org, icon, text, alternatives))
        self._fill(org, icon, text, alternatives)
        return ft.Column(
            spacing=2,
            controls=[ft.Row(spacing=6, controls=[icon, ft.Container(text, expand=True)]), alternatives],
        )

    def refresh(self) -> None:
        for org, icon, text, alternatives in self._lines:
            self._fill(org, icon, text, alternatives)
            try:
                icon.update(), text.update(), alternatives.update()
            except RuntimeError:  # not on the page (any more)
                pass

    def _fill(self, org: Organisation, icon: ft.Icon, text: ft.Text, alternatives: ft.Text) -> None:
        now = self._now()
        current = status(org, now)
        icon.icon, icon.color = _LOOK[current.state]
        text.value = helpline_status(current)
        others = []
        if current.state in (State.CLOSED, State.UNCERTAIN):
            others = [
                o.name for o in open_helplines(self._organisations, now, exclude=[org.id]) if o.suggest_when_closed
            ]
        alternatives.value = _("Reachable now: {names}").format(names=", ".join(others)) if others else ""
        alternatives.visible = bool(others)
