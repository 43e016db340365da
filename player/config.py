"""The one TOML config file, loaded into frozen dataclasses (keys of api.md, plus what features need)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from cache.planner import CacheConfig
from cache.planner.config import ConfigError as CacheConfigError
from player.buttons.config import GpioConfigError, parse_gpio_config
from player.confload import ConfigError, ConfigProblem, build
from player.mpd.settings import MpdConfig
from player.snapcast.settings import SnapcastConfig


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "0.0.0.0"
    port: int = 8080
    name: str = "tapedeck"


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


@dataclass(frozen=True, slots=True)
class JellyfinConfig:
    url: str = ""
    username: str = ""
    password: str = ""
    api_key: str = ""
    password_file: str = ""  # keeps the secret out of the config file when set
    remote_control: bool = True  # a cast target in the Jellyfin apps' "Play On" menu


@dataclass(frozen=True, slots=True)
class SlskdConfig:
    url: str = ""
    api_key: str = ""
    api_key_file: str = ""  # keeps the key out of the config file when set
    downloads_dir: str = ""
    poll_active: float = 0.5
    poll_idle: float = 5.0
    max_retries: int = 2


@dataclass(frozen=True, slots=True)
class DownloadsConfig:
    concurrency: int = 2
    retry_delays: tuple[float, ...] = (5.0, 15.0, 45.0)
    max_retries: int = 3
    stall_timeout: float = 30.0


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


@dataclass(frozen=True, slots=True)
class PlayerConfig:
    resume: Literal["playing", "paused", "off"] = "playing"
    resume_rewind: float = 3.0
    startup_volume_max: int = 60
    checkpoint_interval: float = 5.0
    previous_restart_after: float = 3.0


@dataclass(frozen=True, slots=True)
class ZeroconfConfig:
    enabled: bool = True
    interfaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityConfig:
    allowed_hosts: tuple[str, ...] = ()
    pairing: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    library: LibraryConfig = field(default_factory=LibraryConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    jellyfin: JellyfinConfig = field(default_factory=JellyfinConfig)
    slskd: SlskdConfig = field(default_factory=SlskdConfig)
    downloads: DownloadsConfig = field(default_factory=DownloadsConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    player: PlayerConfig = field(default_factory=PlayerConfig)
    zeroconf: ZeroconfConfig = field(default_factory=ZeroconfConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    mpd: MpdConfig = field(default_factory=MpdConfig)
    snapcast: SnapcastConfig = field(default_factory=SnapcastConfig)
    # Tables whose owners validate them (the pre-cache policy, the buttons): kept as given here.
    cache: Mapping[str, Any] = field(default_factory=dict)
    gpio: Mapping[str, Any] = field(default_factory=dict)
    source: str = field(default="<defaults>", metadata={"internal": True})

    @property
    def state_dir(self) -> Path:
        return Path(self.paths.state_dir)

    @property
    def cache_dir(self) -> Path:
        return Path(self.paths.cache_dir)

    @property
    def music_dir(self) -> Path:
        return Path(self.library.music_dir)


_RAW_TABLES = ("cache", "gpio")
SectionCheck = Callable[[Config], list[ConfigProblem]]


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Load `path` (None: every key at its default) and fill the directories from `env`."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    source = "<defaults>"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise ConfigError([ConfigProblem("", f"cannot read: {err.strerror}")], source) from err
        except tomllib.TOMLDecodeError as err:
            raise ConfigError([ConfigProblem("", f"not valid TOML: {err}")], source) from err
    return parse_config(data, env, source)


def parse_config(data: Mapping[str, Any], env: Mapping[str, str], source: str = "config") -> Config:
    problems: list[ConfigProblem] = []
    typed = {k: v for k, v in data.items() if k not in _RAW_TABLES}
    config = build(Config, typed, "", problems)
    for table in _RAW_TABLES:
        if table in data:
            if isinstance(data[table], Mapping):
                config = _with_raw_table(config, table, dict(data[table]))
            else:
                problems.append(ConfigProblem(table, "expected a table"))
    problems += _check_ranges(config) + _check_owned_tables(config)
    problems += [ConfigProblem(key, message) for key, message in config.mpd.problems()]
    problems += [ConfigProblem(key, message) for key, message in config.snapcast.problems()]
    if problems:
        raise ConfigError(problems, source)
    return replace(_fill_dirs(config, env), source=source)


def _with_raw_table(config: Config, table: str, value: dict[str, Any]) -> Config:
    return replace(config, cache=value) if table == "cache" else replace(config, gpio=value)


def _check_ranges(config: Config) -> list[ConfigProblem]:
    checks: list[tuple[bool, str, str]] = [
        (0 < config.server.port < 65536, "server.port", "expected a port from 1 to 65535"),
        (0 <= config.audio.volume <= 100, "audio.volume", "expected 0 to 100"),
        (
            0 <= config.player.startup_volume_max <= 100,
            "player.startup_volume_max",
            "expected 0 to 100",
        ),
        (config.player.resume_rewind >= 0, "player.resume_rewind", "expected 0 or more seconds"),
        (config.player.checkpoint_interval > 0, "player.checkpoint_interval", "expected > 0 s"),
        (config.downloads.concurrency >= 1, "downloads.concurrency", "expected 1 or more"),
        (config.downloads.max_retries >= 0, "downloads.max_retries", "expected 0 or more"),
        (config.slskd.poll_active > 0, "slskd.poll_active", "expected > 0 s"),
        (config.slskd.poll_idle > 0, "slskd.poll_idle", "expected > 0 s"),
        (
            _output_ok(config.audio.output),
            "audio.output",
            'expected "auto", "null", "pcm:PATH" or a device',
        ),
    ]
    return [ConfigProblem(path, message) for ok, path, message in checks if not ok]


def _check_owned_tables(config: Config) -> list[ConfigProblem]:
    """The tables whose owners validate them, checked now so every mistake shows at start."""
    problems: list[ConfigProblem] = []
    try:
        CacheConfig.from_mapping(config.cache)
    except CacheConfigError as err:
        problems += [
            ConfigProblem(f"cache.{name}", message) for name, message in err.errors.items()
        ]
    try:
        parse_gpio_config(config.gpio)
    except GpioConfigError as err:
        for issue in err.issues:
            path, _, message = issue.partition(": ")
            problems.append(ConfigProblem(path, message))
    return problems


def _output_ok(output: str) -> bool:
    return bool(output) and (not output.startswith("pcm:") or len(output) > len("pcm:"))


def _fill_dirs(config: Config, env: Mapping[str, str]) -> Config:
    home = Path(env.get("HOME", "/tmp"))
    state = config.paths.state_dir or _first_dir(
        env.get("STATE_DIRECTORY"), env.get("XDG_STATE_HOME"), home / ".local/state"
    )
    cache = config.paths.cache_dir or _first_dir(
        env.get("CACHE_DIRECTORY"), env.get("XDG_CACHE_HOME"), home / ".cache"
    )
    music = config.library.music_dir or str(Path(state) / "music")
    return replace(
        config,
        paths=PathsConfig(state_dir=state, cache_dir=cache),
        library=replace(config.library, music_dir=music),
    )


def _first_dir(systemd_dir: str | None, xdg_dir: str | None, fallback: Path) -> str:
    # systemd hands the exact directory (possibly a colon list); XDG and HOME get our own subfolder.
    if systemd_dir:
        return systemd_dir.split(":")[0]
    return str(Path(xdg_dir or fallback) / "tapedeck")


def config_path_from(arg: str | None, env: Mapping[str, str]) -> Path | None:
    """`--config` wins; else `$TAPEDECK_CONFIG`; else systemd's configuration directory's
    `tapedeck.toml` when it exists; else no file (the embedded default)."""
    chosen = arg or env.get("TAPEDECK_CONFIG")
    if chosen:
        return Path(chosen)
    conf_dir = env.get("CONFIGURATION_DIRECTORY")
    if conf_dir:
        candidate = Path(conf_dir.split(":")[0]) / "tapedeck.toml"
        if candidate.is_file():
            return candidate
    return None
