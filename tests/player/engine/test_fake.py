"""What only the fake offers: a scalable clock, recorded calls, a death on demand."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from player.engine import EngineError
from player.engine.base import (
    EngineEvent,
    EngineFailed,
    Finished,
    MediaRef,
    PositionChanged,
    Started,
)
from player.engine.fake import FakeCall, FakeEngine
from tests.polling import until


async def started_fake(**kwargs: Any) -> tuple[FakeEngine, list[EngineEvent]]:
    events: list[EngineEvent] = []
    engine = FakeEngine(**kwargs)
    await engine.start(events.append)
    return engine, events


async def test_speed_scales_media_time() -> None:
    engine, events = await started_fake(speed=100.0, default_duration=5.0)
    await engine.play(MediaRef("a", "a.flac"), None)  # no hint: default_duration
    await asyncio.sleep(0.02)  # at least 0.02 loop seconds = 2 media seconds
    assert (engine.position() or 0.0) >= 2.0
    await until(lambda: any(isinstance(e, Finished) for e in events))
    assert [type(e) for e in events if isinstance(e, Started | Finished)] == [Started, Finished]
    await engine.shutdown()


async def test_position_ticks_while_playing() -> None:
    engine, events = await started_fake(position_interval=0.01)
    await engine.play(MediaRef("a", "a.flac", duration_hint=60.0), None)
    await asyncio.sleep(0.1)
    ticks = [e.position for e in events if isinstance(e, PositionChanged)]
    assert len(ticks) >= 2
    assert ticks == sorted(ticks)
    await engine.set_paused(True)
    await asyncio.sleep(0)
    frozen = engine.position()
    count = len(events)
    await asyncio.sleep(0.05)
    assert engine.position() == frozen
    assert not [e for e in events[count:] if isinstance(e, PositionChanged)]
    await engine.shutdown()


async def test_records_calls() -> None:
    engine, _ = await started_fake()
    ref = MediaRef("a", "a.flac")
    await engine.play(ref, None, start=2.0)
    await engine.set_volume(30)
    assert engine.calls[1:] == [
        FakeCall("play", (ref, None, 2.0, False)),
        FakeCall("set_volume", (30,)),
    ]
    assert engine.current == ref
    await engine.shutdown()


async def test_fail_emits_engine_failed_and_refuses_calls() -> None:
    engine, events = await started_fake()
    engine.fail("boom")
    await asyncio.sleep(0)
    assert events == [EngineFailed("boom")]
    with pytest.raises(EngineError):
        await engine.set_paused(True)
    await engine.shutdown()


async def test_calls_before_start_fail() -> None:
    with pytest.raises(EngineError):
        await FakeEngine().play(MediaRef("a", "a.flac"), None)
