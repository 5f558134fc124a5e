"""The device's end of the team's event stream (``GET /api/v1/events``, pure Python).

While a journal is open, ``TeamStream`` holds one Server-Sent Events stream
to the team server and calls ``on_event`` with every state the server sends
(``TeamEvent``: the log's head, key version, rotation flag, roster); the app
then syncs at once instead of waiting for its next poll. Polling stays the
fallback, and ``live`` says which applies:

* the first event must arrive within ``STREAM_FIRST_EVENT_S`` — if it does
  not, something between us and the server buffers the stream (a proxy
  without ``proxy_buffering off``): the stream is given up for
  ``STREAM_BUFFERED_RETRY_S`` and the app polls;
* a stream that is silent for ``STREAM_SILENCE_S`` (the server sends a
  keepalive every ``STREAM_KEEPALIVE_S``) or that ends is dropped, and a
  new one is opened after a backoff (``STREAM_RETRY_MIN_S`` doubling up to
  ``STREAM_RETRY_MAX_S``, with jitter, so devices do not all come back in
  the same second after a server restart);
* a refused token (removed from the team) ends the stream for good: the
  next sync round says so;
* ``retry_now`` cuts a wait short: a sync round just reached the server
  (the network is back), so the stream need not wait out its backoff.

The bytes come from the platform's transport (``events``: httpx natively,
``fetch`` with a ``ReadableStream`` in the browser, since ``EventSource``
cannot send an ``Authorization`` header).
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Callable, Optional

from sync.errors import AccessRevokedError, SyncError
from sync.limits import (
    MAX_KEY_VERSIONS,
    STREAM_BUFFERED_RETRY_S,
    STREAM_FIRST_EVENT_S,
    STREAM_RETRY_MAX_S,
    STREAM_RETRY_MIN_S,
    STREAM_SILENCE_S,
)

EVENTS_PATH = "/api/v1/events"
MAX_LINE = 4096  # an event line of this server is under 100 bytes


@dataclass(frozen=True)
class TeamEvent:
    head: int
    key_version: int
    rotation_needed: bool
    roster: int


def parse_team_event(data: str) -> Optional[TeamEvent]:
    """The ``data`` of an ``event: team``; ``None`` for anything malformed (it is ignored)."""
    try:
        p = json.loads(data)
        head, version, rotation, roster = p["head"], p["key_version"], p["rotation_needed"], p["roster"]
    except (ValueError, TypeError, KeyError):
        return None
    numbers_ok = all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (head, roster, version))
    if not numbers_ok or not isinstance(rotation, bool) or not 1 <= version <= MAX_KEY_VERSIONS:
        return None
    return TeamEvent(head, version, rotation, roster)


class SseParser:
    """Server-Sent Events from arbitrary chunks of bytes: ``feed`` returns the
    complete ``(event, data)`` pairs; comments (keepalives) and unknown fields
    are skipped. A line longer than ``MAX_LINE`` is a broken stream."""

    def __init__(self) -> None:
        self._buffer = b""
        self._event, self._data = "", []

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        self._buffer += chunk
        out = []
        while True:
            cut = min((i for i in (self._buffer.find(b"\n"), self._buffer.find(b"\r")) if i >= 0), default=-1)
            if cut < 0:
                if len(self._buffer) > MAX_LINE:
                    raise ValueError("event line too long")
                return out
            if self._buffer[cut:cut + 1] == b"\r" and cut + 1 == len(self._buffer):
                return out  # a CR at the end of a chunk: its LF may be in the next one
            line = self._buffer[:cut].decode("utf-8", "replace")
            skip = 2 if self._buffer[cut:cut + 2] == b"\r\n" else 1
            self._buffer = self._buffer[cut + skip:]
            if not line:
                if self._data:
                    out.append((self._event or "message", "\n".join(self._data)))
                self._event, self._data = "", []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                self._event = value
            elif name == "data":
                self._data.append(value)


class Backoff:
    """Reconnect delays: doubling from ``low`` to ``high``, each times a random 0.5–1.5."""

    def __init__(self, low: float = STREAM_RETRY_MIN_S, high: float = STREAM_RETRY_MAX_S,
                 rng: Optional[random.Random] = None) -> None:
        self.low, self.high, self._rng = low, high, rng or random.Random()
        self._next = low

    def reset(self) -> None:
        self._next = self.low

    def delay(self) -> float:
        base, self._next = self._next, min(self.high, self._next * 2)
        return base * self._rng.uniform(0.5, 1.5)


class TeamStream:
    """One device's stream; ``run()`` until cancelled (see the module's doc)."""

    def __init__(self, transport, token: str, on_event: Callable[[TeamEvent], None],
                 on_live: Callable[[bool], None] = lambda live: None, backoff: Optional[Backoff] = None) -> None:
        self.transport, self.token = transport, token
        self.on_event, self.on_live = on_event, on_live
        self.backoff = backoff or Backoff()
        self.live = False
        self.buffered = False  # the last attempt found a buffering proxy
        self._retry = asyncio.Event()

    def retry_now(self) -> None:
        """Open the stream again now rather than after the backoff (the server was reached just now)."""
        if not self.live:
            self.backoff.reset()
            self._retry.set()

    def _set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            self.on_live(live)

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self._once()
                except AccessRevokedError:
                    return
                except (SyncError, ValueError, OSError):
                    pass  # unreachable, refused, a broken line: try again later
                finally:
                    self._set_live(False)
                self._retry.clear()
                try:
                    await asyncio.wait_for(self._retry.wait(),
                                           STREAM_BUFFERED_RETRY_S if self.buffered else self.backoff.delay())
                except asyncio.TimeoutError:
                    pass
        finally:
            self._set_live(False)

    async def _once(self) -> None:
        self.buffered = False
        try:
            # The first event must come within STREAM_FIRST_EVENT_S of asking (answer head included).
            async with asyncio.timeout(STREAM_FIRST_EVENT_S) as first_deadline:
                async with self.transport.events(EVENTS_PATH, token=self.token) as chunks:
                    parser, iterator = SseParser(), chunks.__aiter__()
                    while True:
                        chunk = await asyncio.wait_for(iterator.__anext__(), STREAM_SILENCE_S)
                        for name, data in parser.feed(chunk):
                            event = parse_team_event(data) if name == "team" else None
                            if event is None:
                                continue
                            if not self.live:
                                first_deadline.reschedule(None)
                                self.backoff.reset()
                                self._set_live(True)
                            self.on_event(event)
        except TimeoutError:
            self.buffered = first_deadline.expired()
        except StopAsyncIteration:  # the server ended the stream
            pass


__all__ = ["Backoff", "EVENTS_PATH", "SseParser", "TeamEvent", "TeamStream", "parse_team_event"]
