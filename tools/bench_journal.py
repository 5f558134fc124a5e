"""Benchmark of the encrypted journal: unlock time, save latency, file size.

    python tools/bench_journal.py [--sizes 10,100,1000] [--saves 40]

Goals (issue): unlock <= 0.6 s; median save <= 25 ms with 1,000 incidents
of 20 notes each.  The figures are printed, never asserted.  "no cache ms"
is the median save with the journal's per-record segment cache bypassed.  ``main()`` is
importable (``tools/bench.py`` can call it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import tempfile
import time
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Optional, Sequence

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import incidents as inc  # noqa: E402
from storage.container import DEFAULT_ITERATIONS  # noqa: E402
from storage.paths import JOURNAL_FILE, open_store  # noqa: E402

WORDS = (
    "de het een en van in is dat op te met voor niet zijn er leerling leerlingen ouders "
    "mentor klas groep school foto gedeeld via snapchat instagram tiktok groepsapp "
    "gesprek politie aangifte zorg slachtoffer aanstichter omstander verwijderd "
    "screenshot bericht account nep bedreiging excuses afspraak teamleider vertrouwenspersoon "
    "morgen vandaag gisteren besproken telefonisch gebeld mail contact opvolging "
    "herstel evaluatie rust veilig melding signaal zorgen boos verdrietig geschrokken"
).split()

ACTIONS = ["melder", "veiligstellen", "team", "ouders", "politie", "verspreiding", "nazorg"]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_incident(rng: random.Random, notes: int = 20) -> inc.Incident:
    now = inc.utcnow() - timedelta(days=rng.randint(0, 700))
    i = inc.new_incident(
        _text(rng, 6),
        rng.choice(inc.INCIDENT_TYPES),
        reported_at=now,
        reported_by=_text(rng, 2),
        report_channel=rng.choice(["mondeling", "mail", "telefoon", "mentor"]),
        now=now,
    )
    for k in range(notes):
        i = inc.add_note(i, _text(rng, rng.randint(20, 80)), by="mentor", at=now + timedelta(minutes=k))
    for role in inc.PUPIL_ROLES:
        i = inc.put_pupil(i, inc.Pupil(inc.new_id(), role, rng.choice(["A.B.", "K.", "J.v.D."]), "2b"))
    for a in ACTIONS[: rng.randint(1, len(ACTIONS))]:
        i = inc.set_ticked(i, a, by="mentor", at=now)
    i = inc.put_contact(i, inc.Contact(inc.new_id(), "ouders", now, "moeder", _text(rng, 30)))
    return i


def naive_serialise_ms(journal, repeat: int = 3) -> tuple[float, float]:
    """What re-serialising everything on each save would cost (reference only)."""
    docs = [inc.incident_to_dict(i) for i in journal.incidents()]
    times_json, times_zlib = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        raw = json.dumps(docs, ensure_ascii=False, separators=(",", ":")).encode()
        t1 = time.perf_counter()
        zlib.compress(raw, 1)
        t2 = time.perf_counter()
        times_json.append((t1 - t0) * 1000)
        times_zlib.append((t2 - t1) * 1000)
    return min(times_json), min(times_zlib)


async def bench_size(n: int, saves: int, iterations: int, directory: Path, naive: bool) -> dict:
    rng = random.Random(n)
    store = open_store(directory, iterations=iterations)
    journal = await store.create("bench passphrase")
    batch = [make_incident(rng) for _ in range(n)]
    t0 = time.perf_counter()
    await journal.save_many(batch)
    bulk_s = time.perf_counter() - t0
    size = (directory / JOURNAL_FILE).stat().st_size
    journal.lock()

    del journal, batch
    unlock_times = []
    for _ in range(3):
        gc.collect()  # as after a fresh start: no other journal in memory
        t0 = time.perf_counter()
        journal = await open_store(directory, iterations=iterations).unlock("bench passphrase")
        unlock_times.append(time.perf_counter() - t0)
        if len(unlock_times) < 3:
            journal.lock()
            del journal

    ids = [i.id for i in journal.incidents()]
    # The first save after unlock may wait for the background encoding of all
    # records (started by unlock); measured on its own.
    t0 = time.perf_counter()
    await journal.save(inc.add_note(journal.get(ids[0]), _text(rng, 40), by="bench"))
    first_save_ms = (time.perf_counter() - t0) * 1000
    latencies = []
    for _ in range(saves):
        current = journal.get(rng.choice(ids))
        edited = inc.add_note(current, _text(rng, 40), by="bench")
        t0 = time.perf_counter()
        await journal.save(edited)
        latencies.append((time.perf_counter() - t0) * 1000)
    # The same saves with the per-record segment cache bypassed: every save
    # re-encodes every record (why storage/sealed.py keeps the cache).
    uncached = []
    for _ in range(min(saves, 10)):
        current = journal.get(rng.choice(ids))
        storage = journal._storage
        storage._known.clear()
        storage._unknown = {(t, rid) for t, docs in storage.read().items() for rid in docs}
        t0 = time.perf_counter()
        await journal.save(inc.add_note(current, _text(rng, 40), by="bench"))
        uncached.append((time.perf_counter() - t0) * 1000)
    result = {
        "incidents": n,
        "save_ms_median_uncached": statistics.median(uncached),
        "file_bytes": size,
        "bulk_insert_s": bulk_s,
        "unlock_s_median": statistics.median(unlock_times),
        "unlock_s_first": unlock_times[0],
        "first_save_ms": first_save_ms,
        "save_ms_median": statistics.median(latencies),
        "save_ms_p90": sorted(latencies)[int(0.9 * (len(latencies) - 1))],
        "save_ms_max": max(latencies),
    }
    if naive:
        result["naive_json_ms"], result["naive_zlib1_ms"] = naive_serialise_ms(journal)
    return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated incident counts")
    parser.add_argument("--saves", type=int, default=40, help="saves measured per size")
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS, help="PBKDF2 iterations")
    parser.add_argument("--dir", default=None, help="directory for the files (default: a temp dir)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive re-serialisation reference")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]

    print(f"PBKDF2 iterations: {args.iterations:,}; 20 notes per incident; {args.saves} saves per size")
    header = f"{'incidents':>9} {'file KiB':>9} {'unlock s':>9} {'save ms (median)':>17} {'p90':>6} {'max':>6} {'1st save ms':>11} {'bulk s':>7} {'no cache ms':>11}"
    if not args.no_naive:
        header += f" {'naive json ms':>14} {'+zlib1 ms':>10}"
    print(header)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for n in sizes:
            directory = Path(tmp) / f"n{n}"
            r = asyncio.run(bench_size(n, args.saves, args.iterations, directory, not args.no_naive))
            line = (
                f"{r['incidents']:>9} {r['file_bytes'] / 1024:>9.0f} {r['unlock_s_median']:>9.3f} "
                f"{r['save_ms_median']:>17.2f} {r['save_ms_p90']:>6.2f} {r['save_ms_max']:>6.2f} {r['first_save_ms']:>11.1f} {r['bulk_insert_s']:>7.2f}"
                f" {r['save_ms_median_uncached']:>11.1f}"
            )
            if not args.no_naive:
                line += f" {r['naive_json_ms']:>14.1f} {r['naive_zlib1_ms']:>10.1f}"
            print(line, flush=True)
    print("goals: unlock <= 0.6 s, median save <= 25 ms at 1,000 incidents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
