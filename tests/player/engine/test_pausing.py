"""mpv's pause shared by the listener and the output's hold: only the listener's pause is reported."""

from __future__ import annotations

from player.engine.pausing import PauseState


def test_a_hold_pauses_mpv_without_a_report() -> None:
    state = PauseState()
    state.held = True
    assert state.mpv_value is True
    assert state.seen(True) is None  # mpv confirms the hold: not the listener's pause
    state.held = False
    assert state.mpv_value is False
    assert state.seen(False) is None


def test_the_listener_pausing_while_held_is_reported_at_once() -> None:
    state = PauseState(held=True)
    assert state.want(True) is True  # mpv is paused already: it will report nothing
    assert state.want(False) is False
    state.held = False
    assert state.seen(False) is None  # the hold's end: already reported


def test_a_late_report_of_a_hold_is_not_a_pause() -> None:
    state = PauseState()
    state.held = True
    state.held = False  # released before mpv reported the hold
    assert state.seen(True) is None
    assert state.seen(False) is None


def test_the_listener_pause_unheld_is_reported_when_mpv_confirms() -> None:
    state = PauseState()
    assert state.want(True) is None
    assert state.mpv_value is True
    assert state.seen(True) is True
    assert state.want(False) is None
    assert state.seen(False) is False
