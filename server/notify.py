"""PostgreSQL LISTEN/NOTIFY between server processes.

A transaction that changes a team's state sends ``pg_notify`` (delivered at
commit, not before, and not at all on rollback). Each process holds one
listening connection (``Listener``) and hands every notification to its
hub. When that connection drops, the listener connects again (backoff with
jitter) and then re-reads the state of every team with an open stream here,
so nothing published meanwhile is missed.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Awaitable, Callable

import psycopg
from sqlalchemy import Connection, Engine, select, text

from server import models as m
from server.hub import CHANNEL, Hub, TeamEvent

log = logging.getLogger("stappenplan.server.notify")
RETRY_MIN_S, RETRY_MAX_S = 0.5, 30.0


def send(conn: Connection, event: TeamEvent) -> None:
    """Inside a write transaction: tell every process at commit."""
    conn.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": event.to_notify()})


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    def __init__(self, engine: Engine, hub: Hub, resync: Callable[[list[str]], Awaitable[None]]) -> None:
        self._dsn = conninfo(engine)
        self._hub = hub
        self._resync = resync
        self._task: asyncio.Task | None = None
        self.ready = asyncio.Event()  # set while LISTEN is in place

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        delay = RETRY_MIN_S
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    if not first:
                        await self._resync(self._hub.teams())
                    first, delay = False, RETRY_MIN_S
                    async for note in conn.notifies():
                        event = TeamEvent.from_notify(note.payload)
                        if event is not None:
                            self._hub.publish(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dropped connection, PostgreSQL restarting: try again
                log.warning("team events: listening connection lost (%s); reconnecting", type(exc).__name__)
            self.ready.clear()
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(RETRY_MAX_S, delay * 2)


def team_event(conn: Connection, team_id: str, deleted: bool = False) -> TeamEvent | None:
    """The team's state as a stream tells it, read inside the current transaction."""
    teams = m.Team.__table__
    row = conn.execute(select(teams.c.head_seq, teams.c.key_version, teams.c.rotation_needed, teams.c.roster)
                       .where(teams.c.id == team_id)).first()
    if row is None:
        return None
    return TeamEvent(team_id, row.head_seq, row.key_version, row.rotation_needed, row.roster, deleted)


def announce(conn: Connection, team_id: str, deleted: bool = False) -> TeamEvent | None:
    """Inside a write transaction that changed the team: its new state, and on
    PostgreSQL a NOTIFY of it to every process at commit. Publish the returned
    event to this process's hub after the commit."""
    event = team_event(conn, team_id, deleted)
    if event is not None and conn.dialect.name == "postgresql":
        send(conn, event)
    return event
