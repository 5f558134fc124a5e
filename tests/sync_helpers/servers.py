"""Team servers for the tests: in-process (ASGI) and as real processes.

* ``InProcess`` — ``create_app`` on a SQLite file (or a PostgreSQL
  database), reached through ``httpx.ASGITransport``: fast, and the test can
  set the server's clock and limits.
* ``ServerProcess`` — ``python -m server`` exactly as ``tools/serve`` starts
  it, on a free port, its log in a file (to look for plaintext).
* ``postgres_database`` — a fresh database in the cluster ``tools/test``
  started (``STAPPENPLAN_TEST_DATABASE_URL``); outside ``tools/test``
  without a cluster the test is skipped and says why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Optional

import httpx
import pytest

from server.app import create_app
from server.config import Settings, normalise_database_url
from server.ratelimit import Limiters, RateLimiter
from sync.client import TeamClient
from sync.native import HttpxTransport, NativeSyncCrypto

ROOT = Path(__file__).resolve().parent.parent.parent
FAST_INVITES = 1_000  # PBKDF2 iterations for invites in tests (the protocol's 600,000 once, in its own test)


class Clock:
    """A server clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def generous_limiters() -> Limiters:
    return Limiters(*(RateLimiter(10_000, 60) for _ in range(5)))


class InProcess:
    def __init__(self, database_url: str, limiters: Optional[Limiters] = None, web_dir: Optional[Path] = None,
                 **settings) -> None:
        self.clock = Clock()
        settings = Settings(database_url=normalise_database_url(database_url), data_dir=Path("."),
                            web_dir=web_dir or Path("/nonexistent"), **settings)
        self.app = create_app(settings, limiters=limiters or generous_limiters(), clock=self.clock)
        self.context = self.app.state.context
        self.engine = self.context.db.engine

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://team.test")

    def client(self, iterations: int = FAST_INVITES) -> TeamClient:
        return TeamClient(HttpxTransport("http://team.test", self.http()), NativeSyncCrypto(),
                          invite_iterations=iterations)

    def close(self) -> None:
        self.engine.dispose()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``python -m server`` with its own data folder (and ``DATABASE_URL`` if given)."""

    def __init__(self, data_dir: Path, database_url: Optional[str] = None, workers: int = 1,
                 port: Optional[int] = None, web_dir: Optional[Path] = None,
                 env: Optional[dict[str, str]] = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"{data_dir.name}-server-{self.port}.log"
        extra_env, env = env, {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(STAPPENPLAN_SERVER_DATA=str(data_dir), STAPPENPLAN_SERVER_PORT=str(self.port),
                   STAPPENPLAN_SERVER_WORKERS=str(workers),
                   STAPPENPLAN_SERVER_WEB=str(web_dir or data_dir / "no-web-app"))
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update(extra_env or {})
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "server"], cwd=ROOT, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not start")

    def client(self, iterations: int = FAST_INVITES) -> TeamClient:
        return TeamClient(HttpxTransport(self.url), NativeSyncCrypto(), invite_iterations=iterations)

    def log_text(self) -> bytes:
        self._log.flush()
        return self.log_path.read_bytes()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def postgres_cluster_url() -> str:
    url = os.environ.get("STAPPENPLAN_TEST_DATABASE_URL", "")
    if not url:
        if os.environ.get("STAPPENPLAN_REQUIRE_POSTGRES"):
            pytest.fail("STAPPENPLAN_REQUIRE_POSTGRES is set but STAPPENPLAN_TEST_DATABASE_URL is not")
        reason = ("no PostgreSQL cluster: run through tools/test (it starts one), or set "
                  "STAPPENPLAN_TEST_DATABASE_URL=postgresql://user@host:port/db")
        print(f"SKIPPED: {reason}", file=sys.stderr)
        pytest.skip(reason)
    return url


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty database in the test cluster; dropped afterwards."""
    import psycopg

    cluster = postgres_cluster_url()
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    try:
        yield cluster.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(cluster, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
