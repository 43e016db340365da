"""The messages the PlayReporter's task handles, and the play session it keeps between them."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime

from cache.jellyfin.playstate import PlaybackState
from cache.models import Track
from cache.planner.snapshot import NetworkKind


@dataclass(frozen=True, slots=True)
class Start:
    track: Track
    at: datetime
    network: NetworkKind
    from_local: bool
    position: float
    paused: bool
    playlist_item_id: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """Pause, resume or seek: reported at once."""

    position: float
    paused: bool | None  # None: unchanged (a seek)


@dataclass(frozen=True, slots=True)
class End:
    position: float
    failed: bool


@dataclass(frozen=True, slots=True)
class Replay:
    pass


@dataclass(frozen=True, slots=True)
class Tick:
    pass


@dataclass(frozen=True, slots=True)
class Nudge:
    """Something a controlling app changed: report the state at once."""


ReportMessage = Start | Change | End | Replay | Tick | Nudge


@dataclass
class PlaySession:
    """The play under way; `state.position` was true at monotonic time `since`."""

    play_id: int | None
    state: PlaybackState
    duration: float
    since: float
    live: bool = False  # the server accepted its start report

    def now(self) -> PlaybackState:
        """The state with the position moved on by the time played since the last event."""
        if self.state.paused:
            return self.state
        moved = self.state.position + (time.monotonic() - self.since)
        limit = self.duration if self.duration > 0 else moved
        return replace(self.state, position=min(moved, limit))

    def update(self, position: float, paused: bool | None) -> None:
        paused = self.state.paused if paused is None else paused
        self.state = replace(self.state, position=max(0.0, position), paused=paused)
        self.since = time.monotonic()
