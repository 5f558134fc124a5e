"""A growing delay after wrong passphrases, kept across restarts.

The state lives in a small, non-secret side file (JSON: the number of
attempts in a row that did not succeed, and the instant before which no
attempt is accepted).  It slows a person guessing at the keyboard; it is not
a defence against someone who copies the encrypted file (that is what
PBKDF2 is for), so it never locks anybody out for long and never touches the
journal.

* An attempt is counted *before* the passphrase is tried, under the
  journal's lock (``JournalStore`` holds it around ``begin``): of twenty
  attempts started at once in different windows, only those the delay
  allows run PBKDF2; the others are refused at once.
* The wait is never longer than ``MAX_DELAY``: a "not before" instant beyond
  now + ``MAX_DELAY`` (stamped while the clock was ahead, or written by
  hand), or one that is not a finite number, is ignored.  A missing or
  unreadable side file counts as no attempts.
"""

from __future__ import annotations

import json
import math
import time
from typing import Callable

from storage.backends import BlobStore
from storage.errors import StorageError, TooManyAttemptsError

FREE_ATTEMPTS = 3
MAX_DELAY = 30.0
_MAX_COUNT = 10_000


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong attempts in a row:
    0, 0, 0, 1, 2, 4, 8, 16, 30, 30, ..."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY, float(2 ** min(failures - FREE_ATTEMPTS - 1, 16)))


class AttemptThrottle:
    def __init__(self, blob: BlobStore, clock: Callable[[], float] = time.time) -> None:
        self._blob = blob
        self._clock = clock

    async def _load(self) -> tuple[int, float]:
        """(attempts in a row, not-before instant), sanitised."""
        try:
            raw = await self._blob.read()
        except StorageError:
            return 0, 0.0
        if not raw:
            return 0, 0.0
        try:
            data = json.loads(raw.decode("utf-8"))
            failures = int(data["failures"])
            if "not_before" in data:
                not_before = float(data["not_before"])
            else:  # the format before "not_before": the time of the last failure
                not_before = float(data["last"]) + delay_after(failures)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError, AttributeError):
            return 0, 0.0
        if not math.isfinite(not_before) or not_before > self._clock() + MAX_DELAY:
            not_before = 0.0  # absurd, or stamped while the clock was ahead: no wait
        return max(0, min(failures, _MAX_COUNT)), not_before

    async def retry_after(self) -> float:
        """Seconds until the next attempt is accepted (0: now)."""
        _, not_before = await self._load()
        return max(0.0, min(MAX_DELAY, not_before - self._clock()))

    async def begin(self) -> int:
        """Count an attempt before it is made (call with the journal's lock
        held).  Raises ``TooManyAttemptsError`` when it must wait; returns
        the attempt's number in the row."""
        failures, not_before = await self._load()
        now = self._clock()
        wait = min(MAX_DELAY, not_before - now)
        if wait > 0:
            raise TooManyAttemptsError(retry_after=wait)
        failures = min(failures + 1, _MAX_COUNT)
        payload = json.dumps({"failures": failures, "not_before": now + delay_after(failures)}).encode()
        try:
            await self._blob.write(payload)
        except StorageError:
            pass  # best effort: a full disk must not turn into a different error
        return failures

    async def reset(self) -> None:
        """The passphrase was right: the count starts again."""
        try:
            await self._blob.delete()
        except StorageError:
            pass


__all__ = ["AttemptThrottle", "FREE_ATTEMPTS", "MAX_DELAY", "delay_after"]
