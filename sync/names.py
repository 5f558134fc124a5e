"""What a name may hold: display names, roles and device labels (pure Python).

Members see each other by these names, so a name must show what it is:
no control characters (NUL included), no format characters (bidi overrides
and isolates, zero-width spaces and joiners, the byte order mark, soft
hyphens), no line or paragraph separators, no surrogates or private-use
characters, and not only spaces. The server refuses such a name (400 naming
the field, ``server.schemas``); a client can check before it sends.
"""

from __future__ import annotations

import unicodedata
from typing import Optional

#: Unicode general categories a name may not contain (control, format, surrogate,
#: private use, line and paragraph separators).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def name_problem(value: str) -> Optional[str]:
    """Why ``value`` cannot be a name, or ``None`` if it can."""
    if not value.strip():
        return "empty"
    for char in value:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return f"U+{ord(char):04X} is not allowed"
    return None


__all__ = ["REFUSED_CATEGORIES", "name_problem"]
