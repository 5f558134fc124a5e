"""Follow-up conversations: overdue, due today (Amsterdam date) and upcoming."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import incidents as inc
from storage.followups import (
    DueFollowUp,
    FollowUpState,
    amsterdam_date,
    follow_up_agenda,
    follow_up_state,
    pending_follow_ups,
)

AMS = ZoneInfo("Europe/Amsterdam")
NY = ZoneInfo("America/New_York")
UTC = timezone.utc

OVERDUE, TODAY, UPCOMING = FollowUpState.OVERDUE, FollowUpState.TODAY, FollowUpState.UPCOMING


def ams(*args, fold=0):
    return datetime(*args, tzinfo=AMS, fold=fold)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def incident(*follow_ups, title="Incident", status=None, when=utc(2026, 1, 5, 9)):
    i = inc.new_incident(title, "bangalijst", now=when)
    for f in follow_ups:
        i = inc.put_follow_up(i, f)
    if status:
        i = inc.set_status(i, status, at=when + timedelta(hours=1))
    return i


def follow_up(due, *, done_at=None, removed=False, who="mentor"):
    return inc.FollowUp(inc.new_id(), due, who, "gesprek", done_at=done_at, removed=removed)


# -- the state of one follow-up at one instant -----------------------------------------

CASES = [
    # autumn DST switch, 25 Oct 2026 (03:00 CEST -> 02:00 CET)
    ("23:30 on the autumn switch day, at noon", ams(2026, 10, 25, 23, 30), ams(2026, 10, 25, 12, 0), TODAY),
    ("23:30 on the autumn switch day, at 23:29", ams(2026, 10, 25, 23, 30), ams(2026, 10, 25, 23, 29), TODAY),
    ("23:30 on the autumn switch day, at 23:31", ams(2026, 10, 25, 23, 30), ams(2026, 10, 25, 23, 31), OVERDUE),
    ("23:30 on the autumn switch day, the evening before", ams(2026, 10, 25, 23, 30), ams(2026, 10, 24, 23, 30), UPCOMING),
    # the day is 25 hours long: 23:30 CET is 22:30 UTC, not 21:30
    ("23:30 on the autumn switch day, at 22:00 UTC", ams(2026, 10, 25, 23, 30), utc(2026, 10, 25, 22, 0), TODAY),
    ("23:30 on the autumn switch day, at 22:45 UTC", ams(2026, 10, 25, 23, 30), utc(2026, 10, 25, 22, 45), OVERDUE),
    # the repeated hour: 02:30 CET (second time round) is after 02:45 CEST (first time)
    ("repeated hour, second 02:30 at first 02:45", ams(2026, 10, 25, 2, 30, fold=1), ams(2026, 10, 25, 2, 45), TODAY),
    ("repeated hour, first 02:30 at second 02:15", ams(2026, 10, 25, 2, 30), ams(2026, 10, 25, 2, 15, fold=1), OVERDUE),
    # spring DST switch, 29 Mar 2026 (02:00 CET -> 03:00 CEST): 23:30 CEST is 21:30 UTC
    ("23:30 on the spring switch day, at 21:00 UTC", ams(2026, 3, 29, 23, 30), utc(2026, 3, 29, 21, 0), TODAY),
    ("23:30 on the spring switch day, at 21:45 UTC", ams(2026, 3, 29, 23, 30), utc(2026, 3, 29, 21, 45), OVERDUE),
    ("00:30 the day after the spring switch, at 23:00", ams(2026, 3, 30, 0, 30), ams(2026, 3, 29, 23, 0), UPCOMING),
    ("23:30 on the spring switch day, at 01:59 CET", ams(2026, 3, 29, 23, 30), ams(2026, 3, 29, 1, 59), TODAY),
    # midnight boundaries (Amsterdam)
    ("due exactly now (midnight)", ams(2026, 11, 24, 0, 0), ams(2026, 11, 24, 0, 0), TODAY),
    ("a microsecond before midnight, at midnight", ams(2026, 11, 23, 23, 59, 59, 999999), ams(2026, 11, 24, 0, 0), OVERDUE),
    ("midnight, a microsecond before", ams(2026, 11, 25, 0, 0), ams(2026, 11, 24, 23, 59, 59, 999999), UPCOMING),
    ("23:59:59 at 00:00 the same day", ams(2026, 11, 24, 23, 59, 59), ams(2026, 11, 24, 0, 0), TODAY),
    # an instant in UTC: 23:15 UTC on the 25th is already the 26th in Amsterdam (winter)
    ("next morning seen from 23:15 UTC", ams(2026, 10, 26, 10, 0), utc(2026, 10, 25, 23, 15), TODAY),
    ("summer: 22:30 UTC is 00:30 in Amsterdam", ams(2026, 7, 2, 9, 0), utc(2026, 7, 1, 22, 30), TODAY),
    ("summer: 21:30 UTC is still the same day", ams(2026, 7, 2, 9, 0), utc(2026, 7, 1, 21, 30), UPCOMING),
    # an instant in New York: 18:30 EST on the 24th is 00:30 on the 25th in Amsterdam
    ("New York evening, Amsterdam morning", ams(2026, 11, 25, 9, 0), datetime(2026, 11, 24, 18, 30, tzinfo=NY), TODAY),
    ("New York evening, Amsterdam evening before", ams(2026, 11, 24, 23, 0), datetime(2026, 11, 24, 18, 30, tzinfo=NY), OVERDUE),
    # between the US (8 Mar) and EU (29 Mar) switches the difference is 5 hours, not 6
    ("New York in March, between the switches", ams(2026, 3, 20, 23, 45), datetime(2026, 3, 20, 18, 30, tzinfo=NY), TODAY),
    ("New York in March, past midnight in Amsterdam", ams(2026, 3, 20, 23, 45), datetime(2026, 3, 20, 19, 30, tzinfo=NY), OVERDUE),
    # due given in UTC, now in Amsterdam
    ("due in UTC late evening", utc(2026, 11, 24, 22, 59), ams(2026, 11, 24, 8, 0), TODAY),
    ("due in UTC, the next Amsterdam day", utc(2026, 11, 24, 23, 0), ams(2026, 11, 24, 8, 0), UPCOMING),
]


@pytest.mark.parametrize("label, due, now, expected", CASES, ids=[c[0] for c in CASES])
def test_state_of_a_follow_up(label, due, now, expected):
    assert follow_up_state(due, now) is expected
    # the same through the grouping, for an open incident
    agenda = follow_up_agenda([incident(follow_up(due))], now)
    group = {OVERDUE: agenda.overdue, TODAY: agenda.today, UPCOMING: agenda.upcoming}[expected]
    assert len(group) == 1 and len(agenda.all) == 1
    assert group[0].state is expected


def test_amsterdam_date_of_an_instant():
    assert amsterdam_date(utc(2026, 10, 25, 23, 15)).isoformat() == "2026-10-26"
    assert amsterdam_date(utc(2026, 10, 25, 22, 59)).isoformat() == "2026-10-25"
    assert amsterdam_date(datetime(2026, 11, 24, 18, 30, tzinfo=NY)).isoformat() == "2026-11-25"


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        follow_up_state(ams(2026, 1, 1, 9), datetime(2026, 1, 1, 9))
    with pytest.raises(ValueError):
        pending_follow_ups([], datetime(2026, 1, 1, 9))


# -- which follow-ups count ------------------------------------------------------------------

NOW = ams(2026, 11, 24, 14, 0)


def test_done_removed_and_closed_are_left_out():
    late = follow_up(ams(2026, 11, 20, 9, 0))
    done = follow_up(ams(2026, 11, 21, 9, 0), done_at=ams(2026, 11, 21, 9, 30))
    removed = follow_up(ams(2026, 11, 22, 9, 0), removed=True)
    done_in_future = follow_up(ams(2026, 11, 30, 9, 0), done_at=ams(2026, 11, 23, 9, 0))
    open_one = incident(late, done, removed, done_in_future, title="Open")
    closed = incident(follow_up(ams(2026, 11, 20, 9, 0)), title="Closed", status="gesloten")
    agenda = follow_up_agenda([open_one, closed], NOW)
    assert [d.follow_up.id for d in agenda.all] == [late.id]
    assert agenda.overdue[0] == DueFollowUp(open_one.id, "Open", late, OVERDUE)


def test_a_reopened_incident_counts_again():
    f = follow_up(ams(2026, 11, 24, 16, 0))
    closed = incident(f, status="gesloten")
    assert pending_follow_ups(closed, NOW) == ()
    reopened = inc.set_status(closed, "lopend", at=utc(2026, 11, 1))
    assert [d.follow_up for d in pending_follow_ups(reopened, NOW)] == [f]


def test_every_open_status_counts():
    for status in ("acuut", "lopend", "herstel", "geevalueerd"):
        i = incident(follow_up(ams(2026, 11, 25, 9)), status=None if status == "acuut" else status)
        assert i.status == status
        assert len(follow_up_agenda(i, NOW).upcoming) == 1


def test_sorted_by_due_time_across_incidents_and_zones():
    a1 = follow_up(ams(2026, 11, 24, 15, 0))  # 14:00 UTC
    a2 = follow_up(utc(2026, 11, 23, 8, 0))  # overdue
    b1 = follow_up(datetime(2026, 11, 24, 7, 30, tzinfo=NY))  # 12:30 UTC = 13:30 Amsterdam, overdue
    b2 = follow_up(utc(2026, 11, 24, 13, 30))  # 14:30 Amsterdam, today
    b3 = follow_up(ams(2026, 12, 1, 9, 0))
    a = incident(a1, a2, title="A")
    b = incident(b3, b2, b1, title="B")
    pending = pending_follow_ups([a, b], NOW)
    assert [d.follow_up for d in pending] == [a2, b1, b2, a1, b3]
    assert [d.incident_title for d in pending] == ["A", "B", "B", "A", "B"]
    agenda = follow_up_agenda([b, a], NOW)
    assert [d.follow_up for d in agenda.overdue] == [a2, b1]
    assert [d.follow_up for d in agenda.today] == [b2, a1]
    assert [d.follow_up for d in agenda.upcoming] == [b3]
    assert agenda.needs_attention == agenda.overdue + agenda.today


def test_one_incident_or_none():
    assert follow_up_agenda([], NOW).all == ()
    i = incident(follow_up(ams(2026, 11, 24, 9)))
    assert follow_up_agenda(i, NOW) == follow_up_agenda([i], NOW)
    assert follow_up_agenda(iter([i]), NOW) == follow_up_agenda([i], NOW)


# -- property: every pending follow-up is in exactly one group -------------------------

ZONES = [UTC, AMS, NY, ZoneInfo("Asia/Tokyo"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago")]
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.sampled_from(ZONES)
)
# instants close to "now" make today/overdue boundaries likely
near = st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3))


@st.composite
def journals(draw):
    now = draw(instants)
    incidents = []
    for k in range(draw(st.integers(0, 4))):
        follow_ups = []
        for _ in range(draw(st.integers(0, 5))):
            due = (now + draw(near)).astimezone(draw(st.sampled_from(ZONES))) if draw(st.booleans()) else draw(instants)
            done = draw(st.sampled_from([None, None, now]))
            follow_ups.append(follow_up(due, done_at=done, removed=draw(st.booleans()) and draw(st.booleans())))
        status = draw(st.sampled_from([None, "lopend", "herstel", "geevalueerd", "gesloten"]))
        incidents.append(incident(*follow_ups, title=f"i{k}", status=status))
    return incidents, now


@settings(max_examples=300, deadline=None)
@given(journals())
def test_every_pending_follow_up_is_in_exactly_one_group(case):
    incidents, now = case
    agenda = follow_up_agenda(incidents, now)
    groups = {OVERDUE: agenda.overdue, TODAY: agenda.today, UPCOMING: agenda.upcoming}
    expected = {
        (i.id, f.id): f
        for i in incidents
        if i.status != "gesloten"
        for f in i.follow_ups
        if not f.removed and f.done_at is None
    }
    seen = [(d.incident_id, d.follow_up.id) for d in agenda.all]
    assert sorted(seen) == sorted(expected)  # each exactly once, nothing else
    now_ts = now.timestamp()
    today = now.astimezone(UTC).astimezone(AMS).date()
    for state, group in groups.items():
        for d in group:
            assert d.state is state
            due_ts = d.follow_up.due.timestamp()
            if due_ts < now_ts:
                assert state is OVERDUE
            elif d.follow_up.due.astimezone(UTC).astimezone(AMS).date() == today:
                assert state is TODAY
            else:
                assert state is UPCOMING
        dues = [d.follow_up.due.timestamp() for d in group]
        assert dues == sorted(dues)
    all_dues = [d.follow_up.due.timestamp() for d in agenda.all]
    assert all_dues == sorted(all_dues)
    assert all(dataclasses.is_dataclass(d) for d in agenda.all)
