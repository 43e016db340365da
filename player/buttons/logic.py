"""Press, hold, repeat and debounce for one button, decided on the event loop.

gpiozero's threads only report raw edges; every decision happens here, on the loop thread, so
there is one owner of the button's state and no lock. Hold timing uses loop timers rather than
gpiozero's hold thread for the same reason, and so that a press which became a hold can be told
apart from a short press without racing two gpiozero threads.

Debounce is done here too, identically for every pin driver (gpiozero's `MockPin` ignores
`bounce_time`, and lgpio's filter has different semantics): the first edge acts at once, edges
in the following `bounce_time` are only recorded, and when the window ends the last recorded
level wins, so a bounce can never leave the button stuck down or up.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from player.buttons.actions import ButtonAction
from player.buttons.config import ButtonConfig

Emit = Callable[[ButtonAction, bool], None]
"""Receives (action, held) for every action the button fires."""


class ButtonLogic:
    """The state of one button. Call `edge()` on the loop thread for every level change.

    Without a `hold_action` the action fires on press (and, with `hold_repeat`, again every
    `hold_time` while held: key repeat). With a `hold_action` the action fires on release, and
    only when no hold happened; the hold fires `hold_action` (repeating with `hold_repeat`).
    """

    def __init__(self, config: ButtonConfig, emit: Emit, loop: asyncio.AbstractEventLoop) -> None:
        self._config = config
        self._emit = emit
        self._loop = loop
        self._raw = False  # the level most recently reported by the pin
        self._stable = False  # the debounced level decisions are based on
        self._accepted_at = -math.inf
        self._held = False
        self._settle: asyncio.TimerHandle | None = None
        self._hold: asyncio.TimerHandle | None = None
        self._closed = False

    @property
    def pressed(self) -> bool:
        """The debounced state."""
        return self._stable

    def edge(self, pressed: bool) -> None:
        """A level change reported by the pin (True: pressed)."""
        if self._closed:
            return
        self._raw = pressed
        now = self._loop.time()
        if now - self._accepted_at < self._config.bounce_time:
            return  # bouncing: the settle check at the end of the window decides
        self._accept(pressed, now)

    def close(self) -> None:
        """Cancel pending timers; later edges are ignored."""
        self._closed = True
        for handle in (self._settle, self._hold):
            if handle is not None:
                handle.cancel()

    def _accept(self, pressed: bool, now: float) -> None:
        if pressed == self._stable:
            return
        self._stable = pressed
        self._accepted_at = now
        if self._config.bounce_time > 0:
            if self._settle is not None:
                self._settle.cancel()
            self._settle = self._loop.call_later(self._config.bounce_time, self._settle_check)
        if pressed:
            self._on_press()
        else:
            self._on_release()

    def _settle_check(self) -> None:
        self._settle = None
        if not self._closed and self._raw != self._stable:
            self._accept(self._raw, self._loop.time())

    def _on_press(self) -> None:
        self._held = False
        if self._config.hold_action is None:
            self._emit(self._config.action, False)
        if self._config.hold_action is not None or self._config.hold_repeat:
            self._hold = self._loop.call_later(self._config.hold_time, self._on_hold)

    def _on_hold(self) -> None:
        self._held = True
        self._emit(self._config.hold_action or self._config.action, True)
        repeat = self._config.hold_repeat and not self._closed
        self._hold = (
            self._loop.call_later(self._config.hold_time, self._on_hold) if repeat else None
        )

    def _on_release(self) -> None:
        if self._hold is not None:
            self._hold.cancel()
            self._hold = None
        if self._config.hold_action is not None and not self._held:
            self._emit(self._config.action, False)
        self._held = False
