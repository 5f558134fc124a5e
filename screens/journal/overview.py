"""Patterns across incidents: per type, per month, and the time from report to closure.

Each chart has its figures as text beside it, for screen readers and for
reading exact numbers.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Sequence

import flet as ft
import flet_charts as fch
from babel.dates import format_date, format_timedelta

from screens.journal.gate import journal_view
from screens.ui.widgets import section_title
from storage.statistics import closure_times, count_by_month, count_by_type, median_closure_time
from words import i18n
from words.i18n import _, ngettext
from words.labels import type_label

if TYPE_CHECKING:
    from screens.context import AppContext

MONTHS = 12


def _month_chart(labels: Sequence[str], values: Sequence[int]) -> fch.BarChart:
    """Vertical bars per month, with whole numbers on the axis."""
    top = max([*values, 1])
    step = max(1, -(-top // 4))
    return fch.BarChart(
        groups=[
            fch.BarChartGroup(x=i, rods=[fch.BarChartRod(to_y=v, width=12, color=ft.Colors.PRIMARY,
                                                          border_radius=3, tooltip=f"{label}: {v}")])
            for i, (label, v) in enumerate(zip(labels, values))
        ],
        bottom_axis=fch.ChartAxis(label_size=24, labels=[
            fch.ChartAxisLabel(value=i, label=ft.Text(label, size=10)) for i, label in enumerate(labels)
        ]),
        left_axis=fch.ChartAxis(label_size=28, labels=[
            fch.ChartAxisLabel(value=v, label=ft.Text(str(v), size=10)) for v in range(0, top + 1, step)
        ]),
        horizontal_grid_lines=fch.ChartGridLines(interval=step, color=ft.Colors.OUTLINE_VARIANT, width=1),
        max_y=top,
        height=200,
        interactive=False,
    )


def _bars(rows: Sequence[tuple[str, int]]) -> ft.Control:
    """Horizontal bars with their label and count: a chart that is also a readable table."""
    top = max([count for _, count in rows] + [1])

    def bar(count: int) -> ft.Control:
        filled = [ft.Container(expand=count, height=14, border_radius=3, bgcolor=ft.Colors.PRIMARY)] if count else []
        return ft.Row(expand=True, spacing=0, controls=[*filled, ft.Container(expand=top - count)])

    return ft.Column(spacing=6, controls=[
        ft.Row(spacing=8, controls=[
            ft.Text(label, width=150, size=13),
            bar(count),
            ft.Text(str(count), width=28, text_align=ft.TextAlign.RIGHT, weight=ft.FontWeight.BOLD),
        ])
        for label, count in rows
    ])


def _figures(rows: Sequence[tuple[str, str]]) -> ft.Control:
    return ft.Column(spacing=2, controls=[
        ft.Row(controls=[ft.Text(label, expand=True), ft.Text(value, weight=ft.FontWeight.BOLD)])
        for label, value in rows
    ])


def build(app: "AppContext", route: str) -> ft.View:
    incidents = app.journal.current.incidents()
    language = i18n.language()
    by_type = count_by_type(incidents)
    type_names = [type_label(app.plan, t) for t in by_type]
    months = count_by_month(incidents, app.now(), MONTHS)
    month_names = [format_date(date(m.year, m.month, 1), "MMMM y", locale=language) for m in months]
    closed = closure_times(incidents)
    median = median_closure_time(incidents)

    def duration(value) -> str:
        return format_timedelta(value, threshold=1.5, locale=language)

    closure: list[ft.Control] = [section_title(_("Time from report to closure"))]
    if closed:
        closure.append(ft.Text(_("Median: {time} ({n} closed)").format(time=duration(median), n=len(closed)),
                               weight=ft.FontWeight.BOLD))
        closure.append(_figures([(c.title, duration(c.duration)) for c in closed]))
    else:
        closure.append(ft.Text(_("No closed incidents yet.")))
    return journal_view(app, route, _("Overview"), [
        ft.Text(ngettext("{n} incident in the journal on this device.",
                         "{n} incidents in the journal on this device.", len(incidents)).format(n=len(incidents))),
        section_title(_("Incidents per type")),
        _bars(list(zip(type_names, by_type.values()))),
        section_title(_("Incidents per month (last {n} months)").format(n=MONTHS)),
        _month_chart([format_date(date(m.year, m.month, 1), "MMM", locale=language).rstrip(".")
                      for m in months], [m.count for m in months]),
        _figures([(name, str(m.count)) for name, m in zip(month_names, months) if m.count]),
        *closure,
    ])
