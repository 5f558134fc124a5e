"""The incident report for the school's dossier, as Markdown and as PDF (pure Python).

``incident_markdown`` and ``incident_pdf`` render the same content, built
once as a list of simple blocks (headings, paragraphs, list items):

    title, type, status; the report (when, by whom, how); pupils involved by
    role; the action team; the actions per step in plan order with when and
    by whom they were ticked (and unticked); the timeline of notes with their
    edit history; contacts (including parents deliberately not informed yet,
    with the reason); follow-up conversations; the evaluation (the questions
    of ``evaluatie-incident`` with their answers); the status history.

Times are Europe/Amsterdam, formatted by Babel in the active language
(``screens.formatting``); the report uses absolute dates ("3 november 2026
om 14:05"), never "today", because it is read later.

Anonymised reports
------------------
With ``anonymised=True`` every name entered anywhere is replaced by a role
label: pupils by "victim 1", "instigator 1", "bystander 2" (numbered per role
in the order they were added, removed pupils after the current ones), action
team members by "action team: <their role>", the reporter by "reporter",
contact persons by "contact person", and any other author of a tick, note or
status change by "staff member".  A name that was entered in more than one
place gets the label of its first place in that order.

The names are replaced in their own fields *and* inside every free text
(title, "other" type, how it was reported, classes, team roles, notes and
their earlier versions, contact summaries, reasons, follow-up topics and
evaluation answers): case-insensitively, only as whole words (``Jan`` in
"Jan's" but not in "Janssen"), longest names first (so "Anne Marie" wins over
"Anne"), with any whitespace (a line break too) between the words of a name.
The capitalised words of a name of several words count as names too, with the
same label ("Karel" of "wijkagent Karel", "Jan" and "Vries" of "Jan de
Vries"), because a note often uses only the first name; a capitalised role
word ("Mentor 3B") is then replaced as well, which costs readability, not
privacy.  Names shorter than 2 characters (a single initial such as "J") are
replaced only where they are the whole field: as a word inside text, a single
letter also matches ordinary words and abbreviations ("a", "u", the "e" of
"e-mail"), which would garble the report without protecting anyone.  Limits:
a name written differently in a note (a nickname, a typo, a possessive like
"Jans") is not recognised, so the free text should still be read before a
report leaves the school.

PDF
---
fpdf2 (pure Python, so it also runs in Pyodide) with DejaVu Sans regular and
bold embedded (subset) from ``assets/fonts/`` (copied from Debian's
``fonts-dejavu-core`` 2.37; licence in ``assets/fonts/LICENSE-DejaVu.txt``).
Characters the font lacks (emoji, for instance) are printed as U+FFFD rather
than silently dropped.  A4, a running header with the title and
"confidential", page numbers in the footer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Sequence

from content.model import Plan
from content.opening_hours import AMSTERDAM
from screens.formatting import clock, long_date
from screens.i18n import _, language
from screens.labels import contact_kind_label, role_label, status_label, type_label
from storage.followups import FollowUpState, follow_up_state
from storage.incidents import PUPIL_ROLES, Incident, Note, NoteVersion, TickEvent
from storage.statistics import EVALUATION_ACTION

APP_NAME = "Stappenplan online incidenten"
FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
MIN_NAME_IN_TEXT = 2  # shorter names are replaced only as whole fields (see the module docstring)

UTC = timezone.utc


# -- times ------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    """'3 november 2026 om 14:05' (Amsterdam)."""
    local = moment.astimezone(UTC).astimezone(AMSTERDAM)
    return _("{date} at {time}").format(date=long_date(local.date().isoformat()), time=clock(moment))


def _utc_key(moment: datetime) -> datetime:
    # times that share a tzinfo compare by wall clock in Python; compare instants
    return moment.astimezone(UTC)


# -- names -------------------------------------------------------------------------------------


class _Names:
    """Maps every name entered in an incident to a role label, and scrubs free text.

    With ``anonymised=False`` both ``field`` and ``text`` return their input.
    """

    def __init__(self, incident: Incident, anonymised: bool) -> None:
        self.anonymised = anonymised
        self.pupil_labels: dict[str, str] = {}  # pupil id -> label
        self._labels: dict[str, str] = {}  # casefolded name -> label; the first registration wins
        self._spelling: dict[str, str] = {}  # casefolded name -> the name as entered (first)
        self._parent: dict[str, str] = {}  # casefolded word of a longer name -> that name's key
        if not anonymised:
            self._pattern: Optional[re.Pattern[str]] = None
            return

        role_label_formats = {
            "slachtoffer": _("victim {number}"),
            "aanstichter": _("instigator {number}"),
            "omstander": _("bystander {number}"),
        }
        numbers = {role: 0 for role in PUPIL_ROLES}
        pupils = [p for p in incident.pupils if not p.removed] + [p for p in incident.pupils if p.removed]
        for p in pupils:
            numbers[p.role] = numbers.get(p.role, 0) + 1
            fmt = role_label_formats.get(p.role, "{number}")
            label = fmt.format(number=numbers[p.role])
            self.pupil_labels[p.id] = label
            self._register(p.alias, label)

        team = [m for m in incident.team if not m.removed] + [m for m in incident.team if m.removed]
        member_keys = []
        for m in team:
            if self._register(m.name, _("action team member")):
                member_keys.append((m, m.name.strip().casefold()))

        self._register(incident.reported_by, _("reporter"))
        for c in incident.contacts:
            self._register(c.with_whom, _("contact person"))
        for f in incident.follow_ups:
            self._register(f.with_whom, _("contact person"))
        staff = _("staff member")
        for author in _authors(incident):
            self._register(author, staff)

        # The capitalised words of a name of several words ("Karel" of "wijkagent Karel",
        # "Marieke" and "Jansen" of "Marieke Jansen"): notes often use only a first name.
        # Registered after all full names, so a word that is itself a name keeps its label.
        for key in list(self._labels):
            words = self._spelling[key].split()
            if len(words) > 1:
                for word in words:
                    if len(word) >= MIN_NAME_IN_TEXT and word[0].isupper() and self._register(word, ""):
                        self._parent[word.casefold()] = key

        self._pattern = self._compile()
        # A team member's label shows their role, itself free text that may hold names:
        # it is scrubbed with the labels known at that point (members earlier in the
        # list already have their final label, later ones "action team member").
        for member, key in member_keys:
            role = self.text(member.role).strip()
            self._labels[key] = _("action team: {role}").format(role=role) if role else _("action team member")

    def _register(self, name: str, label: str) -> bool:
        key = name.strip().casefold()
        if not key or key in self._labels:
            return False
        self._labels[key] = label
        self._spelling[key] = name.strip()
        return True

    def _compile(self) -> Optional[re.Pattern[str]]:
        keys = [k for k in self._labels if len(self._spelling[k]) >= MIN_NAME_IN_TEXT]
        if not keys:
            return None
        # longest first, so that a longer name wins over a name it contains
        keys.sort(key=lambda k: (-len(self._spelling[k]), k))
        self._group_keys = keys
        alternatives = []
        for k in keys:
            words = self._spelling[k].split()
            alternatives.append("(" + r"\s+".join(re.escape(w) for w in words) + ")")
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)

    def field(self, value: str, label: str) -> str:
        """A field that holds a name: its label when anonymised."""
        value = value.strip()
        if not self.anonymised or not value:
            return value
        key = value.casefold()
        return self._labels[self._parent.get(key, key)] if key in self._labels else label

    def author(self, value: str) -> str:
        return self.field(value, _("staff member"))

    def text(self, value: str) -> str:
        """Free text with every name (of 2 or more characters) replaced when anonymised."""
        if not self.anonymised or self._pattern is None or not value:
            return value

        def label(match: re.Match[str]) -> str:
            key = self._group_keys[match.lastindex - 1]
            return self._labels[self._parent.get(key, key)]

        return self._pattern.sub(label, value)


def _authors(incident: Incident) -> Iterable[str]:
    for t in incident.ticks:
        yield t.by
    for n in incident.notes:
        for v in n.versions:
            yield v.by
    for s in incident.status_history:
        yield s.by


# -- the document as blocks ----------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of the report.

    ``kind``: "title", "meta", "h2", "h3", "para", "empty" (a grey remark such as
    "none recorded"), "field" (``head``: ``text`` as one line), "item" (a list
    item at ``level``: an optional bold ``head`` line and ``text`` lines below
    it; ``checked`` True/False makes it a checklist item).
    """

    kind: str
    text: str = ""
    head: str = ""
    level: int = 0
    checked: Optional[bool] = None


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _plain(content_text: str) -> str:
    """Content text (which may use **bold** and [label](url)) as plain text."""
    return " ".join(_LINK.sub(r"\1", content_text).replace("**", "").split())


