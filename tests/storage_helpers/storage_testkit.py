"""Shared helpers for tests/test_storage_*.py (no fixtures with side effects)."""

from __future__ import annotations

import asyncio
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
