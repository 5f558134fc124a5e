"""Fuzzed imports: more than 10,000 hostile or broken backups.

Random bytes, truncations and byte flips of a real backup, and -- the
interesting part -- valid, correctly encrypted backups whose JSON records
were mutated: huge lists, wrong types, stamps in 2099 or 1970, lone
surrogates, duplicated ids, unknown fields, records of the wrong kind.

For every case: nothing escapes but the app's own errors; a refused import
changes nothing (file and memory); after an accepted import every list,
query and report still works, every kind of edit can be saved on every
incident, and the journal's own export imports again.

``STAPPENPLAN_FUZZ_CASES`` sets the scale: the byte-level test runs that many
cases, the JSON-level test five times as many (default 1,700: 10,200 in all).
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import random
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, MemoryBlob, exercise, memory_store, rich_incident  # noqa: E402

from storage import container as fmt  # noqa: E402
from storage import incidents as inc  # noqa: E402
from storage.errors import StorageError  # noqa: E402
from storage.merge import content_of  # noqa: E402
from storage.native import NativeCrypto  # noqa: E402

BACKUP_PASS = "fuzz back-up"
SCALE = int(os.environ.get("STAPPENPLAN_FUZZ_CASES", "1700"))  # the JSON test runs 5x this many


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class Fixture:
    """A journal template (bytes) and a backup of another journal to mutate."""

    def __init__(self) -> None:
        async def make():
            mine = await memory_store().create(PASS)
            await mine.save(rich_incident("Eigen"))
            shared = await mine.save(rich_incident("Gedeeld"))
            theirs = await memory_store().create(PASS)
            await theirs.import_backup(await mine.export_backup(BACKUP_PASS, [shared.id]), BACKUP_PASS)
            edited = inc.add_note(theirs.get(shared.id), "van de collega", by="collega")
            await theirs.save(inc.put_pupil(edited, inc.Pupil(inc.new_id(), "aanstichter", "K.")))
            await theirs.save(rich_incident("Alleen bij de collega"))
            from storage.incidents import PolicyItem

            await theirs.save_policy_item(PolicyItem("beleid-1", status="gestart", owner="directie"))
            return mine._store._blob.data, await theirs.export_backup(BACKUP_PASS)

        self.journal_bytes, self.backup = run(make())
        crypto = NativeCrypto()
        header = fmt.parse_header(self.backup, min_iterations=1000)
        key = run(fmt.open_key_slot(crypto, header, fmt.normalize_passphrase(BACKUP_PASS)))
        plaintext = run(fmt.open_body(crypto, header, self.backup, key))
        self.records = [json.loads(line) for line in plaintext.split(b"\n")[:-1]]


@pytest.fixture(scope="module")
def fixture() -> Fixture:
    return Fixture()


async def _forge(records: list, raw_lines: list[bytes] | None = None) -> bytes:
    """A correctly encrypted backup holding ``records`` (as a hostile app would write it)."""
    crypto = NativeCrypto()
    lines = raw_lines if raw_lines is not None else [json.dumps(r).encode() + b"\n" for r in records]
    key = crypto.random_bytes(32)
    slot = await fmt.make_key_slot(crypto, fmt.normalize_passphrase(BACKUP_PASS), key, kind=fmt.KIND_BACKUP, iterations=1000)
    return await fmt.seal(crypto, kind=fmt.KIND_BACKUP, slot=slot, data_key=key, body=b"".join(lines), encoding=fmt.ENCODING_RAW)


async def _import_case(fixture: Fixture, data: bytes, stats: dict) -> None:
    """Import ``data`` into a fresh copy of the journal and check the outcome."""
    blob = MemoryBlob(fixture.journal_bytes)
    journal = await memory_store(blob).unlock(PASS)
    before_file = blob.data
    before = {i.id: i for i in journal.incidents()}
    try:
        report = await journal.import_backup(data, BACKUP_PASS)
    except StorageError:
        stats["refused"] += 1
        assert blob.data == before_file, "a refused import changed the file"
        assert {i.id: i for i in journal.incidents()} == before, "a refused import changed the journal in memory"
        return
    stats["accepted"] += 1
    stats["skipped"] += len(report.skipped_invalid) + len(report.policy_skipped)
    after = {i.id: i for i in journal.incidents()}
    assert set(before) <= set(after), "an import lost an incident"
    for iid in set(before) - set(report.updated):
        assert after[iid] == before[iid], "an incident changed that the report does not name"
    if not report.changed:
        assert blob.data == before_file  # the same journal as checked in the unmutated case
        return
    stats["changed"] += 1
    now = inc.utcnow()
    # the journal's own export still imports (into an empty journal), with the same content
    copy_of = await memory_store().create(PASS)
    await copy_of.import_backup(await journal.export_backup(BACKUP_PASS), BACKUP_PASS)
    assert {i.id: content_of(inc.incident_to_dict(i)) for i in copy_of.incidents()} == {
        i.id: content_of(inc.incident_to_dict(i)) for i in journal.incidents()
    }
    # everything a user looks at and does still works, and the file opens again
    # (the PDF, which draws the same blocks as the Markdown report, every 50th time)
    await exercise(journal, now, pdf=stats["changed"] % 50 == 1)
    await memory_store(blob).unlock(PASS)


# -- byte level -------------------------------------------------------------------------------


def test_random_bytes_and_truncations_are_refused_and_change_nothing(fixture):
    rng = random.Random(20261129)
    stats = {"refused": 0, "accepted": 0, "skipped": 0, "changed": 0}
    backup = fixture.backup
    for n in range(SCALE):
        kind = n % 4
        if kind == 0:
            data = rng.randbytes(rng.randrange(0, 700))
        elif kind == 1:
            data = fmt.MAGIC + rng.randbytes(rng.randrange(0, 400))
        elif kind == 2:
            data = backup[: rng.randrange(0, len(backup))]
        else:
            data = bytearray(backup)
            for _ in range(rng.randrange(1, 4)):
                data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
            data = bytes(data)
        run(_import_case(fixture, data, stats))
    assert stats["refused"] == SCALE  # nothing broken or forged gets in


# -- JSON level: valid encryption, hostile content ----------------------------------------------

NOW = inc.utcnow()
HOSTILE_VALUES = [
    None, True, 0, -1, 2**31, 2**53, 2**64, 1e308, 3.5, "", "x" * 501, "x" * 100_001,
    "\ud800", "Sanne \udfff de Vries", "\x00", "Zoë 🙂", "ﬁ", [], {}, [{}], [[[[[]]]]], {"a": {"b": {}}},
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1999-12-31T23:59:59.999999Z", "2099-01-01T00:00:00Z",
    inc.time_to_str(NOW + timedelta(days=2)), inc.time_to_str(NOW + timedelta(hours=3)),
    inc.time_to_str(NOW - timedelta(minutes=5)), "2025-02-30T00:00:00Z", "2025-03-14T09:00:00",
    "2025-03-14T09:00:00+14:00", "2025-03-14T09:00:00.123Z", "NOT-A-UUID", "6F1C5AD2-8D8E-4F67-9A0B-3C2D1E0F4A5B",
    "naaktfoto", "gesloten", "ouders", "slachtoffer", "title", "evaluation.x", "pupils:p1",
]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out += _paths(v, prefix + (k,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _mutate(records: list, rng: random.Random) -> tuple[list, list[bytes] | None]:
    """One to three random mutations of the backup's records."""
    records = copy.deepcopy(records)
    for _ in range(rng.randrange(1, 4)):
        target = rng.randrange(1, len(records)) if len(records) > 1 else 0
        paths = _paths(records[target])
        path = rng.choice(paths)
        op = rng.randrange(10)
        parent_path, last = (path[:-1], path[-1]) if path else ((), None)
        parent = _get(records[target], parent_path) if path else None
        if op <= 3 and path:  # replace a value
            parent[last] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
        elif op == 4 and isinstance(parent, dict):  # drop a key
            parent.pop(last, None)
        elif op == 5:  # add an unknown key
            node = _get(records[target], path)
            if isinstance(node, dict):
                node[rng.choice(["extra", "id", "t", "doc", "updated"])] = rng.choice(HOSTILE_VALUES)
        elif op == 6:  # a huge or duplicated list
            node = _get(records[target], path)
            if isinstance(node, list) and node:
                node.extend([copy.deepcopy(node[0])] * rng.choice([1, 2, 10_001]))
        elif op == 7:  # the same record twice, or another record's id
            twin = copy.deepcopy(records[target])
            if rng.random() < 0.5 and isinstance(twin.get("doc"), dict) and "id" in twin["doc"]:
                other = rng.choice(records[1:] or records)
                twin["doc"]["id"] = (other.get("doc") or {}).get("id", "x") if isinstance(other.get("doc"), dict) else "x"
            records.append(twin)
        elif op == 8:  # another kind
            records[target]["t"] = rng.choice(["incident", "policy", "settings", "tombstone", "meta", "virus"])
        else:  # the meta record
            records[0] = rng.choice([{"schema": 1, "t": "meta"}, {"schema": inc.SCHEMA_VERSION + 1, "t": "meta"}, {"schema": "2", "t": "meta"}, {"t": "meta"}])
    if rng.random() < 0.05:  # broken JSON lines
        lines = [json.dumps(r).encode() + b"\n" for r in records]
        k = rng.randrange(len(lines))
        lines[k] = lines[k][: rng.randrange(len(lines[k]))] + b"\n"
        return records, lines
    return records, None


def test_mutated_records_inside_valid_backups(fixture):
    rng = random.Random(1129)
    stats = {"refused": 0, "accepted": 0, "skipped": 0, "changed": 0}
    cases = 5 * SCALE

    async def all_cases():
        for _ in range(cases):
            records, lines = _mutate(fixture.records, rng)
            await _import_case(fixture, await _forge(records, lines), stats)

    run(all_cases())
    print(f"\nfuzzed imports: {cases} mutated backups, {stats}")
    # the fuzzer reaches both sides: refusals and imports with records skipped
    assert stats["refused"] > cases // 20 and stats["changed"] > cases // 10 and stats["skipped"] > cases // 10


def test_the_unmutated_backup_imports_and_passes_every_check(fixture):
    stats = {"refused": 0, "accepted": 0, "skipped": 0, "changed": 0}
    run(_import_case(fixture, fixture.backup, stats))
    assert stats == {"refused": 0, "accepted": 1, "skipped": 0, "changed": 1}