def _by(text: str, who: str) -> str:
    return f"{text} · " + _("by {who}").format(who=who) if who else text


def _tick_line(ev: TickEvent, names: _Names) -> str:
    who = names.author(ev.by)
    when = _when(ev.at)
    if ev.ticked:
        return _("ticked {when} by {who}").format(when=when, who=who) if who else _("ticked {when}").format(when=when)
    return _("unticked {when} by {who}").format(when=when, who=who) if who else _("unticked {when}").format(when=when)


def _evaluation_questions(plan: Plan) -> list[tuple[str, str]]:
    try:
        action = plan.action(EVALUATION_ACTION)
    except KeyError:
        return []
    return [(q.id, _plain(q.text)) for b in action.blocks if b.kind == "questions" for q in b.questions]


def _all_questions(plan: Plan) -> list[tuple[str, str]]:
    return [
        (q.id, _plain(q.text))
        for step in plan.steps
        for action in step.actions
        for b in action.blocks
        if b.kind == "questions"
        for q in b.questions
    ]


def report_blocks(incident: Incident, plan: Plan, *, anonymised: bool, now: datetime) -> list[Block]:
    """The report's content in order; ``incident_markdown`` and ``incident_pdf`` render it."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    names = _Names(incident, anonymised)
    text = names.text
    none = Block("empty", _("None recorded."))
    blocks: list[Block] = []
    add = blocks.append

    title = text(incident.title).strip() or _("Incident")
    add(Block("title", title))
    meta = _("Generated {when} by the app {app} · Confidential · Contains no images by design").format(
        when=_when(now), app=APP_NAME
    )
    if anonymised:
        meta += " · " + _("Anonymised: names are replaced by roles")
    add(Block("meta", meta))
    add(Block("field", type_label(plan, incident.type, text(incident.type_other).strip()), head=_("Type of incident")))
    add(Block("field", status_label(incident.status), head=_("Status")))

    # the report
    add(Block("h2", _("Reporting")))
    add(Block("field", _when(incident.reported_at), head=_("Reported")))
    reporter = names.field(incident.reported_by, _("reporter"))
    if reporter:
        add(Block("field", reporter, head=_("Reported by")))
    if incident.report_channel.strip():
        add(Block("field", text(incident.report_channel).strip(), head=_("How")))

    # pupils, by role
    add(Block("h2", _("Pupils involved")))
    pupils = sorted(
        incident.active_pupils, key=lambda p: PUPIL_ROLES.index(p.role) if p.role in PUPIL_ROLES else len(PUPIL_ROLES)
    )
    for p in pupils:
        group = text(p.group).strip()
        if anonymised:
            line = names.pupil_labels[p.id]
        else:
            line = "{role}: {alias}".format(role=role_label(p.role), alias=p.alias.strip())
        add(Block("item", line + (f" ({group})" if group else "")))
    if not pupils:
        add(none)

    # the action team
    add(Block("h2", _("Action team")))
    for m in incident.active_team:
        role = text(m.role).strip()
        member = m.name.strip()
        if anonymised or not member:
            add(Block("item", role or _("action team member")))
        else:
            add(Block("item", f"{role}: {member}" if role else member))
    if not incident.active_team:
        add(none)

    # actions per step, in plan order
    add(Block("h2", _("Actions per step")))
    ticked = incident.ticked
    known = set()
    for step in plan.steps:
        if not step.checklist:
            continue
        add(Block("h3", _("Step {number}: {title}").format(number=step.number, title=_plain(step.title))))
        for action in step.checklist:
            known.add(action.id)
            add(Block("item", _plain(action.title), checked=action.id in ticked))
            for ev in incident.tick_history(action.id):
                add(Block("item", _tick_line(ev, names), level=1))
    unknown = sorted({t.action_id for t in incident.ticks} - known)
    if unknown:
        add(Block("h3", _("Other actions (not in the current step plan)")))
        for action_id in unknown:
            add(Block("item", action_id, checked=action_id in ticked))
            for ev in incident.tick_history(action_id):
                add(Block("item", _tick_line(ev, names), level=1))

    # the timeline of notes, with their history
    add(Block("h2", _("Timeline")))
    for note in incident.timeline:
        _note_blocks(note, names, add)
    if not incident.timeline:
        add(none)

    # contacts
    add(Block("h2", _("Contacts (police, parents, care)")))
    for c in incident.active_contacts:
        lines = []
        who = names.field(c.with_whom, _("contact person"))
        if who:
            lines.append("{label}: {value}".format(label=_("With whom"), value=who))
        if c.summary.strip():
            lines.append(text(c.summary).strip())
        if c.not_informed:
            lines.append(
                _("Deliberately not informed yet: {reason}").format(reason=text(c.not_informed_reason).strip())
            )
        add(Block("item", "\n".join(lines), head=f"{contact_kind_label(c.kind)} · {_when(c.at)}"))
    if not incident.active_contacts:
        add(none)

    # follow-up conversations
    add(Block("h2", _("Follow-up conversations")))
    for f in incident.active_follow_ups:
        who = names.field(f.with_whom, _("contact person"))
        lines = []
        if f.what.strip():
            lines.append("{label}: {value}".format(label=_("What about"), value=text(f.what).strip()))
        if f.done_at is not None:
            lines.append(_("Done {when}").format(when=_when(f.done_at)))
        elif follow_up_state(f.due, now) is FollowUpState.OVERDUE:
            lines.append(_("Not done yet, overdue"))
        else:
            lines.append(_("Not done yet"))
        add(Block("item", "\n".join(lines), head=_when(f.due) + (f" · {who}" if who else "")))
    if not incident.active_follow_ups:
        add(none)

    # the evaluation
    add(Block("h2", _("Evaluation")))
    shown = set()
    for qid, question in _evaluation_questions(plan):
        shown.add(qid)
        answer = text(incident.evaluation.get(qid, "")).strip()
        add(Block("item", answer or _("Not answered."), head=question))
    answered = {qid for qid, a in incident.evaluation.items() if a.strip()} - shown
    for qid, question in _all_questions(plan):
        if qid in answered:
            answered.discard(qid)
            add(Block("item", text(incident.evaluation[qid]).strip(), head=question))
    for qid in sorted(answered):  # answers to questions no longer in the plan
        add(Block("item", text(incident.evaluation[qid]).strip(), head=qid))

    # status history
    add(Block("h2", _("Status history")))
    for s in sorted(incident.status_history, key=lambda s: (_utc_key(s.at), s.id)):
        line = _("{when}: {text}").format(when=_when(s.at), text=status_label(s.status))
        add(Block("item", _by(line, names.author(s.by))))
    return blocks


def _note_blocks(note: Note, names: _Names, add) -> None:
    versions: list[NoteVersion] = sorted(note.versions, key=lambda v: (_utc_key(v.at), v.id))
    first, current = versions[0], note.current
    head = _by(_when(note.created_at), names.author(first.by))
    if note.edited:
        head += " · " + _by(_("edited {when}").format(when=_when(current.at)), names.author(current.by))
    add(Block("item", names.text(current.text).strip(), head=head))
    earlier = [v for v in versions if v.id != current.id]
    if earlier:
        add(Block("item", "", head=_("Earlier versions"), level=1))
        for v in earlier:
            body = names.text(v.text).strip()
            if v.deleted:
                body = (body + "\n" if body else "") + _("(removed from the timeline)")
            add(Block("item", body, head=_by(_when(v.at), names.author(v.by)), level=2))


# -- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_MD_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def _md_escape(line: str) -> str:
    line = _MD_SPECIAL.sub(r"\\\1", line.strip())
    line = _MD_ENTITY.sub(r"\\&", line)
    match = _MD_LINE_START.match(line)
    if match:
        token = match.group(1)
        line = (token + "\\" + line[len(token):]) if token[0].isdigit() else "\\" + line
    return line


def _clean(text: str) -> str:
    """Line breaks normalised, tabs as spaces, other control characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs"))


