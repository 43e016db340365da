"""MpvEngine behaviour beyond the shared contract, on a real libmpv."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from player.engine import EngineError
from player.engine.audio import AudioSettings
from player.engine.base import (
    EngineEvent,
    EngineFailed,
    Finished,
    MediaRef,
    PauseChanged,
    Started,
)
from player.engine.mpv import MpvEngine
from tests.polling import until

from .conftest import Harness

pytestmark = pytest.mark.mpv


async def running(tmp_path: Path, settings: AudioSettings, **kwargs: Path) -> Harness:
    engine = MpvEngine(settings, **kwargs)
    h = Harness(kind="mpv", engine=engine, tmp=tmp_path)
    await engine.start(h.sink)
    return h


def started(token: str) -> Callable[[EngineEvent], bool]:
    return lambda e: isinstance(e, Started) and e.token == token


async def test_core_dying_is_engine_failed(tmp_path: Path) -> None:
    h = await running(tmp_path, AudioSettings(output="null", untimed=True))
    try:
        h.engine._player.command("quit")  # what a crashed or killed core looks like to us
        await h.wait_for(lambda e: isinstance(e, EngineFailed))
    finally:
        await h.engine.shutdown()


async def test_playlist_never_grows(tmp_path: Path) -> None:
    # Real time (null output, timed) so each set_next lands while its predecessor plays.
    h = await running(tmp_path, AudioSettings(output="null", position_interval=0.05))
    try:
        refs = [h.media(f"t{i}", 0.25) for i in range(4)]
        await h.engine.play(refs[0], refs[1])
        for i in range(1, 4):
            await h.wait_for(started(refs[i].token))
            await h.engine.set_next(refs[i + 1] if i + 1 < len(refs) else None)
            assert len(h.engine._player.playlist) <= 2
        await h.wait_for(lambda e: isinstance(e, Finished) and e.token == "t3")
        assert [e.token for e in h.of_type(Started)] == ["t0", "t1", "t2", "t3"]
        assert all(e.reason == "eof" for e in h.of_type(Finished))
    finally:
        await h.engine.shutdown()


async def test_seek_before_load_is_applied_once_loaded(tmp_path: Path) -> None:
    h = await running(tmp_path, AudioSettings(output="null", untimed=True))
    try:
        await h.engine.play(h.media("a", 1.0), None, paused=True)
        await h.engine.seek(0.7)  # very likely before mpv has opened the file
        await h.wait_for(lambda e: isinstance(e, Started))
        await until(lambda: abs((h.engine._player.time_pos or 0.0) - 0.7) < 0.01)
    finally:
        await h.engine.shutdown()


async def test_auto_output_without_sound_card(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="player.engine"):
        h = await running(tmp_path, AudioSettings(output="auto", untimed=True), probe_root=tmp_path)
    try:
        assert [r.getMessage() for r in caplog.records if "sound card" in r.getMessage()]
        await h.engine.play(h.media("a", 0.2), None, paused=True)
        await h.wait_for(lambda e: isinstance(e, Started))
        await until(lambda: h.engine._player.current_ao == "null")
    finally:
        await h.engine.shutdown()


async def test_gain_option_is_accepted(tmp_path: Path) -> None:
    h = await running(tmp_path, AudioSettings(output="null", untimed=True, replaygain="track"))  # type: ignore[arg-type]
    try:
        ref = h.media("a", 0.2)
        await h.engine.play(MediaRef(ref.token, ref.url, ref.duration_hint, gain_db=-6.5), None)
        await h.wait_for(lambda e: isinstance(e, Finished) and e.reason == "eof")
    finally:
        await h.engine.shutdown()


async def test_a_next_that_comes_after_the_end_starts_at_once(tmp_path: Path) -> None:
    # mpv can finish a short track before the controller's set_next reaches it; the next then
    # starts instead of being dropped (the controller, told it was queued, waits for its start).
    h = await running(tmp_path, AudioSettings(output="null", untimed=True))
    try:
        await h.engine.play(h.media("a", 0.1), None)
        await h.wait_for(lambda e: isinstance(e, Finished) and e.token == "a")
        await h.engine.set_next(h.media("b", 0.1))
        await h.wait_for(started("b"))
        await h.wait_for(lambda e: isinstance(e, Finished) and e.token == "b")
    finally:
        await h.engine.shutdown()


async def test_a_held_output_pauses_mpv_and_reports_no_pause(tmp_path: Path) -> None:
    h = await running(tmp_path, AudioSettings(output="null"))
    try:
        await h.engine.play(h.media("a", 5.0), None)
        await h.wait_for(started("a"))
        h.engine.hold_output(True)
        await until(lambda: h.engine._player.pause is True)
        await h.engine.set_paused(True)  # the listener's pause while held: reported at once
        await h.wait_for(lambda e: isinstance(e, PauseChanged) and e.paused)
        await h.engine.set_paused(False)
        await h.wait_for(lambda e: isinstance(e, PauseChanged) and not e.paused)
        assert h.engine._player.pause is True  # still held
        h.engine.hold_output(False)
        await until(lambda: h.engine._player.pause is False)
        assert [e.paused for e in h.of_type(PauseChanged)] == [True, False]
    finally:
        await h.engine.shutdown()


async def test_no_libmpv_call_is_made_on_the_loop_thread(tmp_path: Path) -> None:
    # A libmpv call waits for mpv's core, busy for a few hundred ms around a track change: made
    # on the loop thread it stopped the whole server meanwhile (issue 14's track-change stall).
    h = await running(tmp_path, AudioSettings(output="null", position_interval=0.05))
    player, callers = h.engine._player, set()
    for name in ("command", "_get_property"):
        real = getattr(player, name)

        def recording(*args: object, _real: Callable[..., object] = real, **kw: object) -> object:
            callers.add(threading.get_ident())
            return _real(*args, **kw)

        setattr(player, name, recording)  # on the instance: python-mpv's own calls go through it
    try:
        refs = [h.media(f"t{i}", 0.3) for i in range(3)]
        await h.engine.play(refs[0], refs[1])
        await h.wait_for(started("t1"))  # a track change: played entries dropped, next loaded
        await h.engine.set_next(refs[2])
        await h.engine.seek(0.1)
        await h.engine.set_volume(40)
        await h.wait_for(started("t2"))
        await h.engine.stop()
        assert callers and threading.get_ident() not in callers
    finally:
        await h.engine.shutdown()


async def test_a_start_libmpv_refuses_leaves_no_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = {"ao": "null", "no-such-option-at-all": "yes"}  # libmpv refuses an unknown option
    monkeypatch.setattr("player.engine.mpv.mpv_options", lambda *_a, **_k: refused)
    engine = MpvEngine(AudioSettings(output="null"))
    with pytest.raises(EngineError, match="would not start"):
        await engine.start(lambda _event: None)
    await engine.shutdown()  # what an owner's clean-up does next: nothing left to end
    await until(lambda: not [t for t in threading.enumerate() if t.name.startswith("mpv-calls")])
