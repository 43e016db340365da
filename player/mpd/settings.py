"""The `[mpd]` config table (its own frozen section, validated with the rest of the file)."""

from __future__ import annotations

from dataclasses import dataclass

from cache.errors import ConfigProblem


@dataclass(frozen=True, slots=True)
class MpdConfig:
    enabled: bool = True
    host: str = ""  # empty: the [server] host
    port: int = 6600
    password: str = ""  # empty: no password (all-or-nothing when set, as MPD's)
    max_connections: int = 20
    idle_timeout: float = 60.0  # seconds a silent client is kept; never applies while in idle

    def problems(self) -> list[ConfigProblem]:
        """Each value out of range (keys relative to `[mpd]`, see player.confload)."""
        checks = [
            (0 < self.port < 65536, "port", "expected a port from 1 to 65535"),
            (self.max_connections >= 1, "max_connections", "expected 1 or more"),
            (self.idle_timeout > 0, "idle_timeout", "expected > 0 s"),
        ]
        return [ConfigProblem(key, message) for ok, key, message in checks if not ok]
