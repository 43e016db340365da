"""The timers' rows in player.db (tables made by player/playback/state_store.py's migrations)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from cache.db import fetch_row, fetch_rows, open_db
from player.playback.state_store import MIGRATIONS
from player.timers.alarm_model import Alarm, InvalidAlarmError, alarm_from_json
from player.timers.state import SleepMode


@dataclass(frozen=True, slots=True)
class SavedSleep:
    mode: SleepMode
    ends_at: float | None
    restore_volume: int | None  # the volume before a fade began, put back when it ends


class TimerStore:
    """Small, rare writes: one when a timer is set or ends, one when a long track stops, one
    when an alarm is changed or rings."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, path: Path) -> TimerStore:
        """A connection of its own (autocommit): the state store's transactions stay its own.
        The state store opened (or rebuilt) the file first, so the schema is already there."""
        return cls(await open_db(path, MIGRATIONS, durable=True))

    async def close(self) -> None:
        await self._conn.close()

    async def save_sleep(self, saved: SavedSleep | None) -> None:
        if saved is None:
            await self._conn.execute("DELETE FROM sleep_timer")
        else:
            await self._conn.execute(
                "INSERT OR REPLACE INTO sleep_timer(id, mode, ends_at, restore_volume)"
                " VALUES (1, ?, ?, ?)",
                (str(saved.mode), saved.ends_at, saved.restore_volume),
            )

    async def load_sleep(self) -> SavedSleep | None:
        row = await fetch_row(
            self._conn, "SELECT mode, ends_at, restore_volume FROM sleep_timer WHERE id = 1"
        )
        if row is None or row[0] not in SleepMode.__members__.values():
            return None
        return SavedSleep(SleepMode(row[0]), row[1], row[2])

    async def save_position(self, item_id: str, position: float | None) -> None:
        if position is None:
            await self._conn.execute("DELETE FROM track_positions WHERE item_id = ?", (item_id,))
        else:
            await self._conn.execute(
                "INSERT OR REPLACE INTO track_positions(item_id, position) VALUES (?, ?)",
                (item_id, position),
            )

    async def load_positions(self) -> dict[str, float]:
        found = await fetch_rows(self._conn, "SELECT item_id, position FROM track_positions")
        return {row[0]: float(row[1]) for row in found}

    async def save_alarm(self, alarm: Alarm) -> None:
        body = json.dumps(alarm.stored())
        await self._conn.execute(
            "INSERT OR REPLACE INTO alarms(id, body) VALUES (?, ?)", (alarm.id, body)
        )

    async def delete_alarm(self, alarm_id: str) -> None:
        await self._conn.execute("DELETE FROM alarms WHERE id = ?", (alarm_id,))
        await self._conn.execute("DELETE FROM alarm_firings WHERE alarm_id = ?", (alarm_id,))

    async def load_alarms(self) -> list[Alarm]:
        """The API's alarms; a row that no longer reads as an alarm is skipped, not fatal."""
        rows = await fetch_rows(self._conn, "SELECT id, body FROM alarms ORDER BY id")
        alarms = []
        for alarm_id, body in rows:
            try:
                alarms.append(alarm_from_json(alarm_id, json.loads(body)))
            except (InvalidAlarmError, ValueError, TypeError):
                continue
        return alarms

    async def save_firing(self, alarm_id: str, fired_for: float) -> None:
        """Durable (the store is opened with synchronous=FULL) before the alarm plays."""
        await self._conn.execute(
            "INSERT OR REPLACE INTO alarm_firings(alarm_id, fired_for) VALUES (?, ?)",
            (alarm_id, fired_for),
        )

    async def load_firings(self) -> dict[str, float]:
        found = await fetch_rows(self._conn, "SELECT alarm_id, fired_for FROM alarm_firings")
        return {row[0]: float(row[1]) for row in found}
