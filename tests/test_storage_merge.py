"""Merge properties: two devices edit the same incident; importing one into
the other must be idempotent, lose nothing, duplicate nothing, and let the
newer value win."""

from __future__ import annotations

import dataclasses
import sys
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import T0  # noqa: E402

from storage import incidents as inc  # noqa: E402
from storage.journal import _stamped  # noqa: E402
from storage.merge import content_key, merge_incident  # noqa: E402

SIDES = ("L", "R")
texts = st.sampled_from(["a", "b", "c", "Zorgen", "één", ""])

ops = st.one_of(
    st.tuples(st.just("title"), st.sampled_from(SIDES), texts),
    st.tuples(st.just("channel"), st.sampled_from(SIDES), texts),
    st.tuples(st.just("type"), st.sampled_from(SIDES), st.sampled_from(inc.INCIDENT_TYPES)),
    st.tuples(st.just("eval"), st.sampled_from(SIDES), st.sampled_from(["q1", "q2"]), texts),
    st.tuples(st.just("note"), st.sampled_from(SIDES), texts),
    st.tuples(st.just("edit_note"), st.sampled_from(SIDES), st.integers(0, 5), texts),
    st.tuples(st.just("tick"), st.sampled_from(SIDES), st.sampled_from(["melder", "ouders", "politie"]), st.booleans()),
    st.tuples(st.just("contact"), st.sampled_from(SIDES), texts),
    st.tuples(st.just("edit_contact"), st.sampled_from(SIDES), st.integers(0, 5), texts),
    st.tuples(st.just("status"), st.sampled_from(SIDES), st.sampled_from(inc.STATUSES)),
    st.tuples(st.just("drop_pupil"), st.sampled_from(SIDES), st.integers(0, 5)),
    st.tuples(st.just("sync"), st.sampled_from(SIDES)),  # that side imports the other one
)


def _base():
    i = inc.new_incident("basis", "anders", now=T0)
    i = inc.add_note(i, "eerste notitie", at=T0)
    i = inc.put_pupil(i, inc.Pupil(inc.new_id(), "slachtoffer", "A.B."))
    i = inc.put_contact(i, inc.Contact(inc.new_id(), "school", T0, "teamleider"))
    return _stamped(None, i, T0)


def _apply(i: inc.Incident, op: tuple, now) -> inc.Incident:
    kind = op[0]
    if kind == "title":
        return dataclasses.replace(i, title=op[2])
    if kind == "channel":
        return dataclasses.replace(i, report_channel=op[2])
    if kind == "type":
        return dataclasses.replace(i, type=op[2])
    if kind == "eval":
        return inc.set_evaluation(i, op[2], op[3])
    if kind == "note":
        return inc.add_note(i, op[2], at=now)
    if kind == "edit_note":
        note = i.notes[op[2] % len(i.notes)]
        return inc.edit_note(i, note.id, op[3], at=now)
    if kind == "tick":
        return inc.set_ticked(i, op[2], op[3], at=now)
    if kind == "contact":
        return inc.put_contact(i, inc.Contact(inc.new_id(), "ouders", now, "ouder", op[2]))
    if kind == "edit_contact":
        contact = i.contacts[op[2] % len(i.contacts)]
        return inc.put_contact(i, dataclasses.replace(contact, summary=op[3]))
    if kind == "status":
        return inc.set_status(i, op[2], at=now)
    if kind == "drop_pupil":
        return dataclasses.replace(i, pupils=())
    raise AssertionError(op)


def _simulate(op_list):
    """Replay the ops on two devices that started from the same incident."""
    base = _base()
    state = {"L": base, "R": base}
    now = T0
    for op in op_list:
        now += timedelta(seconds=1)
        side = op[1]
        if op[0] == "sync":
            other = "R" if side == "L" else "L"
            merged, _ = merge_incident(state[side], state[other])
            if merged is not state[side]:
                merged = dataclasses.replace(merged, revision=merged.revision + 1)
            state[side] = merged
            continue
        state[side] = _stamped(state[side], _apply(state[side], op, now), now)
    return state["L"], state["R"]


def _ids(items):
    return [x.id for x in items]


