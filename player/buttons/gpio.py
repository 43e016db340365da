"""Physical controls through gpiozero: push buttons and a rotary encoder for volume.

On Raspberry Pi OS Bookworm, and on the Pi 5 in particular, gpiozero's default pin factory is
lgpio (`/dev/gpiochip*`; the older RPi.GPIO / pigpio drivers do not work on the Pi 5's RP1). The
venv then needs the `lgpio` module, and lgpio needs a writable working directory or `LG_WD` for
its notification pipe; the systemd unit provides both. `GPIOZERO_PIN_FACTORY` still picks a
different driver, as gpiozero documents.

Threads: gpiozero calls back on its own threads. Those callbacks do nothing but
`loop.call_soon_threadsafe(...)` with an immutable value (a level, or a prebuilt `GpioCommand`);
`ButtonLogic` decides press / hold / repeat on the loop and `submit` runs there too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

from player.buttons.actions import ButtonAction, GpioCommand, make_command
from player.buttons.config import EncoderConfig, GpioConfig
from player.buttons.logic import ButtonLogic

log = logging.getLogger(__name__)

Submit = Callable[[GpioCommand], object]
"""Takes each command on the loop thread (typically: translate and put in the player's inbox)."""
PinFactory = Any  # a gpiozero.pins.Factory; gpiozero ships no type information

# gpiozero is imported where it is used: without [gpio] buttons the service never loads it.


def _hardware_errors() -> tuple[type[BaseException], ...]:
    """What gpiozero and the pin drivers below it raise for absent or unusable hardware."""
    from gpiozero import GPIOZeroError

    return (GPIOZeroError, ImportError, OSError, RuntimeError, ValueError)


def default_pin_factory() -> PinFactory:
    """gpiozero's own choice of driver (lgpio first; `GPIOZERO_PIN_FACTORY` overrides).

    Unlike `Device.ensure_pin_factory()` this leaves gpiozero's process-wide default untouched,
    and it keeps gpiozero's fallback warnings quiet: the caller logs one line if it fails.
    """
    from gpiozero import Device
    from gpiozero.exc import PinFactoryFallback

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PinFactoryFallback)
        return Device._default_pin_factory()


class Buttons:
    """The configured buttons and encoder, live from `start()` until `close()`.

    Pass `pin_factory` to use a given factory (tests: gpiozero's `MockFactory`); the caller
    then owns it. Otherwise `make_factory` builds the default one, which `close()` releases.
    """

    def __init__(
        self,
        config: GpioConfig,
        submit: Submit,
        *,
        pin_factory: PinFactory | None = None,
        make_factory: Callable[[], PinFactory] = default_pin_factory,
    ) -> None:
        self._config = config
        self._submit = submit
        self._factory = pin_factory
        self._owns_factory = pin_factory is None
        self._make_factory = make_factory
        self._loop: asyncio.AbstractEventLoop | None = None
        self._devices: list[Any] = []
        self._logic: list[ButtonLogic] = []

    @property
    def active(self) -> bool:
        """Whether any control is live."""
        return bool(self._devices)

    def start(self) -> bool:
        """Claim the pins (on the loop thread). Without GPIO: log one line and do nothing."""
        self._loop = asyncio.get_running_loop()
        config = self._config
        if not config.enabled or not (config.buttons or config.encoder):
            return False
        if self._factory is None:
            try:
                self._factory = self._make_factory()
            except _hardware_errors() as err:
                log.warning("no usable GPIO here (%s): buttons and encoder are off", err)
                return False
        for index, button in enumerate(config.buttons):
            self._add(f"button {button.pin}", partial(self._add_button, index))
        if config.encoder is not None:
            self._add("encoder", partial(self._add_encoder, config.encoder))
        return self.active

    def close(self) -> None:
        """Release the pins and stop reacting; safe to call more than once."""
        for logic in self._logic:
            logic.close()
        for device in reversed(self._devices):
            device.close()
        self._devices.clear()
        self._logic.clear()
        self._loop = None
        if self._owns_factory and self._factory is not None:
            self._factory.close()
            self._factory = None

    def _add(self, name: str, create: Callable[[], Any]) -> None:
        try:
            self._devices.append(create())
        except _hardware_errors() as err:
            log.error("GPIO %s cannot be used (%s); the other controls still work", name, err)

    def _add_button(self, index: int) -> Any:
        from gpiozero import Button

        config = self._config.buttons[index]
        device = Button(config.pin, pull_up=config.pull_up, pin_factory=self._factory)
        logic = ButtonLogic(
            config, partial(self._emit, f"button {config.pin}"), self._require_loop()
        )
        self._logic.append(logic)
        device.when_pressed = partial(self._post_threadsafe, logic.edge, True)
        device.when_released = partial(self._post_threadsafe, logic.edge, False)
        return device

    def _add_encoder(self, config: EncoderConfig) -> Any:
        from gpiozero import RotaryEncoder

        device = RotaryEncoder(
            config.a, config.b, bounce_time=config.bounce_time, max_steps=0,
            pin_factory=self._factory,
        )  # fmt: skip
        up = make_command(ButtonAction.VOLUME_UP, config.step, held=False, source="encoder")
        down = make_command(ButtonAction.VOLUME_DOWN, config.step, held=False, source="encoder")
        device.when_rotated_clockwise = partial(self._post_threadsafe, self._submit, up)
        device.when_rotated_counter_clockwise = partial(self._post_threadsafe, self._submit, down)
        return device

    def _emit(self, source: str, action: ButtonAction, held: bool) -> None:
        self._submit(make_command(action, self._config.volume_step, held=held, source=source))

    def _post_threadsafe(self, target: Callable[[Any], object], value: object) -> None:
        """Runs on a gpiozero thread: hand one immutable value to the loop, nothing else."""
        loop = self._loop
        if loop is None:
            return  # closed
        with contextlib.suppress(RuntimeError):  # the loop closed during shutdown: drop it
            loop.call_soon_threadsafe(self._deliver, target, value)

    def _deliver(self, target: Callable[[Any], object], value: object) -> None:
        if self._loop is not None:  # close() clears it: drop what was still in flight
            target(value)

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("Buttons.start() has not been called")
        return self._loop
