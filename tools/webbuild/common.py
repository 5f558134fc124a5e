"""What every step of the web build shares: paths, the error it raises, small file helpers."""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flet_web  # noqa: E402

FLET_WEB = Path(flet_web.__file__).parent / "web"
WEB_TOOLS = ROOT / "tools" / "web"
DEFAULT_OUT = ROOT / "build" / "web"


class BuildError(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, flush=True)


def normalise_base_path(base_path: str) -> str:
    parts = [p for p in base_path.strip().split("/") if p]
    for p in parts:
        if p in (".", "..") or not re.fullmatch(r"[A-Za-z0-9._~!$&'()*+,;=:@%-]+", p):
            raise BuildError(f"invalid base path segment: {p!r}")
    return "/" + "".join(f"{p}/" for p in parts)


def sha256_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def replace_once(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        raise BuildError(f"cannot patch {what}: Flet's file changed (expected one {old[:60]!r})")
    return text.replace(old, new, 1)


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def tree_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in files_under(directory))
