"""The journal's domain model: pure functions and strict (de)serialisation."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "storage_helpers"))

from storage_testkit import T0, rich_incident  # noqa: E402

from storage import incidents as inc  # noqa: E402
from storage.errors import ValidationError  # noqa: E402


def test_new_incident_starts_acute_and_open():
    i = inc.new_incident("Bedreiging via DM", "bedreiging", now=T0)
    assert i.status == "acuut" and i.is_open and i.closed_at is None
    assert i.revision == 0 and i.reported_at == T0
    assert len(i.id) == 36


def test_status_history_and_closing():
    i = inc.new_incident("x", "anders", now=T0)
    for k, status in enumerate(["lopend", "herstel", "geevalueerd", "gesloten"], start=1):
        i = inc.set_status(i, status, by="ib", at=T0 + timedelta(days=k))
    assert [s.status for s in i.status_history] == ["acuut", "lopend", "herstel", "geevalueerd", "gesloten"]
    assert i.closed_at == T0 + timedelta(days=4) and not i.is_open
    reopened = inc.set_status(i, "lopend", at=T0 + timedelta(days=5))
    assert reopened.is_open and reopened.closed_at is None
    assert len(reopened.status_history) == 6  # the history keeps the closing


def test_ticks_record_ticking_and_unticking():
    i = inc.new_incident("x", "anders", now=T0)
    i = inc.set_ticked(i, "melder", by="a", at=T0)
    i = inc.set_ticked(i, "melder", False, by="b", at=T0)  # same moment: still ordered after
    i = inc.set_ticked(i, "team", by="a", at=T0)
    assert set(i.ticked) == {"team"}
    assert [(e.ticked, e.by) for e in i.tick_history("melder")] == [(True, "a"), (False, "b")]
    assert i.ticked["team"].by == "a"


def test_note_versions_keep_the_history():
    i = inc.add_note(inc.new_incident("x", "anders", now=T0), "v1", by="a", at=T0)
    nid = i.notes[0].id
    i = inc.edit_note(i, nid, "v2", by="b", at=T0 - timedelta(hours=1))  # clock skew: still the newest
    assert i.note(nid).text == "v2" and [v.text for v in i.note(nid).versions] == ["v1", "v2"]
    i = inc.delete_note(i, nid, by="c")
    assert i.note(nid).deleted and i.timeline == ()
    with pytest.raises(KeyError):
        inc.edit_note(i, "missing", "x")


def test_filter_and_sort_is_pure():
    a = inc.new_incident("a", "naaktfoto", reported_at=T0, now=T0)
    b = inc.set_status(inc.new_incident("b", "naaktfoto", reported_at=T0 + timedelta(1), now=T0), "gesloten")
    c = inc.new_incident("c", "challenge", reported_at=T0 - timedelta(1), now=T0)
    items = [b, c, a]
    assert [i.title for i in inc.filter_incidents(items)] == ["a", "c", "b"]
    assert items == [b, c, a]
    assert inc.filter_incidents(items, statuses=[]) == []
    assert [i.title for i in inc.filter_incidents(items, types=["naaktfoto"], statuses=["gesloten"])] == ["b"]


def test_add_months_clamps_the_day():
    jan31 = datetime(2025, 1, 31, 12, tzinfo=timezone.utc)
    assert inc.add_months(jan31, 1) == datetime(2025, 2, 28, 12, tzinfo=timezone.utc)
    assert inc.add_months(jan31, 13) == datetime(2026, 2, 28, 12, tzinfo=timezone.utc)
    assert inc.add_months(datetime(2024, 3, 31, tzinfo=timezone.utc), -1) == datetime(2024, 2, 29, tzinfo=timezone.utc)


def test_retention_lists_only_closed_incidents_past_the_period():
    closed_old = inc.set_status(inc.new_incident("old", "anders", now=T0), "gesloten", at=T0)
    closed_new = inc.set_status(inc.new_incident("new", "anders", now=T0), "gesloten", at=T0 + timedelta(days=300))
    open_old = inc.new_incident("open", "anders", now=T0 - timedelta(days=900))
    now = T0 + timedelta(days=400)
    assert inc.past_retention([closed_new, open_old, closed_old], 12, now) == [closed_old]
    assert inc.past_retention([closed_new, open_old, closed_old], 24, now) == []


def test_times_are_stored_as_utc_iso_8601():
    amsterdam = timezone(timedelta(hours=2))
    i = inc.new_incident("x", "anders", reported_at=datetime(2025, 6, 1, 14, 30, tzinfo=amsterdam), now=T0)
    d = inc.incident_to_dict(i)
    assert d["reported_at"] == "2025-06-01T12:30:00.000000Z"
    assert inc.incident_from_dict(d).reported_at == i.reported_at


def test_model_has_no_field_for_images_or_files():
    for cls in (inc.Incident, inc.Note, inc.NoteVersion, inc.Contact, inc.FollowUp, inc.Pupil, inc.TeamMember):
        for f in dataclasses.fields(cls):
            assert "bytes" not in str(f.type), (cls, f.name)
            assert not any(w in f.name for w in ("image", "photo", "foto", "file", "attachment", "blob")), f.name


def test_strict_parsing_rejects_unknown_fields_and_wrong_types():
    good = inc.incident_to_dict(rich_incident())
    assert inc.incident_from_dict(good) is not None
    for mutate in (
        lambda d: d.update(extra=1),
        lambda d: d.update(title=None),
        lambda d: d.update(revision=True),
        lambda d: d.update(type="sexting"),
        lambda d: d.update(pupils=[{"id": "p", "role": "dader", "alias": "x"}]),
        lambda d: d["notes"][0]["versions"][0].update(text=["list"]),
        lambda d: d["notes"].append(d["notes"][0]),
        lambda d: d.update(evaluation={"q": 1}),
        lambda d: d.update(created="gisteren"),
        lambda d: d.pop("reported_at"),
    ):
        d = json.loads(json.dumps(good))
        mutate(d)
        with pytest.raises(ValidationError):
            inc.incident_from_dict(d)


def test_policy_and_settings_round_trip():
    item = inc.PolicyItem("thema-1", "loopt", "afspraken", "ib", datetime(2025, 9, 1).date(), T0)
    assert inc.policy_from_dict(inc.policy_to_dict(item)) == item
    s = inc.Settings(auto_lock_minutes=15, retention_months=24, updated=T0)
    assert inc.settings_from_dict(inc.settings_to_dict(s)) == s
    with pytest.raises(ValidationError):
        inc.validate_settings(inc.Settings(auto_lock_minutes=0))


names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(timezone.utc)
)


@settings(max_examples=150, deadline=None)
@given(
    title=names,
    itype=st.sampled_from(inc.INCIDENT_TYPES),
    notes=st.lists(st.tuples(names, moments), max_size=5),
    ticks=st.lists(st.tuples(st.sampled_from(["melder", "team", "ouders"]), st.booleans(), moments), max_size=5),
    evaluation=st.dictionaries(st.sampled_from(["q1", "q2", "q3"]), names),
)
def test_serialisation_round_trips_and_fast_path_agrees(title, itype, notes, ticks, evaluation):
    i = inc.new_incident(title, itype, now=T0)
    for text, at in notes:
        i = inc.add_note(i, text, at=at)
    for action, ticked, at in ticks:
        i = inc.set_ticked(i, action, ticked, at=at)
    for q, text in evaluation.items():
        i = inc.set_evaluation(i, q, text)
    d = json.loads(json.dumps(inc.incident_to_dict(i), ensure_ascii=False))
    assert inc.incident_from_dict(d) == i
    assert inc.incident_from_trusted(d) == i
