"""One EventBus: cache and player events fan out to a bounded queue per WebSocket client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from cache.contain import notify_all
from player.web.throttle import LogThrottle
from player.web.wire import changes_json, event_json, has_changes_form, to_text

log = logging.getLogger(__name__)
_throttle = LogThrottle()  # many clients cut off at once still make a handful of lines

Message = dict[str, Any]


class Subscription:
    """A client's bounded mailbox. When it overflows the client is cut off, never waited for."""

    def __init__(
        self, maxsize: int, on_overflow: Callable[[], None] | None = None, *, changes: bool = False
    ) -> None:
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize)
        self.overflowed = False
        self.changes = changes  # follows the queue as changes (wire.changes_json), not copies
        # The reader may be stuck in a send to a client that stopped reading: only cutting the
        # connection itself frees it, so whoever serves the client says how.
        self.on_overflow = on_overflow

    def offer(self, text: str) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed = True
            self._drain_and_close()

    def close(self) -> None:
        self._drain_and_close()

    def _drain_and_close(self) -> None:
        # Drop what the slow client never read so the end marker always fits.
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def next(self) -> str | None:
        """The next message, or None when the subscription ended."""
        return await self._queue.get()


class EventBus:
    """Publishes JSON messages to every subscriber without ever blocking the publisher."""

    def __init__(self, client_queue_size: int = 256) -> None:
        self._subs: set[Subscription] = set()
        self._size = client_queue_size
        self._listeners: list[Callable[[object], None]] = []

    def subscribe(
        self, on_overflow: Callable[[], None] | None = None, *, changes: bool = False
    ) -> Subscription:
        sub = Subscription(self._size, on_overflow, changes=changes)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def add_listener(self, listener: Callable[[object], None]) -> None:
        """In-process consumers see every event as it was published (typed, not JSON)."""
        self._listeners.append(listener)

    def publish(self, event: object) -> None:
        """Fan one typed event out; its JSON is made only when a client listens."""
        if self._subs:
            self._send(event)
        notify_all(self._listeners, event, "event listener", log)

    def _send(self, event: object) -> None:
        texts: dict[bool, str] = {}  # each form made once, and only when a client wants it
        for sub in list(self._subs):
            if sub.changes not in texts:
                _make_text(event, sub.changes, texts)
            sub.offer(texts[sub.changes])
            if sub.overflowed:
                _throttle.log(
                    log, logging.INFO, "behind", "an events client fell behind; cut it off"
                )
                self._subs.discard(sub)
                if sub.on_overflow is not None:
                    sub.on_overflow()

    def close(self) -> None:
        for sub in list(self._subs):
            sub.close()
        self._subs.clear()

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)


def _make_text(event: object, changes: bool, texts: dict[bool, str]) -> None:
    """Fill `texts[changes]`; an event with one form for both kinds of client fills both."""
    own_form = has_changes_form(event)
    if changes and own_form:
        texts[True] = to_text(changes_json(event))
        return
    texts[False] = to_text(event_json(event))
    if not own_form:
        texts[True] = texts[False]
