"""The timers room's config: `[[alarms]]` tables and the `[timers]` settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cache.errors import ConfigProblem
from player.radio.stations import StationSection
from player.timers.alarm_model import DAYS, Alarm, AlarmOrigin, InvalidAlarmError, alarm_from_json

_QUOTED_KEY = re.compile(r"'([a-z_]+)'")
_PLAY_KEYS = "expected exactly one of album_id, playlist_id, station_id or resume = true"


@dataclass(frozen=True, slots=True)
class AlarmSection:
    """One `[[alarms]]` table: what to play is one of album_id, playlist_id, station_id, resume."""

    time: str = ""  # "HH:MM", the device's local time
    days: tuple[str, ...] = DAYS
    enabled: bool = True
    album_id: str = ""
    playlist_id: str = ""
    station_id: str = ""
    resume: bool = False
    volume: int = 40
    fade_seconds: float = 30.0
    id: str = ""  # empty: config-N (its place in the file, from 1)

    def alarm(self, number: int) -> Alarm:
        """This table as an alarm (`number` from 1); raises InvalidAlarmError."""
        return alarm_from_json(self.id or f"config-{number}", self._body(), AlarmOrigin.CONFIG)

    def problems(self) -> list[ConfigProblem]:
        try:
            self.alarm(1)
        except InvalidAlarmError as err:
            quoted = _QUOTED_KEY.search(str(err))
            key = quoted.group(1) if quoted else "time"
            if key == "play":
                return [ConfigProblem("album_id", _PLAY_KEYS)]
            return [ConfigProblem(key, str(err))]
        return []

    def _body(self) -> dict[str, Any]:
        play: dict[str, Any] = {
            key: value
            for key, value in (
                ("album_id", self.album_id),
                ("playlist_id", self.playlist_id),
                ("station_id", self.station_id),
            )
            if value
        }
        if self.resume:
            play["resume"] = True
        return {
            "time": self.time, "days": list(self.days), "enabled": self.enabled, "play": play,
            "volume": self.volume, "fade_seconds": self.fade_seconds,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class TimersConfig:
    snooze_minutes: float = 9.0
    alarm_grace_minutes: float = 10.0  # after a power cut, an alarm this late still rings

    def problems(self) -> list[ConfigProblem]:
        problems = []
        if not 1 <= self.snooze_minutes <= 60:
            problems.append(ConfigProblem("snooze_minutes", "expected 1 to 60 minutes"))
        if not 0 <= self.alarm_grace_minutes <= 120:
            problems.append(ConfigProblem("alarm_grace_minutes", "expected 0 to 120 minutes"))
        return problems


def config_alarms(sections: tuple[AlarmSection, ...]) -> list[Alarm]:
    """The config's alarms (already checked at load: each table is a valid alarm)."""
    return [section.alarm(n) for n, section in enumerate(sections, start=1)]


def duplicate_ids(
    sections: Sequence[AlarmSection | StationSection], table: str
) -> list[ConfigProblem]:
    """Two tables of `[[table]]` with one id (given, or config-N by place)."""
    seen: set[str] = set()
    problems = []
    for n, section in enumerate(sections, start=1):
        table_id = section.id or f"config-{n}"
        if table_id in seen:
            problems.append(ConfigProblem(f"{table}[{n - 1}].id", f"{table_id!r} is used twice"))
        seen.add(table_id)
    return problems
