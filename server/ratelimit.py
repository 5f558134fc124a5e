"""Sliding-window rate limits, in the memory of one server process.

Keys are a client address (invite look-ups, team creation, unknown access
tokens) or a member id (pushes, other requests). Addresses are held only here, in memory, for the
length of a window: never written to the database or a log. With several
processes behind a load balancer each enforces its own window, so the
effective limit is at most the number of processes times the declared one
(``docs/team-server.md``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from sync import limits

_PRUNE_EVERY = 10_000  # keys kept before idle ones are dropped


class RateLimiter:
    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        """Record a request; returns 0 if it is allowed, else seconds to wait."""
        return self._check(key, record=True)

    def exhausted(self, key: str) -> float:
        """Like ``check`` without recording: seconds to wait, or 0 if one more is allowed."""
        return self._check(key, record=False)

    def _check(self, key: str, record: bool) -> float:
        now = self._clock()
        with self._lock:
            if len(self._hits) > _PRUNE_EVERY:
                self._prune(now)
            hits = self._hits.get(key)
            if hits is None:
                if not record:
                    return 0.0
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.count:
                return max(0.001, hits[0] + self.seconds - now)
            if record:
                hits.append(now)
            return 0.0

    def _prune(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.seconds]:
            del self._hits[key]


@dataclass
class Limiters:
    invite: RateLimiter  # per address: invite look-ups and redemptions
    team_create: RateLimiter  # per address
    push: RateLimiter  # per member
    authenticated: RateLimiter  # per member: every other authenticated request
    invalid_token: RateLimiter  # per address: requests with an unknown or malformed token

    @classmethod
    def from_limits(cls) -> "Limiters":
        return cls(RateLimiter(*limits.RATE_INVITE_LOOKUP), RateLimiter(*limits.RATE_TEAM_CREATE),
                   RateLimiter(*limits.RATE_PUSH), RateLimiter(*limits.RATE_AUTHENTICATED),
                   RateLimiter(*limits.RATE_INVALID_TOKEN))
