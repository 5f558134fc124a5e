"""pytest fixtures for the team server and clients (imported by the test modules)."""

from __future__ import annotations

import asyncio

import pytest

from tests.sync_helpers.servers import InProcess, postgres_database


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path):
    """The API in process, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        app = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}")
        yield app
        app.close()
    else:
        with postgres_database() as url:
            app = InProcess(url)
            yield app
            app.close()


@pytest.fixture
def sqlite_server(tmp_path):
    app = InProcess(f"sqlite:///{tmp_path / 'team.sqlite3'}")
    yield app
    app.close()
