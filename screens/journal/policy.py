"""The school's preventive policy: the second way to use the step plan.

A checklist built from the source's "Evalueer het beleid" questions and the
prevention actions of step 7, each with a status, notes, an owner and a review
date, kept in the encrypted journal.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Optional

import flet as ft

from content.model import Action
from screens.journal.gate import journal_view
from screens.ui.forms import Choice, fields, text_field
from screens.ui.widgets import blocks, section_title
from storage import incidents as inc
from storage.vocabulary import PolicyStatus
from words.formatting import long_date
from words.i18n import _, ngettext
from words.labels import policy_status_label

if TYPE_CHECKING:
    from screens.context import AppContext

_ICONS = {PolicyStatus.IN_PROGRESS: ft.Icons.TIMELAPSE, PolicyStatus.IN_PLACE: ft.Icons.CHECK_CIRCLE}


def _status_of(item: inc.PolicyItem) -> PolicyStatus:
    """The item's status; one the app does not know (a newer version's) counts as not discussed."""
    return PolicyStatus(item.status) if item.status in list(PolicyStatus) else PolicyStatus.NOT_DISCUSSED


def policy_items(app: "AppContext") -> list[tuple[str, str, Optional[Action]]]:
    """(id, title, the prevention action with its text or None) in the order of the source."""
    step = app.plan.step(7)
    items: list[tuple[str, str, Optional[Action]]] = [
        (q.id, q.text, None)
        for block in app.plan.action("evaluatie-beleid").blocks
        for q in block.questions
    ]
    items += [(a.id, a.title, a) for a in step.actions if not a.checklist]
    return items


def _parse_date(text: str) -> Optional[date]:
    """'15-03-2027' -> a date; '' -> None; anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    day, month, year = (int(part) for part in text.replace("/", "-").split("-"))
    return date(year if year > 99 else 2000 + year, month, day)


def _card(app: "AppContext", stored: inc.PolicyItem, title: str, action: Optional[Action]) -> ft.Control:
    status = Choice(app, _("Status"), [(s, policy_status_label(s)) for s in PolicyStatus], _status_of(stored))
    owner = text_field(app, _("Who takes this up"), stored.owner)
    review = text_field(app, _("Review on (dd-mm-yyyy)"),
                        stored.review_date.strftime("%d-%m-%Y") if stored.review_date else "")
    notes = text_field(app, _("Notes"), stored.notes, multiline=True, min_lines=2)

    async def save(e) -> None:
        try:
            review_date = _parse_date(review.value or "")
        except ValueError:
            review.error = _("Use a date like 15-03-2027.")
            review.update()
            return
        review.error = None
        item = dataclasses.replace(stored, status=status.value, owner=(owner.value or "").strip(),
                                   notes=(notes.value or "").strip(), review_date=review_date)
        async def store() -> None:
            await app.journal.current.save_policy_item(item)

        if await app.storage_action(store()):
            app.toast(_("Saved."))
            app.refresh()

    today = app.now().date()
    subtitle = policy_status_label(_status_of(stored))
    if stored.review_date:
        due = _("review {date}").format(date=long_date(stored.review_date.isoformat()))
        subtitle = f"{subtitle} · {due}"
    overdue = stored.review_date is not None and stored.review_date < today
    body: list[ft.Control] = blocks(app, action.blocks) if action else []
    body += [status.control, fields(owner, review, notes),
             ft.FilledTonalButton(_("Save"), icon=ft.Icons.SAVE_OUTLINED, on_click=save)]
    return ft.ExpansionTile(
        title=ft.Text(title, weight=ft.FontWeight.W_500),
        subtitle=ft.Text(subtitle, color=ft.Colors.ERROR if overdue else None),
        leading=ft.Icon(_ICONS.get(stored.status, ft.Icons.PENDING_OUTLINED),
                        semantics_label=policy_status_label(_status_of(stored))),
        controls_padding=ft.Padding.only(left=16, right=16, bottom=16),
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
        controls=[ft.Column(spacing=10, controls=body)],
    )


def build(app: "AppContext", route: str) -> ft.View:
    items = policy_items(app)
    stored = app.journal.current.policy()
    cards = {item_id: _card(app, stored.get(item_id) or inc.PolicyItem(item_id), title, action)
             for item_id, title, action in items}
    in_place = sum(1 for item_id, _t, _a in items
                   if stored.get(item_id) and stored[item_id].status == PolicyStatus.IN_PLACE)
    today = app.now().date()
    overdue = sum(1 for p in stored.values() if p.review_date and p.review_date < today)
    summary = _("{done} of {total} in place").format(done=in_place, total=len(items))
    if overdue:
        summary += " · " + ngettext("{n} review date passed", "{n} review dates passed", overdue).format(n=overdue)
    prevention = app.plan.action("preventie")
    return journal_view(app, route, _("Preventive policy"), [
        ft.Text(_("Use the step plan as a guideline for preventive policy: check the school's policy and "
                  "prepare for online incidents in the future.")),
        ft.Text(summary, weight=ft.FontWeight.BOLD),
        section_title(app.plan.action("evaluatie-beleid").title),
        *[cards[item_id] for item_id, _t, action in items if action is None],
        section_title(prevention.title),
        *blocks(app, prevention.blocks),
        *[cards[item_id] for item_id, _t, action in items if action is not None],
    ])
