"""About the step plan: the source's introduction, the roles, and the colophon."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from screens.ui.widgets import blocks, md, page_view, section_title
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext


def build(app: "AppContext", route: str) -> ft.View:
    plan = app.plan
    controls: list[ft.Control] = [
        ft.Text(plan.title, theme_style=ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.BOLD),
        ft.Text(plan.subtitle, theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
    ]
    if plan.translation_note:
        controls.append(ft.Text(plan.translation_note, italic=True))
    for section in plan.intro:
        controls.append(section_title(section.title))
        controls.extend(blocks(app, section.blocks))
    colophon = plan.colophon
    controls += [
        ft.Divider(),
        section_title(_("Colophon")),
        md(app, colophon.text),
        md(app, "**{label}** {value}".format(label=_("Title"), value=colophon.title)),
        md(app, "**{label}** {value}".format(label=_("Design"), value=colophon.design)),
        ft.Text(colophon.copyright),
        ft.Text(colophon.slogan, italic=True),
        md(app, f"[{colophon.website}](https://{colophon.website})"),
        ft.Text(plan.derived_titles_note, theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    return page_view(app, route, _("About this step plan"), controls)
