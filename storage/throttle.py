"""A growing delay after wrong passphrases, kept across restarts.

The counter lives in a small, non-secret side file (JSON: number of failures
in a row and the wall-clock time of the last one).  It slows a person
guessing at the keyboard; it is not a defence against someone who copies the
encrypted file (that is what PBKDF2 is for), so it never locks anybody out
for good and never touches the journal.  A missing or unreadable side file
counts as zero failures.
"""

from __future__ import annotations

import json
import time
from typing import Callable

from storage.backends import BlobStore
from storage.errors import StorageError, TooManyAttemptsError

FREE_ATTEMPTS = 3
MAX_DELAY = 30.0


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong attempts in a row:
    0, 0, 0, 1, 2, 4, 8, 16, 30, 30, ..."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY, float(2 ** (failures - FREE_ATTEMPTS - 1)))


class AttemptThrottle:
    def __init__(self, blob: BlobStore, clock: Callable[[], float] = time.time) -> None:
        self._blob = blob
        self._clock = clock

    async def _load(self) -> tuple[int, float]:
        try:
            raw = await self._blob.read()
        except StorageError:
            return 0, 0.0
        if not raw:
            return 0, 0.0
        try:
            data = json.loads(raw.decode("utf-8"))
            failures = int(data["failures"])
            last = float(data["last"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError):
            return 0, 0.0
        return max(0, min(failures, 10_000)), last

    async def retry_after(self) -> float:
        """Seconds until the next attempt is accepted (0: now)."""
        failures, last = await self._load()
        delay = delay_after(failures)
        if delay == 0:
            return 0.0
        now = self._clock()
        # A clock that went backwards must not extend the wait beyond ``delay``.
        return max(0.0, min(delay, last + delay - now))

    async def check(self) -> None:
        wait = await self.retry_after()
        if wait > 0:
            raise TooManyAttemptsError(retry_after=wait)

    async def record_failure(self) -> float:
        """Count a failure; returns the wait before the next attempt."""
        failures, _ = await self._load()
        failures += 1
        payload = json.dumps({"failures": failures, "last": self._clock()}).encode()
        try:
            await self._blob.write(payload)
        except StorageError:
            pass  # best effort: a full disk must not turn into a different error
        return delay_after(failures)

    async def reset(self) -> None:
        try:
            await self._blob.delete()
        except StorageError:
            pass


__all__ = ["AttemptThrottle", "delay_after"]
