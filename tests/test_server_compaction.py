"""A log the size of the team's data: a member who joins after 1,000 edits gets the
current state and converges; the migration compacts a database of the first
schema (0001) with data; kill -9 while it compacts, or while pushes compact,
loses nothing the server acknowledged."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from server.db import MIGRATIONS, make_engine, migrate
from sync.client import OutgoingRecord
from sync.crypto import new_id
from sync.engine import SyncEngine, SyncState
from sync.testing import MemoryJournal
from tests.sync_helpers.fixtures import run, server  # noqa: F401 - fixtures
from tests.sync_helpers.servers import ROOT, InProcess, ServerProcess, free_port, postgres_database


def test_a_member_who_joins_after_1000_edits_gets_the_current_state_and_converges(server):
    rng = random.Random(20)

    async def scenario():
        first = server.client()
        state = await first.create_team("T", "Directie", "coordinator", "laptop")
        devices = []
        for name, client, st in [("a", first, state)] + [
                (n, c, await c.redeem_invite((await first.create_invite(state)).code, n, "lid", "tel"))
                for n, c in (("b", server.client()), ("c", server.client()))]:
            journal = MemoryJournal(name)
            await journal.save_team_state(st)
            devices.append((journal, SyncEngine(journal, client)))
        for edit in range(1000):
            journal, engine = rng.choice(devices)
            record = f"inc-{rng.randrange(6)}"
            if rng.random() < 0.02:
                journal.delete(record, f"{edit:05}")
            else:
                journal.put(record, {"updated": f"{edit:05}", "n": edit, "text": "x" * rng.randrange(2000)})
            if rng.random() < 0.3:  # the others often edit offline, without having seen this
                assert (await engine.sync()).state is SyncState.SYNCED
        for _ in range(2):
            for _journal, engine in devices:
                assert (await engine.sync()).state is SyncState.SYNCED
        newcomer = server.client()
        late = MemoryJournal("d")
        await late.save_team_state(await newcomer.redeem_invite((await first.create_invite(state)).code, "d", "l", "t"))
        assert (await SyncEngine(late, newcomer).sync()).state is SyncState.SYNCED
        return [j for j, _ in devices], late

    journals, late = run(scenario())
    assert all(j.records == journals[0].records for j in journals)
    assert late.records == journals[0].records  # the current state, not the history
    with server.engine.connect() as conn:
        rows = conn.scalar(text("SELECT count(*) FROM changes"))
        remembered = [len(r.split()) for r in conn.scalars(text("SELECT recent_pushes FROM members"))]
    assert rows <= 6 * 3 + 6  # per record: each member's newest version, and tombstones
    assert max(remembered) <= 16  # push ids: each member's newest 16


# -- the migration of a database of the first schema ----------------------------------------------------------


def _alembic(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.execution_options(write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def fill_0001(engine, teams: int = 2, versions: int = 30) -> dict:
    """A database as the first server left it: every version of every record, every push id.
    Returns, per (team, record, author), the newest version's ciphertext: what must survive."""
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    newest = {}
    with engine.begin() as conn:
        for t in range(teams):
            team = f"{t:032x}"
            conn.execute(text("INSERT INTO teams (id, created_at, key_version, head_seq, rotation_needed) "
                              "VALUES (:id, :now, 1, :head, false)"), {"id": team, "now": now,
                                                                       "head": versions * 4})
            authors = [f"{t}{a:031x}" for a in range(2)]
            for a, author in enumerate(authors):
                conn.execute(text(
                    "INSERT INTO members (id, team_id, token_hash, public_key, key_mac, display_name, role, "
                    "device_label, coordinator, joined_at, last_seen) VALUES (:id, :team, :hash, :pk, :mac, 'n', 'r',"
                    " 'd', :coord, :now, :now)"), {"id": author, "team": team, "hash": os.urandom(32),
                                                   "pk": b"\x04" + bytes(64), "mac": bytes(32), "coord": a == 0,
                                                   "now": now})
            seq = 0
            for v in range(versions):
                for record in ("inc-1", "inc-2"):
                    for author in authors:
                        seq += 1
                        ciphertext = os.urandom(200 + v)
                        conn.execute(text(
                            "INSERT INTO changes (team_id, seq, record_id, kind, key_version, nonce, ciphertext, "
                            "author_id, base_seq, push_id, received_at) VALUES (:team, :seq, :rec, 'incident', 1, "
                            ":nonce, :ct, :author, 0, :push, :now)"),
                            {"team": team, "seq": seq, "rec": record, "nonce": bytes(12), "ct": ciphertext,
                             "author": author, "push": f"{seq:032x}", "now": now})
                        conn.execute(text("INSERT INTO pushes (team_id, push_id, member_id, first_seq, count) "
                                          "VALUES (:team, :push, :author, :seq, 1)"),
                                     {"team": team, "push": f"{seq:032x}", "author": author, "seq": seq})
                        newest[(team, record, author)] = ciphertext
    return newest


