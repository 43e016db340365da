"""Physical controls: GPIO push buttons and a rotary encoder, through gpiozero.

`parse_gpio_config()` reads the `[gpio]` table; `Buttons` claims the pins and hands each
`GpioCommand` to a `submit` callable on the event loop. Names load on first use (cache.lazy), so
the config's section does not bring the pin handling with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.lazy import lazy_names

if TYPE_CHECKING:
    from player.buttons.actions import ButtonAction, GpioCommand
    from player.buttons.config import ButtonConfig, EncoderConfig, GpioConfig, parse_gpio_config
    from player.buttons.gpio import Buttons, default_pin_factory

_WHERE = {
    "ButtonAction": "actions",
    "GpioCommand": "actions",
    "ButtonConfig": "config",
    "EncoderConfig": "config",
    "GpioConfig": "config",
    "parse_gpio_config": "config",
    "Buttons": "gpio",
    "default_pin_factory": "gpio",
}
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
__getattr__ = lazy_names(__name__, _WHERE, globals())
