"""``python -m server``: migrate the database, then serve on uvicorn.

Environment (``docs/team-server.md`` explains each): ``STAPPENPLAN_SERVER_PORT``
(8800), ``STAPPENPLAN_SERVER_HOST`` (127.0.0.1), ``STAPPENPLAN_SERVER_DATA``
(./server-data, for the SQLite file), ``DATABASE_URL`` (postgresql://...
instead of SQLite), ``STAPPENPLAN_SERVER_WORKERS`` (processes; PostgreSQL
only), ``STAPPENPLAN_SERVER_WEB`` (the built web app, default build/web),
``STAPPENPLAN_TRUSTED_PROXIES`` (whose X-Forwarded-For is believed; none by
default), the quotas, idle-team expiry, sign-up code, timeouts, connection
and database pool sizes (``server.config``).
"""

from __future__ import annotations

import logging
import resource
import sys
from dataclasses import replace

import uvicorn

from server.app import create_app
from server.config import REQUEST_HEADROOM, Settings
from server.db import make_engine, migrate
from server.protocol import HeadTimeoutProtocol
from sync.limits import SERVER_KEEPALIVE_S

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
GRACEFUL_SHUTDOWN_S = 5  # open event streams are cut after this; devices reconnect
FILES_PER_CONNECTION = 1
FILES_SPARE = 64  # database connections, logs, the web app's files


def open_files_for(settings: Settings) -> Settings:
    """Raise this process's open-file limit as far as allowed, and hold no more
    connections than it leaves room for (with headroom for requests)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = settings.max_connections * FILES_PER_CONNECTION + FILES_SPARE
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    if soft != resource.RLIM_INFINITY and soft < wanted:
        fits = max(REQUEST_HEADROOM + 1, soft - FILES_SPARE)
        print(f"open-file limit {soft}: holding at most {fits} connections", file=sys.stderr)
        return replace(settings, max_connections=fits)
    return settings


def serve_options(settings: Settings) -> dict:
    HeadTimeoutProtocol.header_timeout_s = settings.header_timeout_s
    return dict(
        host=settings.host,
        port=settings.port,
        http=HeadTimeoutProtocol,
        access_log=False,  # uvicorn's access log names client addresses; server.site.Site's does not
        log_config=None,  # keep the logging set up here
        server_header=False,
        timeout_keep_alive=SERVER_KEEPALIVE_S,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        limit_concurrency=settings.max_connections,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )


def main() -> int:
    settings = open_files_for(Settings.from_env())
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    sqlite = settings.database_url.startswith("sqlite")
    if settings.workers > 1 and sqlite:
        print("STAPPENPLAN_SERVER_WORKERS > 1 needs PostgreSQL (DATABASE_URL); using one process", file=sys.stderr)
    where = "SQLite in " + str(settings.data_dir) if sqlite else "PostgreSQL"
    print(f"Stappenplan team server on http://{settings.host}:{settings.port}/ ({where}; Ctrl+C stops)",
          file=sys.stderr, flush=True)
    workers = 1 if sqlite else settings.workers
    target = "server.__main__:app_from_env" if workers > 1 else create_app(settings, run_migrations=False)
    uvicorn.run(target, factory=workers > 1, workers=workers, **serve_options(settings))
    return 0


def app_from_env():
    """Factory for worker processes (the parent has already migrated)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    settings = open_files_for(Settings.from_env())
    HeadTimeoutProtocol.header_timeout_s = settings.header_timeout_s
    return create_app(settings, run_migrations=False)


if __name__ == "__main__":
    raise SystemExit(main())
