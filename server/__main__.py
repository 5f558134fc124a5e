"""``python -m server``: migrate the database, then serve on uvicorn.

Environment: ``STAPPENPLAN_SERVER_PORT`` (8800), ``STAPPENPLAN_SERVER_HOST``
(127.0.0.1), ``STAPPENPLAN_SERVER_DATA`` (./server-data, for the SQLite
file), ``DATABASE_URL`` (postgresql://... instead of SQLite),
``STAPPENPLAN_SERVER_WORKERS`` (processes; PostgreSQL only),
``STAPPENPLAN_SERVER_WEB`` (the built web app, default build/web),
``FORWARDED_ALLOW_IPS`` (uvicorn: the proxy whose X-Forwarded-For is trusted).
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from server.app import create_app
from server.config import Settings
from server.db import make_engine, migrate
from sync.limits import SERVER_KEEPALIVE_S

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> int:
    settings = Settings.from_env()
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    if settings.workers > 1 and settings.database_url.startswith("sqlite"):
        print("STAPPENPLAN_SERVER_WORKERS > 1 needs PostgreSQL (DATABASE_URL); using one process", file=sys.stderr)
    where = "SQLite in " + str(settings.data_dir) if settings.database_url.startswith("sqlite") else "PostgreSQL"
    print(f"Stappenplan team server on http://{settings.host}:{settings.port}/ ({where}; Ctrl+C stops)",
          file=sys.stderr, flush=True)
    workers = settings.workers if not settings.database_url.startswith("sqlite") else 1
    uvicorn.run(
        "server.__main__:app_from_env" if workers > 1 else create_app(settings, run_migrations=False),
        factory=workers > 1,
        host=settings.host,
        port=settings.port,
        workers=workers,
        access_log=False,  # uvicorn's access log names client addresses; server.site.AccessLog does not
        log_config=None,  # keep the logging set up above
        server_header=False,
        timeout_keep_alive=SERVER_KEEPALIVE_S,
        proxy_headers=True,  # X-Forwarded-For from FORWARDED_ALLOW_IPS only (default: 127.0.0.1)
    )
    return 0


def app_from_env():
    """Factory for worker processes (the parent has already migrated)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    return create_app(Settings.from_env(), run_migrations=False)


if __name__ == "__main__":
    raise SystemExit(main())
