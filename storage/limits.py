"""Every limit of the journal, declared once.

The writer refuses what the reader would refuse, so a journal the app wrote
always opens again: both import their bounds from here.  The limits are
generous for people and tight for a hostile file.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: Decoded body of a journal or backup (also the zlib "bomb" guard).
MAX_BODY_PLAINTEXT = 256 * 1024 * 1024

#: A file offered for import: the largest body plus header and tag, no more.
MAX_IMPORT_FILE = MAX_BODY_PLAINTEXT + 1024

#: Short texts (titles, names, roles) and long texts (notes, summaries).
MAX_SHORT = 500
MAX_TEXT = 100_000

#: Entries in any one list or map of a record (notes, ticks, answers ...).
MAX_ITEMS = 10_000

#: The largest record the journal shares with a team: an incident's canonical
#: JSON (``Journal.outbox``), in bytes.  The team protocol's record limit is
#: derived from it (``sync.limits``), so whatever a shared incident can hold
#: can be sent; a save that would make a shared incident larger is refused
#: (``TooLargeToShareError``).  Six notes of 100,000 characters fit even at
#: four bytes a character.
MAX_SHARED_RECORD = 4 * 1024 * 1024 - 512

#: Incidents (and policy items) in one journal.
MAX_RECORDS = 100_000

#: Every time in the journal lies in this window, so no date arithmetic of
#: any screen (months added for retention, "in 3 days") can overflow.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)

#: A stamp from another device (backup, team) may be this far ahead of the
#: local clock; a record with a later stamp is refused on import (a device
#: whose clock is far off must not win every merge from then on).
FUTURE_TOLERANCE = timedelta(days=1)

#: The revision counter of an incident (a local edit count, never imported).
MAX_REVISION = 2**31 - 1

__all__ = [
    "EARLIEST",
    "FUTURE_TOLERANCE",
    "LATEST",
    "MAX_BODY_PLAINTEXT",
    "MAX_IMPORT_FILE",
    "MAX_ITEMS",
    "MAX_RECORDS",
    "MAX_SHARED_RECORD",
    "MAX_REVISION",
    "MAX_SHORT",
    "MAX_TEXT",
]
