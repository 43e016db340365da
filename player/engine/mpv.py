"""The Engine on libmpv (python-mpv).

mpv's playlist is kept as [current, next]: `play` replaces it, `set_next` replaces what follows
the current entry, so the next local file is in mpv's playlist (and prefetched) before the current
one ends, and mpv joins them without a gap. Entries are mapped to tokens by the playlist entry id
that `loadfile` returns and that start-file / end-file events carry.

Threads: python-mpv's event thread only copies each event into a record posted to the loop
(`EventBridge`); decisions run on the loop, every blocking mpv call on one worker (`MpvCalls`: a
call waits for mpv's core, busy for 100s of ms around a track change). The methods run one at a
time, and mpv's events arriving while one awaits the worker wait until it is done, as when the
calls were made on the loop. The output's hold (the source role's pacing, from the relay's thread
under `PauseSwitch`'s lock) and the pause are async commands. Never call mpv from its callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from player.engine import EngineError
from player.engine.audio import AudioSettings, mpv_options
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
    TitleChanged,
)
from player.engine.mpv_calls import (
    MPV_ERRORS,
    MpvCalls,
    clear_all_but_current,
    command,
    create_player,
    drop_played_entries,
    load,
    seek_now,
    set_option,
)
from player.engine.mpv_events import (
    EventBridge,
    RawEnd,
    RawEvent,
    RawLoaded,
    RawProperty,
    RawShutdown,
    RawStart,
    end_reason,
    error_text,
)
from player.engine.pausing import PauseSwitch

log = logging.getLogger(__name__)

_RESTARTED = 1  # libmpv's deprecated end-file reason for a file being reloaded: not an end
_SEEK_SLACK = 0.25  # seconds: a time-pos this close to a seek's target is from after it


class MpvEngine:
    """Plays through libmpv; see the module docstring for the playlist and thread rules."""

    def __init__(self, settings: AudioSettings, *, probe_root: Path = Path("/")) -> None:
        self._settings = settings
        self._probe_root = probe_root  # where /proc/asound and /dev/snd are looked for
        self._player: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sink: EventSink | None = None
        self._closing = False
        self._dead = False
        self._refs: dict[int, MediaRef] = {}  # live mpv playlist entry ids
        self._current: int | None = None
        self._next: int | None = None
        self._loading: int | None = None  # the entry of the last start-file, if it is ours
        self._loaded = False  # the current entry has started (file-loaded seen)
        self._duration: float | None = None
        self._pause = PauseSwitch(self._send_pause)  # the listener's pause and the output's hold
        self._ended_alone = False  # the current entry played to its end with nothing after it
        self._position: float | None = None
        self._reported: float | None = None  # the position last sent as PositionChanged
        self._seek_target: float | None = None  # time-pos from before a seek is stale until then
        self._pending_seek: float | None = None
        self._calls = MpvCalls()
        self._turn = asyncio.Lock()  # one method at a time (see the module docstring)
        self._busy = False  # a method awaits the worker: mpv's events wait in _held
        self._held: list[RawEvent] = []

    # -- Engine ---------------------------------------------------------------------------------
    async def start(self, sink: EventSink) -> None:
        """Create libmpv with the audio settings; raises EngineError when it will not start."""
        if self._player is not None or self._closing:
            raise EngineError("engine already started")
        self._loop, self._sink = asyncio.get_running_loop(), sink
        options = mpv_options(self._settings, probe_root=self._probe_root)
        bridge = EventBridge(self._loop, self._on_raw)
        try:
            self._player = await self._calls.call(create_player, bridge, options)
        except EngineError:
            await self._calls.close()  # nothing to call: the worker goes with it
            raise

    async def shutdown(self) -> None:
        """Terminate libmpv (it stops within milliseconds); safe to call twice."""
        if self._closing:
            return
        self._pause.close()  # no hold may reach the handle once it is gone
        self._closing = True
        player, self._player = self._player, None
        self._refs.clear()
        self._current = self._next = None
        if player is not None:
            self._calls.post(player.terminate)
        await self._calls.close()

    async def play(
        self,
        current: MediaRef,
        next_ref: MediaRef | None,
        *,
        start: float = 0.0,
        paused: bool = False,
    ) -> None:
        """Replace the playlist; the replaced item gets no Finished (the caller chose to leave it)."""
        async with self._exclusive() as player:
            self._refs.clear()  # events of replaced entries are dropped from here on
            self._apply_pause(paused)
            self._current = await self._load(player, current, "replace", start=start)
            # append-play: should `current` fail (or end) before this line, mpv has gone idle
            # and a plain append would leave the next item sitting unplayed.
            self._next = await self._load(player, next_ref, "append-play") if next_ref else None
            self._loading, self._loaded, self._duration, self._ended_alone = (
                None,
                False,
                None,
                False,
            )
            self._position, self._pending_seek = max(0.0, start), None

    async def set_next(self, next_ref: MediaRef | None) -> None:
        """Replace whatever follows mpv's current entry (and drop entries already played)."""
        async with self._exclusive() as player:
            if self._current is None:
                # Ended alone before this call reached us (a short track): the next starts now.
                alone, self._ended_alone = self._ended_alone, False
                wanted = next_ref if alone else None
                self._next = await self._load(player, wanted, "append-play") if wanted else None
                return
            kept = await self._calls.call(clear_all_but_current, player)
            if self._next is not None and self._next not in kept:
                self._refs.pop(self._next, None)
            # If mpv already advanced to the old next, that entry stays ours: its events still
            # come. append-play starts the new next at once should mpv have gone idle meanwhile.
            self._next = await self._load(player, next_ref, "append-play") if next_ref else None

    async def set_paused(self, paused: bool) -> None:
        """Pause or resume; PauseChanged follows when mpv reports the change."""
        self._apply_pause(paused)

    def hold_output(self, held: bool) -> None:
        """Pause mpv's output, unreported, from any thread (pacing: see player.snapcast.relay)."""
        try:
            self._pause.hold(held)
        except EngineError as err:
            log.info("could not %s the output: %s", "hold" if held else "release", err)

    async def stop(self) -> None:
        """Stop and empty mpv's playlist; no Finished is emitted."""
        async with self._exclusive() as player:
            self._refs.clear()
            self._current = self._next = self._loading = None
            self._loaded, self._position, self._pending_seek = False, None, None
            self._ended_alone = False
            await self._calls.call(command, player, "stop")

    async def seek(self, position: float) -> None:
        """Seek the current item; before it has loaded, the seek waits for it."""
        async with self._exclusive() as player:
            if self._current is None:
                return
            position = max(0.0, position)
            if self._loaded:
                self._calls.post(seek_now, player, position)
            else:
                self._pending_seek = position
            self._position = self._reported = self._seek_target = position
            self._emit_soon(PositionChanged(position))

    async def set_volume(self, volume: int) -> None:
        """Software volume, clamped to 0..volume_max."""
        volume = max(0, min(volume, self._settings.volume_max))
        await self._calls.call(set_option, self._require(), "volume", volume)

    async def set_muted(self, muted: bool) -> None:
        await self._calls.call(set_option, self._require(), "mute", muted)

    def position(self) -> float | None:
        """The last observed position (mpv reports time-pos as the audio plays)."""
        return self._position if self._current is not None else None

    # -- mpv calls (made on the worker) ----------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[Any]:
        """The handle, for one method at a time; mpv's events arriving meanwhile are handled
        when it is done."""
        async with self._turn:
            player = self._require()
            self._busy = True
            try:
                yield player
            finally:
                self._busy = False
                held, self._held = self._held, []
                for raw in held:
                    self._on_raw(raw)

    def _require(self) -> Any:
        if self._player is None or self._closing:
            raise EngineError("engine is not running")
        if self._dead:
            raise EngineError("libmpv has shut down")
        return self._player

    def _apply_pause(self, paused: bool) -> None:
        if (change := self._pause.want(paused)) is not None:
            self._emit_soon(PauseChanged(change))

    def _send_pause(self, paused: bool) -> None:
        # Async: a hold's sender drains the pipe mpv's core may wait on (see PauseSwitch).
        try:
            self._require().command_async("set", "pause", "yes" if paused else "no")
        except MPV_ERRORS as err:
            raise EngineError(f"mpv pause failed: {err}") from err

    async def _load(self, player: Any, ref: MediaRef, mode: str, *, start: float = 0.0) -> int:
        options = []
        if start > 0:
            options.append(f"start={start:.3f}")
        if ref.gain_db is not None:
            # Used by mpv only when the file has no ReplayGain tags and a mode is on.
            options.append(f"replaygain-fallback={ref.gain_db:.2f}")
        entry_id = await self._calls.call(load, player, ref.url, mode, ",".join(options))
        self._refs[entry_id] = ref
        return entry_id

    async def run(self) -> None:
        """Nothing runs in the background: mpv's time-pos is observed (see `_on_time`). The
        service supervises this like any engine's work, so an engine that needs a loop has one."""
        await asyncio.Event().wait()

    def _on_time(self, value: float) -> None:
        """mpv's time-pos moved (many times a second): kept, and sent on once it moved enough."""
        if not self._loaded or self._dead:
            return
        if self._seek_target is not None:
            if abs(value - self._seek_target) > _SEEK_SLACK:
                return  # reported before mpv got to the seek
            self._seek_target = None
        self._position = value
        last = self._reported
        if last is None or abs(value - last) >= self._settings.position_step or value < last:
            self._reported = value
            self._emit(PositionChanged(value))

    # -- back on the loop thread ---------------------------------------------------------------
    def _on_raw(self, raw: RawEvent) -> None:
        if self._closing:
            return
        if self._busy:
            self._held.append(raw)
            return
        if isinstance(raw, RawStart):
            self._on_start(raw.entry_id)
        elif isinstance(raw, RawLoaded):
            self._on_loaded()
        elif isinstance(raw, RawEnd):
            self._on_end(raw)
        elif isinstance(raw, RawProperty):
            self._on_property(raw)
        elif isinstance(raw, RawShutdown):
            self._dead = True
            self._emit(EngineFailed("libmpv shut down unexpectedly"))

    def _on_start(self, entry_id: int) -> None:
        if entry_id not in self._refs:
            self._loading = None  # a replaced or stopped entry
            return
        if entry_id == self._next:
            self._next, self._position = None, 0.0
        self._current, self._loading, self._ended_alone = entry_id, entry_id, False
        self._loaded, self._duration, self._seek_target = False, None, None

    def _on_loaded(self) -> None:
        ref = self._refs.get(self._loading) if self._loading is not None else None
        if ref is None or self._loading != self._current or self._loaded:
            return
        self._loaded, self._reported = True, None
        self._emit(Started(ref.token, ref.duration_hint))
        if self._duration is not None:
            self._emit(DurationKnown(ref.token, self._duration))
        self._calls.post(drop_played_entries, self._player)
        if self._pending_seek is not None:
            self._calls.post(seek_now, self._player, self._pending_seek)
            self._pending_seek = None

    def _on_end(self, raw: RawEnd) -> None:
        if raw.reason == _RESTARTED:
            return
        ref = self._refs.pop(raw.entry_id, None)
        if ref is None:
            return
        reason = end_reason(raw.reason)
        if raw.entry_id == self._current:
            self._current, self._loaded, self._position = None, False, None
            self._pending_seek = None
            self._ended_alone = reason is EndReason.EOF and self._next is None
        error = error_text(raw.error) if reason is EndReason.ERROR else None
        self._emit(Finished(ref.token, reason, error))

    def _on_property(self, raw: RawProperty) -> None:
        if raw.name == "pause" and isinstance(raw.value, bool):
            if (change := self._pause.seen(raw.value)) is not None:
                self._emit(PauseChanged(change))
        elif raw.name == "time-pos" and isinstance(raw.value, int | float):
            self._on_time(float(raw.value))
        elif raw.name == "metadata" and self._current is not None:
            self._emit(TitleChanged(raw.value if isinstance(raw.value, str) else None))
        elif raw.name == "duration" and isinstance(raw.value, int | float):
            self._duration = float(raw.value)
            ref = self._refs.get(self._current) if self._current is not None else None
            if ref is not None and self._loaded:
                self._emit(DurationKnown(ref.token, self._duration))

    def _emit(self, event: EngineEvent) -> None:
        if self._sink is not None and not self._closing:
            self._sink(event)

    def _emit_soon(self, event: EngineEvent) -> None:
        # Events from a method call reach the sink after the call, as mpv's own events do.
        if self._loop is not None:
            self._loop.call_soon(self._emit, event)
