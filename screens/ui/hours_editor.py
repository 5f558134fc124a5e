"""Fixed hours of one of the school's people, in the help lines' model (``content.model.Hours``).

Optional: without them the app shows the free text ("ma, di en do 8.30-16.00");
with them it says whether the person is reachable now.  The editor offers
what a school needs — day and night, or set times on chosen weekdays,
optionally only on school days — and keeps what it does not show (closures
and a note that came with an imported profile) as they were.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Optional

import flet as ft
from babel.dates import get_day_names

from content.model import Hours, OpeningRule
from school.profile import LIMITS
from screens.ui.forms import Choice
from screens.ui.widgets import icon_button
from words import i18n
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext

WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")  # content.model's day codes, Monday first
_TIME = re.compile(r"\s*(\d{1,2})[:.](\d{2})\s*")
NONE, ALWAYS, WEEKLY = "none", "always", "weekly"


def parse_time(text: str) -> Optional[str]:
    """'8.30', '08:30' -> '08:30'; '24:00' is the end of a day; None if it is not a time."""
    found = _TIME.fullmatch(text or "")
    if not found:
        return None
    hours, minutes = int(found[1]), int(found[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return f"{hours:02d}:{minutes:02d}"


class _RuleRow:
    """One line of set times: the weekdays, from, until."""

    def __init__(self, app: "AppContext", rule: Optional[OpeningRule], on_remove) -> None:
        names = get_day_names("abbreviated", locale=i18n.language())
        chosen = set(rule.days) if rule else {"ma", "di", "wo", "do", "vr"}
        self.days = {day: ft.Checkbox(label=names[k].rstrip("."), value=day in chosen)
                     for k, day in enumerate(WEEKDAYS)}
        self.opens = ft.TextField(label=_("from (hh:mm)"), value=rule.opens if rule else "08:30", width=130,
                                  keyboard_type=ft.KeyboardType.DATETIME)
        self.closes = ft.TextField(label=_("until (hh:mm)"), value=rule.closes if rule else "16:30", width=130,
                                   keyboard_type=ft.KeyboardType.DATETIME)
        self.certain = rule.certain if rule else True
        self.error = ft.Text(color=ft.Colors.ERROR, visible=False)
        self.control = ft.Container(
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            border_radius=12,
            padding=8,
            content=ft.Column(spacing=6, controls=[
                ft.Row(wrap=True, spacing=0, run_spacing=0, controls=list(self.days.values())),
                ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[
                    self.opens, self.closes,
                    icon_button(ft.Icons.DELETE_OUTLINE, _("Remove these times"), lambda e: on_remove(self)),
                ]),
                self.error,
            ]),
        )

    def read(self) -> Optional[OpeningRule]:
        days = tuple(day for day, box in self.days.items() if box.value)
        opens, closes = parse_time(self.opens.value), parse_time(self.closes.value)
        message = None
        if not days:
            message = _("Choose at least one day.")
        elif opens is None or closes is None or opens == "24:00":
            message = _("Use times like 08:30 and 16:30.")
        elif opens >= closes:
            message = _("The end must be after the start (times past midnight: add a second line).")
        self.error.value, self.error.visible = message or "", message is not None
        self.error.update()
        if message:
            return None
        return OpeningRule(days, opens, closes, self.certain)


class HoursEditor:
    """``control`` to put in a form; ``read()`` gives the hours, or shows what is wrong."""

    def __init__(self, app: "AppContext", hours: Optional[Hours]) -> None:
        self._app = app
        self._kept = hours  # closures and note of an imported profile stay as they were
        self.kind = Choice(app, _("Fixed hours (optional): then the app shows whether this person is "
                                  "reachable now"),
                           [(NONE, _("No fixed hours")), (ALWAYS, _("Day and night")), (WEEKLY, _("At set times"))],
                           hours.kind if hours and hours.kind in (ALWAYS, WEEKLY) else NONE, self._kind_chosen)
        self.school_days = ft.Checkbox(label=_("Only on school days (not at weekends or on public holidays)"),
                                       value=hours.school_days_only if hours else True)
        self.rows: list[_RuleRow] = []
        self._rows = ft.Column(spacing=8)
        self.error = ft.Text(color=ft.Colors.ERROR, visible=False)
        for rule in (hours.rules if hours and hours.kind == WEEKLY else ()):
            self._add(rule)
        if not self.rows:
            self._add(None)
        self.add_button = ft.TextButton(_("Add other times"), icon=ft.Icons.ADD, on_click=lambda e: self._add_clicked())
        self.weekly = ft.Column(spacing=8, visible=self.kind.value == WEEKLY,
                                controls=[self._rows, self.add_button, self.school_days, self.error])
        self.control = ft.Column(spacing=8, controls=[self.kind.control, self.weekly])

    def _kind_chosen(self, value: str) -> None:
        self.weekly.visible = value == WEEKLY
        self.weekly.update()

    def _add(self, rule: Optional[OpeningRule]) -> None:
        row = _RuleRow(self._app, rule, self._remove)
        self.rows.append(row)
        self._rows.controls.append(row.control)

    def _add_clicked(self) -> None:
        if len(self.rows) < LIMITS.hours_rules:
            self._add(None)
            self._rows.update()

    def _remove(self, row: _RuleRow) -> None:
        self.rows.remove(row)
        self._rows.controls.remove(row.control)
        self._rows.update()

    def read(self) -> tuple[bool, Optional[Hours]]:
        """(True, hours or None) when valid; (False, None) after showing what is wrong."""
        kind = self.kind.value
        if kind == NONE:
            return True, None
        kept = self._kept if self._kept is not None else Hours(ALWAYS)
        if kind == ALWAYS:
            return True, dataclasses.replace(kept, kind=ALWAYS, rules=(), school_days_only=False)
        rules = [row.read() for row in self.rows]
        none_given = not self.rows
        self.error.value, self.error.visible = _("Add the times."), none_given
        self.error.update()
        if none_given or any(rule is None for rule in rules):
            return False, None
        return True, dataclasses.replace(kept, kind=WEEKLY, rules=tuple(rules),
                                         school_days_only=bool(self.school_days.value))
