"""Sliding-window rate limits, in the memory of one server process.

Keys are a client address (invite look-ups, team creation) or a member id
(pushes, other requests). Addresses are held only here, in memory, for the
length of a window: never written to the database or a log. With several
processes behind a load balancer each enforces its own window, so the
effective limit is at most the number of processes times the declared one
(``docs/team-server.md``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

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
        now = self._clock()
        with self._lock:
            if len(self._hits) > _PRUNE_EVERY:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.count:
                return max(0.001, hits[0] + self.seconds - now)
            hits.append(now)
            return 0.0

    def _prune(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.seconds]:
            del self._hits[key]
