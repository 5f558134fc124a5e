"""Shared helpers for tests/test_storage_*.py (no fixtures with side effects)."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage import incidents as inc  # noqa: E402
from storage.journal import JournalStore  # noqa: E402
from storage.paths import ATTEMPTS_FILE, JOURNAL_FILE, open_store  # noqa: E402

# Tests use a tiny PBKDF2 count through the explicit test-only argument;
# a file can never lower the bound by itself.
FAST_ITERATIONS = 1_000
PASS = "correct paard batterij"
T0 = datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def fast_store(directory: Path, **options: Any) -> JournalStore:
    options.setdefault("iterations", FAST_ITERATIONS)
    options.setdefault("insecure_min_iterations", FAST_ITERATIONS)
    return open_store(directory, **options)


class FakeClock:
    """Wall clock for the attempt throttle (seconds since the epoch)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def journal_path(directory: Path) -> Path:
    return directory / JOURNAL_FILE


def attempts_path(directory: Path) -> Path:
    return directory / ATTEMPTS_FILE


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in the data dir, by name (to prove "nothing changed")."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def rich_incident(word: str = "Zeldzaamwoord", when: datetime = T0) -> inc.Incident:
    """An incident with something in every part of the model."""
    i = inc.new_incident(
        f"Naaktfoto gedeeld ({word})",
        "naaktfoto",
        reported_at=when - timedelta(hours=1),
        reported_by="mentor 2b",
        report_channel="mondeling",
        by="mentor",
        now=when,
    )
    i = inc.add_note(i, f"Gesprek met de melder: {word}", by="mentor", at=when + timedelta(minutes=1))
    i = inc.add_note(i, "Screenshot niet bewaard", by="mentor", at=when + timedelta(minutes=2))
    i = inc.edit_note(i, i.notes[0].id, f"Gesprek met de melder (aangevuld): {word}", by="ib", at=when + timedelta(minutes=3))
    i = inc.set_ticked(i, "melder", by="mentor", at=when + timedelta(minutes=4))
    i = inc.set_ticked(i, "veiligstellen", by="mentor", at=when + timedelta(minutes=5))
    i = inc.set_ticked(i, "veiligstellen", False, by="mentor", at=when + timedelta(minutes=6))
    i = inc.put_pupil(i, inc.Pupil(inc.new_id(), "slachtoffer", "A.B.", "2b"))
    i = inc.put_pupil(i, inc.Pupil(inc.new_id(), "aanstichter", "K.", "3a"))
    i = inc.put_team_member(i, inc.TeamMember(inc.new_id(), "coördinator", "Mevr. Jansen"))
    i = inc.put_contact(
        i,
        inc.Contact(
            inc.new_id(), "ouders", when + timedelta(minutes=7), "ouders aanstichter", "",
            not_informed=True, not_informed_reason="eerst gesprek met leerling",
        ),
    )
    i = inc.put_contact(i, inc.Contact(inc.new_id(), "politie", when + timedelta(minutes=8), "wijkagent", "advies gevraagd"))
    i = inc.put_follow_up(i, inc.FollowUp(inc.new_id(), when + timedelta(days=7), "slachtoffer", "nagesprek"))
    i = inc.set_status(i, "lopend", by="mentor", at=when + timedelta(minutes=9))
    i = inc.set_evaluation(i, "wat-ging-goed", "snelle melding")
    return i


class MemoryBlob:
    """A BlobStore as IndexedDB would provide it (no files, no fsync)."""

    def __init__(self, data: bytes | None = None) -> None:
        self.data = data
        self.aside: dict[str, bytes] = {}

    async def read(self):
        return self.data

    async def write(self, data):
        self.data = bytes(data)

    async def delete(self):
        self.data = None

    async def move_aside(self, suffix):
        if self.data is None:
            return None
        self.aside[suffix], self.data = self.data, None
        return suffix


def memory_store(blob: MemoryBlob | None = None, **options: Any) -> JournalStore:
    """A journal in memory with the native crypto (fast: for fuzzing thousands of imports)."""
    from storage.native import NativeCrypto

    options.setdefault("iterations", FAST_ITERATIONS)
    options.setdefault("insecure_min_iterations", FAST_ITERATIONS)
    return JournalStore(blob if blob is not None else MemoryBlob(), NativeCrypto(), MemoryBlob(), **options)


async def exercise(journal: Any, now: datetime, *, pdf: bool = True) -> None:
    """Everything a user can look at and do with what a journal holds: every
    list and query the screens use, the report of each incident (``pdf``:
    also rendered as PDF, the slow part), and every kind of edit saved on
    each incident.  Raises whatever goes wrong."""
    from content.loader import load_plan
    from report.markdown import incident_markdown
    from report.pdf import incident_pdf
    from storage import statistics
    from storage.followups import follow_up_agenda

    plan = load_plan("nl")
    everything = journal.incidents()
    journal.incidents(statuses=["gesloten"], types=["anders"])
    follow_up_agenda(journal.with_pending_follow_ups(), now)
    journal.past_retention(now)
    statistics.count_by_type(everything)
    statistics.count_by_month(everything, now)
    statistics.closure_times(everything)
    statistics.median_closure_time(everything)
    journal.policy()
    for incident in everything:
        statistics.earlier_of_same_type(incident, journal.of_type(incident.type))
        incident_markdown(incident, plan, anonymised=True, now=now)
        if pdf:
            incident_pdf(incident, plan, anonymised=False, now=now)
        i = journal.get(incident.id)
        for key in i.conflicts:
            if key.startswith("notes:"):
                note = i.note(key.partition(":")[2])
                i = inc.settle_note(i, note.id, note.heads[0].id, by="fuzz")
            else:
                i = inc.settle(i, key)
        i = inc.add_note(i, "notitie", by="fuzz")
        i = inc.edit_note(i, i.notes[0].id, "bewerkt", by="fuzz")
        i = inc.set_ticked(i, "melder", by="fuzz")
        i = inc.set_status(i, "lopend", by="fuzz")
        i = inc.set_evaluation(i, "wat-ging-goed", "antwoord")
        i = inc.put_contact(i, inc.Contact(inc.new_id(), "ouders", now, "ouder", "gebeld"))
        i = inc.put_follow_up(i, inc.FollowUp(inc.new_id(), now + timedelta(days=7), "leerling", "nagesprek"))
        i = inc.put_pupil(i, inc.Pupil(inc.new_id(), "omstander", "X.Y."))
        i = dataclasses.replace(i, title=i.title[:400] + " (bijgewerkt)", pupils=i.pupils[1:])
        saved = await journal.save(i)
        assert saved.conflicts == () and saved.title.endswith("(bijgewerkt)")
