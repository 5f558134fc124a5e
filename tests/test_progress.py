"""The 'volgende stap' rule and per-step progress."""

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from content.loader import load_plan
from content.progress import Progress, next_action, step_progress

PLAN = load_plan("nl")
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
CHECKLIST_IDS = [a.id for a in PLAN.checklist]


def test_nothing_ticked_means_the_first_action_of_step_one():
    assert next_action(PLAN, Progress()).id == "melder"
    assert not Progress().started


def test_next_action_skips_ticked_ones_even_out_of_order():
    progress = Progress().tick("melder", NOW).tick("zorg", NOW)
    assert next_action(PLAN, progress).id == "betrokken-leerlingen"
    progress = progress.tick("betrokken-leerlingen", NOW)
    assert next_action(PLAN, progress).id == "actieteam-samenstellen"


def test_prevention_themes_are_never_the_next_step():
    progress = Progress()
    for action_id in CHECKLIST_IDS[:-1]:
        progress = progress.tick(action_id, NOW)
    assert next_action(PLAN, progress).id == "preventie"
    assert next_action(PLAN, progress.tick("preventie", NOW)) is None


def test_untick_brings_the_action_back():
    progress = Progress().tick("melder", NOW).untick("melder")
    assert next_action(PLAN, progress).id == "melder"
    assert not progress.started


def test_ticking_twice_keeps_the_first_moment():
    later = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    progress = Progress().tick("melder", NOW, "mentor").tick("melder", later, "ander")
    assert progress.ticks["melder"].at == NOW and progress.ticks["melder"].by == "mentor"


def test_step_progress_counts_checklist_actions_only():
    step7 = PLAN.step(7)
    assert step_progress(step7, Progress()) == (0, 3)
    assert step_progress(step7, Progress().tick("evaluatie-incident", NOW)) == (1, 3)


@given(st.sets(st.sampled_from(CHECKLIST_IDS)))
def test_next_action_is_the_first_unticked_in_plan_order(ticked):
    progress = Progress()
    for action_id in ticked:
        progress = progress.tick(action_id, NOW)
    expected = next((a for a in CHECKLIST_IDS if a not in ticked), None)
    found = next_action(PLAN, progress)
    assert (found.id if found else None) == expected
    done = sum(step_progress(s, progress)[0] for s in PLAN.steps)
    assert done == len(ticked)
