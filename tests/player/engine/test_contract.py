"""The Engine contract, run against MpvEngine (real libmpv rendering to a WAV file, untimed) and
FakeEngine, so the fake cannot drift from the real thing.

mpv renders untimed (far faster than real time), so anything that must happen before an item
ends starts the item paused.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from player.engine import EngineError
from player.engine.base import (
    DurationKnown,
    EndReason,
    EngineEvent,
    Finished,
    PauseChanged,
    PositionChanged,
    Started,
)

from .conftest import Harness

Match = Callable[[EngineEvent], bool]


def started(token: str) -> Match:
    return lambda e: isinstance(e, Started) and e.token == token


def finished(token: str, reason: EndReason = EndReason.EOF) -> Match:
    return lambda e: isinstance(e, Finished) and e.token == token and e.reason is reason


def transitions(h: Harness) -> list[tuple[str, str]]:
    """Started/Finished as (kind, token) in arrival order."""
    out = []
    for e in h.events:
        if isinstance(e, Started):
            out.append(("started", e.token))
        elif isinstance(e, Finished):
            out.append(("finished", e.token))
    return out


async def test_plays_to_the_end(harness: Harness) -> None:
    a = harness.media("a")
    await harness.engine.play(a, None)
    await harness.wait_for(finished("a"))
    assert transitions(harness) == [("started", "a"), ("finished", "a")]
    start = harness.of_type(Started)[0]
    assert start.duration == a.duration_hint
    await harness.settle()
    assert harness.engine.position() is None


async def test_duration_known_after_start(harness: Harness) -> None:
    a = harness.media("a", 0.75)
    await harness.engine.play(a, None, paused=True)
    i = await harness.wait_for(started("a"))
    j = await harness.wait_for(lambda e: isinstance(e, DurationKnown), after=i)
    known = harness.events[j]
    assert isinstance(known, DurationKnown)
    assert known.token == "a"
    assert known.duration == pytest.approx(0.75, abs=0.01)


async def test_auto_advance_orders_started_and_finished(harness: Harness) -> None:
    a, b, c = harness.media("a"), harness.media("b"), harness.media("c")
    await harness.engine.play(a, b)
    await harness.wait_for(started("b"))
    await harness.engine.set_next(c)
    await harness.wait_for(finished("c"))
    assert transitions(harness) == [
        ("started", "a"),
        ("finished", "a"),
        ("started", "b"),
        ("finished", "b"),
        ("started", "c"),
        ("finished", "c"),
    ]


async def test_set_next_replaces_the_next_item(harness: Harness) -> None:
    a, b, c = harness.media("a"), harness.media("b"), harness.media("c")
    await harness.engine.play(a, b, paused=True)
    await harness.wait_for(started("a"))
    await harness.engine.set_next(c)
    await harness.engine.set_paused(False)
    await harness.wait_for(finished("c"))
    assert transitions(harness) == [
        ("started", "a"),
        ("finished", "a"),
        ("started", "c"),
        ("finished", "c"),
    ]


async def test_set_next_none_ends_after_current(harness: Harness) -> None:
    a, b = harness.media("a"), harness.media("b")
    await harness.engine.play(a, b, paused=True)
    await harness.wait_for(started("a"))
    await harness.engine.set_next(None)
    await harness.engine.set_paused(False)
    await harness.wait_for(finished("a"))
    await harness.settle()
    assert transitions(harness) == [("started", "a"), ("finished", "a")]
    assert harness.engine.position() is None


async def test_pause_seek_and_position(harness: Harness) -> None:
    a = harness.media("a", 1.0)
    await harness.engine.play(a, None, paused=True)
    await harness.wait_for(started("a"))
    await harness.wait_for(lambda e: e == PauseChanged(True))
    assert harness.engine.position() == pytest.approx(0.0, abs=0.05)
    await harness.engine.seek(0.6)
    await harness.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 0.6)
    assert harness.engine.position() == pytest.approx(0.6, abs=0.05)
    await harness.settle()
    assert harness.engine.position() == pytest.approx(0.6, abs=0.05)  # paused: time stands still
    await harness.engine.set_paused(False)
    await harness.wait_for(lambda e: e == PauseChanged(False))
    await harness.wait_for(finished("a"))


async def test_start_offset(harness: Harness) -> None:
    a = harness.media("a", 1.0)
    await harness.engine.play(a, None, start=0.5, paused=True)
    await harness.wait_for(started("a"))
    await harness.settle(0.1)
    assert harness.engine.position() == pytest.approx(0.5, abs=0.05)


async def test_play_replaces_without_finished(harness: Harness) -> None:
    a, b, c = harness.media("a"), harness.media("b"), harness.media("c")
    await harness.engine.play(a, b, paused=True)
    await harness.wait_for(started("a"))
    await harness.engine.play(c, None)
    await harness.wait_for(finished("c"))
    await harness.settle()
    assert transitions(harness) == [("started", "a"), ("started", "c"), ("finished", "c")]


async def test_stop_forgets_current_and_next(harness: Harness) -> None:
    a, b = harness.media("a"), harness.media("b")
    await harness.engine.play(a, b, paused=True)
    await harness.wait_for(started("a"))
    await harness.engine.stop()
    assert harness.engine.position() is None
    await harness.engine.set_paused(False)
    await harness.settle()
    assert transitions(harness) == [("started", "a")]
    await harness.engine.play(b, None)  # and it plays again afterwards
    await harness.wait_for(finished("b"))


async def test_volume_and_mute(harness: Harness) -> None:
    await harness.engine.set_volume(40)
    await harness.engine.set_muted(True)
    assert harness.mixer() == (40, True)
    await harness.engine.set_volume(250)  # clamped to volume_max
    await harness.engine.set_muted(False)
    assert harness.mixer() == (100, False)
    await harness.engine.set_volume(-3)
    assert harness.mixer() == (0, False)


async def test_unplayable_current_finishes_with_error_then_advances(harness: Harness) -> None:
    bad, b = harness.broken("bad"), harness.media("b")
    await harness.engine.play(bad, b)
    await harness.wait_for(finished("b"))
    assert transitions(harness) == [("finished", "bad"), ("started", "b"), ("finished", "b")]
    failure = harness.of_type(Finished)[0]
    assert failure.reason is EndReason.ERROR
    assert failure.error


async def test_unplayable_next_finishes_with_error(harness: Harness) -> None:
    a, bad = harness.media("a"), harness.broken("bad")
    await harness.engine.play(a, bad)
    await harness.wait_for(finished("bad", EndReason.ERROR))
    assert transitions(harness) == [("started", "a"), ("finished", "a"), ("finished", "bad")]


async def test_shutdown_twice_then_calls_fail(harness: Harness) -> None:
    a = harness.media("a", 1.0)
    await harness.engine.play(a, None, paused=True)
    await harness.wait_for(started("a"))
    await harness.engine.shutdown()
    await harness.engine.shutdown()
    with pytest.raises(EngineError):
        await harness.engine.play(a, None)
    count = len(harness.events)
    await harness.settle()
    assert len(harness.events) == count  # nothing arrives after shutdown
