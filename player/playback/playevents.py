"""What the controller tells play listeners (the play log, Jellyfin reporting) about each track.

A TrackStarted is followed by at most one TrackEnded for the same track, and Paused, Resumed and
Seeked only come in between. Positions are seconds into the track.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cache.contain import notify_all
from cache.models import Track
from player.playback.entry import EntryId

log = logging.getLogger(__name__)


class TrackEndReason(StrEnum):
    FINISHED = "finished"  # played to its end
    SKIPPED = "skipped"  # left for another track (next, previous, jump, queue replaced)
    STOPPED = "stopped"  # playback stopped
    ERROR = "error"  # broke off with an error


@dataclass(frozen=True, slots=True)
class TrackStarted:
    """The engine began playing `track` (from `position`; `paused` when restored paused)."""

    entry_id: EntryId
    track: Track
    from_local: bool
    position: float
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Paused:
    track: Track
    position: float


@dataclass(frozen=True, slots=True)
class Resumed:
    track: Track
    position: float


@dataclass(frozen=True, slots=True)
class Seeked:
    track: Track
    position: float


@dataclass(frozen=True, slots=True)
class TrackEnded:
    track: Track
    position: float
    reason: TrackEndReason


PlayEvent = TrackStarted | Paused | Resumed | Seeked | TrackEnded
PlayListener = Callable[[PlayEvent], None]


class PlayTracker:
    """The controller's side: which track's play is open, and who hears about it.

    Keeps the promise of the module docstring (one end per start, changes only in between) and
    shields the controller from a listener's bug.
    """

    def __init__(self) -> None:
        self._listeners: list[PlayListener] = []
        self._open: tuple[str, Track] | None = None  # the engine token and track of the play

    def add_listener(self, listener: PlayListener) -> None:
        self._listeners.append(listener)

    @property
    def open(self) -> bool:
        """Whether a track has started and not ended."""
        return self._open is not None

    def started(
        self,
        token: str,
        entry_id: EntryId,
        track: Track,
        *,
        from_local: bool,
        position: float,
        paused: bool,
    ) -> None:
        """The engine started `token`; a second start of the same token is ignored."""
        if self._open is not None:
            if self._open[0] == token:
                return
            # A gapless join whose end went unseen: the old track played to its end.
            self.ended(TrackEndReason.FINISHED, position=self._open[1].duration)
        self._open = (token, track)
        self._emit(TrackStarted(entry_id, track, from_local, position, paused))

    def ended(self, reason: TrackEndReason, *, position: float, token: str | None = None) -> None:
        """The open play ended (only if it is `token`'s, when given)."""
        if self._open is None or (token is not None and self._open[0] != token):
            return
        track = self._open[1]
        self._open = None
        self._emit(TrackEnded(track, position, reason))

    def changed(self, kind: type[Paused | Resumed | Seeked], position: float) -> None:
        """The open play was paused, resumed or seeked."""
        if self._open is not None:
            self._emit(kind(self._open[1], position))

    def _emit(self, event: PlayEvent) -> None:
        # a listener's bug must not stop playback
        notify_all(self._listeners, event, "play listener", log)
