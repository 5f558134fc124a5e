"""Benchmark of the team server: capacity, CPU per sync against a floor app, and
latency at a realistic load of 1,000 teams x 5 devices.

    python tools/bench.py sync [--backend sqlite|postgres|both] [--seconds 8] [--scenario-seconds 30]
                               [--generators 2] [--database-url postgresql://...] [--quick]

For each set-up — SQLite with one server process, PostgreSQL (a throwaway
cluster, ``tools/pg_cluster.py``, unless ``--database-url``) with one and
with two server processes — the database gets 1,000 teams of 5 devices and
the server runs as ``python -m server`` runs it (rate limits lifted: every
device here shares one address). Load generators run in their own processes
(``tools/bench_sync_load.py``), open-loop: work starts when its schedule
says, and latency counts from then. Printed, each line with the machine's
load average:

1. **Capacity and CPU per sync**: syncs (a pull after the device's cursor,
   then a push of one 4 KiB record) offered at doubling rates; per rate the
   p50/p95 sync latency and the server's CPU milliseconds per sync (its
   processes' user + system time; PostgreSQL's own processes not counted).
   Capacity is the highest offered rate with p95 <= 200 ms. With SQLite the
   same steps also run against a minimal FastAPI + SQLite floor app
   (``tools/bench_floor_app.py``) in the same run: the ratio of CPU per sync
   is the overhead of everything the server does beyond the floor.
2. **300 teams open** (of 1,000): their 1,500 devices hold event streams;
   each open team saves every 30 s on average, the saving device pushes at
   once, the others pull when their stream says so. Measured once every
   stream has delivered its team's state and every device has caught up.
   Pull latency p50/p95 and the time from a push until the other four
   members have pulled it.
3. **All 1,000 teams open**, the same.
4. **A viral day**: 500 more teams become active within a minute, saving
   every 10 s.

Then the storage of 1,000 saves of one incident (20 KiB of ciphertext),
against one copy of it. Nothing is asserted: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.bench_sync_load import generator, token  # noqa: E402

TEAMS, DEVICES = 1000, 5
P95_GOAL_S = 0.200
SERVER = """
import sys, uvicorn
from server.__main__ import serve_options
from server.app import create_app
from server.config import Settings
from server.ratelimit import Limiters, RateLimiter
settings = Settings.from_env()
app = create_app(settings, limiters=Limiters(*(RateLimiter(10**9, 60) for _ in range(5))), run_migrations=False)
options = serve_options(settings)
options["port"] = int(sys.argv[1])
uvicorn.run(app, log_level="warning", **options)
"""


def load() -> str:
    return "load %.1f %.1f %.1f" % os.getloadavg()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(port: int, process: subprocess.Popen) -> None:
    import httpx

    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit("a server exited at start")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("a server did not start")


# --- set-ups --------------------------------------------------------------------------------------------------


def populate_server(url: str) -> None:
    """1,000 teams of 5 devices, straight into the database (joining is not what is measured)."""
    from sqlalchemy import insert

    from server import models as m
    from server.db import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(m.Team.__table__), [
            {"id": f"{t:032x}", "created_at": now, "key_version": 1, "head_seq": 0, "rotation_needed": False,
             "roster": DEVICES, "stored_bytes": 0, "last_active": now} for t in range(TEAMS)])
        conn.execute(insert(m.Member.__table__), [
            {"id": f"{t:027x}{d:05x}", "team_id": f"{t:032x}",
             "token_hash": hashlib.sha256(token(t, d).encode()).digest(), "public_key": b"\x04" + bytes(64),
             "key_mac": bytes(32), "display_name": f"Lid {d}", "role": "lid", "device_label": "telefoon",
             "coordinator": d == 0, "joined_at": now, "last_seen": now}
            for t in range(TEAMS) for d in range(DEVICES)])
    engine.dispose()


class Servers:
    def __init__(self, processes: list[subprocess.Popen], ports: list[int]) -> None:
        self.processes, self.ports = processes, ports

    @property
    def hosts(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", p) for p in self.ports]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def start_servers(url: str, data: Path, count: int) -> Servers:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(STAPPENPLAN_SERVER_DATA=str(data), STAPPENPLAN_SERVER_WEB=str(data / "none"),
               STAPPENPLAN_MAX_CONNECTIONS="12000")
    if url.startswith("postgresql"):
        env["DATABASE_URL"] = url
    processes, ports = [], []
    for _ in range(count):
        port = free_port()
        processes.append(subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ports.append(port)
    for port, process in zip(ports, processes):
        wait_healthy(port, process)
    return Servers(processes, ports)


def start_floor(data: Path) -> Servers:
    from tools.bench_floor_app import populate

    path = data / "floor.sqlite3"
    populate(str(path), [(token(t, d), f"{t:027x}{d:05x}", f"{t:032x}") for t in range(TEAMS) for d in range(DEVICES)])
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "tools" / "bench_floor_app.py"), str(path), str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_healthy_floor(port, process)
    return Servers([process], [port])


def wait_healthy_floor(port: int, process: subprocess.Popen) -> None:
    import httpx

    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/changes", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the floor app did not start")


# --- running load -----------------------------------------------------------------------------------------------


def run_generators(servers: Servers, job: dict, generators: int) -> dict:
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(generators), context.Queue()
    if job["kind"] == "rate":
        job = {**job, "rate": job["rate"] / generators}
    workers = [context.Process(target=generator, args=(servers.hosts, range(i, TEAMS, generators), DEVICES,
                                                        i, job, barrier, out)) for i in range(generators)]
    for w in workers:
        w.start()
    parts = [out.get(timeout=job.get("seconds", 60) + job.get("ramp_s", 0) + 300) for _ in workers]
    for w in workers:
        w.join()
    merged: dict = {"errors": sum(p["errors"] for p in parts), "streams": sum(p["streams"] for p in parts)}
    for key in ("syncs", "pulls", "spread"):
        merged[key] = [x for p in parts for x in p[key]]
    return merged


def capacity(name: str, servers: Servers, rates: list[float], seconds: float, generators: int) -> dict:
    print(f"  {name}: open-loop syncs (pull + push of 4 KiB), {seconds:.0f} s per offered rate")
    run_generators(servers, {"kind": "rate", "rate": rates[0], "seconds": 2}, generators)  # warm-up, not counted
    best, cpu_at = 0.0, {}
    for rate in rates:
        before = cpu_seconds(servers.pids)
        started = time.perf_counter()
        result = run_generators(servers, {"kind": "rate", "rate": rate, "seconds": seconds}, generators)
        elapsed = time.perf_counter() - started
        used = cpu_seconds(servers.pids) - before
        syncs = result["syncs"]
        p50, p95 = percentile(syncs, 0.5), percentile(syncs, 0.95)
        per_sync = used * 1000 / max(1, len(syncs))
        cpu_at[rate] = per_sync
        print(f"    offered {rate:6.0f}/s  done {len(syncs) / elapsed:6.1f}/s  p50 {p50 * 1000:7.1f} ms  "
              f"p95 {p95 * 1000:7.1f} ms  errors {result['errors']:4d}  CPU {per_sync:5.2f} ms/sync  ({load()})")
        if p95 <= P95_GOAL_S and not result["errors"]:
            best = rate
        elif p95 > 4 * P95_GOAL_S or result["errors"]:
            break
    print(f"    capacity (highest offered rate with p95 <= 200 ms): {best:.0f} syncs/s")
    return {"capacity": best, "cpu": cpu_at}


def scenario(title: str, servers: Servers, job: dict, generators: int) -> None:
    result = run_generators(servers, job, generators)
    pulls, spread, syncs = result["pulls"], result["spread"], result["syncs"]
    print(f"  {title}: {result['streams']} streams, {len(syncs)} saves pushed, {len(pulls)} pulls, "
          f"errors {result['errors']}  ({load()})")
    print(f"    pull          p50 {percentile(pulls, .5) * 1000:7.1f} ms   p95 {percentile(pulls, .95) * 1000:7.1f} ms")
    print(f"    save (sync)   p50 {percentile(syncs, .5) * 1000:7.1f} ms   p95 {percentile(syncs, .95) * 1000:7.1f} ms")
    print(f"    push -> the other 4 have pulled it   p50 {percentile(spread, .5) * 1000:7.1f} ms   "
          f"p95 {percentile(spread, .95) * 1000:7.1f} ms   ({len(spread)} pushes)")


def bench_setup(name: str, url_for, processes: int, args, floor: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        url = url_for(data)
        populate_server(url)
        print(f"{name}, {processes} server process(es); {TEAMS} teams x {DEVICES} devices  ({load()})")
        servers = start_servers(url, data, processes)
        try:
            ours = capacity("team server", servers, args.rates, args.seconds, args.generators)
            scenario("300 of 1,000 teams open (a save every 30 s per team)", servers,
                     {"kind": "teams", "open": list(range(300)), "saves_per_team_s": 1 / 30,
                      "seconds": args.scenario_seconds}, args.generators)
            scenario("all 1,000 teams open", servers,
                     {"kind": "teams", "open": list(range(TEAMS)), "saves_per_team_s": 1 / 30,
                      "seconds": args.scenario_seconds}, args.generators)
            scenario("viral day: 500 teams become active within a minute (a save every 10 s each)", servers,
                     {"kind": "teams", "open": list(range(500)), "saves_per_team_s": 1 / 10,
                      "seconds": args.ramp_seconds, "ramp_s": args.ramp_seconds}, args.generators)
        finally:
            servers.stop()
        if floor:
            floor_servers = start_floor(data)
            try:
                theirs = capacity("floor app (minimal FastAPI + SQLite)", floor_servers, args.rates, args.seconds,
                                  args.generators)
            finally:
                floor_servers.stop()
            common = [r for r in ours["cpu"] if r in theirs["cpu"]]
            for rate in common:
                print(f"    CPU per sync at {rate:.0f}/s: team server {ours['cpu'][rate]:.2f} ms, floor "
                      f"{theirs['cpu'][rate]:.2f} ms, ratio {ours['cpu'][rate] / theirs['cpu'][rate]:.2f}")
    print()


def storage_of_saves(url: str) -> None:
    """1,000 saves of one incident (20 KiB ciphertext), by one device and by five in turn."""
    import asyncio

    import httpx
    from sqlalchemy import text

    from server.app import create_app
    from server.config import Settings, normalise_database_url
    from server.ratelimit import Limiters, RateLimiter

    with tempfile.TemporaryDirectory() as tmp:
        populate_server(url(Path(tmp)))
        settings = Settings(database_url=normalise_database_url(url(Path(tmp))), data_dir=Path(tmp),
                            web_dir=Path(tmp) / "none")
        app = create_app(settings, limiters=Limiters(*(RateLimiter(10**9, 60) for _ in range(5))))
        copy = os.urandom(20 * 1024)
        import base64

        body = lambda: {"push_id": os.urandom(16).hex(), "base_seq": 0, "records": [  # noqa: E731
            {"record_id": "incident-1", "kind": "incident", "key_version": 1, "nonce": "A" * 16,
             "ciphertext": base64.urlsafe_b64encode(copy).rstrip(b"=").decode()}]}

        async def saves(team: int, writers: int) -> None:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as http:
                for i in range(1000):
                    answer = await http.post("/api/v1/changes", json=body(),
                                             headers={"Authorization": f"Bearer {token(team, i % writers)}"})
                    assert answer.status_code == 201, answer.text

        for team, writers in ((0, 1), (1, 5)):
            asyncio.run(saves(team, writers))
            with app.state.context.db.engine.connect() as conn:
                stored = conn.scalar(text("SELECT stored_bytes FROM teams WHERE id = :t"), {"t": f"{team:032x}"})
                rows = conn.scalar(text("SELECT count(*) FROM changes WHERE team_id = :t"), {"t": f"{team:032x}"})
            print(f"  1,000 saves of one incident by {writers} device(s): {rows} rows, {stored / 1024:.0f} KiB "
                  f"stored = {stored / len(copy):.1f} x one copy ({len(copy) // 1024} KiB)")
        app.state.context.db.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="the team server under load")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--database-url", help="PostgreSQL to use (default: a throwaway cluster)")
    parser.add_argument("--seconds", type=float, default=8, help="per offered rate")
    parser.add_argument("--scenario-seconds", type=float, default=30)
    parser.add_argument("--ramp-seconds", type=float, default=60, help="the viral day's minute")
    parser.add_argument("--generators", type=int, default=2, help="load generator processes")
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 20, 40, 80, 160, 320, 640])
    parser.add_argument("--quick", action="store_true", help="short steps (a smoke run, not figures)")
    args, _ = parser.parse_known_args(argv)
    if args.quick:
        args.seconds, args.scenario_seconds, args.ramp_seconds, args.rates = 3, 8, 8, [10, 40]
    print(f"team server benchmark on {os.cpu_count()} cores  ({load()})\n")
    if args.backend in ("sqlite", "both"):
        sqlite = lambda data: f"sqlite:///{data / 'team-server.sqlite3'}"  # noqa: E731
        bench_setup("SQLite", sqlite, 1, args, floor=True)
        print("Storage (SQLite)")
        storage_of_saves(sqlite)
        print()
    if args.backend in ("postgres", "both"):
        from contextlib import nullcontext

        from tools.pg_cluster import cluster

        with (nullcontext(args.database_url) if args.database_url else cluster()) as base:
            def fresh(_data: Path) -> str:
                import uuid

                import psycopg

                name = f"bench_{uuid.uuid4().hex[:12]}"
                with psycopg.connect(base, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                return base.rsplit("/", 1)[0] + f"/{name}"

            for processes in (1, 2):
                bench_setup("PostgreSQL", lambda data: normalise(fresh(data)), processes, args, floor=False)
    return 0


def normalise(url: str) -> str:
    from server.config import normalise_database_url

    return normalise_database_url(url)


if __name__ == "__main__":
    raise SystemExit(main())
