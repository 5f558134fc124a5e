"""The push ids a member sent last, so that a push sent again appends nothing.

A retry after a lost answer repeats the member's newest push; the server
remembers each member's newest ``PUSH_IDS_KEPT`` pushes (id, first sequence
number, record count) in the member's own row (``members.recent_pushes``),
which the push reads with the token check and writes back with ``last_seen``
— no table, no extra statement. Only the member's own pushes are looked at,
so nobody can claim another member's push id.

The stored form is ``id:first:count`` entries, oldest first, separated by
spaces; ids are 32 lowercase hex characters (``sync.limits.ID_PATTERN``).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from sync.limits import PUSH_IDS_KEPT


class Remembered(NamedTuple):
    first_seq: int
    count: int


def find(recent: str, push_id: str) -> Optional[Remembered]:
    """The earlier push with this id, if the member sent one lately."""
    prefix = push_id + ":"
    for entry in recent.split():
        if entry.startswith(prefix):
            _, first, count = entry.split(":")
            return Remembered(int(first), int(count))
    return None


def remember(recent: str, push_id: str, first_seq: int, count: int) -> str:
    """``recent`` with this push as the newest, and only the newest ``PUSH_IDS_KEPT``."""
    return " ".join([*recent.split(), f"{push_id}:{first_seq}:{count}"][-PUSH_IDS_KEPT:])
