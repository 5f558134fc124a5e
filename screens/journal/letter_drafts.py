"""Letters being written: kept while the user is away, and asked about before they are left.

A letter's editor keeps its text here on every edit (:class:`LetterDrafts`,
one per session, held by the ``JournalSession``).  So a letter survives the
screen being drawn again, the journal locking itself (idle, or the app sent
to the background to look something up) and unlocking: the editor comes back
with the text as it was.  Leaving the editor with edits that are not kept
-- the back arrow, the system's back, a link or the browser's address bar --
first asks "Wijzigingen bewaren?" (``leave_letter.ask_before_leaving``): *Bewaren*
keeps the letter as a draft for this session, *Weggooien* returns to the last
kept version, *Verder schrijven* stays.

Drafts live in the app's memory only, never on disk: a letter about pupils
is not written anywhere unencrypted, and the encrypted journal keeps a
letter once it is marked as sent.  While the journal is locked nothing of a
draft is on screen (its editor is behind the unlock form); wiping the
journal, starting over or closing the app forgets every draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from letters.review import Release


@dataclass(frozen=True)
class Draft:
    """A letter as the editor holds it: the text and the places the user released."""

    subject: str
    body: str
    releases: tuple["Release", ...] = ()


class LetterDrafts:
    """The letters of this session by the editor's route: the text on screen (``working``)
    and the version last kept (``kept``, or the letter as first filled in)."""

    def __init__(self) -> None:
        self._start: dict[str, Draft] = {}
        self._kept: dict[str, Draft] = {}
        self._working: dict[str, Draft] = {}

    def open(self, route: str, filled: Draft) -> Draft:
        """What the editor of ``route`` shows: the text as last left, else the kept draft, else
        ``filled`` (the letter as the template fills it today)."""
        if route not in self._working and route not in self._kept:
            self._start[route] = filled
        return self._working.get(route) or self._kept.get(route) or self._start[route]

    def kept(self, route: str) -> Optional[Draft]:
        return self._kept.get(route)

    def edit(self, route: str, draft: Draft) -> None:
        self._working[route] = draft

    def unsaved(self, route: str) -> bool:
        """Whether the letter of ``route`` holds edits that are not kept."""
        working = self._working.get(route)
        return working is not None and working != (self._kept.get(route) or self._start.get(route))

    def keep(self, route: str) -> None:
        if route in self._working:
            self._kept[route] = self._working.pop(route)

    def discard(self, route: str) -> None:
        """Back to the last kept version (or the letter as filled in)."""
        self._working.pop(route, None)

    def forget(self, route: str) -> None:
        """The letter is done (sent) or started afresh: nothing of it is kept."""
        for drafts in (self._start, self._kept, self._working):
            drafts.pop(route, None)

    def clear(self) -> None:
        for drafts in (self._start, self._kept, self._working):
            drafts.clear()


__all__ = ["Draft", "LetterDrafts"]
