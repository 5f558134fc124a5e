"""``create_app``: the API, the event streams, the web app and the middleware in one ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timezone
from typing import Callable, Optional

from fastapi import FastAPI, Request
from sqlalchemy import Connection, Engine

from server import housekeeping, routes_changes, routes_events, routes_invites, routes_team
from server.auth import caller
from server.config import Settings
from server.context import Context
from server.db import Database, make_engine, migrate
from server.errors import ApiError, install_error_handlers, without_validation_422
from server.notify import Listener, team_event
from server.ratelimit import Limiters
from server.schemas import Health
from server.site import Site, static_site

log = logging.getLogger("stappenplan.server")
PROTOCOL_VERSION = 1


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _caller_only(conn: Connection, hashed: bytes) -> None:
    caller(conn, hashed)


def _states(conn: Connection, team_ids: list[str]) -> list:
    return [e for e in (team_event(conn, t) for t in team_ids) if e is not None]


def create_app(
    settings: Settings,
    *,
    engine: Optional[Engine] = None,
    limiters: Optional[Limiters] = None,
    clock: Callable[[], datetime] = _utc_now,
    run_migrations: bool = True,
) -> FastAPI:
    engine = engine or make_engine(settings.database_url, settings.db_connections)
    if run_migrations:
        migrate(engine)
    ctx = Context(settings, Database(engine, settings.db_connections), limiters or Limiters.from_limits(), clock)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        async def resync(team_ids: list[str]) -> None:
            for event in await ctx.db.read(_states, team_ids):
                ctx.publish(event)

        listener = Listener(engine, ctx.hub, resync) if ctx.db.postgres else None
        if listener is not None:
            listener.start()
        sweeper = asyncio.ensure_future(housekeeping.run(ctx))
        yield
        sweeper.cancel()
        if listener is not None:
            await listener.stop()

    app = FastAPI(title="Stappenplan team server", version=str(PROTOCOL_VERSION), docs_url=None,
                  redoc_url=None, openapi_url="/api/v1/openapi.json", redirect_slashes=False, lifespan=lifespan)
    app.state.context = ctx
    install_error_handlers(app)

    @app.get("/api/v1/health", response_model=Health)
    async def health() -> dict:
        return {"status": "ok", "protocol": PROTOCOL_VERSION}

    for module in (routes_changes, routes_events, routes_team, routes_invites):
        app.include_router(module.router)
    without_validation_422(app)

    if settings.web_dir.is_dir():
        app.mount("/", static_site(settings.web_dir), name="web")
    else:
        log.warning("no web app at the configured folder: serving the API only (build it with tools/build_web.py)")

    async def authorize(scope) -> Optional[tuple[int, str, str]]:
        try:
            await ctx.reading(Request(scope), _caller_only)
        except ApiError as exc:
            return exc.status, exc.code, exc.message
        return None

    app.add_middleware(Site, body_timeout_s=settings.body_timeout_s, authorize=authorize)
    return app
