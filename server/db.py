"""Database access: engines, one transaction per request, migrations.

The service keeps no state in its processes that must be consistent:
everything that must be goes through database transactions.

* **One transaction per request.** A route hands one plain function
  (SQLAlchemy Core on a ``Connection``) to ``Database.read`` or
  ``Database.write``; it runs inside one transaction, the token check
  included.
* **SQLite: on the event loop.** A transaction on the local file (the
  token check and a few statements, then a commit of a few pages) costs
  less CPU than handing it to a thread and back, so it runs where the
  request is. That also serialises the writes in the process, without a
  lock: they never wait in SQLite's sleeping busy handler. Writes start
  with ``BEGIN IMMEDIATE`` (should another process hold the file's write
  lock, the busy timeout is the fallback). The price is that the loop waits
  for a commit's ``fsync``; a server that needs more than one process's
  worth of pushes runs on PostgreSQL.
* **PostgreSQL: worker threads sized to the pool.** Every transaction runs
  in one of ``db_connections`` threads, as many as pooled connections, so
  no thread waits for a connection and no connection idles for want of a
  thread.
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

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Callable, TypeVar

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
            # Straight to the driver: the statement needs none of SQLAlchemy's execution machinery.
            write = connection.get_execution_options().get("write", False)
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_size=connections, max_overflow=0, pool_pre_ping=False, hide_parameters=True)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class Database:
    """Runs one transaction per call: SQLite's on the event loop, PostgreSQL's in a worker
    thread (see the module's doc)."""

    def __init__(self, engine: Engine, connections: int = 8) -> None:
        self.engine = engine
        self.postgres = is_postgres(engine)
        self._workers = ThreadPoolExecutor(connections, thread_name_prefix="database") if self.postgres else None

    async def read(self, work: Callable[..., T], *args) -> T:
        return await self._transact(work, False, *args)

    async def write(self, work: Callable[..., T], *args) -> T:
        return await self._transact(work, True, *args)

    async def _transact(self, work: Callable[..., T], write: bool, *args) -> T:
        if self._workers is None:
            return self.run(work, write, *args)
        return await asyncio.get_running_loop().run_in_executor(self._workers, partial(self.run, work, write, *args))

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
        if self._workers is not None:
            self._workers.shutdown()
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
