"""Alarms as data: validation, and when an alarm rings (pure; UTC and a fixed week)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from player.timers.alarm_model import (
    AlarmOrigin,
    InvalidAlarmError,
    PlayKind,
    alarm_from_json,
    due,
    last_ring,
    next_ring,
)
from player.timers.settings import AlarmSection, config_alarms, duplicate_ids

MONDAY_6 = datetime(2027, 1, 18, 6, 0, tzinfo=UTC).timestamp()  # a Monday, 06:00 UTC
HOUR = 3600.0


def alarm(**body: object) -> object:
    return alarm_from_json("a1", {"time": "07:00", "play": {"album_id": "al1"}, **body})


def test_defaults_and_json() -> None:
    made = alarm_from_json("a1", {"time": "07:30", "play": {"resume": True}})
    assert made.days == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert made.play.kind is PlayKind.RESUME and made.enabled and made.volume == 40
    body = made.to_json("2027-01-18T07:30:00Z")
    assert body["play"] == {"resume": True} and body["next_at"] == "2027-01-18T07:30:00Z"
    assert body["source"] == "api"


@pytest.mark.parametrize(
    "bad",
    [
        {"time": "7:00"}, {"time": "24:00"}, {"time": "07:60"}, {"time": 700},
        {"days": []}, {"days": ["monday"]}, {"days": "mon"},
        {"volume": 101}, {"volume": -1}, {"volume": True}, {"volume": 5.5},
        {"fade_seconds": -1}, {"fade_seconds": 601}, {"enabled": "yes"},
        {"play": {}}, {"play": {"album_id": ""}}, {"play": {"resume": False}},
        {"play": {"album_id": "x", "station_id": "y"}}, {"play": {"track_id": "t"}},
        {"play": "album"},
    ],
)  # fmt: skip
def test_bad_alarms_say_what_is_wrong(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidAlarmError):
        alarm(**bad)


def test_days_come_back_in_week_order() -> None:
    made = alarm_from_json("a", {"time": "07:00", "days": ["sun", "mon"], "play": {"resume": True}})
    assert made.days == ("mon", "sun")


def test_next_ring_on_its_days() -> None:
    weekdays = alarm_from_json(
        "a", {"time": "07:00", "days": ["sat", "sun"], "play": {"station_id": "s1"}}
    )
    # Monday 06:00 -> Saturday 07:00
    assert next_ring(weekdays, MONDAY_6, UTC) == MONDAY_6 + 5 * 24 * HOUR + HOUR
    daily = alarm_from_json("a", {"time": "07:00", "play": {"resume": True}})
    assert next_ring(daily, MONDAY_6, UTC) == MONDAY_6 + HOUR
    assert next_ring(daily, MONDAY_6 + HOUR, UTC) == MONDAY_6 + 25 * HOUR  # not the same minute
    off = alarm_from_json("a", {"time": "07:00", "enabled": False, "play": {"resume": True}})
    assert next_ring(off, MONDAY_6, UTC) is None


def test_a_ring_is_owed_for_grace_seconds_and_only_once() -> None:
    daily = alarm_from_json("a", {"time": "07:00", "play": {"resume": True}})
    ring = MONDAY_6 + HOUR
    assert last_ring(daily, ring + 300, UTC) == ring
    assert due(daily, ring - 1, None, 600, UTC) is None  # not yet (yesterday's is long gone)
    assert due(daily, ring, None, 600, UTC) == ring
    assert due(daily, ring + 300, None, 600, UTC) == ring  # 5 minutes late: still rings
    assert due(daily, ring + 601, None, 600, UTC) is None  # too late
    assert due(daily, ring + 300, ring, 600, UTC) is None  # already fired
    assert due(daily, ring + 300, ring + 100, 600, UTC) is None  # set after its time today


def test_config_alarms() -> None:
    sections = (AlarmSection(time="06:45", station_id="s1", days=("mon",)), AlarmSection(
        time="08:00", resume=True, id="weekend"))  # fmt: skip
    made = config_alarms(sections)
    assert [a.id for a in made] == ["config-1", "weekend"]
    assert made[0].origin is AlarmOrigin.CONFIG and made[0].play.kind is PlayKind.STATION
    assert AlarmSection(time="6:45", resume=True).problems()[0].path == "time"
    assert AlarmSection(time="06:45").problems()[0].path == "album_id"  # nothing to play
    assert AlarmSection(time="06:45", resume=True, volume=300).problems()[0].path == "volume"
    twice = (AlarmSection(time="06:45", resume=True, id="x"),) * 2
    assert [p.path for p in duplicate_ids(twice, "alarms")] == ["alarms[1].id"]
