"""Benchmark of team sharing: many teams syncing at once through one server.

    python tools/bench.py sync [--teams 50] [--devices 5] [--seconds 20] [--backend sqlite|postgres|both]
                               [--client-processes 2] [--database-url postgresql://...]

For each back end a real server process (``server``, uvicorn, one process)
runs on loopback — SQLite in a temporary folder, PostgreSQL in a throwaway
cluster (``tools/pg_cluster.py``) unless ``--database-url`` names one. Then
``teams × devices`` clients (the protocol client with the test-double
journal, spread by team over ``--client-processes``) each loop for ``--seconds``: edit one of their
records, sync (pull, push), pause a little. Afterwards every device syncs
until quiet, and the benchmark checks that every change the server
acknowledged is on every member of its team.

Printed: acknowledged changes per second, p50/p95 latency of a pull request,
syncs, and **changes lost** (must be 0). Nothing is asserted; compare figures
of one run. The server runs with rate limits lifted (all clients share one
address here); everything else is as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = """
import sys, uvicorn
from server.ratelimit import Limiters
from server.app import create_app
from server.config import Settings
from server.ratelimit import RateLimiter
from sync.limits import SERVER_KEEPALIVE_S
lift = lambda: RateLimiter(10**9, 60)
app = create_app(Settings.from_env(), limiters=Limiters(lift(), lift(), lift(), lift()))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning",
            timeout_keep_alive=SERVER_KEEPALIVE_S)
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class CountingJournal:
    """The test-double journal, remembering which edits the server acknowledged."""

    def __new__(cls, author: str):
        import json

        from sync.testing import MemoryJournal

        journal = MemoryJournal(author)
        journal.acknowledged = {}  # record id -> newest "n" the server took in
        journal.acknowledged_count = 0
        sent: dict[tuple[str, str], int] = {}
        outbox, mark_pushed = journal.outbox, journal.mark_pushed

        async def remembering_outbox():
            records = await outbox()
            for r in records:
                sent[(r.record_id, r.revision)] = json.loads(r.plaintext)["n"]
            return records

        async def acknowledging_mark_pushed(records):
            for r in records:
                n = sent.pop((r.record_id, r.revision))
                journal.acknowledged[r.record_id] = max(n, journal.acknowledged.get(r.record_id, -1))
                journal.acknowledged_count += 1
            await mark_pushed(records)

        journal.outbox, journal.mark_pushed = remembering_outbox, acknowledging_mark_pushed
        return journal


class Device:
    def __init__(self, name: str, client, state) -> None:
        from sync.engine import SyncEngine

        self.journal = CountingJournal(name)
        self.client = client
        self.state = state
        self.engine = SyncEngine(self.journal, client)
        self.pull_times: list[float] = []
        self.syncs = 0
        pull = client.pull

        async def timed_pull(state, after, limit=500):
            start = time.perf_counter()
            try:
                return await pull(state, after, limit)
            finally:
                self.pull_times.append(time.perf_counter() - start)

        client.pull = timed_pull


async def _setup(url: str, teams: range, devices: int) -> list[list[Device]]:
    from sync.client import TeamClient
    from sync.native import HttpxTransport, NativeSyncCrypto

    def client():
        return TeamClient(HttpxTransport(url), NativeSyncCrypto(), invite_iterations=1_000)

    async def one_team(t: int) -> list[Device]:
        first = client()
        state = await first.create_team(f"Team {t}", "Lid 0", "coordinator", "apparaat 0", url)
        members = [(first, state)]
        for d in range(1, devices):
            invite = await first.create_invite(state)
            joiner = client()
            members.append((joiner, await joiner.redeem_invite(invite.code, f"Lid {d}", "lid", f"apparaat {d}", url)))
        team = [Device(f"t{t}d{d}", c, s) for d, (c, s) in enumerate(members)]
        for device in team:
            await device.journal.save_team_state(device.state)
        return team

    return list(await asyncio.gather(*(one_team(t) for t in teams)))


