"""From incident to policy: counts per type and month, time to closure, earlier incidents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.loader import load_plan
from storage import incidents as inc
from storage.statistics import (
    LESSONS_QUESTION,
    ClosureTime,
    MonthCount,
    closure_times,
    count_by_month,
    count_by_type,
    earlier_of_same_type,
    lessons_of,
    median_closure_time,
    median_duration,
)
from storage.vocabulary import EVALUATION_ACTION

AMS = ZoneInfo("Europe/Amsterdam")
NY = ZoneInfo("America/New_York")
UTC = timezone.utc


def ams(*args):
    return datetime(*args, tzinfo=AMS)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def incident(type="bangalijst", reported=utc(2026, 5, 1, 9), *, title="x", closed=None):
    i = inc.new_incident(title, type, reported_at=reported, now=reported)
    if closed is not None:
        i = inc.set_status(i, "gesloten", at=closed)
    return i


def test_the_evaluation_questions_are_in_the_content():
    action = load_plan("nl").action(EVALUATION_ACTION)
    ids = [q.id for b in action.blocks if b.kind == "questions" for q in b.questions]
    assert ids == [f"evaluatie-incident-{n}" for n in range(1, 7)]
    assert LESSONS_QUESTION == ids[-1]
    text = next(q.text for b in action.blocks for q in b.questions if q.id == LESSONS_QUESTION)
    assert text.startswith("Welke lessen trekken we hieruit")


# -- per type ---------------------------------------------------------------------------


def test_count_by_type_includes_every_type_in_order():
    counts = count_by_type([incident("naaktfoto"), incident("bangalijst"), incident("bangalijst"), incident("anders")])
    assert list(counts) == list(inc.INCIDENT_TYPES)
    assert counts["bangalijst"] == 2 and counts["naaktfoto"] == 1 and counts["anders"] == 1
    assert counts["challenge"] == 0
    assert sum(counts.values()) == 4
    assert dict(count_by_type([])) == dict.fromkeys(inc.INCIDENT_TYPES, 0)


# -- per month ----------------------------------------------------------------------------


def test_months_are_amsterdam_months_with_empty_ones():
    now = ams(2026, 3, 15, 12)
    items = [
        incident(reported=utc(2026, 2, 28, 23, 30)),  # 00:30 on 1 March in Amsterdam
        incident(reported=utc(2026, 2, 28, 22, 59)),  # 23:59 on 28 February
        incident(reported=ams(2026, 1, 1, 0, 0)),
        incident(reported=ams(2025, 12, 31, 23, 59)),
        incident(reported=ams(2025, 3, 31, 23, 59)),  # just before the 12-month window
        incident(reported=ams(2025, 4, 1, 0, 0)),  # the first minute of the window
        incident(reported=ams(2026, 4, 1, 0, 0)),  # after "now": not counted
    ]
    months = count_by_month(items, now)
    assert len(months) == 12
    assert months[0] == MonthCount(2025, 4, 1)
    assert months[-1] == MonthCount(2026, 3, 1)
    assert {m.key: m.count for m in months if m.count} == {"2025-04": 1, "2025-12": 1, "2026-01": 1, "2026-02": 1, "2026-03": 1}
    assert [m.key for m in months][:3] == ["2025-04", "2025-05", "2025-06"]


def test_month_window_wraps_the_year_and_follows_amsterdam_for_now():
    # 19:00 in New York on 31 December is already 1 January in Amsterdam
    now = datetime(2026, 12, 31, 19, 0, tzinfo=NY)
    months = count_by_month([incident(reported=utc(2026, 12, 31, 23, 30))], now, months=3)
    assert [m.key for m in months] == ["2026-11", "2026-12", "2027-01"]
    assert [m.count for m in months] == [0, 0, 1]
    assert [m.key for m in count_by_month([], ams(2026, 1, 10), months=1)] == ["2026-01"]
    with pytest.raises(ValueError):
        count_by_month([], now, months=0)
    with pytest.raises(ValueError):
        count_by_month([], datetime(2026, 1, 1))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)), max_size=20),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.sampled_from([UTC, AMS, NY])),
    st.integers(1, 36),
)
def test_month_counts_add_up(reported, now, n):
    items = [incident(reported=r) for r in reported]
    months = count_by_month(items, now, months=n)
    assert len(months) == n and len({m.key for m in months}) == n
    assert [m.key for m in months] == sorted(m.key for m in months)
    first, last = months[0].key, months[-1].key
    inside = [r for r in reported if first <= r.astimezone(AMS).strftime("%Y-%m") <= last]
    assert sum(m.count for m in months) == len(inside)


# -- time to closure ---------------------------------------------------------------------


def test_closure_times_only_for_closed_incidents():
    a = incident(title="a", reported=ams(2026, 10, 24, 12), closed=ams(2026, 10, 25, 12))  # over the DST switch
    b = incident(title="b", reported=ams(2026, 3, 1, 9), closed=ams(2026, 3, 3, 9))
    still_open = incident(title="open", reported=ams(2026, 3, 1, 9))
    reopened = inc.set_status(incident(reported=ams(2026, 3, 1), closed=ams(2026, 3, 2)), "lopend", at=ams(2026, 3, 5))
    times = closure_times([b, still_open, a, reopened])
    assert [t.title for t in times] == ["a", "b"]  # most recently closed first
    assert times[0].duration == timedelta(hours=25)  # the day the clocks go back is 25 hours long
    assert times[1].duration == timedelta(days=2)
    assert isinstance(times[0], ClosureTime) and times[0].incident_id == a.id
    assert median_closure_time([a, b, still_open]) == timedelta(hours=25 + (48 - 25) / 2)
    assert median_closure_time([still_open]) is None


def test_median():
    h = timedelta(hours=1)
    assert median_duration([]) is None
    assert median_duration([3 * h]) == 3 * h
    assert median_duration([5 * h, 1 * h, 3 * h]) == 3 * h
    assert median_duration([4 * h, 1 * h, 2 * h, 10 * h]) == 3 * h
    assert median_duration([timedelta(0), timedelta(microseconds=1)]) == timedelta(0)  # rounds like timedelta


# -- earlier incidents of the same type ------------------------------------------------


def test_earlier_incidents_of_the_same_type_with_what_was_done_and_learned():
    old = incident("bangalijst", ams(2025, 9, 1, 10), title="old")
    old = inc.set_ticked(old, "melder", at=ams(2025, 9, 1, 10, 5))
    old = inc.set_ticked(old, "actieteam", at=ams(2025, 9, 1, 10, 1))
    old = inc.set_ticked(old, "ouders", at=ams(2025, 9, 1, 11))
    old = inc.set_ticked(old, "ouders", False, at=ams(2025, 9, 1, 12))  # unticked: not done
    old = inc.set_evaluation(old, "evaluatie-incident-6", "  Eerder de ouders bellen.  ")
    old = inc.set_evaluation(old, "evaluatie-incident-1", "Een groepsapp")
    old = inc.set_evaluation(old, "evaluatie-incident-2", "   ")
    old = inc.set_evaluation(old, "evaluatie-incident-10", "tiende")
    old = inc.set_evaluation(old, "evaluatie-incident-3", "Les over privacy")
    older = incident("bangalijst", ams(2024, 2, 1, 10), title="older", closed=ams(2024, 3, 1))
    other_type = incident("naaktfoto", ams(2025, 10, 1), title="other type")
    current = incident("bangalijst", ams(2026, 1, 10), title="current")
    later = incident("bangalijst", ams(2026, 2, 1), title="later")

    found = earlier_of_same_type(current, [later, older, current, other_type, old])
    assert [e.title for e in found] == ["old", "older"]
    first = found[0]
    assert first.incident_id == old.id
    assert first.done == ("actieteam", "melder")
    assert first.lessons == "Eerder de ouders bellen."
    assert first.answers == (
        ("evaluatie-incident-1", "Een groepsapp"),
        ("evaluatie-incident-3", "Les over privacy"),
        ("evaluatie-incident-10", "tiende"),
    )
    assert first.answers_map["evaluatie-incident-3"] == "Les over privacy"
    assert first.status == "acuut" and first.closed_at is None
    assert found[1].closed_at == ams(2024, 3, 1) and found[1].status == "gesloten"
    assert found[1].done == () and found[1].lessons == "" and found[1].answers == ()

    assert [e.title for e in earlier_of_same_type(current, [old, older], limit=1)] == ["old"]
    assert earlier_of_same_type(older, [old, older, current]) == ()
    assert earlier_of_same_type(current, [current]) == ()


def test_anders_is_one_type_whatever_the_description():
    a = inc.new_incident("a", "anders", type_other="deepfake", reported_at=ams(2025, 1, 1), now=ams(2025, 1, 1))
    b = inc.new_incident("b", "anders", type_other="doxing", reported_at=ams(2025, 2, 1), now=ams(2025, 2, 1))
    (found,) = earlier_of_same_type(b, [a, b])
    assert found.type_other == "deepfake"
    assert lessons_of(a) == found


def test_earlier_compares_instants_not_wall_clock_times():
    # the night the clocks go back: 02:15 CET (second time round) is after 02:45 CEST
    current = incident("bangalijst", datetime(2026, 10, 25, 2, 45, tzinfo=AMS), title="current")
    after = incident("bangalijst", datetime(2026, 10, 25, 2, 15, tzinfo=AMS, fold=1), title="after")
    before = incident("bangalijst", datetime(2026, 10, 25, 2, 15, tzinfo=AMS), title="before")
    assert [e.title for e in earlier_of_same_type(current, [after, before, current])] == ["before"]
