"""The environment the shipped systemd unit gives the service: its `Environment=` lines."""

from __future__ import annotations

import shlex
from pathlib import Path

UNIT = Path(__file__).resolve().parents[1] / "systemd" / "tapedeck.service"


def unit_environment() -> dict[str, str]:
    """Every variable the unit sets, as systemd reads `Environment=KEY=value KEY2=value`."""
    env: dict[str, str] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith("Environment="):
            for pair in shlex.split(line.removeprefix("Environment=")):
                key, _, value = pair.partition("=")
                env[key] = value
    return env
