"""The report as Markdown: CommonMark with GitHub task lists for the actions.

Everything a user typed is escaped, so a note cannot turn into a heading, a
list or a link.
"""

from __future__ import annotations

import re
from datetime import datetime

from content.model import Plan
from report.blocks import Kind
from report.sections import report_blocks
from report.text import clean
from storage.incidents import Incident

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


def _md_lines(text: str) -> list[str]:
    """Non-empty lines, escaped, joined by hard line breaks (a backslash at the end)."""
    lines = [_md_escape(line) for line in clean(text).split("\n") if line.strip()]
    return [line + "\\" for line in lines[:-1]] + lines[-1:]


def incident_markdown(incident: Incident, plan: Plan, *, anonymised: bool, now: datetime) -> str:
    """The report as Markdown (CommonMark with GitHub task lists for the actions)."""
    out: list[str] = []
    previous = ""
    for b in report_blocks(incident, plan, anonymised=anonymised, now=now):
        listy = b.kind in (Kind.ITEM, Kind.FIELD)
        if out and not (listy and previous in (Kind.ITEM, Kind.FIELD)):
            out.append("")
        previous = b.kind
        if b.kind is Kind.TITLE:
            out.append("# " + _md_escape(" ".join(clean(b.text).split())))
        elif b.kind is Kind.H2:
            out.append("## " + _md_escape(b.text))
        elif b.kind is Kind.H3:
            out.append("### " + _md_escape(b.text))
        elif b.kind in (Kind.META, Kind.EMPTY):
            out.append("*" + _md_escape(b.text) + "*")
        elif b.kind is Kind.FIELD:
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
