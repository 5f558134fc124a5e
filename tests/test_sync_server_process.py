"""Two clients against a real server process (``python -m server``), on SQLite
and on PostgreSQL: invite, join, share, edit while the server is down,
reconnect, converge; a removed member; no plaintext in the database or the
log; and several server processes writing one team's log at once."""

from __future__ import annotations

import asyncio
import secrets
import threading
from pathlib import Path

import httpx
import psycopg
import pytest

from sync.client import OutgoingRecord
from sync.crypto import new_id
from sync.engine import SyncEngine, SyncState
from sync.errors import AccessRevokedError, ServerUnreachableError
from sync.testing import MemoryJournal
from tests.sync_helpers.servers import ServerProcess, postgres_database

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    """``None`` for the SQLite default in the data folder, else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
    else:
        with postgres_database() as url:
            yield url


def stored_bytes(data_dir: Path, database_url) -> bytes:
    """Everything the server stored: its SQLite files, or every row of every table."""
    if database_url is None:
        return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
    out = bytearray()
    with psycopg.connect(database_url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    out += bytes(block)
    return bytes(out)


def test_two_clients_share_edit_offline_and_converge(tmp_path, database):
    marker = f"GEHEIM-{secrets.token_hex(6)}"
    data_dir = tmp_path / "server-data"
    server = ServerProcess(data_dir, database)
    port = server.port

    async def scenario():
        nonlocal server
        a, b = server.client(), server.client()
        ja, jb = MemoryJournal("a"), MemoryJournal("b")
        state_a = await a.create_team(f"Team {marker}", "Directie", "coordinator", "laptop", server.url)
        await ja.save_team_state(state_a)
        invite = await a.create_invite(state_a)
        await jb.save_team_state(await b.redeem_invite(invite.code, "Mentor", "mentor", "telefoon", server.url))
        ea, eb = SyncEngine(ja, a), SyncEngine(jb, b)

        ja.put("inc-1", {"updated": "2025-03-14T09:00:00Z", "title": f"Incident {marker}", "leerling": "A.B."})
        assert (await ea.sync()).state is SyncState.SYNCED
        assert (await eb.sync()).state is SyncState.SYNCED
        assert jb.visible()["inc-1"]["title"] == f"Incident {marker}"

        server.stop()  # the server goes away; both keep working
        ja.put("inc-1", {"updated": "2025-03-14T10:00:00Z", "title": f"Bewerkt door a {marker}"})
        jb.put("inc-2", {"updated": "2025-03-14T10:01:00Z", "title": f"Nieuw van b {marker}"})
        jb.delete("inc-1", "2025-03-14T09:30:00Z")  # older than a's edit: a's edit stays
        for engine in (ea, eb):
            status = await engine.sync()
            assert status.state is SyncState.UNREACHABLE and status.pending >= 1

        server = ServerProcess(data_dir, database, port=port)  # back, same address and data
        for engine in (ea, eb, ea):
            assert (await engine.sync()).state is SyncState.SYNCED
        assert ja.records == jb.records
        assert ja.visible()["inc-1"]["title"] == f"Bewerkt door a {marker}"
        assert "inc-2" in ja.visible()

        # Removal: b's token is refused and b cannot read what a writes afterwards.
        state_a = await ea.client.remove_member(await ja.team_state(), (await jb.team_state()).member_id)
        await ja.save_team_state(state_a)
        ja.put("inc-3", {"updated": "2025-03-14T11:00:00Z", "title": f"Na verwijdering {marker}"})
        await ea.sync()
        with pytest.raises(AccessRevokedError):
            await b.pull(await jb.team_state(), 0)
        assert (await eb.sync()).state is SyncState.REMOVED
        assert "inc-3" not in jb.visible()
        page = await a.pull(state_a, 0)
        last = page.changes[-1]
        assert last.sealed.key_version == 2 and 2 not in (await jb.team_state()).keys

    try:
        asyncio.run(scenario())
        log = server.log_text()
    finally:
        server.stop()
    stored = stored_bytes(data_dir, database)
    assert stored, "nothing stored?"
    for form in (marker.encode(), marker.encode().hex().encode(), b"A.B."):
        assert form not in stored
        assert form not in log
    assert b"127.0.0.1" not in log.replace(f"http://127.0.0.1:{port}".encode(), b"")  # no client addresses


def test_the_protocols_own_invite_iterations_work_end_to_end(tmp_path):
    """600,000 PBKDF2 iterations on both sides (every other test lowers them)."""
    server = ServerProcess(tmp_path / "data")
    try:
        async def scenario():
            a, b = server.client(iterations=600_000), server.client(iterations=600_000)
            state = await a.create_team("T", "D", "c", "l", server.url)
            invite = await a.create_invite(state)
            joined = await b.redeem_invite(invite.code, "M", "m", "t", server.url)
            assert joined.keys == state.keys

        asyncio.run(scenario())
    finally:
        server.stop()


def _hammer(url: str, state, pushes: int, acknowledged: list, errors: list) -> None:
    """One writer thread: its own event loop and HTTP connection, ``pushes`` pushes of 2 records."""
    from sync.client import TeamClient
    from sync.native import HttpxTransport, NativeSyncCrypto

    async def go():
        client = TeamClient(HttpxTransport(url), NativeSyncCrypto())
        for i in range(pushes):
            records = [OutgoingRecord(f"{state.member_id[:6]}-{i}-{j}", "incident", b"{}", "1") for j in range(2)]
            sealed = [await client.seal(state, r) for r in records]
            try:
                acknowledged.extend(await client.push(state, sealed, new_id(client.crypto)))
            except Exception as exc:  # reported below; a lost push must not pass silently
                errors.append(repr(exc))
        await client.transport.aclose()

    asyncio.run(go())


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_several_server_processes_keep_one_team_sequence(tmp_path, backend):
    """Three server processes (started together: the migration runs once) on one
    database; eight writers push to one team through all three at once. The
    team's sequence is 1..N without gaps or repeats, and every acknowledged
    record is in the log."""
    with (postgres_database() if backend == "postgres" else _no_database()) as url:
        data_dir = tmp_path / "shared-data"
        servers: list[ServerProcess] = []
        servers_lock = threading.Lock()

        def start():
            process = ServerProcess(data_dir, url)
            with servers_lock:
                servers.append(process)

        threads = [threading.Thread(target=start) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            assert len(servers) == 3

            async def members():
                a = servers[0].client()
                state = await a.create_team("T", "D", "c", "l", servers[0].url)
                states = [state]
                for i in range(7):
                    invite = await a.create_invite(state)
                    joiner = servers[i % 3].client()
                    states.append(await joiner.redeem_invite(invite.code, f"M{i}", "m", "t", servers[i % 3].url))
                return states

            states = asyncio.run(members())
            acknowledged, errors = [], []
            writers = [threading.Thread(target=_hammer, args=(servers[i % 3].url, s, 15, acknowledged, errors))
                       for i, s in enumerate(states)]
            for t in writers:
                t.start()
            for t in writers:
                t.join()
            assert errors == []
            assert sorted(acknowledged) == list(range(1, 8 * 15 * 2 + 1))

            async def log():
                client = servers[1].client()
                seqs, after = [], 0
                while True:
                    page = await client.pull(states[0], after)
                    seqs += [c.seq for c in page.changes]
                    if not page.more:
                        return seqs
                    after = page.changes[-1].seq

            assert asyncio.run(log()) == list(range(1, 8 * 15 * 2 + 1))
        finally:
            for s in servers:
                s.stop()


class _no_database:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_server_serves_the_web_app_with_its_headers(tmp_path):
    web = tmp_path / "web"
    (web / "pyodide").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>app</title>")
    (web / "sw.js").write_text("// sw")
    (web / "pyodide" / "pyodide.asm.wasm").write_bytes(b"\0asm")
    (web / "pyodide" / "pyodide.mjs").write_text("export {}")
    server = ServerProcess(tmp_path / "data", web_dir=web)
    try:
        root = httpx.get(server.url + "/")
        assert root.status_code == 200 and "app" in root.text
        assert root.headers["cache-control"] == "no-cache"
        assert root.headers["x-content-type-options"] == "nosniff"
        assert httpx.get(server.url + "/sw.js").headers["cache-control"] == "no-cache"
        assert httpx.get(server.url + "/pyodide/pyodide.asm.wasm").headers["content-type"] == "application/wasm"
        assert httpx.get(server.url + "/pyodide/pyodide.mjs").headers["content-type"].startswith("text/javascript")
        api = httpx.get(server.url + "/api/v1/health")
        assert api.json()["status"] == "ok" and api.headers["cache-control"] == "no-store"
        missing = httpx.get(server.url + "/nope.js")
        assert missing.status_code == 404
        assert httpx.post(server.url + "/index.html").status_code == 405
    finally:
        server.stop()


class KilledAfterStoring:
    """The device's route to a real server process that is killed (``kill -9``)
    right after it stored a push, before its answer reaches the device."""

    def __init__(self, inner, server_box: list) -> None:
        self.inner, self.server_box, self.base_url = inner, server_box, inner.base_url
        self.kill_after_pushes: int | None = None
        self.pushes = 0

    async def request(self, method, path, **kwargs):
        answer = await self.inner.request(method, path, **kwargs)
        if method == "POST" and path.endswith("/changes"):
            self.pushes += 1
            if self.pushes == self.kill_after_pushes:
                self.server_box[0].process.kill()  # SIGKILL: no clean shutdown
                self.server_box[0].process.wait()
                raise ServerUnreachableError("connection reset")  # the answer is lost with it
        return answer

    async def aclose(self):
        await self.inner.aclose()


def test_kill_9_during_pushes_stores_each_push_once(tmp_path, database):
    """PROTOCOL.md: a retry appends nothing. The server is killed (SIGKILL) after
    storing a push and before answering it, mid-way through a large outbox; the
    device syncs again once the server is back -- also after its app restarted
    -- and the log holds every record exactly once, numbered 1..N."""
    from sync.client import TeamClient
    from sync.native import HttpxTransport, NativeSyncCrypto

    data_dir = tmp_path / "server-data"
    box = [ServerProcess(data_dir, database)]
    port = box[0].port

    async def scenario():
        a, b = box[0].client(), box[0].client()
        state_a = await a.create_team("T", "Directie", "coordinator", "laptop", box[0].url)
        invite = await a.create_invite(state_a)
        jb = MemoryJournal("b")
        await jb.save_team_state(await b.redeem_invite(invite.code, "Mentor", "mentor", "telefoon", box[0].url))
        ja = MemoryJournal("a")
        await ja.save_team_state(state_a)
        route = KilledAfterStoring(HttpxTransport(box[0].url), box)
        engine = SyncEngine(ja, TeamClient(route, NativeSyncCrypto()))
        for k in range(250):  # three pushes of at most 100 records
            ja.put(f"r{k:03}", {"updated": "1", "n": k, "tekst": "x" * 2000})
        route.kill_after_pushes = 2
        first = await engine.sync()
        assert (first.state, first.pending) == (SyncState.UNREACHABLE, 150)  # 100 acknowledged, 100 stored unanswered
        box[0] = ServerProcess(data_dir, database, port=port)  # back, same address and data
        restarted = SyncEngine(ja, TeamClient(HttpxTransport(box[0].url), NativeSyncCrypto()))  # the app, reopened
        second = await restarted.sync()
        assert (second.state, second.pending) == (SyncState.SYNCED, 0)
        seqs, ids, after = [], [], 0
        while True:
            page = await a.pull(await ja.team_state(), after)
            seqs += [c.seq for c in page.changes]
            ids += [c.sealed.record_id for c in page.changes]
            if not page.more:
                break
            after = page.changes[-1].seq
        assert seqs == list(range(1, 251)) and page.head == 250  # nothing was stored twice
        assert sorted(ids) == [f"r{k:03}" for k in range(250)]
        assert (await SyncEngine(jb, b).sync()).state is SyncState.SYNCED and len(jb.visible()) == 250
        for client in (a, b, engine.client, restarted.client):
            await client.transport.aclose()

    try:
        asyncio.run(scenario())
    finally:
        box[0].stop()
