"""A colleague's clock is never right: imports between devices whose clocks
disagree, a backup dated 2099, and a deletion followed by an older edit."""

from __future__ import annotations

import dataclasses
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, memory_store, rich_incident, run  # noqa: E402

from storage import incidents as inc  # noqa: E402

BACKUP = "back-up van de collega"
NOW = inc.utcnow().replace(microsecond=0)


class Clock:
    """A device clock: real time plus this device's error."""

    def __init__(self, error: timedelta = timedelta(0)) -> None:
        self.real = NOW
        self.error = error

    def __call__(self):
        self.real += timedelta(seconds=1)
        return self.real + self.error


async def _devices(colleague_error: timedelta):
    """My device (right clock) and a colleague's, both holding one shared incident."""
    mine_clock, theirs_clock = Clock(), Clock(colleague_error)
    mine = await memory_store(now=mine_clock).create(PASS)
    theirs = await memory_store(now=theirs_clock).create(PASS)
    shared = await mine.save(rich_incident("Gedeeld", when=NOW - timedelta(days=1)))
    await theirs.import_backup(await mine.export_backup(BACKUP), BACKUP)
    return mine, theirs, shared.id, (mine_clock, theirs_clock)


def _tick(clocks, seconds=60):
    for c in clocks:
        c.real += timedelta(seconds=seconds)


def test_a_colleague_ten_minutes_fast_cannot_overwrite_my_later_edit_twice():
    """Their edit and mine were made without seeing each other: both kept.
    Once I have seen theirs and edit again, mine stands -- and importing the
    same backup again changes nothing."""

    async def scenario():
        mine, theirs, iid, clocks = await _devices(timedelta(minutes=10))
        await theirs.save(dataclasses.replace(theirs.get(iid), title="Titel van de collega"))
        _tick(clocks)  # a minute later in real time, earlier on their clock's reading
        await mine.save(dataclasses.replace(mine.get(iid), title="Mijn titel"))
        backup = await theirs.export_backup(BACKUP)
        first = await mine.import_backup(backup, BACKUP)
        after_first = mine.get(iid)
        _tick(clocks)
        settled = await mine.save(dataclasses.replace(inc.settle(after_first, "title"), title="Mijn titel, definitief"))
        second = await mine.import_backup(backup, BACKUP)
        return first, after_first, settled, second, mine.get(iid)

    first, after_first, settled, second, final = run(scenario())
    # both edits kept: theirs shown (its stamp is later), mine kept as the alternative
    assert after_first.conflicts == ("title",)
    assert {after_first.title} | {a.value for a in after_first.alternatives["title"]} == {"Titel van de collega", "Mijn titel"}
    assert [c.field for c in first.conflicts] == ["title"]
    # my later edit wins although their clock reads later than mine
    assert settled.title == "Mijn titel, definitief" and settled.conflicts == ()
    assert second.unchanged == [final.id] and not second.changed
    assert final == settled


def test_a_colleague_ten_minutes_slow_who_saw_my_edit_still_wins():
    """Their clock is behind, but they edited after taking in my change: their
    edit supersedes mine (the stamp follows what they had seen)."""

    async def scenario():
        mine, theirs, iid, clocks = await _devices(-timedelta(minutes=10))
        await mine.save(dataclasses.replace(mine.get(iid), title="Mijn titel"))
        await theirs.import_backup(await mine.export_backup(BACKUP), BACKUP)
        _tick(clocks)
        theirs_saved = await theirs.save(dataclasses.replace(theirs.get(iid), title="Hun titel, na de mijne"))
        report = await mine.import_backup(await theirs.export_backup(BACKUP), BACKUP)
        return theirs_saved, report, mine.get(iid)

    theirs_saved, report, final = run(scenario())
    assert final.title == "Hun titel, na de mijne" and final.conflicts == ()
    assert report.conflicts == []
    assert theirs_saved.field_updated["title"] > final.created  # stamped after mine, whatever their clock said


def test_a_backup_dated_2099_is_skipped_and_the_report_says_so():
    async def scenario():
        mine, theirs, iid, clocks = await _devices(timedelta(days=365 * 73))  # a clock set to 2099
        await theirs.save(dataclasses.replace(theirs.get(iid), title="Uit de toekomst"))
        await theirs.save(rich_incident("Nieuw uit de toekomst", when=inc.utcnow() + timedelta(days=365 * 73)))
        before = {i.id: i for i in mine.incidents()}
        report = await mine.import_backup(await theirs.export_backup(BACKUP), BACKUP)
        return before, report, {i.id: i for i in mine.incidents()}, iid

    before, report, after, iid = run(scenario())
    assert after == before  # nothing changed
    assert len(report.skipped_invalid) == 2 and iid in {rid for rid, _ in report.skipped_invalid}
    assert all(field.endswith(("updated", "created")) or "at" in field for _, field in report.skipped_invalid)
    assert not report.changed


def test_a_colleague_a_few_hours_ahead_is_still_taken_in():
    """Within a day: a wrong time zone setting must not lose their work."""

    async def scenario():
        mine, theirs, iid, clocks = await _devices(timedelta(hours=3))
        await theirs.save(inc.add_note(theirs.get(iid), "Gesprek met ouders", by="collega"))
        report = await mine.import_backup(await theirs.export_backup(BACKUP), BACKUP)
        return report, mine.get(iid)

    report, final = run(scenario())
    assert report.updated == [final.id]
    assert "Gesprek met ouders" in [n.text for n in final.notes]


def test_a_deletion_followed_by_an_older_edit_stays_deleted():
    async def scenario():
        mine, theirs, iid, clocks = await _devices(-timedelta(minutes=30))
        _tick(clocks)
        await theirs.save(inc.add_note(theirs.get(iid), "Later op hun klok, eerder in het echt", by="collega"))
        await mine.delete(iid)
        report = await mine.import_backup(await theirs.export_backup(BACKUP), BACKUP)
        return report, mine, iid

    report, mine, iid = run(scenario())
    assert report.skipped_deleted == [iid]
    assert mine.incidents() == [] and mine.is_deleted(iid)


def test_a_deletion_followed_by_a_newer_edit_elsewhere_stays_deleted_too():
    """Deletion wins, whatever the other device did afterwards: an incident
    removed for the retention period does not come back."""

    async def scenario():
        mine, theirs, iid, clocks = await _devices(timedelta(0))
        await mine.delete(iid)
        _tick(clocks)
        await theirs.save(inc.add_note(theirs.get(iid), "Na het verwijderen", by="collega"))
        report = await mine.import_backup(await theirs.export_backup(BACKUP), BACKUP)
        return report, mine, iid

    report, mine, iid = run(scenario())
    assert report.skipped_deleted == [iid] and mine.incidents() == []
