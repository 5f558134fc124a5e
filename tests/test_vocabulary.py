"""The journal's vocabularies: stored words that never change, and a name for each in the UI."""

import pytest

from content.loader import load_plan
from storage import incidents as inc
from storage.vocabulary import EVALUATION_ACTION, ContactKind, IncidentType, PolicyStatus, PupilRole, Status


def test_the_stored_words_are_those_of_earlier_journals():
    # A journal written by an earlier version must still read: these words are on disk.
    assert list(IncidentType) == ["naaktfoto", "bangalijst", "vernedering", "bedreiging", "nepaccount",
                                  "challenge", "anders"]
    assert list(PupilRole) == ["aanstichter", "slachtoffer", "omstander"]
    assert list(ContactKind) == ["politie", "ouders", "zorg", "school", "anders"]
    assert list(Status) == ["acuut", "lopend", "herstel", "geevalueerd", "gesloten"]
    assert list(PolicyStatus) == ["", "bezig", "op-orde"]


def test_storage_validates_against_the_same_vocabularies():
    assert inc.INCIDENT_TYPES == tuple(IncidentType) and inc.PUPIL_ROLES == tuple(PupilRole)
    assert inc.CONTACT_KINDS == tuple(ContactKind) and inc.STATUSES == tuple(Status)
    assert inc.CLOSED_STATUS == Status.CLOSED


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_incident_types_are_those_of_the_step_plan_plus_other(language):
    plan = load_plan(language)
    assert [t.id for t in plan.incident_types] + [IncidentType.OTHER] == list(IncidentType)


def test_the_evaluation_questions_are_in_the_step_plan():
    action = load_plan("nl").action(EVALUATION_ACTION)
    assert [q for block in action.blocks for q in block.questions]


def test_only_statuses_before_the_evaluation_await_it():
    assert [s for s in Status if s.awaits_evaluation] == [Status.ACUTE, Status.ONGOING, Status.RECOVERY]
