"""The load generator of ``tools/bench.py sync``: runs in its own process.

Devices speak the team protocol's two hot calls and its event stream with a
small HTTP/1.1 client on asyncio (keep-alive connections shared by the
process's devices, one connection per open stream), so the generator spends
little CPU of its own. Records are random bytes of a realistic size: the
server cannot tell them from ciphertext, and the benchmark measures the
server, not the devices' crypto.

Two kinds of load, both open-loop (work starts when the schedule says,
whether or not earlier work has finished, and latency counts from the
scheduled time, so a queue shows as latency instead of slowing the offered
rate):

* ``rate``: syncs (a pull, then a push of one record) by random devices at an
  offered rate;
* ``teams``: open teams — every device of an open team holds a stream and
  pulls when an event says the team's head moved beyond its cursor; saves
  come at a rate per open team and push at once; teams may open over a
  ramp (the "viral day").
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import resource
import time
from dataclasses import dataclass, field

RECORD_BYTES = 4096  # a typical incident's ciphertext (a few notes), padded
POOL = 64  # keep-alive request connections per generator process


def token(team: int, device: int) -> str:
    return f"bench-{team:05d}-{device}-" + "x" * 20


class Http:
    """HTTP/1.1 with Content-Length answers, over a pool of keep-alive connections."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._idle: list = []
        self._slots = asyncio.Semaphore(POOL)

    async def request(self, method: str, path: str, tok: str, body: bytes | None = None) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {tok}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        message = head.encode() + b"\r\n" + (body or b"")
        async with self._slots:
            while self._idle:  # a kept-alive connection the server may have closed meanwhile
                answer = await self._exchange(self._idle.pop(), message)
                if answer is not None:
                    return answer
            answer = await self._exchange(await asyncio.open_connection(self.host, self.port), message)
            if answer is None:
                raise ConnectionError("closed without an answer")
            return answer

    async def _exchange(self, conn, message: bytes) -> tuple[int, bytes] | None:
        reader, writer = conn
        try:
            writer.write(message)
            status_line = await reader.readline()
            if not status_line:
                writer.close()
                return None
            status = int(status_line.split()[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            data = await reader.readexactly(length) if length else b""
        except BaseException:
            writer.close()
            raise
        if close:
            writer.close()
        else:
            self._idle.append(conn)
        return status, data


@dataclass
class Device:
    team: int
    index: int
    cursor: int = 0
    pulling: bool = False
    again: bool = False
    listening: bool = False  # its stream has delivered the team's state (or has given up)

    @property
    def tok(self) -> str:
        return token(self.team, self.index)


@dataclass
class Results:
    syncs: list = field(default_factory=list)  # latency from the scheduled start, seconds
    pulls: list = field(default_factory=list)  # request time of every pull
    spread: list = field(default_factory=list)  # push sent -> the last other member has pulled it
    errors: int = 0
    streams: int = 0


class Load:
    def __init__(self, hosts: list[tuple[str, int]], teams: range, devices: int, seed: int) -> None:
        self.http = [Http(h, p) for h, p in hosts]
        self.hosts = hosts
        self.rng = random.Random(seed)
        self.devices = {t: [Device(t, d) for d in range(devices)] for t in teams}
        self.results = Results()
        self.waiting: dict[tuple[int, int], list] = {}  # (team, seq) -> [push sent, devices still to pull]
        self._tasks: set = set()
        self.streaming = False
        self.payload = base64.urlsafe_b64encode(os.urandom(RECORD_BYTES)).rstrip(b"=").decode()

    def _http(self, device: Device) -> Http:
        return self.http[device.team % len(self.http)]

    def spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def pull(self, device: Device) -> None:
        try:
            await self._pull(device)
        except (OSError, ValueError, KeyError, asyncio.IncompleteReadError):
            self.results.errors += 1

    async def _pull(self, device: Device) -> None:
        if device.pulling:
            device.again = True
            return
        device.pulling = True
        try:
            while True:
                device.again = False
                start = time.perf_counter()
                status, data = await self._http(device).request(
                    "GET", f"/api/v1/changes?after={device.cursor}", device.tok)
                self.results.pulls.append(time.perf_counter() - start)
                if status != 200:
                    self.results.errors += 1
                    return
                page = json.loads(data)
                device.cursor = page["changes"][-1]["seq"] if page["changes"] else max(device.cursor, page["head"])
                self._arrived(device)
                if not (page["more"] or device.again):
                    return
        finally:
            device.pulling = False

    def _arrived(self, device: Device) -> None:
        now = time.perf_counter()
        for key in [k for k in self.waiting if k[0] == device.team and k[1] <= device.cursor]:
            sent, left = self.waiting[key]
            left.discard(device.index)
            if not left:
                self.results.spread.append(now - sent)
                del self.waiting[key]

    async def sync(self, device: Device, scheduled: float, record: str) -> None:
        try:
            await self._pull(device)
            body = json.dumps({"push_id": os.urandom(16).hex(), "base_seq": device.cursor, "records": [
                {"record_id": record, "kind": "incident", "key_version": 1, "nonce": "A" * 16,
                 "ciphertext": self.payload}]}).encode()
            sent = time.perf_counter()
            status, data = await self._http(device).request("POST", "/api/v1/changes", device.tok, body)
            if status != 201:
                self.results.errors += 1
                return
            seq = json.loads(data)["seqs"][0]
            others = {d.index for d in self.devices[device.team] if d is not device and d.cursor < seq}
            if others and self.streaming:
                self.waiting[(device.team, seq)] = [sent, others]
            self.results.syncs.append(time.perf_counter() - scheduled)
        except (OSError, ValueError, KeyError, asyncio.IncompleteReadError):
            self.results.errors += 1

    async def stream(self, device: Device, stop: asyncio.Event) -> None:
        host, port = self.hosts[device.team % len(self.hosts)]
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            self.results.errors += 1
            device.listening = True
            return
        writer.write(f"GET /api/v1/events HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {device.tok}\r\n"
                     f"Accept: text/event-stream\r\n\r\n".encode())
        try:
            if b" 200 " not in await reader.readline():
                self.results.errors += 1
                return
            while await reader.readline() not in (b"\r\n", b""):
                pass
            self.results.streams += 1
            while not stop.is_set():
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    return
                chunk = await reader.readexactly(size + 2)
                for line in chunk.split(b"\n"):
                    if line.startswith(b"data: "):
                        device.listening = True
                        if json.loads(line[6:])["head"] > device.cursor:
                            self.spawn(self.pull(device))
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        finally:
            device.listening = True
            writer.close()

    async def run_rate(self, rate: float, seconds: float) -> None:
        """Open loop: syncs at ``rate`` per second (Poisson), for ``seconds``."""
        self.streaming = False
        everyone = [d for team in self.devices.values() for d in team]
        start = time.perf_counter()
        t = start
        while t < start + seconds:
            t += self.rng.expovariate(rate)
            await asyncio.sleep(max(0.0, t - time.perf_counter()))
            device = self.rng.choice(everyone)
            self.spawn(self.sync(device, t, f"inc-{device.team}"))
        await self.drain()

    async def run_teams(self, open_teams: list[int], saves_per_team_s: float, seconds: float,
                        ramp_s: float = 0.0) -> None:
        """Teams open (spread over ``ramp_s``), hold streams, and save at a rate each."""
        self.streaming = True
        stop = asyncio.Event()
        opened: list[int] = []
        start = time.perf_counter()

        async def open_all() -> None:
            for i, team in enumerate(open_teams):
                at = start + ramp_s * i / max(1, len(open_teams))
                await asyncio.sleep(max(0.0, at - time.perf_counter()) if ramp_s else (0.02 if i % 25 == 24 else 0))
                for device in self.devices[team]:
                    self.spawn(self.stream(device, stop))
                    self.spawn(self.pull(device))  # opening the journal: a round at once
                opened.append(team)

        opening = asyncio.ensure_future(open_all())
        if not ramp_s:  # steady state: measure once every device listens and has caught up
            await opening
            await self.until_listening([d for team in opened for d in self.devices[team]])
            await self.drain_pulls()
            self.results = Results(streams=self.results.streams, errors=self.results.errors)
        t = time.perf_counter()
        end = t + seconds
        while t < end:
            t += self.rng.expovariate(saves_per_team_s * max(1, len(opened) or len(open_teams)))
            await asyncio.sleep(max(0.0, t - time.perf_counter()))
            if opened:
                team = self.rng.choice(opened)
                self.spawn(self.sync(self.rng.choice(self.devices[team]), t, f"inc-{team}"))
        await opening
        await asyncio.sleep(2.0)  # the last pushes reach the others
        stop.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def until_listening(self, devices: list[Device], timeout_s: float = 120.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not all(d.listening for d in devices) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)

    async def drain_pulls(self) -> None:
        everyone = [d for team in self.devices.values() for d in team]
        while any(d.pulling for d in everyone):
            await asyncio.sleep(0.05)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def generator(hosts, teams: range, devices: int, seed: int, job: dict, barrier, out) -> None:
    """Entry point of one generator process (``multiprocessing``)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def main() -> Results:
        load = Load(hosts, teams, devices, seed)
        await asyncio.to_thread(barrier.wait)
        if job["kind"] == "rate":
            await load.run_rate(job["rate"], job["seconds"])
        else:
            mine = [t for t in job["open"] if t in load.devices]
            await load.run_teams(mine, job["saves_per_team_s"], job["seconds"], job.get("ramp_s", 0.0))
        return load.results

    results = asyncio.run(main())
    out.put(results.__dict__)
