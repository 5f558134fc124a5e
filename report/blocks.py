"""The pieces a report is made of; ``report.sections`` makes them, ``report.markdown`` and ``report.pdf`` render them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Optional


class Kind(StrEnum):
    TITLE = "title"
    META = "meta"  # the line under the title: when, by what, confidential
    H2 = "h2"  # a section
    H3 = "h3"  # a step within "actions per step"
    PARA = "para"
    EMPTY = "empty"  # a grey remark such as "none recorded"
    FIELD = "field"  # ``head``: ``text`` as one line
    ITEM = "item"  # a list item at ``level``: an optional bold ``head`` line and ``text`` lines below it


@dataclass(frozen=True)
class Block:
    """One piece of the report; ``checked`` True/False makes an item a checklist item."""

    kind: Kind
    text: str = ""
    head: str = ""
    level: int = 0
    checked: Optional[bool] = None

