"""Settings from the environment (``tools/serve`` and ``docs/team-server.md`` list them).

The protocol's own bounds (record sizes, rates, stream timings) are in
``sync/limits.py``; what is here is the operator's: where the data lives,
how much of it the server takes, how long idle teams are kept, who may
create a team, whose ``X-Forwarded-For`` is believed, and how many
connections and database connections one process holds.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024

# Defaults (docs/team-server.md explains each).
TEAM_QUOTA_MIB = 256  # a whole journal's worth of shared incidents, a few times over
SERVER_QUOTA_MIB = 20 * 1024
TEAM_IDLE_DAYS = 400  # a school year and a bit without any member's device syncing
HEADER_TIMEOUT_S = 10.0  # from connecting (or the end of the last answer) to a complete request head
BODY_TIMEOUT_S = 60.0  # from the request head to the end of its body (8 MiB at ~1 Mbit/s)
MAX_CONNECTIONS = 4096  # per process; streams are held within it, requests get the headroom
REQUEST_HEADROOM = 512  # connections kept free of streams, for requests
DB_CONNECTIONS = 8  # per process on PostgreSQL: the database pool and the threads that use it, one to one


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    web_dir: Path  # the static web app (tools/build_web.py); not served if missing
    host: str = "127.0.0.1"
    port: int = 8800
    workers: int = 1
    team_quota_bytes: int = TEAM_QUOTA_MIB * MIB
    server_quota_bytes: int = SERVER_QUOTA_MIB * MIB
    team_idle_days: int = TEAM_IDLE_DAYS  # 0: idle teams are kept for good
    signup_code: str = ""  # "": anyone who reaches the server may create a team
    trusted_proxies: tuple[str, ...] = ()  # addresses whose X-Forwarded-For is believed
    header_timeout_s: float = HEADER_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S
    max_connections: int = MAX_CONNECTIONS
    db_connections: int = DB_CONNECTIONS

    @property
    def max_streams(self) -> int:
        """Event streams one process holds; past it a stream is refused (503) and the device polls."""
        return max(1, self.max_connections - REQUEST_HEADROOM)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Settings":
        data_dir = Path(env.get("STAPPENPLAN_SERVER_DATA", "./server-data")).resolve()
        url = env.get("DATABASE_URL", "").strip()
        if not url:
            url = f"sqlite:///{data_dir / 'team-server.sqlite3'}"

        def number(name: str, default, kind=int):
            return kind(env.get(name, "").strip() or default)

        return cls(
            database_url=normalise_database_url(url),
            data_dir=data_dir,
            web_dir=Path(env.get("STAPPENPLAN_SERVER_WEB", str(ROOT / "build" / "web"))).resolve(),
            host=env.get("STAPPENPLAN_SERVER_HOST", "127.0.0.1"),
            port=number("STAPPENPLAN_SERVER_PORT", 8800),
            workers=number("STAPPENPLAN_SERVER_WORKERS", 1),
            team_quota_bytes=int(number("STAPPENPLAN_TEAM_QUOTA_MIB", TEAM_QUOTA_MIB, float) * MIB),
            server_quota_bytes=int(number("STAPPENPLAN_SERVER_QUOTA_MIB", SERVER_QUOTA_MIB, float) * MIB),
            team_idle_days=number("STAPPENPLAN_TEAM_IDLE_DAYS", TEAM_IDLE_DAYS),
            signup_code=env.get("STAPPENPLAN_SIGNUP_CODE", "").strip(),
            trusted_proxies=parse_proxies(env.get("STAPPENPLAN_TRUSTED_PROXIES", "")),
            header_timeout_s=number("STAPPENPLAN_HEADER_TIMEOUT_S", HEADER_TIMEOUT_S, float),
            body_timeout_s=number("STAPPENPLAN_BODY_TIMEOUT_S", BODY_TIMEOUT_S, float),
            max_connections=number("STAPPENPLAN_MAX_CONNECTIONS", MAX_CONNECTIONS),
            db_connections=number("STAPPENPLAN_DB_CONNECTIONS", DB_CONNECTIONS),
        )


def parse_proxies(value: str) -> tuple[str, ...]:
    """``"10.0.0.5, 192.168.1.0/24"`` → each checked as an address or network."""
    out = []
    for item in value.replace(",", " ").split():
        ipaddress.ip_network(item, strict=False)  # ValueError for anything else
        out.append(item)
    return tuple(out)


def normalise_database_url(url: str) -> str:
    """``postgresql://`` (what hosts hand out) means psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")):
        return url
    raise ValueError("DATABASE_URL must be postgresql://... (or sqlite:///path)")
