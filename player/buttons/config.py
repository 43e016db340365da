"""GPIO configuration: frozen dataclasses and their parser from the TOML `[gpio]` table.

```toml
[gpio]
enabled = true
volume_step = 5                 # volume points per volume_up/volume_down button press

[[gpio.buttons]]
pin = 17                        # BCM number, or a gpiozero pin name such as "GPIO17" / "BOARD11"
action = "toggle"
pull_up = true                  # button wired to ground (the usual case)
bounce_time = 0.05              # seconds
hold_time = 2.0                 # seconds until a press becomes a hold
hold_action = "approve_pairing" # optional; when set, `action` fires on release instead of press
hold_repeat = false             # repeat the hold (or, without hold_action, the action) while held

[gpio.encoder]                  # optional rotary encoder for volume
a = 5
b = 6                           # swap a and b to reverse the direction
step = 2                        # volume points per detent
bounce_time = 0.002             # optional, handed to the pin driver
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cache.errors import ConfigError, ConfigProblem
from player.buttons.actions import ButtonAction

Pin = int | str
_ACTION_NAMES = frozenset(action.value for action in ButtonAction)


@dataclass(frozen=True, slots=True)
class ButtonConfig:
    """One push button. Timings are seconds."""

    pin: Pin
    action: ButtonAction
    pull_up: bool = True
    bounce_time: float = 0.05
    hold_time: float = 1.0
    hold_action: ButtonAction | None = None
    hold_repeat: bool = False


@dataclass(frozen=True, slots=True)
class EncoderConfig:
    """A two-pin rotary encoder that turns the volume; clockwise is louder."""

    a: Pin
    b: Pin
    step: int = 2
    bounce_time: float | None = None


@dataclass(frozen=True, slots=True)
class GpioConfig:
    """Everything under `[gpio]`; the default has no controls and so touches no hardware."""

    enabled: bool = True
    volume_step: int = 5
    buttons: tuple[ButtonConfig, ...] = ()
    encoder: EncoderConfig | None = None

    @classmethod
    def from_table(cls, data: Mapping[str, Any], path: str) -> GpioConfig:
        """The config loader's hook for this section (player.confload): raises ConfigError."""
        return parse_gpio_config(data, path)


class _Table:
    """Reads one TOML table, collecting every mistake with its key path instead of stopping."""

    def __init__(self, data: object, path: str, issues: list[ConfigProblem]) -> None:
        self.path, self.issues = path, issues
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        if not isinstance(data, Mapping):
            issues.append(ConfigProblem(path, "must be a table"))

    def fail(self, key: str, message: str) -> None:
        self.issues.append(ConfigProblem(f"{self.path}.{key}", message))

    def only(self, *allowed: str) -> None:
        for key in sorted(set(self.data) - set(allowed)):
            self.fail(key, "unknown key")

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if isinstance(value, bool):
            return value
        self.fail(key, "must be true or false")
        return default

    def number(self, key: str, default: float, *, positive: bool = False) -> float:
        value = self.data.get(key, default)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and (value > 0 or (value == 0 and not positive)):
            return float(value)
        self.fail(key, "must be a number greater than 0" if positive else "must be a number >= 0")
        return default

    def count(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100:
            return value
        self.fail(key, "must be a whole number from 1 to 100")
        return default

    def pin(self, key: str) -> Pin:
        value = self.data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.fail(key, "must be a GPIO number or a pin name such as 'GPIO17'")
        return -1

    def action(self, key: str, *, required: bool) -> ButtonAction | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, str) and value in _ACTION_NAMES:
            return ButtonAction(value)
        self.fail(key, "must be one of " + ", ".join(a.value for a in ButtonAction))
        return ButtonAction.TOGGLE


def _button(data: object, path: str, issues: list[ConfigProblem]) -> ButtonConfig:
    t = _Table(data, path, issues)
    t.only("pin", "action", "pull_up", "bounce_time", "hold_time", "hold_action", "hold_repeat")
    action = t.action("action", required=True)
    assert action is not None  # required=True never yields None
    return ButtonConfig(
        pin=t.pin("pin"),
        action=action,
        pull_up=t.boolean("pull_up", True),
        bounce_time=t.number("bounce_time", 0.05),
        hold_time=t.number("hold_time", 1.0, positive=True),
        hold_action=t.action("hold_action", required=False),
        hold_repeat=t.boolean("hold_repeat", False),
    )


def _encoder(data: object, path: str, issues: list[ConfigProblem]) -> EncoderConfig:
    t = _Table(data, path, issues)
    t.only("a", "b", "step", "bounce_time")
    bounce = t.number("bounce_time", 0.0) if "bounce_time" in t.data else None
    return EncoderConfig(a=t.pin("a"), b=t.pin("b"), step=t.count("step", 2), bounce_time=bounce)


def _check_pins_unique(config: GpioConfig, path: str, issues: list[ConfigProblem]) -> None:
    seen: dict[Pin, str] = {}
    named = [(f"{path}.buttons[{i}].pin", b.pin) for i, b in enumerate(config.buttons)]
    if config.encoder is not None:
        named += [(f"{path}.encoder.a", config.encoder.a), (f"{path}.encoder.b", config.encoder.b)]
    for key, pin in named:
        if pin in seen:
            issues.append(ConfigProblem(key, f"pin {pin} is already used by {seen[pin]}"))
        seen.setdefault(pin, key)


def parse_gpio_config(data: Mapping[str, Any], path: str = "gpio") -> GpioConfig:
    """Build a `GpioConfig` from the `[gpio]` table, or raise `ConfigError` listing every problem."""
    issues: list[ConfigProblem] = []
    t = _Table(data, path, issues)
    t.only("enabled", "volume_step", "buttons", "encoder")
    raw_buttons = t.data.get("buttons", [])
    if not isinstance(raw_buttons, list):
        t.fail("buttons", "must be an array of tables ([[gpio.buttons]])")
        raw_buttons = []
    raw_encoder = t.data.get("encoder")
    config = GpioConfig(
        enabled=t.boolean("enabled", True),
        volume_step=t.count("volume_step", 5),
        buttons=tuple(
            _button(b, f"{path}.buttons[{i}]", issues) for i, b in enumerate(raw_buttons)
        ),
        encoder=None if raw_encoder is None else _encoder(raw_encoder, f"{path}.encoder", issues),
    )
    _check_pins_unique(config, path, issues)
    if issues:
        raise ConfigError(issues)
    return config
