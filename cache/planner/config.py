"""`CacheConfig`: the pre-cacher's settings (api.md's CacheConfig object and the `[cache]` TOML section)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from cache.errors import ConfigError, ConfigProblem
from cache.quality import OFF, Profile, parse_setting

GB = 1_000_000_000
SMALL_STORAGE = 32 * GB  # below this an automatic copy is an Opus 128 one unless set otherwise
AUTO_ON_SMALL_STORAGE = "opus:128"


class PolicyName(StrEnum):
    """The pre-cache policies; `smart` is the default, `seed` is design/download-manager.md literally."""

    SEED = "seed"
    SMART = "smart"


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """What to pre-cache and within which limits. Field names are the API's and the TOML's."""

    queue_precache_enabled: bool = True
    queue_precache_count: int = 5
    album_affinity_enabled: bool = True
    album_affinity_threshold: int = 3
    storage_limit: int = 10 * GB
    min_free_bytes: int = GB // 2
    wifi_only: bool = True
    policy: PolicyName = PolicyName.SMART
    # smart: minutes of audio to keep ready ahead of the current track, per network class
    lookahead_minutes_unmetered: float = 20.0
    lookahead_minutes_metered: float = 6.0
    # smart: on an unmetered network take the whole queue (storage allowing) when the device roams
    whole_queue_on_unmetered: bool = True
    # whether a user's explicit downloads may use a metered network even when wifi_only is on
    pins_on_metered: bool = False
    max_concurrent_downloads: int = 2
    # the copy kept of a person's downloads and of automatic ones: "off" (the original) or a
    # profile such as "opus:128"; transcode_auto None follows the storage limit (see below)
    transcode: str = OFF
    transcode_auto: str | None = None
    # a track that must stream is fetched once, through the cache, as it plays (cache/streamthrough)
    stream_through: bool = True

    def to_json(self) -> dict[str, Any]:
        """The API object: every field, enums as strings (transcode_auto null: by storage)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @property
    def transcode_auto_in_force(self) -> str:
        """The automatic copies' setting: as set, else Opus 128 on a card under 32 GB."""
        if self.transcode_auto is not None:
            return self.transcode_auto
        return AUTO_ON_SMALL_STORAGE if self.storage_limit < SMALL_STORAGE else OFF

    def transcode_profile(self, automatic: bool) -> Profile | None:
        """The target of a new copy (None: the original), automatic or a person's."""
        return parse_setting(self.transcode_auto_in_force if automatic else self.transcode)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: CacheConfig | None = None) -> CacheConfig:
        """Validate `data` (a PATCH body or a TOML table) over `base`; all errors reported at once."""
        base = base if base is not None else cls()
        problems: list[ConfigProblem] = []
        known = {f.name for f in fields(cls)}
        changes: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                problems.append(ConfigProblem(name, "unknown field"))
                continue
            try:
                changes[name] = _FIELD_CHECKS[name](value)
            except ValueError as err:
                problems.append(ConfigProblem(name, str(err)))
        if problems:
            raise ConfigError(problems)
        return dataclasses.replace(base, **changes)

    @classmethod
    def from_table(cls, data: Mapping[str, Any], path: str) -> CacheConfig:
        """The config loader's hook for the `[cache]` table: the same checks as a PATCH."""
        try:
            return cls.from_mapping(data)
        except ConfigError as err:
            raise ConfigError([p.under(path) for p in err.problems]) from err


def _plain(value: object) -> object:
    return str(value) if isinstance(value, StrEnum) else value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _int_at_least(low: int) -> Any:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be an integer")
        if value < low:
            raise ValueError(f"must be at least {low}")
        return value

    return check


def _minutes(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number of minutes")
    if not 0 <= value <= 24 * 60:
        raise ValueError("must be between 0 and 1440")
    return float(value)


def _policy(value: object) -> PolicyName:
    try:
        return PolicyName(str(value))
    except ValueError as err:
        names = ", ".join(p.value for p in PolicyName)
        raise ValueError(f"must be one of {names}") from err


def _transcode(value: object) -> str:
    parse_setting(value)
    return str(value)


def _transcode_auto(value: object) -> str | None:
    return None if value is None else _transcode(value)


_FIELD_CHECKS: dict[str, Any] = {
    "queue_precache_enabled": _bool,
    "queue_precache_count": _int_at_least(0),
    "album_affinity_enabled": _bool,
    "album_affinity_threshold": _int_at_least(1),
    "storage_limit": _int_at_least(0),
    "min_free_bytes": _int_at_least(0),
    "wifi_only": _bool,
    "policy": _policy,
    "lookahead_minutes_unmetered": _minutes,
    "lookahead_minutes_metered": _minutes,
    "whole_queue_on_unmetered": _bool,
    "pins_on_metered": _bool,
    "max_concurrent_downloads": _int_at_least(1),
    "transcode": _transcode,
    "transcode_auto": _transcode_auto,
    "stream_through": _bool,
}
