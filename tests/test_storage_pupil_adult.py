"""A pupil's "18 or older" (``Pupil.adult``, for the letter to the pupil itself): checked on the wire,
left out when it is not set (so journals written before it existed read and merge as they are), kept
through a save and a backup, and merged when a colleague ticks it."""

from __future__ import annotations

import dataclasses
import sys
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import PASS, fast_store, run  # noqa: E402

from storage import incidents as inc  # noqa: E402
from storage.codec import codec_of  # noqa: E402
from storage.errors import ValidationError  # noqa: E402

PUPIL = inc.Pupil("p-1", "slachtoffer", "S.d.V.", "2B")


def test_not_set_is_left_out_on_the_wire_so_older_records_read_the_same():
    codec = codec_of(inc.Pupil)
    assert "adult" not in codec.dump(PUPIL)
    older = {"id": "p-1", "role": "slachtoffer", "alias": "S.d.V.", "group": "2B", "removed": False, "updated": None}
    assert codec.strict(older) == codec.fast(older) == PUPIL
    ticked = dataclasses.replace(PUPIL, adult=True)
    assert codec.dump(ticked)["adult"] is True
    assert codec.strict(codec.dump(ticked)) == codec.fast(codec.dump(ticked)) == ticked


@pytest.mark.parametrize("value", ["ja", 1, None, []])
def test_anything_but_true_or_false_is_refused(value):
    older = {"id": "p-1", "role": "slachtoffer", "alias": "S.d.V.", "adult": value}
    with pytest.raises(ValidationError):
        codec_of(inc.Pupil).strict(older)


def test_kept_through_a_save_and_a_backup_and_merged_when_a_colleague_ticks_it(tmp_path):
    async def scenario():
        state = {"t": inc.utcnow()}

        def clock():
            state["t"] += timedelta(seconds=1)
            return state["t"]

        mine = await fast_store(tmp_path / "a", now=clock).create(PASS)
        theirs = await fast_store(tmp_path / "b", now=clock).create(PASS)
        case = inc.put_pupil(inc.new_incident("Groepsapp", "vernedering", by="mentor"), PUPIL)
        saved = await mine.save(case)
        await theirs.import_backup(await mine.export_backup("back-up"), "back-up")
        shared = theirs.get(saved.id)
        assert shared.pupils[0].adult is False
        # a colleague records that the pupil is 18; the other device imports that
        ticked = inc.put_pupil(shared, dataclasses.replace(shared.pupils[0], adult=True))
        await theirs.save(ticked)
        await mine.import_backup(await theirs.export_backup("back-up"), "back-up")
        assert mine.get(saved.id).pupils[0].adult is True
        reopened = await fast_store(tmp_path / "a", now=clock).unlock(PASS)
        assert reopened.get(saved.id).pupils[0].adult is True

    run(scenario())
