"""The play log: every track start in cache.db's `plays` table.

It is the pre-cacher's listening history and the list of Jellyfin plays the server has not heard
of yet (`reported = 0`), replayed with their real times once it is reachable again.

The connection is shared with the catalogue and the downloads, so no write here opens an explicit
transaction other coroutines' statements could fall into (see cache/catalogue.py). A play from a
local copy must also touch that copy's downloads row in the same transaction; a TEMP trigger on
this connection does it, so the INSERT and the UPDATE are one statement, atomic by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NewType

import aiosqlite

from cache.db import fetch_row, fetch_rows
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.planner.snapshot import NetworkKind, PlayRecord

PlayId = NewType("PlayId", int)
OWED_SOURCES = frozenset({SourceKind.JELLYFIN, SourceKind.SUBSONIC})  # servers that count plays

# A TEMP trigger lives with the connection only, so it is (re)created on first use, never migrated.
_TOUCH_DOWNLOAD_TRIGGER = """
CREATE TEMP TRIGGER IF NOT EXISTS plays_touch_local_copy AFTER INSERT ON main.plays
WHEN new.from_local = 1
BEGIN
    UPDATE downloads SET last_access = new.started_at, played_at = new.started_at
    WHERE item_id = new.item_id AND status = 'completed';
END
"""
_INSERT = """
INSERT INTO plays (item_id, album_id, source, started_at, network, from_local, reported)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
"""
_HISTORY = """
SELECT item_id, album_id, started_at, network FROM
    (SELECT id, item_id, album_id, started_at, network FROM plays ORDER BY id DESC LIMIT ?)
ORDER BY id
"""
_OWED = """
SELECT id, item_id, album_id, started_at FROM plays
WHERE reported = 0 AND source = ? ORDER BY id LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class OwedPlay:
    """A play its server has not been told about; `started_at` is timezone-aware UTC."""

    id: PlayId
    item_id: ItemId
    album_id: AlbumId
    started_at: datetime


def iso_utc(at: datetime) -> str:
    """`at` in the table's timestamp format: ISO-8601 UTC with milliseconds and a Z."""
    if at.tzinfo is None:
        raise ValueError("play times must be timezone-aware (naive datetimes are ambiguous)")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso_utc(text: str) -> datetime:
    """The inverse of `iso_utc` (any ISO-8601 form; a missing zone is taken as UTC)."""
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _network(value: str) -> NetworkKind:
    try:
        return NetworkKind(value)
    except ValueError:
        return NetworkKind.UNKNOWN


class PlayLog:
    """Typed access to the `plays` table of cache.db."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._db = conn
        self._trigger_ready = False

    async def record(
        self, track: Track, *, at: datetime, network: NetworkKind, from_local: bool
    ) -> int:
        """Log a track start; a play from a local copy also marks that copy accessed and played.

        Only plays of a server's tracks (Jellyfin, Subsonic) are owed to it; the others are stored
        as already reported.
        """
        if not self._trigger_ready:
            await self._db.execute(_TOUCH_DOWNLOAD_TRIGGER)
            self._trigger_ready = True
        owed = track.source in OWED_SOURCES
        values = (
            track.id,
            track.album_id,
            str(track.source),
            iso_utc(at),
            str(network),
            int(from_local),
            0 if owed else 1,
        )
        row = await fetch_row(self._db, _INSERT, values)
        if row is None:  # RETURNING always yields the row; this only satisfies the type checker
            raise RuntimeError("INSERT ... RETURNING gave no row")
        return PlayId(int(row[0]))

    async def history(self, limit: int = 500) -> list[PlayRecord]:
        """The latest `limit` plays, oldest first, as the planner's PlayRecords."""
        rows = await fetch_rows(self._db, _HISTORY, (limit,))
        return [
            PlayRecord(
                ItemId(r[0]),
                AlbumId(r[1]),
                parse_iso_utc(r[2]).timestamp(),
                _network(r[3]),
            )
            for r in rows
        ]

    async def owed(
        self, limit: int = 100, source: SourceKind = SourceKind.JELLYFIN
    ) -> list[OwedPlay]:
        """The source's plays not yet reported to its server, oldest first."""
        rows = await fetch_rows(self._db, _OWED, (str(source), limit))
        return [
            OwedPlay(PlayId(int(r[0])), ItemId(r[1]), AlbumId(r[2]), parse_iso_utc(r[3]))
            for r in rows
        ]

    async def mark_reported(self, play_id: int) -> None:
        """The server knows of this play now (live or replayed); never send it again."""
        await self._db.execute("UPDATE plays SET reported = 1 WHERE id = ?", (play_id,))
