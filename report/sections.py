"""The report's sections, in order, each a function from the incident to its blocks.

Title, type and status; the report (when, by whom, how); pupils involved by
role; the action team; the actions per step in plan order with when and by
whom they were ticked (and unticked); the timeline of notes with their edit
history; contacts (including parents deliberately not informed yet, with the
reason); follow-up conversations; the evaluation (the questions of
``evaluatie-incident`` with their answers); the status history.

Every text a user typed passes through ``Context.names`` (``report.anonymise``),
which replaces the names in it when the report is anonymised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from content.model import Action, Plan
from report.anonymise import Names
from report.blocks import Block, Kind
from report.text import plain, utc_key, when
from storage.followups import FollowUpState, follow_up_state
from storage.incidents import Incident, Note, NoteVersion, TickEvent
from storage.vocabulary import EVALUATION_ACTION, PupilRole
from words.i18n import _
from words.labels import contact_kind_label, role_label, status_label, type_label

APP_NAME = "Stappenplan online incidenten"


@dataclass(frozen=True)
class Context:
    incident: Incident
    plan: Plan
    anonymised: bool
    now: datetime
    names: Names = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", Names(self.incident, self.anonymised))

    def text(self, value: str) -> str:
        """Free text as it goes into the report: names replaced when anonymised, stripped."""
        return self.names.text(value).strip()


def _none() -> Block:
    return Block(Kind.EMPTY, _("None recorded."))


def _by(text: str, who: str) -> str:
    return f"{text} · " + _("by {who}").format(who=who) if who else text


def header(c: Context) -> list[Block]:
    """Title, when and by what it was made, type and status."""
    meta = _("Generated {when} by the app {app} · Confidential · Contains no images by design").format(
        when=when(c.now), app=APP_NAME
    )
    if c.anonymised:
        meta += " · " + _("Anonymised: names are replaced by roles")
    return [
        Block(Kind.TITLE, c.text(c.incident.title) or _("Incident")),
        Block(Kind.META, meta),
        Block(Kind.FIELD, type_label(c.plan, c.incident.type, c.text(c.incident.type_other)),
              head=_("Type of incident")),
        Block(Kind.FIELD, status_label(c.incident.status), head=_("Status")),
    ]


def reporting(c: Context) -> list[Block]:
    blocks = [Block(Kind.H2, _("Reporting")), Block(Kind.FIELD, when(c.incident.reported_at), head=_("Reported"))]
    reporter = c.names.field(c.incident.reported_by, _("reporter"))
    if reporter:
        blocks.append(Block(Kind.FIELD, reporter, head=_("Reported by")))
    if c.incident.report_channel.strip():
        blocks.append(Block(Kind.FIELD, c.text(c.incident.report_channel), head=_("How")))
    return blocks


def _role_order(role: str) -> int:
    roles = list(PupilRole)
    return roles.index(role) if role in roles else len(roles)


def pupils(c: Context) -> list[Block]:
    """The pupils involved, by role (instigators, victims, bystanders)."""
    blocks = [Block(Kind.H2, _("Pupils involved"))]
    for p in sorted(c.incident.active_pupils, key=lambda p: _role_order(p.role)):
        group = c.text(p.group)
        if c.anonymised:
            line = c.names.pupil_labels[p.id]
        else:
            line = "{role}: {alias}".format(role=role_label(p.role), alias=p.alias.strip())
        blocks.append(Block(Kind.ITEM, line + (f" ({group})" if group else "")))
    return blocks if len(blocks) > 1 else blocks + [_none()]


def action_team(c: Context) -> list[Block]:
    blocks = [Block(Kind.H2, _("Action team"))]
    for m in c.incident.active_team:
        role = c.text(m.role)
        member = m.name.strip()
        if c.anonymised or not member:
            blocks.append(Block(Kind.ITEM, role or _("action team member")))
        else:
            blocks.append(Block(Kind.ITEM, f"{role}: {member}" if role else member))
    return blocks if len(blocks) > 1 else blocks + [_none()]


def _tick_line(ev: TickEvent, names: Names) -> str:
    who = names.author(ev.by)
    moment = when(ev.at)
    if ev.ticked:
        return (_("ticked {when} by {who}").format(when=moment, who=who) if who
                else _("ticked {when}").format(when=moment))
    return (_("unticked {when} by {who}").format(when=moment, who=who) if who
            else _("unticked {when}").format(when=moment))


def _action(c: Context, action_id: str, title: str) -> list[Block]:
    """An action as a checklist item, with its tick history below it."""
    return [Block(Kind.ITEM, title, checked=action_id in c.incident.ticked),
            *[Block(Kind.ITEM, _tick_line(ev, c.names), level=1) for ev in c.incident.tick_history(action_id)]]


def actions(c: Context) -> list[Block]:
    """The checklist per step in plan order; ticks of actions no longer in the plan at the end."""
    blocks = [Block(Kind.H2, _("Actions per step"))]
    known = set()
    for step in c.plan.steps:
        if not step.checklist:
            continue
        blocks.append(Block(Kind.H3, _("Step {number}: {title}").format(number=step.number, title=plain(step.title))))
        for action in step.checklist:
            known.add(action.id)
            blocks += _action(c, action.id, plain(action.title))
    unknown = sorted({t.action_id for t in c.incident.ticks} - known)
    if unknown:
        blocks.append(Block(Kind.H3, _("Other actions (not in the current step plan)")))
        for action_id in unknown:
            blocks += _action(c, action_id, action_id)
    return blocks


def _note(note: Note, names: Names) -> list[Block]:
    versions: list[NoteVersion] = sorted(note.versions, key=lambda v: (utc_key(v.at), v.id))
    first, current = versions[0], note.current
    head = _by(when(note.created_at), names.author(first.by))
    if note.edited:
        head += " · " + _by(_("edited {when}").format(when=when(current.at)), names.author(current.by))
    blocks = [Block(Kind.ITEM, names.text(current.text).strip(), head=head)]
    earlier = [v for v in versions if v.id != current.id]
    if earlier:
        blocks.append(Block(Kind.ITEM, "", head=_("Earlier versions"), level=1))
        for v in earlier:
            body = names.text(v.text).strip()
            if v.deleted:
                body = (body + "\n" if body else "") + _("(removed from the timeline)")
            blocks.append(Block(Kind.ITEM, body, head=_by(when(v.at), names.author(v.by)), level=2))
    return blocks


def timeline(c: Context) -> list[Block]:
    """The notes, oldest first, with their edit history."""
    blocks = [Block(Kind.H2, _("Timeline"))]
    for note in c.incident.timeline:
        blocks += _note(note, c.names)
    return blocks if len(blocks) > 1 else blocks + [_none()]


def contacts(c: Context) -> list[Block]:
    blocks = [Block(Kind.H2, _("Contacts (police, parents, care)"))]
    for contact in c.incident.active_contacts:
        lines = []
        who = c.names.field(contact.with_whom, _("contact person"))
        if who:
            lines.append("{label}: {value}".format(label=_("With whom"), value=who))
        if contact.summary.strip():
            lines.append(c.text(contact.summary))
        if contact.not_informed:
            lines.append(_("Deliberately not informed yet: {reason}").format(
                reason=c.text(contact.not_informed_reason)))
        blocks.append(Block(Kind.ITEM, "\n".join(lines),
                            head=f"{contact_kind_label(contact.kind)} · {when(contact.at)}"))
    return blocks if len(blocks) > 1 else blocks + [_none()]


def follow_ups(c: Context) -> list[Block]:
    blocks = [Block(Kind.H2, _("Follow-up conversations"))]
    for f in c.incident.active_follow_ups:
        who = c.names.field(f.with_whom, _("contact person"))
        lines = []
        if f.what.strip():
            lines.append("{label}: {value}".format(label=_("What about"), value=c.text(f.what)))
        if f.done_at is not None:
            lines.append(_("Done {when}").format(when=when(f.done_at)))
        elif follow_up_state(f.due, c.now) is FollowUpState.OVERDUE:
            lines.append(_("Not done yet, overdue"))
        else:
            lines.append(_("Not done yet"))
        blocks.append(Block(Kind.ITEM, "\n".join(lines), head=when(f.due) + (f" · {who}" if who else "")))
    return blocks if len(blocks) > 1 else blocks + [_none()]


def _questions(actions: Iterable[Action]) -> list[tuple[str, str]]:
    """(question id, question as plain text) of the actions' question blocks."""
    return [(q.id, plain(q.text)) for action in actions for b in action.blocks if b.kind == "questions"
            for q in b.questions]


