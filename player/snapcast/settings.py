"""The `[snapcast]` config table (its own frozen section, validated with the rest of the file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cache.errors import ConfigProblem


@dataclass(frozen=True, slots=True)
class SnapcastConfig:
    role: Literal["off", "source", "room"] = "off"
    server: str = "127.0.0.1"  # host of the snapserver
    control_port: int = 1705  # its JSON-RPC over TCP
    stream_port: int = 1704  # where a room's snapclient connects
    stream: str = "tapedeck"  # the stream id (snapserver.conf) tapedeck feeds
    fifo: str = "/run/snapserver/tapedeck"  # that stream's pipe (source role)
    sampleformat: str = "48000:16:2"  # the stream's sampleformat, as in snapserver.conf
    latency: int = 0  # ms, the room's snapclient (room role)
    snapclient: str = "snapclient"  # the binary (room role)
    player: str = ""  # snapclient's --player; empty: its default (alsa)

    @property
    def enabled(self) -> bool:
        return self.role != "off"

    def problems(self) -> list[ConfigProblem]:
        """Each value out of range (keys relative to `[snapcast]`, see player.confload)."""
        checks = [
            (0 < self.control_port < 65536, "control_port", "expected 1 to 65535"),
            (0 < self.stream_port < 65536, "stream_port", "expected 1 to 65535"),
            (bool(self.server), "server", "expected a host"),
            (bool(self.stream), "stream", "expected the stream's id"),
            (-10_000 <= self.latency <= 10_000, "latency", "expected -10000 to 10000"),
            (_format_ok(self.sampleformat), "sampleformat", "expected RATE:16:CHANNELS"),
        ]
        return [ConfigProblem(key, message) for ok, key, message in checks if not ok]


def _format_ok(text: str) -> bool:
    parts = text.split(":")
    return len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts) and parts[1] == "16"
