"""Text helpers shared by the report's parts: times, content text, control characters."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

from content.opening_hours import AMSTERDAM
from words.formatting import clock, long_date
from words.i18n import _

UTC = timezone.utc

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def when(moment: datetime) -> str:
    """'3 november 2026 om 14:05' (Amsterdam): absolute, because a report is read later."""
    local = moment.astimezone(UTC).astimezone(AMSTERDAM)
    return _("{date} at {time}").format(date=long_date(local.date().isoformat()), time=clock(moment))


def utc_key(moment: datetime) -> datetime:
    """Times that share a tzinfo compare by wall clock in Python; sort by the instant."""
    return moment.astimezone(UTC)


def plain(content_text: str) -> str:
    """Content text (which may use **bold** and [label](url)) as plain text."""
    return " ".join(_LINK.sub(r"\1", content_text).replace("**", "").split())


def clean(text: str) -> str:
    """Line breaks normalised, tabs as spaces, other control characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs"))
