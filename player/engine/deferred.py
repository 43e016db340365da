"""An engine made on first use: libmpv is loaded and created by the first play, not at start.

An appliance spends most of its life idle. python-mpv loads libmpv (and its ~100 libraries:
ffmpeg, codecs, audio outputs) when it is imported, about 25 MiB of resident memory and the
largest part of the start-up time; before anything is played none of it is needed. A service
that resumes playing after a restart makes the engine at once (its resume is a play).

Until then: the volume and mute are kept and handed over when the engine is made, stop, seek and
pause have nothing to act on, and the position is None (nothing plays). Once made, every call goes
straight to the real engine; a failure to make it (libmpv refusing the output) is the play's error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from player.engine import EngineError
from player.engine.base import Engine, EventSink, HoldsOutput, MediaRef


class DeferredEngine:
    """An Engine that makes `factory()`'s engine on the first play."""

    def __init__(self, factory: Callable[[], Engine]) -> None:
        self._factory = factory
        self._engine: Engine | None = None
        self._sink: EventSink | None = None
        self._made = asyncio.Event()  # run() follows the real engine's work once there is one
        self._making = asyncio.Lock()
        self._volume: int | None = None
        self._muted: bool | None = None
        self._held = False  # the output's hold, handed over when the engine is made
        self._closed = False

    @property
    def loaded(self) -> bool:
        """Whether the real engine has been made."""
        return self._engine is not None

    async def start(self, sink: EventSink) -> None:
        if self._sink is not None or self._closed:
            raise EngineError("engine already started")
        self._sink = sink

    async def shutdown(self) -> None:
        self._closed = True
        if self._engine is not None:
            await self._engine.shutdown()

    async def run(self) -> None:
        await self._made.wait()
        assert self._engine is not None
        await self._engine.run()

    async def play(
        self,
        current: MediaRef,
        next_ref: MediaRef | None,
        *,
        start: float = 0.0,
        paused: bool = False,
    ) -> None:
        engine = await self._real()
        await engine.play(current, next_ref, start=start, paused=paused)

    async def set_next(self, next_ref: MediaRef | None) -> None:
        if self._engine is not None:
            await self._engine.set_next(next_ref)

    async def set_paused(self, paused: bool) -> None:
        if self._engine is not None:
            await self._engine.set_paused(paused)

    async def stop(self) -> None:
        if self._engine is not None:
            await self._engine.stop()

    async def seek(self, position: float) -> None:
        if self._engine is not None:
            await self._engine.seek(position)

    async def set_volume(self, volume: int) -> None:
        self._volume = volume
        if self._engine is not None:
            await self._engine.set_volume(volume)

    async def set_muted(self, muted: bool) -> None:
        self._muted = muted
        if self._engine is not None:
            await self._engine.set_muted(muted)

    def hold_output(self, held: bool) -> None:
        """From any thread (the relay's): a hold asked before the engine is made waits in
        `_held`, which `_real` reads after it publishes the engine, so neither side misses it."""
        self._held = held
        engine: object = self._engine  # read once: the loop may publish it meanwhile
        if isinstance(engine, HoldsOutput):
            engine.hold_output(held)

    def position(self) -> float | None:
        return self._engine.position() if self._engine is not None else None

    async def _real(self) -> Engine:
        if self._closed or self._sink is None:
            raise EngineError("engine not started" if not self._closed else "engine shut down")
        async with self._making:  # two plays at once make one engine
            if self._engine is None:
                await self._make(self._sink)
        assert self._engine is not None
        return self._engine

    async def _make(self, sink: EventSink) -> None:
        # On a worker thread: the factory imports python-mpv, which loads libmpv and its ~100
        # libraries (0.1-0.7 s here), and the loop goes on serving meanwhile.
        engine = await asyncio.to_thread(self._factory)
        if self._closed:  # shut down while it was being made
            raise EngineError("engine shut down")
        await engine.start(sink)
        if self._volume is not None:
            await engine.set_volume(self._volume)
        if self._muted is not None:
            await engine.set_muted(self._muted)
        self._engine = engine
        made: object = engine
        if isinstance(made, HoldsOutput):
            made.hold_output(self._held)
        self._made.set()
