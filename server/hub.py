"""Who is listening in this process: team events fanned out to the open streams.

Every change of a team's state (its log's head, key version, rotation flag,
or roster) is published after its transaction commits. With SQLite (one
process) the publishing request hands it to the hub directly. With
PostgreSQL the transaction also sends ``NOTIFY`` (``server.notify``), and
each process's one listening connection hands what it hears to its own
hub, so a stream held by any process wakes up.

A subscriber keeps only the newest state (a slow stream skips states it
never needed); nothing here blocks the publisher.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

CHANNEL = "stappenplan_team"


@dataclass(frozen=True)
class TeamEvent:
    """What a stream tells a device about its team (``event: team``)."""

    team_id: str
    head: int
    key_version: int
    rotation_needed: bool
    roster: int
    deleted: bool = False

    def data(self) -> dict:
        return {"head": self.head, "key_version": self.key_version, "rotation_needed": self.rotation_needed,
                "roster": self.roster}

    def to_notify(self) -> str:
        return f"{self.team_id} {self.head} {self.key_version} {int(self.rotation_needed)} {self.roster} {int(self.deleted)}"

    @classmethod
    def from_notify(cls, payload: str) -> Optional["TeamEvent"]:
        try:
            team_id, head, version, rotation, roster, deleted = payload.split(" ")
            return cls(team_id, int(head), int(version), rotation == "1", int(roster), deleted == "1")
        except ValueError:
            return None


class Subscription:
    def __init__(self, hub: "Hub", team_id: str, member_id: str) -> None:
        self.hub, self.team_id, self.member_id = hub, team_id, member_id
        self.latest: Optional[TeamEvent] = None
        self.changed = asyncio.Event()

    def offer(self, event: TeamEvent) -> None:
        self.latest = event
        self.changed.set()

    async def next(self, timeout: float) -> Optional[TeamEvent]:
        """The newest event since the last call, or ``None`` after ``timeout`` seconds of quiet."""
        try:
            await asyncio.wait_for(self.changed.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        self.changed.clear()
        return self.latest

    def close(self) -> None:
        self.hub._remove(self)


class Hub:
    def __init__(self, max_streams: int, max_per_member: int) -> None:
        self.max_streams, self.max_per_member = max_streams, max_per_member
        self._teams: dict[str, set[Subscription]] = {}
        self._per_member: dict[str, int] = {}
        self.count = 0

    def subscribe(self, team_id: str, member_id: str) -> Optional[Subscription]:
        """A new subscription, or ``None`` when this process or this member holds too many."""
        if self.count >= self.max_streams or self._per_member.get(member_id, 0) >= self.max_per_member:
            return None
        sub = Subscription(self, team_id, member_id)
        self._teams.setdefault(team_id, set()).add(sub)
        self._per_member[member_id] = self._per_member.get(member_id, 0) + 1
        self.count += 1
        return sub

    def _remove(self, sub: Subscription) -> None:
        subs = self._teams.get(sub.team_id)
        if subs is None or sub not in subs:
            return
        subs.discard(sub)
        if not subs:
            del self._teams[sub.team_id]
        left = self._per_member[sub.member_id] - 1
        if left:
            self._per_member[sub.member_id] = left
        else:
            del self._per_member[sub.member_id]
        self.count -= 1

    def publish(self, event: TeamEvent) -> None:
        for sub in list(self._teams.get(event.team_id, ())):
            sub.offer(event)

    def teams(self) -> list[str]:
        return list(self._teams)