def check_compacted(engine, newest: dict) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT team_id, record_id, author_id, ciphertext, size FROM changes")).all()
        assert {(r.team_id, r.record_id, r.author_id): bytes(r.ciphertext) for r in rows} == newest
        assert all(r.size == len(r.ciphertext) for r in rows)
        for team, stored, roster, active in conn.execute(text(
                "SELECT id, stored_bytes, roster, last_active FROM teams")):
            assert stored == sum(len(v) for (t, _, _), v in newest.items() if t == team)
            assert roster == 2 and active is not None
        # Each member's newest 16 push ids moved into the member's row (0003), oldest first.
        for member, recent in conn.execute(text("SELECT id, recent_pushes FROM members")):
            entries = [e.split(":") for e in recent.split()]
            assert len(entries) == 16
            assert all(push == f"{int(first):032x}" and count == "1" for push, first, count in entries)
            firsts = [int(first) for _, first, _ in entries]
            newest = conn.scalar(text("SELECT max(seq) FROM changes WHERE author_id = :m"), {"m": member})
            assert firsts == sorted(firsts) and firsts[-1] == newest


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_migration_compacts_a_database_of_the_first_schema(tmp_path, backend):
    with (postgres_database() if backend == "postgres" else _nothing()) as url:
        engine = make_engine(url or f"sqlite:///{tmp_path / 'old.sqlite3'}")
        _alembic(engine, "0001")
        newest = fill_0001(engine)
        migrate(engine)
        check_compacted(engine, newest)
        engine.dispose()
        # The server serves the compacted log: a pull gets each member's newest versions.
        app = InProcess(str(engine.url.render_as_string(hide_password=False)))
        with app.engine.connect() as conn:
            head = conn.scalar(text("SELECT head_seq FROM teams ORDER BY id LIMIT 1"))
        assert head == 120
        app.close()


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@pytest.mark.slow
def test_kill_9_while_the_migration_compacts_loses_nothing(tmp_path):
    """``python -m server`` migrates at start; killed in the middle of compacting, the
    database is still the old one, whole; the next start migrates it."""
    data = tmp_path / "data"
    data.mkdir()
    database = data / "team-server.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    _alembic(engine, "0001")
    newest = fill_0001(engine, teams=40, versions=150)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(STAPPENPLAN_SERVER_DATA=str(data), STAPPENPLAN_SERVER_PORT=str(free_port()),
               STAPPENPLAN_SERVER_WEB=str(data / "none"))
    wal = Path(str(database) + "-wal")
    process = subprocess.Popen([sys.executable, "-m", "server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (wal.exists() and wal.stat().st_size > 1_000_000) and time.monotonic() < deadline:
        time.sleep(0.005)  # the migration is writing
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wal.stat().st_size > 1_000_000  # it was killed while the migration wrote
    check = create_engine(f"sqlite:///{database}")
    with check.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0001"  # rolled back whole
        assert conn.scalar(text("SELECT count(*) FROM changes")) == 40 * 150 * 4
    check.dispose()
    server = ServerProcess(data)
    server.stop()
    engine = make_engine(f"sqlite:///{database}")
    check_compacted(engine, newest)
    engine.dispose()


@pytest.mark.slow
def test_kill_9_while_pushes_compact_loses_nothing_acknowledged(tmp_path):
    """Writers overwrite a few records over and over (every push compacts); the server is
    killed with SIGKILL in the middle. After a restart, each writer's newest acknowledged
    version of every record is in the log (or a newer one of its own)."""
    server = ServerProcess(tmp_path / "data")
    port = server.port

    async def team():
        a = server.client()
        state = await a.create_team("T", "D", "c", "l", server.url)
        states = [state]
        for i in range(3):
            states.append(await server.client().redeem_invite((await a.create_invite(state)).code, f"M{i}", "m", "t",
                                                              server.url))
        return states

    states = asyncio.run(team())
    acknowledged: dict[tuple[str, str], int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(state) -> None:
        from sync.client import TeamClient
        from sync.native import HttpxTransport, NativeSyncCrypto

        async def go():
            client = TeamClient(HttpxTransport(server.url), NativeSyncCrypto())
            n = 0
            while not stop.is_set():
                n += 1
                records = [OutgoingRecord(f"inc-{j}", "incident", b'{"n":%d}' % n, "1") for j in range(3)]
                sealed = [await client.seal(state, r) for r in records]
                try:
                    await client.push(state, sealed, new_id(client.crypto))
                except Exception:
                    return  # the server is gone
                with lock:
                    for r in records:
                        acknowledged[(state.member_id, r.record_id)] = n

        asyncio.run(go())

    threads = [threading.Thread(target=writer, args=(s,)) for s in states]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):  # killed mid-run: once every writer has had pushes acknowledged
        with lock:
            if len({member for member, _ in acknowledged}) == len(states) and min(acknowledged.values()) >= 3:
                break
        time.sleep(0.01)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    stop.set()
    for t in threads:
        t.join()
    server.stop()
    server = ServerProcess(tmp_path / "data", port=port)
    try:
        async def log():
            client = server.client()
            page = await client.pull(states[0], 0)
            assert not page.more
            out = {}
            for change in page.changes:
                n = int((await client.open(states[0], change)).decode().split(":")[1].rstrip("}"))
                key = (change.author_id, change.sealed.record_id)
                assert key not in out  # one version per member and record
                out[key] = n
            return out

        kept = asyncio.run(log())
    finally:
        server.stop()
    assert acknowledged and set(kept) == set(acknowledged)
    assert all(kept[key] >= n for key, n in acknowledged.items())
