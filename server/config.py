"""Settings from the environment (``tools/serve`` and ``docs/team-server.md`` list them)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    web_dir: Path  # the static web app (tools/build_web.py); not served if missing
    host: str = "127.0.0.1"
    port: int = 8800
    workers: int = 1

    @classmethod
    def from_env(cls, env: "os._Environ[str] | dict[str, str]" = os.environ) -> "Settings":
        data_dir = Path(env.get("STAPPENPLAN_SERVER_DATA", "./server-data")).resolve()
        url = env.get("DATABASE_URL", "").strip()
        if not url:
            url = f"sqlite:///{data_dir / 'team-server.sqlite3'}"
        return cls(
            database_url=normalise_database_url(url),
            data_dir=data_dir,
            web_dir=Path(env.get("STAPPENPLAN_SERVER_WEB", str(ROOT / "build" / "web"))).resolve(),
            host=env.get("STAPPENPLAN_SERVER_HOST", "127.0.0.1"),
            port=int(env.get("STAPPENPLAN_SERVER_PORT", "8800")),
            workers=int(env.get("STAPPENPLAN_SERVER_WORKERS", "1")),
        )


def normalise_database_url(url: str) -> str:
    """``postgresql://`` (what hosts hand out) means psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")):
        return url
    raise ValueError("DATABASE_URL must be postgresql://... (or sqlite:///path)")
