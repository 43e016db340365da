"""An alarm as the config file, the API and player.db hold it, and when it next rings.

Times of day are the device's local time (a person sets "07:00" for their morning); the
instants computed from them are epoch seconds, shown in the API as ISO-8601 UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
MAX_FADE_SECONDS = 600
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


class InvalidAlarmError(ValueError):
    """A body or config table that is no alarm; the message says what to send instead."""


class PlayKind(StrEnum):
    ALBUM = "album_id"
    PLAYLIST = "playlist_id"
    STATION = "station_id"
    RESUME = "resume"


class AlarmOrigin(StrEnum):
    CONFIG = "config"  # from [[alarms]]: edited in the file, not through the API
    API = "api"  # made through the API, kept in player.db


@dataclass(frozen=True, slots=True)
class AlarmPlay:
    """What an alarm plays: one album, playlist or station, or the queue where it was."""

    kind: PlayKind
    ref: str = ""  # the album, playlist or station id; empty for resume

    def to_json(self) -> dict[str, Any]:
        return {"resume": True} if self.kind is PlayKind.RESUME else {str(self.kind): self.ref}

    @classmethod
    def from_json(cls, raw: object) -> AlarmPlay:
        if not isinstance(raw, dict) or len(raw) != 1:
            raise InvalidAlarmError(_PLAY_HELP)
        ((key, value),) = raw.items()
        if key == PlayKind.RESUME and value is True:
            return cls(PlayKind.RESUME)
        named = key in (PlayKind.ALBUM, PlayKind.PLAYLIST, PlayKind.STATION)
        if named and isinstance(value, str) and 0 < len(value) <= 256:
            return cls(PlayKind(key), value)
        raise InvalidAlarmError(_PLAY_HELP)


_PLAY_HELP = "'play' must be exactly one of {album_id}, {playlist_id}, {station_id}, {resume: true}"


@dataclass(frozen=True, slots=True)
class Alarm:
    id: str
    time: str  # "HH:MM", local time
    days: tuple[str, ...]  # of DAYS, in week order
    enabled: bool
    play: AlarmPlay
    volume: int  # 0..100: its own, reached at the end of the fade-in
    fade_seconds: float
    origin: AlarmOrigin = AlarmOrigin.API

    def to_json(self, next_at: str | None) -> dict[str, Any]:
        """api.md's Alarm object (plus `source`: config alarms are not edited here)."""
        return {
            "id": self.id,
            "time": self.time,
            "days": list(self.days),
            "enabled": self.enabled,
            "play": self.play.to_json(),
            "volume": self.volume,
            "fade_seconds": self.fade_seconds,
            "next_at": next_at,
            "source": str(self.origin),
        }

    def stored(self) -> dict[str, Any]:
        """What player.db keeps (the id is its own column)."""
        body = self.to_json(None)
        for key in ("id", "next_at", "source"):
            body.pop(key)
        return body

    def edited(self, changes: dict[str, Any]) -> Alarm:
        """This alarm with a PATCH body's fields; validated like a new one."""
        return alarm_from_json(self.id, {**self.stored(), **changes})


def alarm_from_json(
    alarm_id: str, body: dict[str, Any], origin: AlarmOrigin = AlarmOrigin.API
) -> Alarm:
    """An alarm from an API body (or a stored row); InvalidAlarmError says what is wrong."""
    time = body.get("time")
    if not isinstance(time, str) or not _TIME.fullmatch(time):
        raise InvalidAlarmError("'time' must be a time of day as HH:MM (00:00 to 23:59)")
    days = body.get("days", list(DAYS))
    if not isinstance(days, list | tuple) or not days or not set(days) <= set(DAYS):
        raise InvalidAlarmError(f"'days' must be a list of some of {', '.join(DAYS)}")
    volume = body.get("volume", 40)
    if isinstance(volume, bool) or not isinstance(volume, int) or not 0 <= volume <= 100:
        raise InvalidAlarmError("'volume' must be a whole number from 0 to 100")
    fade = body.get("fade_seconds", 30)
    if isinstance(fade, bool) or not isinstance(fade, int | float):
        raise InvalidAlarmError(f"'fade_seconds' must be a number from 0 to {MAX_FADE_SECONDS}")
    if not 0 <= fade <= MAX_FADE_SECONDS:
        raise InvalidAlarmError(f"'fade_seconds' must be a number from 0 to {MAX_FADE_SECONDS}")
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidAlarmError("'enabled' must be true or false")
    ordered = tuple(d for d in DAYS if d in days)
    play = AlarmPlay.from_json(body.get("play"))
    return Alarm(alarm_id, time, ordered, enabled, play, volume, float(fade), origin)


# -- when it rings ------------------------------------------------------------------------
def _at(day: date, alarm: Alarm, tz: tzinfo | None) -> float:
    hour, minute = (int(part) for part in alarm.time.split(":"))
    # tz None: the device's local time (a naive datetime's timestamp() reads it as local)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).timestamp()


def _days_around(now: float, tz: tzinfo | None, before: int, after: int) -> list[date]:
    today = datetime.fromtimestamp(now, tz).date()
    return [today + timedelta(days=n) for n in range(-before, after + 1)]


def next_ring(alarm: Alarm, now: float, tz: tzinfo | None = None) -> float | None:
    """The first time after `now` this alarm rings (None when it is disabled)."""
    if not alarm.enabled:
        return None
    candidates = [
        _at(day, alarm, tz)
        for day in _days_around(now, tz, 0, 7)
        if DAYS[day.weekday()] in alarm.days
    ]
    return min((t for t in candidates if t > now), default=None)


def last_ring(alarm: Alarm, now: float, tz: tzinfo | None = None) -> float | None:
    """The latest time at or before `now` this alarm was meant to ring."""
    candidates = [
        _at(day, alarm, tz)
        for day in _days_around(now, tz, 1, 0)
        if DAYS[day.weekday()] in alarm.days
    ]
    return max((t for t in candidates if t <= now), default=None)


def due(
    alarm: Alarm, now: float, fired_for: float | None, grace: float, tz: tzinfo | None = None
) -> float | None:
    """The ring this alarm owes now: meant at most `grace` seconds ago (a power cut, a restart)
    and not fired yet. `fired_for` is the last ring it fired (or the moment it was set: a ring
    from before an alarm existed is not owed)."""
    if not alarm.enabled:
        return None
    last = last_ring(alarm, now, tz)
    if last is None or now - last > grace:
        return None
    if fired_for is not None and last <= fired_for:
        return None
    return last
