"""GPIO buttons and encoder, driven through gpiozero's MockFactory.

Pins are driven from a worker thread, as gpiozero's own threads would, so every command crosses
`loop.call_soon_threadsafe` exactly as on the device.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from gpiozero import BadPinFactory, Button
from gpiozero.pins.mock import MockFactory

from cache.errors import ConfigError
from player.buttons import (
    ButtonAction,
    ButtonConfig,
    Buttons,
    EncoderConfig,
    GpioCommand,
    GpioConfig,
    default_pin_factory,
    parse_gpio_config,
)

A = ButtonAction
WAIT = 3.0  # generous bound for anything that should happen "soon"


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    mock = MockFactory()
    yield mock
    mock.reset()  # the global guard (tests/leaks.py) checks that no pin thread outlives this


class Rig:
    """A started `Buttons` on a MockFactory plus the commands it submitted."""

    def __init__(self, factory: MockFactory) -> None:
        self.factory = factory
        self.commands: list[GpioCommand] = []
        self.buttons: list[Buttons] = []
        self.arrived = asyncio.Event()

    def submit(self, command: GpioCommand) -> None:
        self.commands.append(command)
        self.arrived.set()

    def start(self, config: GpioConfig) -> Buttons:
        buttons = Buttons(config, self.submit, pin_factory=self.factory)
        self.buttons.append(buttons)
        assert buttons.start()
        return buttons

    async def drive(self, *steps: tuple[int, bool]) -> None:
        """Set pins (pin, high?) in order from a foreign thread, as fast as Python goes."""

        def run() -> None:
            for pin, high in steps:
                mock = self.factory.pin(pin)
                mock.drive_high() if high else mock.drive_low()

        await asyncio.to_thread(run)

    async def press(self, pin: int) -> None:
        await self.drive((pin, False))  # pull-up wiring: pressed pulls the pin low

    async def release(self, pin: int) -> None:
        await self.drive((pin, True))

    async def until(self, check: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            while not check():
                self.arrived.clear()
                await self.arrived.wait()

    def actions(self) -> list[tuple[ButtonAction, bool]]:
        return [(c.action, c.held) for c in self.commands]


@pytest.fixture
async def rig(factory: MockFactory) -> AsyncIterator[Rig]:
    rig = Rig(factory)
    yield rig
    for buttons in rig.buttons:
        buttons.close()


def one_button(**fields: Any) -> GpioConfig:
    fields.setdefault("bounce_time", 0.0)
    return GpioConfig(buttons=(ButtonConfig(pin=17, **fields),))


async def test_press_fires_the_action_once(rig: Rig) -> None:
    rig.start(one_button(action=A.TOGGLE))
    await rig.press(17)
    await rig.until(lambda: len(rig.commands) == 1)
    await rig.release(17)
    await asyncio.sleep(0.05)
    assert rig.commands == [GpioCommand(A.TOGGLE, volume_delta=0, held=False, source="button 17")]


async def test_volume_buttons_carry_the_configured_step(rig: Rig) -> None:
    config = GpioConfig(
        volume_step=4,
        buttons=(
            ButtonConfig(pin=17, action=A.VOLUME_UP, bounce_time=0),
            ButtonConfig(pin=27, action=A.VOLUME_DOWN, bounce_time=0),
        ),
    )
    rig.start(config)
    await rig.drive((17, False), (17, True), (27, False), (27, True))
    await rig.until(lambda: len(rig.commands) == 2)
    assert [(c.action, c.volume_delta) for c in rig.commands] == [
        (A.VOLUME_UP, 4),
        (A.VOLUME_DOWN, -4),
    ]


async def test_hold_fires_hold_action_and_never_the_press_action(rig: Rig) -> None:
    rig.start(one_button(action=A.TOGGLE, hold_action=A.APPROVE_PAIRING, hold_time=0.05))
    await rig.press(17)
    await rig.until(lambda: len(rig.commands) == 1)
    await rig.release(17)
    await asyncio.sleep(0.15)  # three hold times: no repeat, no late press action
    assert rig.actions() == [(A.APPROVE_PAIRING, True)]


async def test_short_press_with_a_hold_action_fires_on_release(rig: Rig) -> None:
    rig.start(one_button(action=A.TOGGLE, hold_action=A.APPROVE_PAIRING, hold_time=5.0))
    await rig.press(17)
    await asyncio.sleep(0.05)
    assert rig.commands == []  # it might still become a hold
    await rig.release(17)
    await rig.until(lambda: len(rig.commands) == 1)
    assert rig.actions() == [(A.TOGGLE, False)]


async def test_hold_repeat_repeats_until_release(rig: Rig) -> None:
    rig.start(one_button(action=A.VOLUME_UP, hold_repeat=True, hold_time=0.02))
    await rig.press(17)
    await rig.until(lambda: len(rig.commands) >= 4)
    await rig.release(17)
    await asyncio.sleep(0.01)
    count = len(rig.commands)
    await asyncio.sleep(0.1)  # five repeat periods
    assert len(rig.commands) == count
    assert rig.actions()[0] == (A.VOLUME_UP, False)  # key repeat: the press acts at once
    assert all(action == (A.VOLUME_UP, True) for action in rig.actions()[1:])
    assert all(c.volume_delta == 5 for c in rig.commands)


async def test_bounce_within_bounce_time_gives_one_action(rig: Rig) -> None:
    rig.start(one_button(action=A.NEXT, bounce_time=0.2))
    chatter = [(17, False), (17, True), (17, False), (17, True), (17, False)]
    await rig.drive(*chatter)  # contact bounce, ending pressed
    await asyncio.sleep(0.3)
    await rig.drive((17, True), (17, False), (17, True))  # bounce on release, ending released
    await asyncio.sleep(0.3)
    assert rig.actions() == [(A.NEXT, False)]


async def test_bounce_that_ends_released_leaves_the_button_up(rig: Rig) -> None:
    buttons_config = one_button(action=A.NEXT, bounce_time=0.1)
    rig.start(buttons_config)
    await rig.drive((17, False), (17, True), (17, False), (17, True))
    await asyncio.sleep(0.25)  # the settle check has seen the button is up again
    await rig.press(17)  # so a real press later is a new press
    await rig.until(lambda: len(rig.commands) == 2)
    await rig.release(17)
    assert rig.actions() == [(A.NEXT, False), (A.NEXT, False)]


def quadrature(a: int, b: int, clockwise: bool) -> list[tuple[int, bool]]:
    """One detent: the leading pin falls first, both return high (pulled up) at rest."""
    lead, lag = (a, b) if clockwise else (b, a)
    return [(lead, False), (lag, False), (lead, True), (lag, True)]


async def test_encoder_turns_give_volume_steps(rig: Rig) -> None:
    rig.start(GpioConfig(encoder=EncoderConfig(a=5, b=6, step=3)))
    await rig.drive(*quadrature(5, 6, True), *quadrature(5, 6, True))
    await rig.drive(*quadrature(5, 6, False))
    await rig.until(lambda: len(rig.commands) == 3)
    assert [(c.action, c.volume_delta) for c in rig.commands] == [
        (A.VOLUME_UP, 3),
        (A.VOLUME_UP, 3),
        (A.VOLUME_DOWN, -3),
    ]
    assert {c.source for c in rig.commands} == {"encoder"}


async def test_close_releases_pins_and_ignores_later_edges(rig: Rig, factory: MockFactory) -> None:
    buttons = rig.start(one_button(action=A.TOGGLE))
    buttons.close()
    assert not buttons.active
    await rig.press(17)
    await asyncio.sleep(0.05)
    assert rig.commands == []
    Button(17, pin_factory=factory).close()  # the pin is free again


async def test_a_broken_pin_does_not_take_the_others_down(
    rig: Rig, factory: MockFactory, caplog: pytest.LogCaptureFixture
) -> None:
    squatter = Button(27, pin_factory=factory)
    config = GpioConfig(
        buttons=(
            ButtonConfig(pin=27, action=A.STOP, bounce_time=0),
            ButtonConfig(pin=17, action=A.TOGGLE, bounce_time=0),
        )
    )
    try:
        rig.start(config)
        await rig.press(17)
        await rig.until(lambda: len(rig.commands) == 1)
    finally:
        squatter.close()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith("GPIO button 27 cannot be used")


def _no_gpio() -> Any:
    raise BadPinFactory("Unable to load any default pin factory!")


async def test_no_gpio_logs_one_line_and_carries_on(caplog: pytest.LogCaptureFixture) -> None:
    config = GpioConfig(
        buttons=(ButtonConfig(pin=17, action=A.TOGGLE), ButtonConfig(pin=27, action=A.NEXT)),
        encoder=EncoderConfig(a=5, b=6),
    )
    buttons = Buttons(config, lambda command: None, make_factory=_no_gpio)
    with caplog.at_level(logging.DEBUG):
        assert buttons.start() is False
    buttons.close()
    assert len(caplog.records) == 1
    assert "buttons and encoder are off" in caplog.records[0].getMessage()


async def test_real_default_factory_on_a_machine_without_gpio(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        default_pin_factory().close()
    except BadPinFactory:
        pass
    else:
        pytest.skip("this machine has usable GPIO")
    buttons = Buttons(one_button(action=A.TOGGLE), lambda command: None)
    with caplog.at_level(logging.DEBUG):
        assert buttons.start() is False
    buttons.close()
    assert len(caplog.records) == 1  # gpiozero's fallback warnings stay quiet too


async def test_no_controls_touch_no_hardware() -> None:
    def must_not_run() -> Any:
        raise AssertionError("pin factory created without any configured control")

    for config in (
        GpioConfig(),
        GpioConfig(enabled=False, buttons=one_button(action=A.STOP).buttons),
    ):
        buttons = Buttons(config, lambda command: None, make_factory=must_not_run)
        assert buttons.start() is False
        buttons.close()


# --- configuration --------------------------------------------------------------------------


def test_parse_full_table() -> None:
    config = parse_gpio_config(
        {
            "volume_step": 3,
            "buttons": [
                {"pin": 17, "action": "toggle", "hold_action": "approve_pairing", "hold_time": 3},
                {"pin": "GPIO27", "action": "volume_up", "hold_repeat": True, "bounce_time": 0.02},
            ],
            "encoder": {"a": 5, "b": 6, "step": 2, "bounce_time": 0.001},
        }
    )
    assert config == GpioConfig(
        volume_step=3,
        buttons=(
            ButtonConfig(pin=17, action=A.TOGGLE, hold_action=A.APPROVE_PAIRING, hold_time=3.0),
            ButtonConfig(pin="GPIO27", action=A.VOLUME_UP, hold_repeat=True, bounce_time=0.02),
        ),
        encoder=EncoderConfig(a=5, b=6, step=2, bounce_time=0.001),
    )


def test_parse_empty_table_is_no_controls() -> None:
    assert parse_gpio_config({}) == GpioConfig()


def test_parse_reports_every_mistake_with_its_key_path() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_gpio_config(
            {
                "enabled": "yes",
                "colour": "red",
                "buttons": [
                    {"pin": True, "action": "explode", "hold_time": 0},
                    {"pin": 22, "action": "next", "pull_up": 1, "hold_action": "nope"},
                    {"pin": 22, "action": "stop"},
                ],
                "encoder": {"a": 5, "step": 0},
            }
        )
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {
        "gpio.enabled",
        "gpio.colour",
        "gpio.buttons[0].pin",
        "gpio.buttons[0].action",
        "gpio.buttons[0].hold_time",
        "gpio.buttons[1].pull_up",
        "gpio.buttons[1].hold_action",
        "gpio.buttons[2].pin",
        "gpio.encoder.b",
        "gpio.encoder.step",
    }


def test_parse_rejects_a_non_list_of_buttons() -> None:
    with pytest.raises(ConfigError, match=r"gpio\.buttons: must be an array"):
        parse_gpio_config({"buttons": {"pin": 17}})