COLLECTIONS = ("pupils", "team", "ticks", "notes", "contacts", "follow_ups", "status_history")


@settings(max_examples=300, deadline=None)
@given(st.lists(ops, max_size=25))
def test_merge_properties(op_list):
    local, backup = _simulate(op_list)
    merged, conflicts = merge_incident(local, backup)

    # idempotent: importing the same backup again changes nothing
    again, _ = merge_incident(merged, backup)
    assert content_key(again) == content_key(merged)
    # and merging the result back the other way converges
    back, _ = merge_incident(backup, merged)
    assert content_key(merge_incident(merged, back)[0]) == content_key(merged)

    # no duplicate ids anywhere
    for name in COLLECTIONS:
        ids = _ids(getattr(merged, name))
        assert len(ids) == len(set(ids)), name
        # union: nothing from either side is lost
        assert set(_ids(getattr(local, name))) | set(_ids(getattr(backup, name))) == set(ids), name
    for note in merged.notes:
        assert len(_ids(note.versions)) == len(set(_ids(note.versions)))

    # no note version lost, with its exact text
    versions = {v.id: v for n in merged.notes for v in n.versions}
    for side in (local, backup):
        for n in side.notes:
            for v in n.versions:
                assert versions[v.id] == v

    # the newer scalar wins
    for name in inc.SCALAR_FIELDS:
        tl = local.field_updated.get(name, local.updated)
        tb = backup.field_updated.get(name, backup.updated)
        if getattr(local, name) != getattr(backup, name) and tl != tb:
            newer = local if tl > tb else backup
            assert getattr(merged, name) == getattr(newer, name), name
            assert any(c.field == name for c in conflicts)
    for q in set(local.evaluation) | set(backup.evaluation):
        key = f"evaluation.{q}"
        if q in local.evaluation and q in backup.evaluation and local.evaluation[q] != backup.evaluation[q]:
            tl = local.field_updated.get(key, local.updated)
            tb = backup.field_updated.get(key, backup.updated)
            if tl != tb:
                assert merged.evaluation[q] == (local if tl > tb else backup).evaluation[q]
        else:
            assert merged.evaluation[q] == local.evaluation.get(q, backup.evaluation.get(q))

    # a sub-record changed later on one side wins over the other side's version
    for name in ("pupils", "contacts"):
        mine = {x.id: x for x in getattr(local, name)}
        theirs = {x.id: x for x in getattr(backup, name)}
        got = {x.id: x for x in getattr(merged, name)}
        for rid in mine.keys() & theirs.keys():
            a, b = mine[rid], theirs[rid]
            if a != b and a.updated != b.updated:
                assert got[rid] == (a if a.updated > b.updated else b)

    # bookkeeping (a merge that adds nothing returns the local incident untouched)
    if merged is local:
        assert content_key(merged) == content_key(local)
    else:
        assert merged.updated == max(local.updated, backup.updated)
        assert merged.created == min(local.created, backup.created)


@settings(max_examples=100, deadline=None)
@given(st.lists(ops, max_size=15))
def test_merge_with_itself_is_a_no_op(op_list):
    local, _ = _simulate(op_list)
    merged, conflicts = merge_incident(local, local)
    assert merged is local and conflicts == []


@settings(max_examples=100, deadline=None)
@given(st.lists(ops, max_size=20))
def test_merge_result_is_the_same_from_both_sides(op_list):
    """Who imports whom does not matter for the content (list order aside)."""
    local, backup = _simulate(op_list)
    ab, _ = merge_incident(local, backup)
    ba, _ = merge_incident(backup, local)
    for name in inc.SCALAR_FIELDS:
        assert getattr(ab, name) == getattr(ba, name)
    assert dict(ab.evaluation) == dict(ba.evaluation)
    assert ab.status == ba.status
    assert dict(ab.ticked).keys() == dict(ba.ticked).keys()
    for name in COLLECTIONS:
        assert sorted(_ids(getattr(ab, name))) == sorted(_ids(getattr(ba, name)))
    assert {n.id: n.text for n in ab.notes} == {n.id: n.text for n in ba.notes}
