"""The `[snapcast]` table: defaults, every mistake reported with its key."""

from __future__ import annotations

import pytest

from player.config import parse_config
from player.confload import ConfigError


def test_defaults_are_off() -> None:
    config = parse_config({}, {"HOME": "/tmp"})
    assert config.snapcast.role == "off" and not config.snapcast.enabled
    assert config.snapcast.control_port == 1705 and config.snapcast.stream == "tapedeck"


def test_a_room_with_its_latency() -> None:
    config = parse_config({"snapcast": {"role": "room", "latency": 120}}, {"HOME": "/tmp"})
    assert config.snapcast.enabled and config.snapcast.latency == 120


def test_mistakes_are_reported_together() -> None:
    table = {"role": "speaker", "control_port": 0, "sampleformat": "48000:24", "strem": "x"}
    with pytest.raises(ConfigError) as caught:
        parse_config({"snapcast": table}, {"HOME": "/tmp"})
    paths = {problem.path for problem in caught.value.problems}
    assert {
        "snapcast.role",
        "snapcast.control_port",
        "snapcast.sampleformat",
        "snapcast.strem",
    } <= paths
