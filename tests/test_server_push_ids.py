"""The push ids a member sent last (``server.push_ids``): a retry of any of the newest 16
finds its first answer; older ones, and ids never sent, find nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.push_ids import find, remember
from sync.limits import PUSH_IDS_KEPT

push_id = st.text("0123456789abcdef", min_size=32, max_size=32)
pushes = st.lists(st.tuples(push_id, st.integers(1, 2**62), st.integers(1, 100)), max_size=40,
                  unique_by=lambda p: p[0])


@given(pushes, push_id)
def test_the_newest_pushes_are_found_and_older_ones_forgotten(sent, other):
    recent = ""
    for pid, first, count in sent:
        recent = remember(recent, pid, first, count)
    for age, (pid, first, count) in enumerate(reversed(sent)):
        found = find(recent, pid)
        assert found == ((first, count) if age < PUSH_IDS_KEPT else None)
    if other not in {p for p, _, _ in sent}:
        assert find(recent, other) is None
    assert len(recent) <= 1000  # the column's width (models.Member.recent_pushes)


def test_an_id_is_not_found_by_a_prefix_of_another():
    recent = remember("", "a" * 32, 7, 1)
    assert find(recent, "a" * 31 + "b") is None and find(recent, "a" * 32) == (7, 1)
