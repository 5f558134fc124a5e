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
from screens.formatting import long_date
from screens.forms import Choice, fields, text_field
from screens.i18n import _, ngettext
from screens.journal_home import guarded
from screens.widgets import blocks, section_title
from storage import incidents as inc

if TYPE_CHECKING:
    from screens.app import App

STATUSES = ("", "bezig", "op-orde")
_ICONS = {"bezig": ft.Icons.TIMELAPSE, "op-orde": ft.Icons.CHECK_CIRCLE}


def _status_label(status: str) -> str:
    return {"": _("Not discussed yet"), "bezig": _("In progress"), "op-orde": _("In place")}[status]


def policy_items(app: "App") -> list[tuple[str, str, Optional[Action]]]:
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


def _card(app: "App", item_id: str, title: str, action: Optional[Action]) -> ft.Control:
    stored = app.journal.journal.policy().get(item_id) or inc.PolicyItem(item_id)
    status = Choice(app, _("Status"), [(s, _status_label(s)) for s in STATUSES],
                    stored.status if stored.status in STATUSES else "")
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
        if await app.storage_action(app.journal.journal.save_policy_item(item)):
            app.toast(_("Saved."))
            app.refresh()

    today = app.now().date()
    subtitle = _status_label(stored.status if stored.status in STATUSES else "")
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
                        semantics_label=_status_label(stored.status if stored.status in STATUSES else "")),
        controls_padding=ft.Padding.only(left=16, right=16, bottom=16),
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
        controls=[ft.Column(spacing=10, controls=body)],
    )


def build(app: "App", route: str) -> ft.View:
    def content() -> list[ft.Control]:
        items = policy_items(app)
        stored = app.journal.journal.policy()
        in_place = sum(1 for item_id, _t, _a in items if stored.get(item_id) and stored[item_id].status == "op-orde")
        today = app.now().date()
        overdue = sum(1 for p in stored.values() if p.review_date and p.review_date < today)
        summary = _("{done} of {total} in place").format(done=in_place, total=len(items))
        if overdue:
            summary += " · " + ngettext("{n} review date passed", "{n} review dates passed", overdue).format(n=overdue)
        prevention = app.plan.action("preventie")
        questions = [i for i in items if i[2] is None]
        themes = [i for i in items if i[2] is not None]
        return [
            ft.Text(_("Use the step plan as a guideline for preventive policy: check the school's policy and "
                      "prepare for online incidents in the future.")),
            ft.Text(summary, weight=ft.FontWeight.BOLD),
            section_title(app.plan.action("evaluatie-beleid").title),
            *[_card(app, *item) for item in questions],
            section_title(prevention.title),
            *blocks(app, prevention.blocks),
            *[_card(app, *item) for item in themes],
        ]

    return guarded(app, route, _("Preventive policy"), content)
