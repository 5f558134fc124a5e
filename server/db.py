"""Database access: engines for SQLite and PostgreSQL, transactions, migrations.

The service keeps no state in its processes: everything that must be
consistent goes through database transactions.

* **Per-team sequence.** A push locks its team's row (``SELECT ... FOR
  UPDATE`` on PostgreSQL) and gives out ``head_seq + 1 ...`` in the same
  transaction as the inserts; the lock is held until commit, so pushes to
  one team are serialised across processes and readers never see a gap.
  On SQLite, write transactions start with ``BEGIN IMMEDIATE``, which takes
  the database's write lock at once (one writer at a time, across processes).
* **Migrations** run on start inside one transaction that holds a lock
  (PostgreSQL: an advisory lock; SQLite: the write lock), so several
  processes starting together migrate once.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x5350_5445_414D  # "SPTEAM": PostgreSQL advisory lock key


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=8)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged push survives a power cut
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            write = connection.get_execution_options().get("write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def transaction(engine: Engine, write: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    bind = engine.execution_options(write=True) if write else engine
    with Session(bind=bind, expire_on_commit=False) as session:
        with session.begin():
            yield session


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.execution_options(write=True).begin() as connection:
        if is_postgres(engine):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
