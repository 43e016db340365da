"""The seam between the player controller and the thing that makes sound.

The controller owns the queue; an engine only ever holds the current item and, for gapless
joins, the next one. Engine events are delivered on the asyncio loop thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class MediaRef:
    """What to play: `token` identifies it in events (the queue entry id), `url` is a path or URL."""

    token: str
    url: str
    duration_hint: float | None = None
    gain_db: float | None = None  # ReplayGain for this item, when the mode asks for one


class EndReason(StrEnum):
    EOF = "eof"
    ERROR = "error"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Started:
    token: str
    duration: float | None


@dataclass(frozen=True, slots=True)
class Finished:
    token: str
    reason: EndReason
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PositionChanged:
    position: float


@dataclass(frozen=True, slots=True)
class DurationKnown:
    token: str
    duration: float


@dataclass(frozen=True, slots=True)
class PauseChanged:
    paused: bool


@dataclass(frozen=True, slots=True)
class TitleChanged:
    """The stream sent a title of its own (a radio station's ICY StreamTitle); None: none."""

    title: str | None


@dataclass(frozen=True, slots=True)
class EngineFailed:
    """The engine itself died (not one file): the controller treats this as fatal."""

    message: str


EngineEvent = (
    Started
    | Finished
    | PositionChanged
    | DurationKnown
    | PauseChanged
    | TitleChanged
    | EngineFailed
)
EventSink = Callable[[EngineEvent], None]


class Engine(Protocol):
    """Plays at most a current and a next item. All methods are called on the loop thread."""

    async def start(self, sink: EventSink) -> None:
        """Create the backend; `sink` receives every event on the loop thread."""

    async def shutdown(self) -> None:
        """Stop playback and release the backend. Safe to call twice."""

    async def run(self) -> None:
        """The engine's background work (mpv: the position ticker), run under the service's
        supervisor for the engine's whole life; it never returns."""

    async def play(
        self,
        current: MediaRef,
        next_ref: MediaRef | None,
        *,
        start: float = 0.0,
        paused: bool = False,
    ) -> None:
        """Replace whatever plays with `current` (from `start` seconds), `next_ref` queued after it."""

    async def set_next(self, next_ref: MediaRef | None) -> None:
        """Make `next_ref` the item that follows the current one without a gap (None: nothing)."""

    async def set_paused(self, paused: bool) -> None: ...

    async def stop(self) -> None:
        """Stop and forget the current and next items (emits no Finished)."""

    async def seek(self, position: float) -> None: ...

    async def set_volume(self, volume: int) -> None:
        """0..100, applied to the software mixer."""

    async def set_muted(self, muted: bool) -> None: ...

    def position(self) -> float | None:
        """The current position in seconds, or None when nothing plays. Cheap."""


@runtime_checkable
class HoldsOutput(Protocol):
    """An engine whose output can be held without it being a pause (the Snapcast source role's
    pacing, see player.snapcast.relay); called from any thread."""

    def hold_output(self, held: bool) -> None: ...
