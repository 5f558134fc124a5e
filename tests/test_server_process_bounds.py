"""Bounds of a real server process (``python -m server``): slow and unfinished
requests are closed by the timeouts, concurrent catch-up pulls of a log of
maximum-size records keep the memory bounded, and ``X-Forwarded-For`` is
believed only from proxies the operator names."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from sync.batches import plan
from sync.client import OutgoingRecord
from sync.crypto import new_id
from sync.limits import MAX_PULL_PAGE_BYTES, MAX_RECORD_CIPHERTEXT, MAX_RECORD_PLAINTEXT
from tests.sync_helpers.servers import ServerProcess

pytestmark = pytest.mark.slow


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True if the server closes the connection (EOF or reset) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_slow_and_unfinished_requests_are_closed_by_the_timeouts(tmp_path):
    server = ServerProcess(tmp_path / "data", env={"STAPPENPLAN_HEADER_TIMEOUT_S": "1",
                                                   "STAPPENPLAN_BODY_TIMEOUT_S": "1"})
    try:
        silent = socket.create_connection(("127.0.0.1", server.port))
        dribbling = socket.create_connection(("127.0.0.1", server.port))
        dribbling.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        unfinished = socket.create_connection(("127.0.0.1", server.port))
        unfinished.sendall(b"POST /api/v1/teams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 1000\r\n\r\n{\"team_id\":")  # the body never ends
        start = time.monotonic()
        assert _closed_within(silent, 5) and _closed_within(dribbling, 5)
        unfinished.settimeout(5)
        answer = b""
        while chunk := unfinished.recv(4096):
            answer += chunk
        assert b" 408 " in answer.split(b"\r\n")[0] and b"timeout" in answer
        assert time.monotonic() - start < 5
        # A prompt request on a fresh connection is answered as usual.
        prompt = socket.create_connection(("127.0.0.1", server.port))
        prompt.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        prompt.settimeout(5)
        assert b" 200 " in prompt.recv(4096).split(b"\r\n")[0]
        for sock in (silent, dribbling, unfinished, prompt):
            sock.close()
    finally:
        server.stop()


def _rss_peak_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


#: Stated bound: concurrent catch-up pulls add at most this much to the server's peak memory.
#: A page holds at most MAX_PULL_PAGE_BYTES of ciphertext; as rows and as its JSON (base64)
#: it is held a few times over while it is built and sent (measured: 116 MiB for 8 pulls).
PULLS = 8
LOG_RECORDS = 48 * 1024 * 1024 // MAX_RECORD_CIPHERTEXT  # 48 MiB of log
PEAK_GROWTH_BOUND_KIB = PULLS * 5 * MAX_PULL_PAGE_BYTES // 1024


def test_concurrent_catch_up_pulls_of_maximum_size_records_keep_memory_bounded(tmp_path):
    server = ServerProcess(tmp_path / "data")
    try:
        async def fill():
            client = server.client()
            state = await client.create_team("T", "D", "c", "l", server.url)
            plaintext = b"x" * MAX_RECORD_PLAINTEXT  # the largest record there is
            records = [OutgoingRecord(f"r{i}", "incident", plaintext, "1") for i in range(LOG_RECORDS)]
            pushes, unsendable = plan(records, state.key_version)  # one record a push: that is what fits
            assert unsendable == [] and len(pushes) == LOG_RECORDS
            for push in pushes:
                sealed = [await client.seal(state, r) for r in push]
                assert [len(s.ciphertext) for s in sealed] == [MAX_RECORD_CIPHERTEXT]
                await client.push(state, sealed, new_id(client.crypto))
            await client.transport.aclose()
            return state

        state = asyncio.run(fill())
        before = _rss_peak_kib(server.process.pid)

        async def catch_up(client) -> int:
            after, pages = 0, 0
            while True:
                page = await client.pull(state, after)
                pages += 1
                if not page.more:
                    return pages
                after = page.changes[-1].seq

        async def pulls():
            clients = [server.client() for _ in range(PULLS)]
            pages = await asyncio.gather(*(catch_up(c) for c in clients))
            for c in clients:
                await c.transport.aclose()
            return pages

        pages = asyncio.run(pulls())
        assert all(p >= LOG_RECORDS * MAX_RECORD_CIPHERTEXT // MAX_PULL_PAGE_BYTES for p in pages)
        growth = _rss_peak_kib(server.process.pid) - before
        print(f"peak RSS growth for {PULLS} concurrent catch-up pulls: {growth / 1024:.0f} MiB "
              f"(bound {PEAK_GROWTH_BOUND_KIB / 1024:.0f} MiB)")
        assert growth < PEAK_GROWTH_BOUND_KIB
    finally:
        server.stop()


def test_forwarded_for_is_believed_only_from_named_proxies(tmp_path):
    """Per-address limits count the proxy's own address unless the operator named it."""
    for trusted, expect_limited in (("", True), ("127.0.0.1", False)):
        server = ServerProcess(tmp_path / f"data-{bool(trusted)}", env={"STAPPENPLAN_TRUSTED_PROXIES": trusted})
        try:
            import httpx

            statuses = []
            for i in range(25):  # invite look-ups: 20 a minute per address
                answer = httpx.get(f"{server.url}/api/v1/invites/{'0' * 32}",
                                   headers={"X-Forwarded-For": f"10.0.0.{i}"})
                statuses.append(answer.status_code)
            assert (429 in statuses) is expect_limited, statuses
        finally:
            server.stop()
