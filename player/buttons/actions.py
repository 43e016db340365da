"""What a button or the rotary encoder asks of the player."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ButtonAction(StrEnum):
    """The things a physical control can do; the names are the config file's values."""

    TOGGLE = "toggle"
    NEXT = "next"
    PREVIOUS = "previous"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    STOP = "stop"
    APPROVE_PAIRING = "approve_pairing"
    SLEEP = "sleep"  # each press adds SLEEP_MINUTES to the sleep timer
    SNOOZE = "snooze"  # the ringing alarm pauses and rings again after [timers] snooze_minutes
    SHUTDOWN = "shutdown"  # a clean stop, then the board powers off (player/system/poweroff.py)


SLEEP_MINUTES = 15


@dataclass(frozen=True, slots=True)
class GpioCommand:
    """One request from the hardware, handed to the loop; the app turns it into a player command.

    `volume_delta` is the signed change in volume points for the volume actions and 0 otherwise.
    `held` tells a hold (or one of its repeats) from a plain press; `source` names the control
    for logs ("button 17", "encoder").
    """

    action: ButtonAction
    volume_delta: int = 0
    held: bool = False
    source: str = ""


def make_command(action: ButtonAction, step: int, *, held: bool, source: str) -> GpioCommand:
    """The command for `action`, with `step` volume points attached when it is a volume action."""
    delta = {ButtonAction.VOLUME_UP: step, ButtonAction.VOLUME_DOWN: -step}.get(action, 0)
    return GpioCommand(action=action, volume_delta=delta, held=held, source=source)
