"""Idle teams expire: a team no member's device has synced with for
``team_idle_days`` is deleted with everything the server holds of it.

Every process runs the sweep once an hour (``run``); it is one short write
transaction per expired team, and running it twice at once deletes nothing
twice. ``STAPPENPLAN_TEAM_IDLE_DAYS=0`` keeps idle teams for good.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from server import models as m
from server.context import Context
from server.hub import TeamEvent
from server.notify import send, team_event
from server.routes_team import delete_team_rows

log = logging.getLogger("stappenplan.server.housekeeping")
SWEEP_EVERY_S = 3600.0
teams = m.Team.__table__


def _idle(conn: Connection, before: datetime) -> list[str]:
    return list(conn.scalars(select(teams.c.id).where(teams.c.last_active < before)))


def _expire(conn: Connection, team_id: str, before: datetime) -> TeamEvent | None:
    # Checked again inside the write transaction: a member may have synced meanwhile.
    if conn.scalar(select(teams.c.last_active).where(teams.c.id == team_id, teams.c.last_active < before)) is None:
        return None
    event = team_event(conn, team_id, deleted=True)
    delete_team_rows(conn, team_id)
    if event is not None and conn.dialect.name == "postgresql":
        send(conn, event)
    return event


async def expire_idle_teams(ctx: Context) -> int:
    """Delete the teams idle for longer than the operator allows; returns how many."""
    days = ctx.settings.team_idle_days
    if days <= 0:
        return 0
    before = ctx.clock() - timedelta(days=days)
    expired = 0
    for team_id in await ctx.db.read(_idle, before):
        event = await ctx.db.write(_expire, team_id, before)
        if event is not None:
            ctx.publish(event)
            expired += 1
    if expired:
        log.info("expired %d idle team(s)", expired)
    return expired


async def run(ctx: Context) -> None:
    while True:
        try:
            await expire_idle_teams(ctx)
        except Exception as exc:  # the next sweep tries again
            log.warning("idle-team sweep failed: %s", type(exc).__name__)
        await asyncio.sleep(SWEEP_EVERY_S)
