"""Physical controls: GPIO push buttons and a rotary encoder, through gpiozero.

`parse_gpio_config()` reads the `[gpio]` table; `Buttons` claims the pins and hands each
`GpioCommand` to a `submit` callable on the event loop.
"""

from player.buttons.actions import ButtonAction, GpioCommand
from player.buttons.config import (
    ButtonConfig,
    EncoderConfig,
    GpioConfig,
    parse_gpio_config,
)
from player.buttons.gpio import Buttons, default_pin_factory

__all__ = [
    "ButtonAction",
    "ButtonConfig",
    "Buttons",
    "EncoderConfig",
    "GpioCommand",
    "GpioConfig",
    "default_pin_factory",
    "parse_gpio_config",
]
