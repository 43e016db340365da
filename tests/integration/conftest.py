"""Fixtures for tests against real parts. `renderer`: an MpvEngine rendering into a WAV file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from player.engine.audio import AudioSettings
from player.engine.base import EngineEvent, Finished, MediaRef, Started
from player.engine.mpv import MpvEngine


@dataclass
class Renderer:
    """A started MpvEngine writing what it plays to `out` (a WAV file), and its events."""

    engine: MpvEngine
    out: Path
    events: list[EngineEvent] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def sink(self, event: EngineEvent) -> None:
        self.events.append(event)
        self._arrived.set()

    async def wait_for(self, match: Callable[[EngineEvent], bool], limit: float = 20.0) -> None:
        async with asyncio.timeout(limit):
            seen = 0
            while not any(match(e) for e in self.events[seen:]):
                seen = len(self.events)
                self._arrived.clear()
                await self._arrived.wait()

    async def started(self, ref: MediaRef) -> None:
        await self.wait_for(lambda e: isinstance(e, Started) and e.token == ref.token)

    async def finished(self, ref: MediaRef) -> None:
        await self.wait_for(lambda e: isinstance(e, Finished) and e.token == ref.token)


def media(path: Path, frames: int, rate: int) -> MediaRef:
    return MediaRef(token=path.stem, url=str(path), duration_hint=frames / rate)


@pytest.fixture
async def renderer(tmp_path: Path) -> AsyncIterator[Renderer]:
    # volume 100 and replaygain off: nothing in mpv's chain may touch the samples.
    settings = AudioSettings(output=f"pcm:{tmp_path / 'rendered.wav'}", untimed=True)
    engine = MpvEngine(settings)
    r = Renderer(engine=engine, out=tmp_path / "rendered.wav")
    await engine.start(r.sink)
    await engine.set_volume(100)
    try:
        yield r
    finally:
        await engine.shutdown()