def evaluation(c: Context) -> list[Block]:
    """The evaluation questions with their answers; answers to other questions of the
    plan after them, and answers to questions no longer in the plan last."""
    blocks = [Block(Kind.H2, _("Evaluation"))]
    answers = c.incident.evaluation
    shown = set()
    every_action = [action for step in c.plan.steps for action in step.actions]
    for qid, question in _questions(a for a in every_action if a.id == EVALUATION_ACTION):
        shown.add(qid)
        blocks.append(Block(Kind.ITEM, c.text(answers.get(qid, "")) or _("Not answered."), head=question))
    answered = {qid for qid, a in answers.items() if a.strip()} - shown
    for qid, question in _questions(every_action):
        if qid in answered:
            answered.discard(qid)
            blocks.append(Block(Kind.ITEM, c.text(answers[qid]), head=question))
    blocks += [Block(Kind.ITEM, c.text(answers[qid]), head=qid) for qid in sorted(answered)]
    return blocks


def status_history(c: Context) -> list[Block]:
    blocks = [Block(Kind.H2, _("Status history"))]
    for s in sorted(c.incident.status_history, key=lambda s: (utc_key(s.at), s.id)):
        line = _("{when}: {text}").format(when=when(s.at), text=status_label(s.status))
        blocks.append(Block(Kind.ITEM, _by(line, c.names.author(s.by))))
    return blocks


SECTIONS: tuple[Callable[[Context], list[Block]], ...] = (
    header, reporting, pupils, action_team, actions, timeline, contacts, follow_ups, evaluation, status_history,
)


def report_blocks(incident: Incident, plan: Plan, *, anonymised: bool, now: datetime) -> list[Block]:
    """The report's content in order; ``incident_markdown`` and ``incident_pdf`` render it."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    context = Context(incident, plan, anonymised, now)
    return [block for section in SECTIONS for block in section(context)]
