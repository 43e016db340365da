"""One harness for both engines, so the contract tests read the same for mpv and the fake."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from player.engine.audio import AudioSettings
from player.engine.base import Engine, EngineEvent, MediaRef
from player.engine.fake import FakeEngine
from tests.tones import RATE, tone, write_wav

E = TypeVar("E")

WAIT = 10.0  # upper bound for any single wait; tests normally finish in milliseconds


@dataclass
class Harness:
    """An engine plus what it emitted, with helpers to make media and wait for events."""

    kind: str
    engine: Any  # MpvEngine | FakeEngine; typed Any so tests may peek at either
    tmp: Path
    events: list[EngineEvent] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def sink(self, event: EngineEvent) -> None:
        self.events.append(event)
        self._arrived.set()

    def media(self, name: str, seconds: float = 0.4) -> MediaRef:
        """A WAV tone on disk, with its exact length as the duration hint."""
        frames = round(seconds * RATE)
        path = write_wav(self.tmp / f"{name}.wav", tone(frames))
        return MediaRef(token=name, url=str(path), duration_hint=frames / RATE)

    def broken(self, name: str) -> MediaRef:
        """An item that cannot be opened: a missing file for mpv, an injected error for the fake."""
        ref = MediaRef(token=name, url=str(self.tmp / f"{name}-missing.wav"), duration_hint=1.0)
        if isinstance(self.engine, FakeEngine):
            self.engine.inject_error(ref.url)
        return ref

    def mixer(self) -> tuple[int, bool]:
        """The engine's volume and mute as the backend holds them."""
        if isinstance(self.engine, FakeEngine):
            return self.engine.volume, self.engine.muted
        player = self.engine._player  # peeking at libmpv itself is the point of this check
        return round(player.volume), bool(player.mute)

    async def wait_for(self, match: Callable[[EngineEvent], bool], *, after: int = 0) -> int:
        """Wait until an event at index >= `after` matches; returns its index."""
        async with asyncio.timeout(WAIT):
            while True:
                for index in range(after, len(self.events)):
                    if match(self.events[index]):
                        return index
                after = len(self.events)
                self._arrived.clear()
                await self._arrived.wait()

    async def settle(self, seconds: float = 0.15) -> None:
        """Give in-flight events a moment to arrive (for asserting that something did NOT happen)."""
        await asyncio.sleep(seconds)

    def of_type(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


def make_engine(kind: str, tmp: Path) -> Engine:
    if kind == "fake":
        return FakeEngine(speed=4.0, position_interval=0.05)
    from player.engine.mpv import MpvEngine

    settings = AudioSettings(output=f"pcm:{tmp / 'out.wav'}", untimed=True, position_interval=0.05)
    return MpvEngine(settings)


@pytest.fixture(params=["fake", pytest.param("mpv", marks=pytest.mark.mpv)])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    engine = make_engine(request.param, tmp_path)
    h = Harness(kind=request.param, engine=engine, tmp=tmp_path)
    await engine.start(h.sink)
    background = asyncio.create_task(engine.run(), name="engine")
    try:
        yield h
    finally:
        await engine.shutdown()
        background.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await background
