"""What the engine holds for the controller: the current load and the one queued behind it.

Each load gets a token unique to it (so repeat-one can queue an entry behind itself) and is
resolved exactly once, when it is handed to the engine; where it plays from is remembered with
the token, so a gapless start of the next track needs no second lookup.
"""

from __future__ import annotations

from player.engine.base import Engine, MediaRef
from player.playback.entry import Entry
from player.playback.resolve import PlayingFrom, Resolver


def entry_of(token: str) -> str:
    """The queue entry a token was made for."""
    return token.split("~", 1)[0]


class EngineLink:
    """The engine's current and next loads, by token. Used from the controller's task only."""

    def __init__(self, engine: Engine, resolver: Resolver) -> None:
        self.engine = engine
        self.resolver = resolver
        self.current: str | None = None  # token of what the engine plays
        self.next: str | None = None  # token queued behind it
        self._from: dict[str, PlayingFrom] = {}  # where each live token plays from
        self._serial = 0

    def token(self, entry: Entry) -> str:
        self._serial += 1
        return f"{entry.entry_id}~{self._serial}"

    def playing_from(self, token: str | None) -> PlayingFrom | None:
        return self._from.get(token) if token else None

    async def play(
        self, entry: Entry, following: Entry | None, *, start: float, paused: bool
    ) -> PlayingFrom | None:
        """Replace what plays with `entry` (and `following` behind it); None when `entry` cannot
        be played now (then `current` is a token of its own for the failure to name)."""
        token = self.token(entry)
        resolved = await self.resolver.resolve(entry.item)
        if resolved is None:
            self.current, self.next, self._from = token, None, {}
            return None
        queued = await self._load(following)
        ref = MediaRef(token, resolved.url, entry.item.duration)
        await self.engine.play(ref, queued[0] if queued else None, start=start, paused=paused)
        self.current, self._from = token, {token: resolved.playing_from}
        self._queue(queued)
        return resolved.playing_from

    async def sync_next(self, following: Entry | None) -> None:
        """Make the engine's next load match `following` (the queue or repeat changed)."""
        if self.current is None:
            return
        have = entry_of(self.next) if self.next else None
        if (following.entry_id if following else None) == have:
            return  # already queued: no second lookup
        queued = await self._load(following)
        if queued is None and have is None:
            return  # nothing playable to queue, and nothing queued
        await self.engine.set_next(queued[0] if queued else None)
        self._from = {k: v for k, v in self._from.items() if k == self.current}
        self._queue(queued)

    async def upgrade_next(self, following: Entry | None) -> None:
        """The next load streams but `following` (the same entry) now has a local copy: queue
        that instead, so what plays and what is reported is the file on the card."""
        if self.next is None or following is None or entry_of(self.next) != following.entry_id:
            return
        if self._from.get(self.next) is not PlayingFrom.STREAM:
            return
        queued = await self._load(following)
        if queued is None or queued[1] is not PlayingFrom.LOCAL:
            return
        await self.engine.set_next(queued[0])
        self._from.pop(self.next, None)
        self._queue(queued)

    def advance(self) -> None:
        """The engine started the next load gaplessly: it is the current one now."""
        self._from = {k: v for k, v in self._from.items() if k == self.next}
        self.current, self.next = self.next, None

    def clear(self) -> None:
        self.current = self.next = None
        self._from = {}

    async def _load(self, entry: Entry | None) -> tuple[MediaRef, PlayingFrom] | None:
        if entry is None:
            return None
        resolved = await self.resolver.resolve(entry.item)
        if resolved is None:
            return None
        ref = MediaRef(self.token(entry), resolved.url, entry.item.duration)
        return ref, resolved.playing_from

    def _queue(self, queued: tuple[MediaRef, PlayingFrom] | None) -> None:
        self.next = queued[0].token if queued else None
        if queued is not None:
            self._from[queued[0].token] = queued[1]
