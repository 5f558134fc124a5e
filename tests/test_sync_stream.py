"""The team's event stream (``GET /api/v1/events``, ``sync.stream``): a change
reaches an open device at once, through a server restart, across server
processes on one PostgreSQL; behind a buffering proxy the device polls."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import stream as stream_module
from sync.client import OutgoingRecord
from sync.crypto import new_id
from sync.stream import Backoff, SseParser, TeamEvent, TeamStream, parse_team_event
from tests.sync_helpers.relay import BufferingRelay
from tests.sync_helpers.servers import ServerProcess, postgres_database

EVENTS = (b"event: team\ndata: {\"head\": 3, \"key_version\": 1, \"rotation_needed\": false, \"roster\": 2}\n\n"
          b": keepalive\n\n"
          b"event: team\r\ndata: {\"head\": 4, \"key_version\": 2, \"rotation_needed\": true, \"roster\": 3}\r\n\r\n")


# -- the parts, without a server ---------------------------------------------------------------------------


@given(st.lists(st.integers(min_value=0, max_value=len(EVENTS)), max_size=8))
def test_events_come_out_the_same_however_the_bytes_are_cut(cuts):
    parser, got, last = SseParser(), [], 0
    for cut in sorted(cuts) + [len(EVENTS)]:
        got += parser.feed(EVENTS[last:cut])
        last = cut
    assert [parse_team_event(data) for _name, data in got] == [TeamEvent(3, 1, False, 2), TeamEvent(4, 2, True, 3)]
    assert [name for name, _ in got] == ["team", "team"]


@pytest.mark.parametrize("data", ["", "{", "[]", '{"head": -1, "key_version": 1, "rotation_needed": false, "roster": 0}',
                                  '{"head": 1, "key_version": 0, "rotation_needed": false, "roster": 0}',
                                  '{"head": true, "key_version": 1, "rotation_needed": false, "roster": 0}',
                                  '{"head": 1, "key_version": 1, "rotation_needed": "no", "roster": 0}'])
def test_malformed_events_are_ignored(data):
    assert parse_team_event(data) is None


def test_an_endless_line_is_a_broken_stream():
    with pytest.raises(ValueError):
        SseParser().feed(b"data: " + b"x" * 10_000)


def test_reconnects_back_off_with_jitter_and_start_over_after_success():
    backoff = Backoff(1, 8, random.Random(7))
    delays = [backoff.delay() for _ in range(6)]
    for delay, base in zip(delays, [1, 2, 4, 8, 8, 8]):
        assert 0.5 * base <= delay <= 1.5 * base
    assert len(set(delays)) == len(delays)  # jittered: devices do not come back in step
    backoff.reset()
    assert backoff.delay() <= 1.5


def test_a_sync_that_reached_the_server_cuts_the_streams_backoff_short():
    """The network is back (a sync round just got through): the stream opens
    again now, not after its backoff of up to a minute."""
    import contextlib

    from sync.errors import ServerUnreachableError

    attempts = []

    class Transport:
        @contextlib.asynccontextmanager
        async def events(self, path, *, token):
            attempts.append(path)
            if len(attempts) == 1:
                raise ServerUnreachableError("the network is gone")

            async def chunks():
                yield b'event: team\ndata: {"head": 3, "key_version": 1, "rotation_needed": false, "roster": 2}\n\n'
                await asyncio.Event().wait()  # then quiet

            yield chunks()

    async def scenario():
        events: asyncio.Queue = asyncio.Queue()
        stream = TeamStream(Transport(), "token", events.put_nowait, backoff=Backoff(3600, 3600))
        task = asyncio.ensure_future(stream.run())
        await wait_for(lambda: len(attempts) == 1)
        await asyncio.sleep(0.05)
        assert len(attempts) == 1 and not stream.live  # waiting out an hour's backoff
        stream.retry_now()
        event = await asyncio.wait_for(events.get(), 5)
        live = stream.live
        task.cancel()
        return event, live

    event, live = asyncio.run(scenario())
    assert event.head == 3 and live and len(attempts) == 2


# -- against real server processes ---------------------------------------------------------------------------


async def team_of_two(server):
    a, b = server.client(), server.client()
    sa = await a.create_team("T", "Directie", "coordinator", "laptop", server.url)
    sb = await b.redeem_invite((await a.create_invite(sa)).code, "Mentor", "mentor", "telefoon", server.url)
    return a, sa, b, sb


async def push(client, state, record_id="r1"):
    sealed = await client.seal(state, OutgoingRecord(record_id, "incident", b'{"t":1}', "1"))
    return await client.push(state, [sealed], new_id(client.crypto))


class Watcher:
    """A ``TeamStream`` whose events a test awaits."""

    def __init__(self, transport, token: str, backoff: Backoff | None = None) -> None:
        self.events: asyncio.Queue = asyncio.Queue()
        self.stream = TeamStream(transport, token, self.events.put_nowait, backoff=backoff)
        self.task = asyncio.ensure_future(self.stream.run())

    async def until(self, condition, timeout: float = 30) -> TeamEvent:
        async def wait():
            while True:
                event = await self.events.get()
                if condition(event):
                    return event

        return await asyncio.wait_for(wait(), timeout)

    def stop(self) -> None:
        self.task.cancel()


async def wait_for(condition, timeout: float = 20) -> None:
    async def poll():
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


@pytest.mark.slow
def test_the_stream_tells_at_once_and_survives_a_server_restart(tmp_path):
    server = ServerProcess(tmp_path / "data")
    port = server.port

    async def scenario():
        nonlocal server
        a, sa, b, sb = await team_of_two(server)
        watcher = Watcher(b.transport, sb.token, Backoff(0.1, 0.5))
        first = await watcher.until(lambda e: True)
        assert first == TeamEvent(head=0, key_version=1, rotation_needed=False, roster=2)
        await push(a, sa)
        assert (await watcher.until(lambda e: e.head == 1)).roster == 2
        server.stop()  # the stream drops; the device keeps trying
        await wait_for(lambda: not watcher.stream.live)
        server = ServerProcess(tmp_path / "data", port=port)
        await watcher.until(lambda e: e.head == 1)  # reconnected: the state again
        assert watcher.stream.live
        a2 = server.client()
        await push(a2, sa, "r2")
        await watcher.until(lambda e: e.head == 2)
        watcher.stop()

    try:
        asyncio.run(scenario())
    finally:
        server.stop()


@pytest.mark.slow
def test_behind_a_buffering_proxy_the_device_sees_no_first_event_and_polls(tmp_path, monkeypatch):
    monkeypatch.setattr(stream_module, "STREAM_FIRST_EVENT_S", 1.0)
    server = ServerProcess(tmp_path / "data")
    relay = BufferingRelay(server.port)

    async def scenario():
        a, sa, b, sb = await team_of_two(server)
        from sync.native import HttpxTransport

        proxied = HttpxTransport(relay.url)
        assert (await proxied.request("GET", "/api/v1/health"))["status"] == "ok"  # answers pass
        watcher = Watcher(proxied, sb.token)
        await wait_for(lambda: watcher.stream.buffered)
        assert watcher.stream.buffered and not watcher.stream.live and watcher.events.empty()
        watcher.stop()
        await proxied.aclose()

    try:
        asyncio.run(scenario())
    finally:
        relay.close()
        server.stop()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_push_to_one_process_wakes_a_stream_held_by_another(tmp_path):
    with postgres_database() as url:
        one = ServerProcess(tmp_path / "one", url)
        other = ServerProcess(tmp_path / "other", url)

        async def scenario():
            a, sa, b, sb = await team_of_two(one)
            from sync.native import HttpxTransport

            watcher = Watcher(HttpxTransport(other.url), sb.token)
            await watcher.until(lambda e: e.head == 0)
            await push(a, sa)  # through the first process
            event = await watcher.until(lambda e: e.head == 1)
            assert event.roster == 2
            watcher.stop()

        try:
            asyncio.run(scenario())
        finally:
            one.stop()
            other.stop()


@pytest.mark.slow
def test_a_refused_token_gets_no_stream(tmp_path):
    server = ServerProcess(tmp_path / "data")
    try:
        answer = httpx.get(server.url + "/api/v1/events", headers={"Authorization": "Bearer " + "x" * 43})
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    finally:
        server.stop()


# -- the app: two open journals (TeamSync), polls hours apart ------------------------------------------------


@pytest.fixture
def app_devices(tmp_path, monkeypatch):
    """Two staff members' apps (the real App, journal and TeamSync) and a real server process;
    ``proxy`` puts a buffering proxy between the second one and the server."""
    import flet as ft

    from tests.test_team_handlers import Device, create_team, invite, join
    from words import i18n

    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    monkeypatch.delenv("STAPPENPLAN_NOW", raising=False)
    monkeypatch.setattr(ft.BaseControl, "update", lambda self: None)
    i18n.set_language("nl")
    server = ServerProcess(tmp_path / "server")
    relays = []

    def make(proxy: bool = False):
        b_server = server
        if proxy:
            relays.append(BufferingRelay(server.port))
            b_server = Proxied(relays[-1].url)
        a, b = Device(tmp_path / "a", server, "mentor 3B"), Device(tmp_path / "b", b_server, "zorg")
        create_team(a)
        code, _dialog = invite(a)
        join(b, code)
        return a, b

    yield make
    for relay in relays:
        relay.close()
    server.stop()


class Proxied:
    def __init__(self, url: str) -> None:
        self.url = url

    def client(self):
        from sync.client import TeamClient
        from sync.native import HttpxTransport, NativeSyncCrypto
        from tests.sync_helpers.servers import FAST_INVITES

        return TeamClient(HttpxTransport(self.url), NativeSyncCrypto(), invite_iterations=FAST_INVITES)


def _share_and_wait(a, b, interval_b: float, until_b) -> None:
    from screens.team.syncing import TeamSync
    from storage import incidents as inc
    from tests.test_handlers import run

    item = run(a.journal.save(inc.new_incident("Groepsapp", "vernedering", by="mentor 3B")))

    async def scenario():
        for device, interval in ((a, 3 * 3600), (b, interval_b)):
            device.app.team_sync = TeamSync(device.app, client_factory=device._client, interval_s=interval,
                                            save_delay_s=0.05)
            device.app.team_sync.start()
        try:
            await wait_for(lambda: until_b(b.app.team_sync))
            await a.app.team_sync.share(item.id)
            # Arrived, and the round that brought it has written it (stopping a round
            # mid-write would roll the journal back to what is on disk).
            await wait_for(lambda: item.id in {i.id for i in b.journal.incidents()}
                           and not b.app.team_sync._engine._lock.locked(), timeout=60)
        finally:
            for device in (a, b):
                device.app.team_sync.stop()

    run(scenario())
    assert b.journal.get(item.id).title == "Groepsapp"


@pytest.mark.slow
def test_a_shared_incident_reaches_an_open_journal_through_the_stream(app_devices):
    """Both apps poll only every three hours: what brings the incident is the stream."""
    a, b = app_devices()
    _share_and_wait(a, b, 3 * 3600, lambda sync: sync._stream is not None and sync._stream.live)


@pytest.mark.slow
def test_behind_a_buffering_proxy_the_app_falls_back_to_polling_and_converges(app_devices, monkeypatch):
    monkeypatch.setattr(stream_module, "STREAM_FIRST_EVENT_S", 1.0)
    a, b = app_devices(proxy=True)
    _share_and_wait(a, b, 1.0, lambda sync: sync._stream is not None and sync._stream.buffered)
