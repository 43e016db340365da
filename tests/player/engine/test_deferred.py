"""The engine made on first use (player/engine/deferred.py): nothing is made until a play, the
volume and mute set before it reach the engine it makes, and a refusal is the play's error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from player.engine import EngineError
from player.engine.base import EngineEvent, Finished, MediaRef, Started
from player.engine.deferred import DeferredEngine
from player.engine.fake import FakeEngine
from tests.polling import until


class Factory:
    """Makes the fake on demand and counts how often it was asked to."""

    def __init__(self, refuse: int = 0) -> None:
        self.made: list[FakeEngine] = []
        self.refuse = refuse  # the first `refuse` engines fail to start

    def __call__(self) -> FakeEngine:
        engine = FakeEngine(speed=8.0, position_interval=0.05)
        if len(self.made) < self.refuse:
            engine.start = self._refusing  # type: ignore[method-assign]
        self.made.append(engine)
        return engine

    async def _refusing(self, sink: object) -> None:
        raise EngineError("libmpv would not start: no such audio device")


async def test_nothing_is_made_until_the_first_play(tmp_path: Path) -> None:
    factory, events = Factory(), list[EngineEvent]()
    engine = DeferredEngine(factory)
    await engine.start(events.append)
    runner = asyncio.create_task(engine.run())
    try:
        await engine.set_volume(250)
        await engine.set_muted(True)
        await engine.stop()
        await engine.seek(3.0)
        await engine.set_paused(True)
        await engine.set_next(None)
        assert (factory.made, engine.position(), engine.loaded) == ([], None, False)
        await engine.play(MediaRef(token="a", url=str(tmp_path / "a.wav"), duration_hint=1.0), None)
        assert len(factory.made) == 1 and engine.loaded
        fake = factory.made[0]
        assert (fake.volume, fake.muted) == (100, True)  # handed over, clamped by the engine
        await until(lambda: any(isinstance(e, Started) for e in events), tries=2000)
        assert not runner.done()  # run() follows the made engine's work
    finally:
        runner.cancel()
        await engine.shutdown()


async def test_a_refused_engine_is_the_plays_error_and_the_next_play_tries_again(
    tmp_path: Path,
) -> None:
    factory = Factory(refuse=1)
    engine = DeferredEngine(factory)
    await engine.start(lambda event: None)
    ref = MediaRef(token="a", url=str(tmp_path / "a.wav"), duration_hint=1.0)
    with pytest.raises(EngineError):
        await engine.play(ref, None)
    assert not engine.loaded
    await engine.play(ref, None)
    assert len(factory.made) == 2 and engine.loaded
    await engine.shutdown()
    with pytest.raises(EngineError):
        await engine.play(ref, None)


async def test_once_made_every_call_reaches_the_engine(tmp_path: Path) -> None:
    """A play, a pause, a seek and the end of the track through the deferred engine, as the
    engine contract has them (the fake's events come through the same sink)."""
    factory, events = Factory(), list[EngineEvent]()
    engine = DeferredEngine(factory)
    await engine.start(events.append)
    ref = MediaRef(token="a", url=str(tmp_path / "a.wav"), duration_hint=2.0)
    await engine.play(ref, None, paused=True)
    fake = factory.made[0]
    await engine.seek(1.0)
    await engine.set_paused(False)
    await until(lambda: any(isinstance(e, Finished) for e in events), tries=2000)
    assert [c.name for c in fake.calls][:4] == ["start", "play", "seek", "set_paused"]
    await engine.stop()
    assert engine.position() is None
    await engine.shutdown()
    await engine.shutdown()  # twice is safe


class HoldingFake(FakeEngine):
    """A fake that records the output holds it is given (mpv's pacing in the source role)."""

    def __init__(self) -> None:
        super().__init__(speed=8.0, position_interval=0.05)
        self.holds: list[bool] = []

    def hold_output(self, held: bool) -> None:
        self.holds.append(held)


async def test_the_output_hold_reaches_the_engine_made_later(tmp_path: Path) -> None:
    # The relay paces the source role's mpv through the engine it was given: the deferred one.
    # A hold asked before the first play is handed over; later ones pass straight on.
    made: list[HoldingFake] = []
    engine = DeferredEngine(lambda: made.append(HoldingFake()) or made[-1])
    await engine.start(lambda event: None)
    try:
        engine.hold_output(True)
        await engine.play(MediaRef(token="a", url=str(tmp_path / "a.wav"), duration_hint=1.0), None)
        engine.hold_output(False)
        assert made[0].holds == [True, False]
    finally:
        await engine.shutdown()
