"""The config file's tables, each a frozen dataclass with its own checks (`problems()`, keys
relative to the table; see player.confload). Rooms own theirs: `[mpd]` in player/mpd/settings.py,
`[gpio]` in player/buttons/config.py, `[cache]` in cache/planner/config.py."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from cache.errors import ConfigProblem

Check = tuple[bool, str, str]  # (holds, key, what was expected)


def failed(checks: list[Check]) -> list[ConfigProblem]:
    return [ConfigProblem(key, message) for ok, key, message in checks if not ok]


def url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) server address, or None when it is one."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as err:
        return f"not a URL ({err})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected http://host:port or https://host (with the scheme)"
    return None


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "0.0.0.0"
    port: int = 8080
    name: str = "tapedeck"

    def problems(self) -> list[ConfigProblem]:
        return failed([
            (0 < self.port < 65536, "port", "expected a port from 1 to 65535"),
            (bool(self.name.strip()), "name", "expected a name (page title, zeroconf name)"),
        ])  # fmt: skip


@dataclass(frozen=True, slots=True)
class PathsConfig:
    state_dir: str = ""  # empty: $STATE_DIRECTORY, else $XDG_STATE_HOME/tapedeck
    cache_dir: str = ""  # empty: $CACHE_DIRECTORY, else $XDG_CACHE_HOME/tapedeck


@dataclass(frozen=True, slots=True)
class LibraryConfig:
    music_dir: str = ""  # empty: <state_dir>/music
    demo: bool = True  # generate the demo library when music_dir is empty
    scan_on_start: bool = True


@dataclass(frozen=True, slots=True)
class AudioConfig:
    output: str = "auto"
    replaygain: Literal["off", "track", "album"] = "off"
    volume: int = 70  # volume on the very first start
    demuxer_max_bytes: int = 2 * 1024 * 1024

    def problems(self) -> list[ConfigProblem]:
        pcm_ok = not self.output.startswith("pcm:") or len(self.output) > len("pcm:")
        return failed([
            (0 <= self.volume <= 100, "volume", "expected 0 to 100"),
            (bool(self.output) and pcm_ok, "output",
             'expected "auto", "null", "pcm:PATH" or a device'),
            (self.demuxer_max_bytes >= 65536, "demuxer_max_bytes", "expected 65536 or more"),
        ])  # fmt: skip


@dataclass(frozen=True, slots=True)
class JellyfinSection:
    """`[jellyfin]` as written; the client's own settings are cache.jellyfin.JellyfinConfig."""

    url: str = ""
    username: str = ""
    password: str = field(default="", repr=False)  # never in a log line
    api_key: str = field(default="", repr=False)
    password_file: str = ""  # keeps the secret out of the config file when set
    remote_control: bool = True  # a cast target in the Jellyfin apps' "Play On" menu

    def problems(self) -> list[ConfigProblem]:
        if not self.url:
            return []
        bad_url = url_problem(self.url)
        return failed([
            (bad_url is None, "url", bad_url or ""),
            (bool(self.username or self.api_key), "username",
             "expected a username (with password or password_file) or an api_key"),
        ])  # fmt: skip


@dataclass(frozen=True, slots=True)
class SlskdConfig:
    url: str = ""
    api_key: str = field(default="", repr=False)
    api_key_file: str = ""  # keeps the key out of the config file when set
    downloads_dir: str = ""
    poll_active: float = 0.5
    poll_idle: float = 5.0
    max_retries: int = 2

    def problems(self) -> list[ConfigProblem]:
        bad_url = url_problem(self.url) if self.url else None
        return failed([
            (bad_url is None, "url", bad_url or ""),
            (not self.url or bool(self.api_key or self.api_key_file), "api_key",
             "expected an api_key or api_key_file (slskd's web API key)"),
            (self.poll_active > 0, "poll_active", "expected > 0 s"),
            (self.poll_idle > 0, "poll_idle", "expected > 0 s"),
            (self.max_retries >= 0, "max_retries", "expected 0 or more"),
        ])  # fmt: skip


@dataclass(frozen=True, slots=True)
class DownloadsConfig:
    concurrency: int = 2
    retry_delays: tuple[float, ...] = (5.0, 15.0, 45.0)
    max_retries: int = 3
    stall_timeout: float = 30.0

    def problems(self) -> list[ConfigProblem]:
        return failed([
            (1 <= self.concurrency <= 16, "concurrency", "expected 1 to 16"),
            (self.max_retries >= 0, "max_retries", "expected 0 or more"),
            (all(d >= 0 for d in self.retry_delays), "retry_delays", "expected seconds >= 0"),
            (self.stall_timeout > 0, "stall_timeout", "expected > 0 s"),
        ])  # fmt: skip


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """How the network watcher classifies links; the defaults read the system as it is."""

    metered_interfaces: tuple[str, ...] = ()  # e.g. ["usb0"] for a phone's USB tethering
    metered_ssids: tuple[str, ...] = ()  # e.g. a phone's hotspot
    unmetered_interfaces: tuple[str, ...] = ()  # e.g. a flat-rate LTE modem
    use_networkmanager: bool = True  # read NetworkManager's metered flag when it runs
    interval: float = 5.0  # seconds between looks at the system
    debounce: float = 3.0  # a change that allows downloads must hold this long
    sysfs_root: str = "/"  # where /sys and /proc are read (tests build a fake tree)

    def problems(self) -> list[ConfigProblem]:
        return failed([
            (self.interval > 0, "interval", "expected > 0 s"),
            (self.debounce >= 0, "debounce", "expected 0 or more seconds"),
        ])  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlayerConfig:
    resume: Literal["playing", "paused", "off"] = "playing"
    resume_rewind: float = 3.0
    startup_volume_max: int = 60
    checkpoint_interval: float = 5.0
    previous_restart_after: float = 3.0
    remember_position_over: float = 1200.0  # seconds: longer tracks resume where they were left

    def problems(self) -> list[ConfigProblem]:
        return failed([
            (self.remember_position_over >= 0, "remember_position_over", "expected 0 or more s"),
            (0 <= self.startup_volume_max <= 100, "startup_volume_max", "expected 0 to 100"),
            (self.resume_rewind >= 0, "resume_rewind", "expected 0 or more seconds"),
            (self.checkpoint_interval > 0, "checkpoint_interval", "expected > 0 s"),
            (self.previous_restart_after >= 0, "previous_restart_after",
             "expected 0 or more seconds"),
        ])  # fmt: skip


@dataclass(frozen=True, slots=True)
class ZeroconfConfig:
    enabled: bool = True
    interfaces: tuple[str, ...] = ()  # addresses to announce on

    def problems(self) -> list[ConfigProblem]:
        return [
            ConfigProblem(
                f"interfaces[{i}]", f"expected an IPv4 address of this machine, got {address!r}"
            )
            for i, address in enumerate(self.interfaces)
            if not _is_address(address)
        ]


@dataclass(frozen=True, slots=True)
class SecurityConfig:
    allowed_hosts: tuple[str, ...] = ()
    pairing: bool = False

    def problems(self) -> list[ConfigProblem]:
        return [
            ConfigProblem(f"allowed_hosts[{i}]", "expected a host name, got an empty string")
            for i, host in enumerate(self.allowed_hosts)
            if not host.strip()
        ]


def _is_address(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True
