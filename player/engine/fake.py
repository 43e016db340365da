"""A silent Engine whose media time runs on the asyncio loop clock.

It behaves like MpvEngine (the shared contract test holds both to the same rules): events arrive
after the call that caused them, an item that cannot be opened ends with Finished(ERROR) and no
Started, replaced or stopped items get no Finished. Tests can speed time up with `speed`,
inject errors per URL, kill the engine, and read the calls it received.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from player.engine import EngineError
from player.engine.base import (
    DurationKnown,
    EndReason,
    EngineEvent,
    EngineFailed,
    EventSink,
    Finished,
    MediaRef,
    PauseChanged,
    PositionChanged,
    Started,
)


@dataclass(frozen=True, slots=True)
class FakeCall:
    """One call the fake received, for assertions."""

    name: str
    args: tuple[object, ...] = ()


class FakeEngine:
    """Plays nothing; items last `duration_hint` (else `default_duration`) media seconds."""

    def __init__(
        self,
        *,
        speed: float = 1.0,
        default_duration: float = 5.0,
        position_interval: float = 0.5,
        volume_max: int = 100,
    ) -> None:
        self.speed = speed  # media seconds per loop second
        self.default_duration = default_duration
        self.position_interval = position_interval
        self.volume_max = volume_max
        self.calls: list[FakeCall] = []
        self.volume = 100
        self.muted = False
        self.paused = False
        self._errors: dict[str, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sink: EventSink | None = None
        self._closed = False
        self._dead = False
        self._generation = 0  # events queued before play/stop belong to an older generation
        self._current: MediaRef | None = None
        self._next: MediaRef | None = None
        self._offset = 0.0  # media position at loop time `_since`
        self._since = 0.0
        self._end_timer: asyncio.TimerHandle | None = None
        self._tick_timer: asyncio.TimerHandle | None = None

    # -- test controls ---------------------------------------------------------------------------
    def inject_error(self, url: str, message: str = "loading failed") -> None:
        """Make every later attempt to play `url` end with Finished(ERROR, message)."""
        self._errors[url] = message

    def fail(self, message: str = "engine died") -> None:
        """Simulate the backend dying: EngineFailed now, EngineError on every later call."""
        self._dead = True
        self._cancel_timers()
        self._emit_soon(EngineFailed(message))

    @property
    def current(self) -> MediaRef | None:
        return self._current

    @property
    def next(self) -> MediaRef | None:
        return self._next

    # -- Engine ----------------------------------------------------------------------------------
    async def start(self, sink: EventSink) -> None:
        """Remember the sink and the loop whose clock is the media clock."""
        self._record("start")
        if self._loop is not None or self._closed:
            raise EngineError("engine already started")
        self._loop, self._sink = asyncio.get_running_loop(), sink

    async def run(self) -> None:
        """Nothing runs in the background: the fake's ticks are loop timers."""
        await asyncio.Event().wait()

    async def shutdown(self) -> None:
        """Forget everything; safe to call twice."""
        self._record("shutdown")
        self._closed = True
        self._cancel_timers()
        self._current = self._next = None

    async def play(
        self,
        current: MediaRef,
        next_ref: MediaRef | None,
        *,
        start: float = 0.0,
        paused: bool = False,
    ) -> None:
        """Replace what plays; the replaced item gets no Finished."""
        self._record("play", current, next_ref, start, paused)
        self._require()
        self._generation += 1
        self._cancel_timers()
        if paused != self.paused:
            self.paused = paused
            self._emit_soon(PauseChanged(paused))
        self._next = next_ref
        self._begin(current, max(0.0, start))

    async def set_next(self, next_ref: MediaRef | None) -> None:
        """Replace the item that follows the current one (ignored when nothing plays)."""
        self._record("set_next", next_ref)
        self._require()
        self._next = next_ref if self._current is not None else None

    async def set_paused(self, paused: bool) -> None:
        self._record("set_paused", paused)
        self._require()
        if paused == self.paused:
            return
        self._offset, self._since = self._media_position(), self._now()
        self.paused = paused
        self._emit_soon(PauseChanged(paused))
        self._schedule()

    async def stop(self) -> None:
        """Forget the current and next items; no Finished."""
        self._record("stop")
        self._require()
        self._generation += 1
        self._cancel_timers()
        self._current = self._next = None

    async def seek(self, position: float) -> None:
        self._record("seek", position)
        self._require()
        if self._current is None:
            return
        self._offset, self._since = max(0.0, position), self._now()
        self._emit_soon(PositionChanged(self._offset))
        self._schedule()

    async def set_volume(self, volume: int) -> None:
        self._record("set_volume", volume)
        self._require()
        self.volume = max(0, min(volume, self.volume_max))

    async def set_muted(self, muted: bool) -> None:
        self._record("set_muted", muted)
        self._require()
        self.muted = muted

    def position(self) -> float | None:
        """Media seconds into the current item, or None."""
        if self._current is None:
            return None
        return min(self._media_position(), self._duration(self._current))

    # -- the media clock -------------------------------------------------------------------------
    def _begin(self, ref: MediaRef | None, start: float) -> None:
        # Items that cannot be opened end at once and playback moves on, as mpv's playlist does.
        while ref is not None and ref.url in self._errors:
            self._emit_soon(Finished(ref.token, EndReason.ERROR, self._errors[ref.url]))
            ref, self._next, start = self._next, None, 0.0
        self._current = ref
        if ref is None:
            return
        self._offset, self._since = start, self._now()
        self._emit_soon(Started(ref.token, ref.duration_hint))
        self._emit_soon(DurationKnown(ref.token, self._duration(ref)))
        self._schedule()

    def _on_end(self) -> None:
        ref = self._current
        if ref is None:
            return
        self._emit_soon(Finished(ref.token, EndReason.EOF))
        following, self._next = self._next, None
        self._begin(following, 0.0)

    def _on_tick(self) -> None:
        if self._current is not None and not self.paused:
            self._emit_soon(PositionChanged(self.position() or 0.0))
            self._tick_timer = self._loop_or_fail().call_later(
                self.position_interval, self._on_tick
            )

    def _schedule(self) -> None:
        self._cancel_timers()
        if self._current is None or self.paused:
            return
        loop = self._loop_or_fail()
        remaining = max(0.0, self._duration(self._current) - self._offset) / self.speed
        self._end_timer = loop.call_later(remaining, self._on_end)
        self._tick_timer = loop.call_later(self.position_interval, self._on_tick)

    def _cancel_timers(self) -> None:
        for timer in (self._end_timer, self._tick_timer):
            if timer is not None:
                timer.cancel()
        self._end_timer = self._tick_timer = None

    def _media_position(self) -> float:
        if self.paused:
            return self._offset
        return self._offset + (self._now() - self._since) * self.speed

    def _duration(self, ref: MediaRef) -> float:
        return ref.duration_hint if ref.duration_hint is not None else self.default_duration

    # -- plumbing --------------------------------------------------------------------------------
    def _record(self, name: str, *args: object) -> None:
        self.calls.append(FakeCall(name, args))

    def _require(self) -> None:
        if self._loop is None or self._closed:
            raise EngineError("engine is not running")
        if self._dead:
            raise EngineError("engine has died")

    def _loop_or_fail(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise EngineError("engine is not running")
        return self._loop

    def _now(self) -> float:
        return self._loop_or_fail().time()

    def _emit_soon(self, event: EngineEvent) -> None:
        self._loop_or_fail().call_soon(self._deliver, self._generation, event)

    def _deliver(self, generation: int, event: EngineEvent) -> None:
        # Like MpvEngine, events still in flight when play/stop replaced their item are dropped.
        stale = generation != self._generation and not isinstance(
            event, PauseChanged | EngineFailed
        )
        if self._sink is not None and not self._closed and not stale:
            self._sink(event)
