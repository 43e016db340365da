"""Where a track's bytes come from: the local file whenever it is complete on disk, else a stream."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from cache.models import Track


class PlayingFrom(StrEnum):
    LOCAL = "local"
    STREAM = "stream"


@dataclass(frozen=True, slots=True)
class Resolved:
    url: str
    playing_from: PlayingFrom


class Resolver(Protocol):
    async def resolve(self, track: Track) -> Resolved | None:
        """A playable location for `track`, or None when it cannot be played right now."""
