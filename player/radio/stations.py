"""Radio stations: `[[radio]]` in the config and the API's own (player.db), and each station
as the queue's Track (source "radio", id "station:<id>"), so it queues and plays like one."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from cache.db import fetch_rows, open_db
from cache.errors import ConfigProblem
from cache.models import AlbumId, ItemId, SourceKind, Track
from player.config_sections import url_problem
from player.playback.state_store import MIGRATIONS

TRACK_PREFIX = "station:"
MAX_STATIONS = 200
MAX_NAME = 120
MAX_URL = 2048


class StationError(Exception):
    """A request the station list refuses; `status` is the HTTP status for the API."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Station:
    id: str
    name: str
    url: str  # an http(s) stream, or a .pls / .m3u naming one
    from_config: bool = False

    def to_json(self) -> dict[str, Any]:
        """api.md's Station (plus `source`: config stations are changed in the file)."""
        return {"id": self.id, "name": self.name, "url": self.url,
                "source": "config" if self.from_config else "api"}  # fmt: skip

    def track(self) -> Track:
        return Track(
            ItemId(TRACK_PREFIX + self.id), self.name, "", AlbumId(""), (), 0.0, None, None,
            "stream", 0, SourceKind.RADIO,
        )  # fmt: skip


def station_problem(name: object, url: object) -> str | None:
    """What is wrong with a station's name and URL, or None."""
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        return f"'name' must be text of 1 to {MAX_NAME} characters"
    if not isinstance(url, str) or len(url) > MAX_URL or url_problem(url) is not None:
        return "'url' must be an http:// or https:// address of a stream, a .pls or a .m3u"
    return None


@dataclass(frozen=True, slots=True)
class StationSection:
    """One `[[radio]]` table."""

    name: str = ""
    url: str = ""
    id: str = ""  # empty: config-N (its place in the file, from 1)

    def problems(self) -> list[ConfigProblem]:
        problem = station_problem(self.name, self.url)
        if problem is None:
            return []
        return [ConfigProblem("name" if problem.startswith("'name'") else "url", problem)]


class RadioBook:
    """Every station, the config's first; API stations are written to player.db at once."""

    def __init__(self, conn: aiosqlite.Connection, sections: tuple[StationSection, ...]) -> None:
        self._conn = conn
        self._stations: dict[str, Station] = {}
        for n, section in enumerate(sections, start=1):
            station_id = section.id or f"config-{n}"
            self._stations[station_id] = Station(station_id, section.name, section.url, True)

    @classmethod
    async def open(cls, path: Path, sections: tuple[StationSection, ...]) -> RadioBook:
        """After the state store made the schema (its own autocommit connection)."""
        book = cls(await open_db(path, MIGRATIONS, durable=True), sections)
        for station_id, name, url in await fetch_rows(
            book._conn, "SELECT id, name, url FROM radio_stations"
        ):
            book._stations.setdefault(station_id, Station(station_id, name, url))
        return book

    async def close(self) -> None:
        await self._conn.close()

    def stations(self) -> list[Station]:
        return list(self._stations.values())

    def get(self, station_id: str) -> Station | None:
        return self._stations.get(station_id)

    def of_track(self, track: Track) -> Station | None:
        """The station a queue track plays (None: a track of the library)."""
        if track.source is not SourceKind.RADIO:
            return None
        return self._stations.get(track.id.removeprefix(TRACK_PREFIX))

    def tracks(self, item_ids: Sequence[str]) -> list[Track]:
        """The queue tracks of the stations among `item_ids` (a checkpointed queue's)."""
        ids = (i.removeprefix(TRACK_PREFIX) for i in item_ids if i.startswith(TRACK_PREFIX))
        return [s.track() for s in (self._stations.get(i) for i in ids) if s is not None]

    async def add(self, name: str, url: str) -> Station:
        problem = station_problem(name, url)
        if problem is not None:
            raise StationError(422, problem)
        if len(self._stations) >= MAX_STATIONS:
            raise StationError(409, f"there are {MAX_STATIONS} stations already")
        station = Station("s" + secrets.token_hex(4), name.strip(), url)
        await self._conn.execute(
            "INSERT INTO radio_stations(id, name, url) VALUES (?, ?, ?)",
            (station.id, station.name, station.url),
        )
        self._stations[station.id] = station
        return station

    async def delete(self, station_id: str) -> None:
        station = self._stations.get(station_id)
        if station is None:
            raise StationError(404, f"there is no station {station_id[:40]!r}")
        if station.from_config:
            raise StationError(409, f"station {station_id} is in the config file: remove it there")
        await self._conn.execute("DELETE FROM radio_stations WHERE id = ?", (station_id,))
        del self._stations[station_id]
