"""mpv's one pause property serves two masters: the listener's pause, and the output's hold (the
Snapcast source role paces mpv by pausing it while the stream is far enough ahead, see
player.snapcast.relay). mpv is paused while either asks; only the listener's pause is reported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class PauseState:
    wanted: bool = False  # the listener's pause, as last asked
    held: bool = False  # the output asked mpv to wait
    reported: bool = False  # the pause last reported as PauseChanged

    @property
    def mpv_value(self) -> bool:
        """What mpv's pause property must be."""
        return self.wanted or self.held

    def want(self, paused: bool) -> bool | None:
        """The listener asks. Answers a change to report at once: while held, mpv's own pause
        does not change, so mpv will not report it."""
        self.wanted = paused
        if self.held and paused != self.reported:
            self.reported = paused
            return paused
        return None

    def seen(self, mpv_paused: bool) -> bool | None:
        """mpv reported its pause: answers the change to report when it is the listener's (a
        hold's pause, or a hold's end that lands after the listener's pause, is not)."""
        if mpv_paused == self.wanted and mpv_paused != self.reported:
            self.reported = mpv_paused
            return mpv_paused
        return None


class PauseSwitch:
    """The PauseState behind a lock, sending mpv's pause through `send` under it: the hold comes
    from the relay's thread (a release must not wait on a busy loop), the listener's pause from
    the loop. `send` must not wait for mpv (an async command): the relay's thread is the one that
    drains the pipe mpv's core may be waiting on, and the lock is never held long.
    After `close()` (the handle is going away) a hold sends nothing."""

    def __init__(self, send: Callable[[bool], None]) -> None:
        self.state = PauseState()
        self._send = send
        self._lock = threading.Lock()
        self._closed = False

    def want(self, paused: bool) -> bool | None:
        """The listener's pause (on the loop); answers a change to report at once."""
        with self._lock:
            change = self.state.want(paused)
            self._send(self.state.mpv_value)
        return change

    def hold(self, held: bool) -> None:
        """Hold or release the output, from any thread."""
        with self._lock:
            if self._closed or held == self.state.held:
                return
            self.state.held = held
            self._send(self.state.mpv_value)

    def seen(self, mpv_paused: bool) -> bool | None:
        with self._lock:
            return self.state.seen(mpv_paused)

    def close(self) -> None:
        with self._lock:
            self._closed = True