def _md_lines(text: str) -> list[str]:
    """Non-empty lines, escaped, joined by hard line breaks (a backslash at the end)."""
    lines = [_md_escape(line) for line in _clean(text).split("\n") if line.strip()]
    return [line + "\\" for line in lines[:-1]] + lines[-1:]


def _md_paragraphs(text: str) -> list[str]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n", _clean(text)):
        if para.strip():
            if out:
                out.append("")
            out.extend(_md_lines(para))
    return out


def incident_markdown(incident: Incident, plan: Plan, *, anonymised: bool, now: datetime) -> str:
    """The report as Markdown (CommonMark with GitHub task lists for the actions)."""
    out: list[str] = []
    previous = ""
    for b in report_blocks(incident, plan, anonymised=anonymised, now=now):
        listy = b.kind in ("item", "field")
        if out and not (listy and previous in ("item", "field")):
            out.append("")
        previous = b.kind
        if b.kind == "title":
            out.append("# " + _md_escape(" ".join(_clean(b.text).split())))
        elif b.kind == "h2":
            out.append("## " + _md_escape(b.text))
        elif b.kind == "h3":
            out.append("### " + _md_escape(b.text))
        elif b.kind in ("meta", "empty"):
            out.append("*" + _md_escape(b.text) + "*")
        elif b.kind == "para":
            out.extend(_md_paragraphs(b.text))
        elif b.kind == "field":
            lines = _md_lines(b.text) or [""]
            indent = "  "
            out.append(f"- **{_md_escape(b.head)}:** {lines[0]}")
            out.extend(indent + line for line in lines[1:])
        else:  # item
            indent = "    " * b.level
            marker = {None: "- ", True: "- [x] ", False: "- [ ] "}[b.checked]
            lines = _md_lines(b.text)
            if b.head:
                lines = [f"**{_md_escape(b.head)}**" + ("\\" if lines else "")] + lines
            lines = lines or [""]
            out.append(indent + marker + lines[0])
            out.extend(indent + "  " + line for line in lines[1:])
    return "\n".join(out).rstrip() + "\n"


