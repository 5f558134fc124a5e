"""Content compiled at build time, refused when its sources changed.

At every start the app would otherwise parse and check its YAML files and
work out the Dutch public holidays with the ``holidays`` library; in the
browser (pure-Python YAML parser, no C speed-ups) that costs seconds on a
phone.  The web build (``tools/webbuild/app_package.py``) does that work
once and writes the result into the app package as ``content/compiled/NAME.pickle``,
headed by a key: a hash over every file the result was made from (the YAML
file and the model's code, or the holiday rules and the library's files).

At start ``load`` returns the compiled value only if the key matches the
files the app has now; otherwise (content edited after the build, a library
updated, files missing) it returns None and the caller works the value out
from the sources, as it does when there is no compiled form at all (the
desktop app and the server mode).  A stale file is never used.  The pickles
come from the build, next to the code they belong to: they are no outside data.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any, Iterable, Optional

COMPILED_DIR = Path(__file__).resolve().parent / "compiled"
_MISSING = b"\0missing\0"


def key(sources: Iterable[Path]) -> str:
    """A hash over the sources' names and bytes (a missing file counts as such)."""
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(_MISSING)
    return digest.hexdigest()


def load(name: str, sources: Iterable[Path], directory: Optional[Path] = None) -> Optional[Any]:
    """The value compiled from ``sources``, or None if there is none or it is stale."""
    try:
        data = ((directory or COMPILED_DIR) / f"{name}.pickle").read_bytes()
    except OSError:
        return None
    stored, _, payload = data.partition(b"\n")
    if stored.decode("ascii", "replace") != key(sources):
        return None
    return pickle.loads(payload)


def dump(name: str, sources: Iterable[Path], value: Any, directory: Path) -> Path:
    """Write ``value`` compiled from ``sources`` (the build calls this)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.pickle"
    path.write_bytes(key(sources).encode("ascii") + b"\n" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return path
