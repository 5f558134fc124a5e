"""Compaction: the log keeps what a member needs to converge, and no more.

A row of the log (one pushed version of one record) is **superseded**, and
deleted, when a later row of the same team and record id

* was pushed by the same member under the same key version — a device's
  later version of a record holds everything its earlier one held, because
  every push carries the whole record as the device's journal has it (merged,
  field stamps and open alternatives included, ``storage.journal.outbox``),
  and a device's copy of a record only ever grows under the merge; or
* is a tombstone, and the row is not — deletion wins in every journal,
  whatever versions arrive before or after it.

What stays is, per record, the newest version of each member who pushed it
(per key version) and the tombstones: merging those gives what merging the
whole history gave (the merge is a join: commutative, associative,
idempotent). No member's push can make the server forget another member's
version. ``PROTOCOL.md`` ("What the server keeps") says the same for readers
of the protocol. A push compacts its own records inside its own transaction,
so a crash keeps either the old rows or the new ones, never neither.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, and_, bindparam, delete, exists, or_

from server import models as m

TOMBSTONE = "tombstone"
changes = m.Change.__table__


def superseded(row=changes):
    """SQL: a later row of the same record supersedes ``row`` (see the module's doc)."""
    newer = changes.alias("newer")
    return exists().where(
        newer.c.team_id == row.c.team_id,
        newer.c.record_id == row.c.record_id,
        newer.c.seq > row.c.seq,
        or_(
            and_(newer.c.author_id == row.c.author_id, newer.c.key_version == row.c.key_version),
            and_(newer.c.kind == TOMBSTONE, row.c.kind != TOMBSTONE),
        ),
    )


_COMPACT = delete(changes).where(
    changes.c.team_id == bindparam("team"), changes.c.record_id.in_(bindparam("ids", expanding=True)), superseded()
).returning(changes.c.size)


def compact_records(conn: Connection, team_id: str, record_ids: Iterable[str]) -> int:
    """Delete the rows of these records that later rows supersede; returns the bytes freed."""
    return sum(conn.execute(_COMPACT, {"team": team_id, "ids": sorted(set(record_ids))}).scalars())

