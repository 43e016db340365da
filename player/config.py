"""The one TOML config file, loaded into frozen dataclasses (keys of api.md, plus what features need).

Every mistake is found at load, before anything starts, and reported at once as one `ConfigError`
(cache.errors) with each key's path: the tables' own checks (player/config_sections.py, the rooms'
sections), then what needs the file system (folders that cannot be folders, secret files).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cache.planner import CacheConfig
from player.buttons.config import GpioConfig
from player.config_sections import (
    AudioConfig,
    DownloadsConfig,
    JellyfinSection,
    LibraryConfig,
    NetworkConfig,
    PathsConfig,
    PlayerConfig,
    SecurityConfig,
    ServerConfig,
    SlskdConfig,
    ZeroconfConfig,
)
from player.confload import ConfigError, ConfigProblem, build
from player.media.subsonic import SubsonicSection, open_to_others
from player.mpd.settings import MpdConfig
from player.radio.stations import StationSection
from player.snapcast.settings import SnapcastConfig
from player.timers.settings import AlarmSection, TimersConfig, duplicate_ids

__all__ = ["Config", "ConfigError", "PlayerConfig", "config_path_from", "load_config"]


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    library: LibraryConfig = field(default_factory=LibraryConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    jellyfin: JellyfinSection = field(default_factory=JellyfinSection)
    slskd: SlskdConfig = field(default_factory=SlskdConfig)
    downloads: DownloadsConfig = field(default_factory=DownloadsConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    player: PlayerConfig = field(default_factory=PlayerConfig)
    zeroconf: ZeroconfConfig = field(default_factory=ZeroconfConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    mpd: MpdConfig = field(default_factory=MpdConfig)
    snapcast: SnapcastConfig = field(default_factory=SnapcastConfig)
    subsonic: SubsonicSection = field(default_factory=SubsonicSection)
    cache: CacheConfig = field(default_factory=CacheConfig)  # the pre-cache policy's defaults
    gpio: GpioConfig = field(default_factory=GpioConfig)
    timers: TimersConfig = field(default_factory=TimersConfig)
    alarms: tuple[AlarmSection, ...] = ()  # [[alarms]] tables
    radio: tuple[StationSection, ...] = ()  # [[radio]] tables: internet radio stations
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
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError([ConfigProblem("", f"not valid TOML: {err}")], source) from err
    return parse_config(data, env, source)


def parse_config(data: Mapping[str, Any], env: Mapping[str, str], source: str = "config") -> Config:
    """The config of `data` (a parsed TOML document); ConfigError lists every mistake."""
    problems: list[ConfigProblem] = []
    data = _transcode_into_cache(data)
    config = _fill_dirs(build(Config, data, "", problems), env)
    problems += _folder_problems(config)
    problems += duplicate_ids(config.alarms, "alarms")
    problems += duplicate_ids(config.radio, "radio")
    config = _with_secrets(config, problems)
    if problems:
        raise ConfigError(problems, source)
    return replace(config, source=source)


_TRANSCODE_KEYS = ("transcode", "transcode_auto")


def _transcode_into_cache(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """`[downloads] transcode` and `transcode_auto` are cache settings (PATCH /cache/config
    changes them from the phone): moved into the cache table, validated there with the rest."""
    downloads, cache = data.get("downloads"), data.get("cache", {})
    if not isinstance(downloads, Mapping) or not isinstance(cache, Mapping):
        return data
    moved = {k: downloads[k] for k in _TRANSCODE_KEYS if k in downloads}
    if not moved:
        return data
    kept = {k: v for k, v in downloads.items() if k not in _TRANSCODE_KEYS}
    return {**data, "downloads": kept, "cache": {**moved, **cache}}


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


def _folder_problems(config: Config) -> list[ConfigProblem]:
    """A folder the service will create must not be, or sit under, something that is no folder."""
    folders = {
        "paths.state_dir": config.state_dir,
        "paths.cache_dir": config.cache_dir,
        "library.music_dir": config.music_dir,
    }
    problems = []
    for key, folder in folders.items():
        blocker = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
        )
        if blocker is not None:
            problems.append(ConfigProblem(key, f"{blocker} exists and is not a folder"))
    return problems


def _with_secrets(config: Config, problems: list[ConfigProblem]) -> Config:
    """Read `password_file` / `api_key_file` now: a missing one is a config mistake, not a
    traceback at the first request (under systemd, a restart loop)."""
    j, k = config.jellyfin, config.slskd
    if j.url and j.password_file:
        password = _secret(j.password_file, "jellyfin.password_file", problems)
        config = replace(config, jellyfin=replace(j, password=password))
    if k.url and k.api_key_file:
        api_key = _secret(k.api_key_file, "slskd.api_key_file", problems)
        config = replace(config, slskd=replace(k, api_key=api_key))
    return replace(config, subsonic=_subsonic_secrets(config.subsonic, problems))


def _subsonic_secrets(section: SubsonicSection, problems: list[ConfigProblem]) -> SubsonicSection:
    read: dict[str, str] = {}
    for key, path in section.secret_files().items():
        if open_to_others(path):
            problems.append(
                ConfigProblem(f"subsonic.{key}", f"{path} is readable by others: chmod 600")
            )
        read[key.removesuffix("_file")] = _secret(path, f"subsonic.{key}", problems)
    return replace(section, **read)


def _secret(path: str, key: str, problems: list[ConfigProblem]) -> str:
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not a text file"
        problems.append(ConfigProblem(key, f"cannot read {path}: {reason}"))
        return ""
    if not secret:
        problems.append(ConfigProblem(key, f"{path} is empty"))
    return secret


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
