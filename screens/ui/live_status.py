"""Status lines that stay true: refreshed every minute while the screen is
visible and when the app comes back to the foreground.  Help lines say
whether they are open; the school's own people (with hours in the school
profile) whether they are reachable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

import flet as ft

from content.model import Hours, Organisation, Organisations
from content.opening_hours import State, open_helplines, status
from words.formatting import contact_status, helpline_status
from words.i18n import _

if TYPE_CHECKING:
    from datetime import datetime

_LOOK = {
    State.ALWAYS: (ft.Icons.CHECK_CIRCLE, ft.Colors.GREEN),
    State.OPEN: (ft.Icons.CHECK_CIRCLE, ft.Colors.GREEN),
    State.UNCERTAIN: (ft.Icons.HELP, ft.Colors.AMBER),
    State.CLOSED: (ft.Icons.CANCEL, ft.Colors.ERROR),
}

#: Fills a line's controls for the current time and returns them (to be updated on the page).
_Filler = Callable[[], tuple[ft.Control, ...]]


class LiveStatuses:
    """The status lines on the screen that is being shown."""

    def __init__(self, organisations: Organisations, now: Callable[[], "datetime"]) -> None:
        self._organisations = organisations
        self._now = now
        self._lines: list[_Filler] = []

    def clear(self) -> None:
        """Forget the lines of the previous screen (called before a screen is built)."""
        self._lines.clear()

    def line(self, org: Organisation) -> Optional[ft.Control]:
        """'Nu open · tot 21:00' with an icon; for a closed line also who is open now."""
        if status(org, self._now()) is None:
            return None  # a website: no opening hours
        icon, text, alternatives = ft.Icon(ft.Icons.CIRCLE, size=20), ft.Text(weight=ft.FontWeight.BOLD), ft.Text()

        def fill() -> tuple[ft.Control, ...]:
            now = self._now()
            current = status(org, now)
            icon.icon, icon.color = _LOOK[current.state]
            text.value = helpline_status(current)
            others = []
            if current.state in (State.CLOSED, State.UNCERTAIN):
                others = [o.name for o in open_helplines(self._organisations, now, exclude=[org.id])
                          if o.suggest_when_closed]
            alternatives.value = _("Reachable now: {names}").format(names=", ".join(others)) if others else ""
            alternatives.visible = bool(others)
            return icon, text, alternatives

        self._add(fill)
        return ft.Column(
            spacing=2,
            controls=[ft.Row(spacing=6, controls=[icon, ft.Container(text, expand=True)]), alternatives],
        )

    def contact_line(self, hours: Hours) -> Optional[ft.Control]:
        """'Nu bereikbaar · tot 16:30' for one of the school's own people, by the hours in the profile."""
        if status(hours, self._now()) is None:
            return None
        icon, text = ft.Icon(ft.Icons.CIRCLE, size=20), ft.Text(weight=ft.FontWeight.BOLD)

        def fill() -> tuple[ft.Control, ...]:
            current = status(hours, self._now())
            icon.icon, icon.color = _LOOK[current.state]
            text.value = contact_status(current)
            return icon, text

        self._add(fill)
        return ft.Row(spacing=6, controls=[icon, ft.Container(text, expand=True)])

    def _add(self, fill: _Filler) -> None:
        fill()
        self._lines.append(fill)

    def refresh(self) -> None:
        for fill in self._lines:
            for control in fill():
                try:
                    control.update()
                except RuntimeError:  # not on the page (any more)
                    pass
