"""Database access: engines, one transaction per request, migrations.

The service keeps no state in its processes that must be consistent:
everything that must be goes through database transactions.

* **One transaction per request, one thread hop.** A route hands one plain
  function (SQLAlchemy Core on a ``Connection``) to ``Database.read`` or
  ``Database.write``; it runs in a worker thread inside one transaction,
  the token check included. Worker threads and pooled connections are
  sized to each other (``db_connections``), so no thread waits for a
  connection and no connection idles for want of a thread.
* **SQLite: one writer in the process.** Write transactions queue for a
  single writer slot on the event loop (an ``anyio.CapacityLimiter`` of 1),
  so they never wait in SQLite's sleeping busy handler; they start with
  ``BEGIN IMMEDIATE`` (across processes SQLite's write lock still holds,
  with the busy timeout as the fallback). Reads run beside them (WAL).
* **PostgreSQL: the team's row lock.** A push locks its team's row (``FOR
  UPDATE``) and numbers its records in the same transaction, so pushes to
  one team are serialised across processes and readers never see a gap.
  Pulls read in one ``REPEATABLE READ`` snapshot. No pre-ping: a pooled
  connection that turns out dropped fails its first statement, and the
  transaction is run once more on a fresh connection.
* **Migrations** run on start inside one transaction that holds a lock
  (PostgreSQL: an advisory lock; SQLite: the write lock), so several
  processes starting together migrate once.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Callable, TypeVar

import anyio
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x5350_5445_414D  # "SPTEAM": PostgreSQL advisory lock key
SQLITE_BUSY_TIMEOUT_MS = 30_000  # only other processes on the same file can make a writer wait

T = TypeVar("T")
log = logging.getLogger("stappenplan.server.db")


def make_engine(url: str, connections: int = 8) -> Engine:
    # hide_parameters: a database error never carries ids, token hashes or names into a log.
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                               pool_size=connections + 1, max_overflow=0, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged push survives a power cut
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            write = connection.get_execution_options().get("write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_size=connections, max_overflow=0, pool_pre_ping=False, hide_parameters=True)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class Database:
    """Runs one transaction per call in a worker thread (see the module's doc)."""

    def __init__(self, engine: Engine, connections: int = 8) -> None:
        self.engine = engine
        self.postgres = is_postgres(engine)
        self.connections = connections
        self._readers: anyio.CapacityLimiter | None = None
        self._writers: anyio.CapacityLimiter | None = None

    def _limiters(self) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
        # Made on first use: a limiter belongs to the event loop that runs the app.
        if self._readers is None:
            self._readers = anyio.CapacityLimiter(self.connections)
            self._writers = self._readers if self.postgres else anyio.CapacityLimiter(1)
        return self._readers, self._writers

    async def read(self, work: Callable[..., T], *args) -> T:
        return await anyio.to_thread.run_sync(partial(self.run, work, False, *args), limiter=self._limiters()[0])

    async def write(self, work: Callable[..., T], *args) -> T:
        return await anyio.to_thread.run_sync(partial(self.run, work, True, *args), limiter=self._limiters()[1])

    def run(self, work: Callable[..., T], write: bool, *args) -> T:
        """``work(connection, *args)`` in one transaction (in the calling thread)."""
        options = {"write": True} if write else ({"isolation_level": "REPEATABLE READ"} if self.postgres else {})
        for attempt in (1, 2):
            try:
                with self.engine.connect().execution_options(**options) as conn, conn.begin():
                    return work(conn, *args)
            except DBAPIError as exc:
                if attempt == 1 and exc.connection_invalidated:
                    log.warning("database connection dropped; trying once more on a new one")
                    continue
                raise
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.execution_options(write=True).begin() as connection:
        if is_postgres(engine):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


__all__ = ["Connection", "Database", "is_postgres", "make_engine", "migrate"]
