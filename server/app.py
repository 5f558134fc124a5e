"""``create_app``: the API, the web app and the middleware in one ASGI app."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Callable, Optional

from fastapi import FastAPI
from sqlalchemy import Engine

from server import api
from server.config import Settings
from server.db import make_engine, migrate
from server.site import AccessLog, BodyLimit, SiteHeaders, static_site

log = logging.getLogger("stappenplan.server")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def create_app(
    settings: Settings,
    *,
    engine: Optional[Engine] = None,
    limiters: Optional[api.Limiters] = None,
    clock: Callable[[], datetime] = _utc_now,
    run_migrations: bool = True,
) -> FastAPI:
    engine = engine or make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    app = FastAPI(title="Stappenplan team server", version=str(api.PROTOCOL_VERSION), docs_url=None,
                  redoc_url=None, openapi_url="/api/v1/openapi.json", redirect_slashes=False)
    app.state.context = api.Context(engine, limiters or api.Limiters.from_limits(), clock)
    api.install_error_handlers(app)
    app.include_router(api.router)

    if settings.web_dir.is_dir():
        app.mount("/", static_site(settings.web_dir), name="web")
    else:
        log.warning("no web app at the configured folder: serving the API only (build it with tools/build_web.py)")
    app.add_middleware(SiteHeaders)
    app.add_middleware(BodyLimit)
    app.add_middleware(AccessLog)
    return app
