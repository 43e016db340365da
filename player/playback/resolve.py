"""What the controller plays from: a Resolver (the MediaCache) turns a track into cache/'s one
result type, `Resolved` (a complete local file whenever there is one, else a stream)."""

from __future__ import annotations

from typing import Protocol

from cache.models import PlayingFrom, Resolved, Track

__all__ = ["PlayingFrom", "Resolved", "Resolver"]


class Resolver(Protocol):
    async def resolve(self, track: Track) -> Resolved | None:
        """A playable location for `track`, or None when it cannot be played right now."""
