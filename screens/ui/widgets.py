"""Building blocks shared by the screens: rich text blocks, checklist tiles,
contact cards and the page scaffold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Sequence

import flet as ft

from content.model import Action, Block, ListItem, Organisation
from words.formatting import long_date
from words.i18n import _

if TYPE_CHECKING:
    from screens.context import AppContext

#: Content wider than this reads badly; wide screens use two panes instead.
WIDE_COLUMNS = {"xs": 12, "lg": 11, "xxl": 9}


def md(app: "AppContext", text: str, **kwargs) -> ft.Markdown:
    """Inline Markdown (bold, links); links open in-app routes or the browser."""
    return ft.Markdown(
        text,
        extension_set=ft.MarkdownExtensionSet.GITHUB_WEB,
        on_tap_link=lambda e: app.open_link(e.data),
        **kwargs,
    )


def _list_markdown(items: Sequence[str | ListItem], numbered: bool) -> str:
    lines = []
    for index, item in enumerate(items, start=1):
        marker = f"{index}." if numbered else "-"
        text = item.text if isinstance(item, ListItem) else item
        lines.append(f"{marker} {text}")
        if isinstance(item, ListItem):
            lines.extend(f"    - {sub}" for sub in item.items)
    return "\n".join(lines)


def callout(app: "AppContext", kind: str, text: str) -> ft.Container:
    """Tip, NB or LET OP: a tinted box with an icon and a label."""
    icon, label, bg, fg = {
        "tip": (ft.Icons.LIGHTBULB_OUTLINE, _("Tip"), ft.Colors.SECONDARY_CONTAINER,
                ft.Colors.ON_SECONDARY_CONTAINER),
        "note": (ft.Icons.INFO_OUTLINE, _("N.B."), ft.Colors.SURFACE_CONTAINER_HIGHEST,
                 ft.Colors.ON_SURFACE),
        "warning": (ft.Icons.WARNING_AMBER_ROUNDED, _("Warning"), ft.Colors.ERROR_CONTAINER,
                    ft.Colors.ON_ERROR_CONTAINER),
    }[kind]
    return ft.Container(
        bgcolor=bg,
        border_radius=12,
        padding=12,
        content=ft.Row(
            vertical_alignment=ft.CrossAxisAlignment.START,
            controls=[
                ft.Icon(icon, color=fg, semantics_label=label),
                ft.Column(
                    expand=True,
                    spacing=2,
                    controls=[
                        ft.Text(label, weight=ft.FontWeight.BOLD, color=fg),
                        md(app, text),
                    ],
                ),
            ],
        ),
    )


def block(app: "AppContext", blk: Block) -> ft.Control:
    if blk.kind == "paragraph":
        return md(app, blk.text)
    if blk.kind == "heading":
        return ft.Text(blk.text, theme_style=ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.BOLD)
    if blk.kind in ("tip", "note", "warning"):
        return callout(app, blk.kind, blk.text)
    if blk.kind in ("numbered", "bullets"):
        return md(app, _list_markdown(blk.items, numbered=blk.kind == "numbered"))
    if blk.kind == "questions":
        return md(app, _list_markdown([q.text for q in blk.questions], numbered=True))
    if blk.kind == "organisations":
        return ft.Column(
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            controls=[contact_card(app, app.organisations.get(org_id)) for org_id in blk.organisations],
        )
    if blk.kind == "incident_types":
        return md(app, _list_markdown([t.text for t in app.plan.incident_types], numbered=False))
    if blk.kind == "roles":
        return ft.Column(
            spacing=8,
            controls=[md(app, f"**{role.name}** – {role.text}") for role in app.plan.roles],
        )
    raise ValueError(f"unknown block kind {blk.kind!r}")


def blocks(app: "AppContext", items: Sequence[Block]) -> list[ft.Control]:
    return [block(app, b) for b in items]


def action_tile(
    app: "AppContext",
    action: Action,
    *,
    expanded: bool = False,
    on_toggle: Optional[Callable[[Action, bool], None]] = None,
    extra: Sequence[ft.Control] = (),
) -> ft.ExpansionTile:
    """One action: a checkbox to tick it and the full text behind an expander.

    Prevention themes (``checklist: false``) get an icon instead of a checkbox.
    ``extra`` follows the text (the school's own people, the letters the action asks for).
    """
    if action.checklist:
        def changed(e: ft.Event[ft.Checkbox]) -> None:
            app.set_ticked(action.id, bool(e.control.value))
            if on_toggle:
                on_toggle(action, bool(e.control.value))

        leading: ft.Control = ft.Checkbox(
            value=app.progress.is_ticked(action.id),
            semantics_label=action.title,
            on_change=changed,
            scale=1.2,  # 40 px -> 48 px tap target
        )
    else:
        leading = ft.Icon(ft.Icons.LIGHTBULB_OUTLINE, semantics_label=_("Prevention"))
    return ft.ExpansionTile(
        key=action.id,
        title=ft.Text(action.title, weight=ft.FontWeight.W_500),
        leading=leading,
        expanded=expanded,
        maintain_state=True,
        min_tile_height=56,
        shape=ft.RoundedRectangleBorder(radius=12),
        collapsed_shape=ft.RoundedRectangleBorder(radius=12),
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        collapsed_bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        controls_padding=ft.Padding.only(left=16, right=16, bottom=16),
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
        controls=[ft.Column(spacing=10, controls=[*blocks(app, action.blocks), *extra])],
    )


def call_buttons(app: "AppContext", org: Organisation) -> list[ft.Control]:
    """Call (one tap per number), chat and website buttons."""
    buttons: list[ft.Control] = [
        ft.FilledButton(
            _("Call {number}").format(number=phone.display),
            icon=ft.Icons.PHONE,
            on_click=lambda e, p=phone: app.call(p),
        )
        for phone in org.phones
    ]
    if org.chat:
        buttons.append(
            ft.OutlinedButton(_("Chat"), icon=ft.Icons.CHAT_OUTLINED, on_click=lambda e: app.open_link(org.chat))
        )
    if org.website:
        buttons.append(
            ft.TextButton(_("Website"), icon=ft.Icons.OPEN_IN_NEW, on_click=lambda e: app.open_link(org.website))
        )
    return buttons


def _numbers_to_copy(app: "AppContext", org: Organisation) -> list[ft.Control]:
    """Where a call may not be placed (web, desktop): the number, selectable and copyable."""
    return [
        ft.Row(
            spacing=0,
            controls=[
                ft.Text(phone.display, selectable=True, weight=ft.FontWeight.W_500),
                icon_button(ft.Icons.CONTENT_COPY, _("Copy {number}").format(number=phone.display),
                            lambda e, p=phone: app.copy(p.display)),
            ],
        )
        for phone in org.phones
    ]


def contact_card(
    app: "AppContext", org: Organisation, *, full: bool = False, extra: Sequence[ft.Control] = (), **kwargs
) -> ft.Container:
    """A help line or organisation: who it is for, whether it is open now, and one tap to call.

    ``full`` adds the description, the source's wording of reach and hours,
    copyable numbers, and where the details come from; ``extra`` goes above
    the buttons.
    """
    controls: list[ft.Control] = [
        ft.Text(org.name, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD),
        ft.Text(" ".join(p for p in (org.audience, org.description if full else "") if p)),
    ]
    status = app.live_statuses.line(org)
    if status is not None:
        controls.append(status)
    if full:
        controls.extend(ft.Text(line) for line in (org.reach_as_written, org.hours_as_written) if line)
        if app.can_copy_numbers:
            controls.extend(_numbers_to_copy(app, org))
    controls.extend(extra)
    controls.append(ft.Row(wrap=True, spacing=8, run_spacing=8, controls=call_buttons(app, org)))
    if full:
        origin = _("From the step plan") if org.origin == "stappenplan" else _("Added by the app, not in the step plan")
        controls.append(ft.Text(
            _("{origin} · details checked on {date}").format(origin=origin, date=long_date(org.verified)),
            theme_style=ft.TextThemeStyle.BODY_SMALL,
        ))
    return ft.Container(
        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
        border_radius=12,
        padding=12,
        content=ft.Column(spacing=6, controls=controls),
        **kwargs,
    )


def emergency_button(app: "AppContext") -> ft.Control:
    """'112' in the app bar: calls the emergency number with one tap."""
    emergency = next(o for o in app.organisations.helplines if o.emergency)
    return ft.Container(
        padding=ft.Padding.only(right=8),
        content=ft.FilledButton(
            emergency.phones[0].display,
            icon=ft.Icons.PHONE,
            tooltip=_("Call {number} — in immediate danger").format(number=emergency.phones[0].display),
            style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR,
                                 padding=ft.Padding.symmetric(horizontal=14, vertical=14)),
            on_click=lambda e: app.call(emergency.phones[0]),
        ),
    )


def emergency_banner(app: "AppContext") -> ft.Control:
    """'112 — bij direct gevaar' as a full-width call button, at the top of the help lines."""
    emergency = next(o for o in app.organisations.helplines if o.emergency)
    phone = emergency.phones[0]
    return ft.FilledButton(
        content=ft.Text(_("Call {number} — in immediate danger").format(number=phone.display),
                        weight=ft.FontWeight.BOLD),
        icon=ft.Icons.PHONE_IN_TALK,
        style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR,
                             padding=ft.Padding.symmetric(horizontal=16, vertical=16)),
        on_click=lambda e: app.call(phone),
    )


def icon_button(icon: ft.IconData, label: str, on_click) -> ft.IconButton:
    """An icon button that screen readers can name (a tooltip alone is not read out)."""
    return ft.IconButton(ft.Icon(icon, semantics_label=label), tooltip=label, on_click=on_click)


def section_title(text: str) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD)


# Beside "back", the lock and the 112 button a phone's app bar has room for about this many
# characters at the title's full size; there a longer title ("Brief aan de ouders van een
# slachtoffer") is set smaller on up to two lines instead of being cut off after a few words.
_APP_BAR_TITLE_CHARS = 18
_WIDE_APP_BAR = 600  # logical pixels: a tablet or a Chromebook has room for any title


def _app_bar_title(app: "AppContext", title: str) -> ft.Text:
    if len(title) <= _APP_BAR_TITLE_CHARS or (getattr(app.page, "width", None) or 0) >= _WIDE_APP_BAR:
        return ft.Text(title)
    return ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, max_lines=2,
                   overflow=ft.TextOverflow.ELLIPSIS)


def page_view(
    app: "AppContext",
    route: str,
    title: str,
    controls: list[ft.Control],
    *,
    actions: Optional[list[ft.Control]] = None,
) -> ft.View:
    """A screen: app bar (with 112 always one tap away), and the content centred with a sensible width."""
    return ft.View(
        route=route,
        appbar=ft.AppBar(
            title=_app_bar_title(app, title), actions=[*(actions or []), emergency_button(app)], center_title=False
        ),
        scroll=ft.ScrollMode.AUTO,
        padding=ft.Padding.symmetric(horizontal=12, vertical=8),
        controls=[
            ft.ResponsiveRow(
                alignment=ft.MainAxisAlignment.CENTER,
                controls=[ft.Column(col=WIDE_COLUMNS, spacing=12, controls=controls)],
            )
        ],
    )
