"""Checklist progress and the "volgende stap" rule, as pure functions.

A progress is a mapping from action id to the moment it was ticked (and by
whom).  The same shape is used for the running session and, later, for an
incident in the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Optional

from content.model import Action, Plan, Step


@dataclass(frozen=True)
class Tick:
    at: datetime
    by: str = ""


@dataclass(frozen=True)
class Progress:
    ticks: dict[str, Tick] = field(default_factory=dict)

    def is_ticked(self, action_id: str) -> bool:
        return action_id in self.ticks

    def tick(self, action_id: str, at: datetime, by: str = "") -> "Progress":
        if action_id in self.ticks:
            return self
        return replace(self, ticks={**self.ticks, action_id: Tick(at, by)})

    def untick(self, action_id: str) -> "Progress":
        if action_id not in self.ticks:
            return self
        return replace(self, ticks={k: v for k, v in self.ticks.items() if k != action_id})

    @property
    def started(self) -> bool:
        return bool(self.ticks)


def next_action(plan: Plan, progress: Progress) -> Optional[Action]:
    """The first unticked checklist action in plan order, or None when all are done."""
    for action in plan.checklist:
        if not progress.is_ticked(action.id):
            return action
    return None


def step_progress(step: Step, progress: Progress) -> tuple[int, int]:
    """(ticked, total) over the step's checklist actions."""
    actions = step.checklist
    return sum(progress.is_ticked(a.id) for a in actions), len(actions)