# -- PDF -------------------------------------------------------------------------------------------

_FAMILY = "DejaVu"
_ACCENT = (31, 95, 139)  # the app's primary colour, #1f5f8b
_GREY = (90, 90, 90)
_TEXT = (20, 20, 20)
_BODY = 10.0  # pt
_LINE = 5.0  # mm per body line
# fpdf2 replaces this alias by the number of pages everywhere on the page; not "{nb}",
# which a user could type in a note
_PAGES_ALIAS = "{pages:7c1f}"


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Code points both embedded fonts can draw."""
    from fontTools.ttLib import TTFont

    sets = []
    for path in (FONT_REGULAR, FONT_BOLD):
        with TTFont(str(path), lazy=True) as font:
            sets.append(set(font.getBestCmap()))
    return frozenset(sets[0] & sets[1])


def _pdf_text(text: str) -> str:
    covered = _covered()
    text = unicodedata.normalize("NFC", _clean(text))
    return "".join(ch if ch == "\n" or ord(ch) in covered else "\ufffd" for ch in text)


def _make_pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        running_title = ""
        confidential = ""
        page_label = ""

        def header(self) -> None:
            self.set_y(9)
            self.set_font(_FAMILY, "", 8)
            self.set_text_color(*_GREY)
            right = self.confidential
            right_w = self.get_string_width(right) + 2
            width = self.epw - right_w - 4
            title = self.running_title
            if self.get_string_width(title) > width:
                while title and self.get_string_width(title + "…") > width:
                    title = title[:-1]
                title = title.rstrip() + "…"
            self.cell(width, 5, title)
            self.set_x(self.l_margin + self.epw - right_w)
            self.cell(right_w, 5, right, align="R")
            self.set_draw_color(200, 200, 200)
            self.set_line_width(0.2)
            self.line(self.l_margin, 15, self.l_margin + self.epw, 15)
            self.set_y(self.t_margin)
            self.set_text_color(*_TEXT)

        def footer(self) -> None:
            self.set_y(-13)
            self.set_font(_FAMILY, "", 8)
            self.set_text_color(*_GREY)
            self.cell(0, 5, self.page_label.format(page=self.page_no(), pages=_PAGES_ALIAS), align="C")
            self.set_text_color(*_TEXT)

    return ReportPDF


def incident_pdf(incident: Incident, plan: Plan, *, anonymised: bool, now: datetime) -> bytes:
    """The report as an A4 PDF (bytes) with DejaVu Sans embedded."""
    blocks = report_blocks(incident, plan, anonymised=anonymised, now=now)
    title = _pdf_text(blocks[0].text).replace("\n", " ")

    pdf = _make_pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.running_title = title
    pdf.confidential = _pdf_text(_("Confidential"))
    pdf.page_label = _pdf_text(_("Page {page} of {pages}"))
    pdf.add_font(_FAMILY, "", str(FONT_REGULAR))
    pdf.add_font(_FAMILY, "B", str(FONT_BOLD))
    pdf.alias_nb_pages(_PAGES_ALIAS)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(title)
    pdf.set_creator(APP_NAME)
    pdf.set_lang(language())
    pdf.set_creation_date(now.astimezone(UTC))
    pdf.add_page()

    def space(mm: float) -> None:
        if pdf.get_y() > pdf.t_margin + 0.1:  # no gap at the top of a page
            pdf.ln(mm)

    def keep(mm: float) -> None:
        """Start a new page unless ``mm`` fit: a heading never ends a page."""
        if pdf.get_y() + mm > pdf.h - pdf.b_margin:
            pdf.add_page()

    def runs(items: Sequence[tuple[str, str]], *, size: float = _BODY, line: float = _LINE,
             indent: float = 0.0, bullet: str = "", color=_TEXT) -> None:
        left = pdf.l_margin
        pdf.set_left_margin(left + indent)
        pdf.set_x(left + indent)
        if bullet:
            pdf.set_font(_FAMILY, "", size)
            pdf.set_text_color(*color)
            pdf.set_x(left + indent - 5)
            pdf.cell(5, line, bullet)
            pdf.set_x(left + indent)
        for style, text in items:
            pdf.set_font(_FAMILY, style, size)
            pdf.set_text_color(*color)
            pdf.write(line, _pdf_text(text))
        pdf.ln(line)
        pdf.set_left_margin(left)
        pdf.set_text_color(*_TEXT)

    for b in blocks:
        if b.kind == "title":
            pdf.set_font(_FAMILY, "B", 17)
            pdf.set_text_color(*_ACCENT)
            pdf.multi_cell(0, 8, _pdf_text(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*_TEXT)
            pdf.ln(1)
        elif b.kind == "meta":
            runs([("", b.text)], size=8, line=4, color=_GREY)
            pdf.ln(3)
        elif b.kind == "h2":
            keep(22)
            space(4)
            pdf.set_font(_FAMILY, "B", 13)
            pdf.set_text_color(*_ACCENT)
            pdf.multi_cell(0, 7, _pdf_text(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
            y = pdf.get_y()
            pdf.set_draw_color(*_ACCENT)
            pdf.set_line_width(0.3)
            pdf.line(pdf.l_margin, y, pdf.l_margin + pdf.epw, y)
            pdf.set_text_color(*_TEXT)
            pdf.ln(2)
        elif b.kind == "h3":
            keep(16)
            space(2)
            pdf.set_font(_FAMILY, "B", 11)
            pdf.multi_cell(0, 6, _pdf_text(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.5)
        elif b.kind == "para":
            runs([("", b.text)])
        elif b.kind == "empty":
            runs([("", b.text)], color=_GREY)
        elif b.kind == "field":
            runs([("B", b.head + ": "), ("", b.text)])
        else:  # item
            bullet = {None: "•" if b.level == 0 else "–", True: "☑", False: "☐"}[b.checked]
            items = []
            if b.head:
                items.append(("B", b.head + ("\n" if b.text else "")))
            if b.text:
                items.append(("", b.text))
            runs(items or [("", "")], indent=6 + 6 * b.level, bullet=bullet)
            pdf.ln(0.8)
    return bytes(pdf.output())


__all__ = ["APP_NAME", "Block", "incident_markdown", "incident_pdf", "report_blocks"]