async def _run(url: str, teams: range, devices: int, seconds: float, barrier) -> dict:
    from sync.engine import SyncState

    all_teams = await _setup(url, teams, devices)
    everyone = [d for team in all_teams for d in team]
    await asyncio.to_thread(barrier.wait)  # every client process starts the clock together
    deadline = time.perf_counter() + seconds
    not_synced: dict[str, int] = {}
    edits = 0

    async def work(device: Device, seed: int) -> None:
        nonlocal edits
        rng = random.Random(seed)
        counter = 0
        while time.perf_counter() < deadline:
            counter += 1
            edits += 1
            record_id = f"{device.journal.author}-r{rng.randrange(3)}"
            device.journal.put(record_id, {"updated": f"{counter:08}", "n": counter})
            status = await device.engine.sync()
            device.syncs += 1
            if status.state is not SyncState.SYNCED:
                not_synced[status.state.value] = not_synced.get(status.state.value, 0) + 1
            await asyncio.sleep(rng.uniform(0.05, 0.3))

    start = time.perf_counter()
    await asyncio.gather(*(work(d, teams.start * devices + i) for i, d in enumerate(everyone)))
    elapsed = time.perf_counter() - start
    for _ in range(3):  # quiet down: push what is left, then take in everyone's last pushes
        await asyncio.gather(*(d.engine.sync() for d in everyone))
    lost = sum(
        1
        for team in all_teams for writer in team for record_id, n in writer.journal.acknowledged.items()
        for member in team if member.journal.records.get(record_id, (None, {}))[1].get("n", -1) < n
    )
    for device in everyone:
        await device.client.transport.aclose()
    return {"elapsed": elapsed, "edits": edits, "acknowledged": sum(d.journal.acknowledged_count for d in everyone),
            "pulls": [t for d in everyone for t in d.pull_times], "syncs": sum(d.syncs for d in everyone),
            "lost": lost, "not_synced": not_synced}


def _server(database_url: str | None, data_dir: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    from tests.sync_helpers.servers import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(STAPPENPLAN_SERVER_DATA=str(data_dir), STAPPENPLAN_SERVER_WEB=str(data_dir / "no-web-app"))
    if database_url:
        env["DATABASE_URL"] = database_url
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def _client_process(url: str, teams: range, devices: int, seconds: float, barrier, results) -> None:
    results.put(asyncio.run(_run(url, teams, devices, seconds, barrier)))


def _clients(url: str, teams: int, devices: int, seconds: float, processes: int) -> dict:
    """The devices, split by team over ``processes`` client processes (one Python
    event loop cannot drive 250 devices and also measure them)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(processes), context.Queue()
    bounds = [teams * i // processes for i in range(processes + 1)]
    workers = [context.Process(target=_client_process,
                               args=(url, range(bounds[i], bounds[i + 1]), devices, seconds, barrier, results))
               for i in range(processes)]
    for worker in workers:
        worker.start()
    parts = [results.get(timeout=seconds + 600) for _ in workers]
    for worker in workers:
        worker.join()
    merged = {"elapsed": max(p["elapsed"] for p in parts), "not_synced": {}}
    for key in ("edits", "acknowledged", "syncs", "lost"):
        merged[key] = sum(p[key] for p in parts)
    merged["pulls"] = [t for p in parts for t in p["pulls"]]
    for p in parts:
        for state, n in p["not_synced"].items():
            merged["not_synced"][state] = merged["not_synced"].get(state, 0) + n
    return merged


def bench_backend(name: str, database_url: str | None, teams: int, devices: int, seconds: float,
                  processes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, url = _server(database_url, Path(tmp) / "data")
        try:
            result = _clients(url, teams, devices, seconds, processes)
        finally:
            process.terminate()
            process.wait(timeout=30)
    pulls = result["pulls"]
    print(f"{name}: {teams} teams x {devices} devices, {seconds:.0f} s on loopback "
          f"(one server process, clients in {processes} processes)")
    print(f"  edits saved locally       {result['edits']}")
    print(f"  syncs                     {result['syncs']}  (not synced: {result['not_synced'] or 'none'})")
    print(f"  changes acknowledged/s    {result['acknowledged'] / result['elapsed']:.0f}"
          f"  ({result['acknowledged']} records pushed and acknowledged)")
    print(f"  pull latency              p50 {_percentile(pulls, 0.5) * 1000:.1f} ms   p95 {_percentile(pulls, 0.95) * 1000:.1f} ms"
          f"   ({len(pulls)} pulls)")
    print(f"  changes lost              {result['lost']}  (must be 0)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="team sharing under load")
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--devices", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--database-url", help="PostgreSQL to use (default: a throwaway cluster)")
    parser.add_argument("--client-processes", type=int, default=2, help="processes that run the devices")
    args, _ = parser.parse_known_args(argv)
    run = (args.teams, args.devices, args.seconds, args.client_processes)
    if args.backend in ("sqlite", "both"):
        bench_backend("SQLite", None, *run)
    if args.backend in ("postgres", "both"):
        if args.database_url:
            bench_backend("PostgreSQL", args.database_url, *run)
        else:
            from tools.pg_cluster import cluster

            with cluster() as url:
                bench_backend("PostgreSQL", url, *run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
