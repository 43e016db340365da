"""The play log on a real cache.db: history, plays owed to Jellyfin, and the local copy's row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import aiosqlite
import pytest

from cache.db import open_db
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.planner.snapshot import NetworkKind, PlayRecord
from cache.plays import PlayLog, iso_utc
from cache.schema import MIGRATIONS
from tests.builders import make_track

T0 = datetime(2026, 8, 22, 14, 30, 5, 123456, tzinfo=UTC)


def track(item_id: str, source: SourceKind = SourceKind.JELLYFIN, album_id: str = "a1") -> Track:
    return make_track(item_id, source=source, album_id=album_id)


@pytest.fixture
def db(fresh_db: aiosqlite.Connection) -> aiosqlite.Connection:
    return fresh_db  # tests/conftest.py's, under this file's name


async def add_download(db: aiosqlite.Connection, item_id: str, status: str) -> None:
    await db.execute(
        "INSERT INTO downloads (item_id, status, file_path, last_access) VALUES (?, ?, ?, ?)",
        (item_id, status, f"{item_id}.flac", "2020-01-01T00:00:00.000Z"),
    )


async def download_times(db: aiosqlite.Connection, item_id: str) -> tuple[str, str | None]:
    async with db.execute(
        "SELECT last_access, played_at FROM downloads WHERE item_id = ?", (item_id,)
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return row[0], row[1]


async def test_owed_are_the_unreported_jellyfin_plays_oldest_first(
    db: aiosqlite.Connection,
) -> None:
    log = PlayLog(db)
    first = await log.record(track("j1"), at=T0, network=NetworkKind.WIFI, from_local=False)
    await log.record(
        track("l1", SourceKind.LOCAL), at=T0, network=NetworkKind.WIFI, from_local=True
    )
    second = await log.record(
        track("j2"), at=T0 + timedelta(minutes=3), network=NetworkKind.CELLULAR, from_local=False
    )
    owed = await log.owed()
    assert [(p.id, p.item_id, p.started_at) for p in owed] == [
        (first, "j1", T0.replace(microsecond=123000)),
        (second, "j2", (T0 + timedelta(minutes=3)).replace(microsecond=123000)),
    ]
    assert [p.id for p in await log.owed(limit=1)] == [first]
    await log.mark_reported(first)
    await log.mark_reported(first)  # twice is harmless
    assert [p.id for p in await log.owed()] == [second]


async def test_started_at_is_stored_as_iso_utc_with_milliseconds(
    db: aiosqlite.Connection,
) -> None:
    log = PlayLog(db)
    berlin = T0.astimezone(timezone(timedelta(hours=2)))
    await log.record(track("j1"), at=berlin, network=NetworkKind.WIFI, from_local=False)
    async with db.execute("SELECT started_at, network, from_local, reported FROM plays") as cur:
        assert tuple(await cur.fetchone() or ()) == (
            "2026-08-22T14:30:05.123Z", "wifi", 0, 0,
        )  # fmt: skip
    with pytest.raises(ValueError, match="timezone-aware"):
        await log.record(
            track("j1"), at=datetime(2026, 1, 1), network=NetworkKind.WIFI, from_local=False
        )
    assert iso_utc(T0) == "2026-08-22T14:30:05.123Z"


async def test_history_is_the_latest_plays_oldest_first(db: aiosqlite.Connection) -> None:
    log = PlayLog(db)
    kinds = [NetworkKind.WIFI, NetworkKind.CELLULAR, NetworkKind.OFFLINE, NetworkKind.ETHERNET]
    for n, kind in enumerate(kinds):
        at = T0 + timedelta(minutes=n)
        await log.record(track(f"j{n}", album_id=f"a{n}"), at=at, network=kind, from_local=False)
    history = await log.history(limit=3)
    assert history == [
        PlayRecord(
            ItemId(f"j{n}"),
            AlbumId(f"a{n}"),
            (T0 + timedelta(minutes=n)).replace(microsecond=123000).timestamp(),
            kinds[n],
        )
        for n in (1, 2, 3)
    ]
    assert len(await log.history()) == 4


async def test_a_play_from_a_local_copy_touches_its_completed_row(
    db: aiosqlite.Connection,
) -> None:
    await add_download(db, "j1", "completed")
    await add_download(db, "j2", "downloading")
    log = PlayLog(db)
    await log.record(track("j1"), at=T0, network=NetworkKind.OFFLINE, from_local=True)
    await log.record(track("j2"), at=T0, network=NetworkKind.OFFLINE, from_local=True)
    assert await download_times(db, "j1") == ("2026-08-22T14:30:05.123Z",) * 2
    assert await download_times(db, "j2") == ("2020-01-01T00:00:00.000Z", None)
    # A stream of the same item leaves the copy's row alone.
    later = T0 + timedelta(hours=1)
    await log.record(track("j1"), at=later, network=NetworkKind.WIFI, from_local=False)
    assert await download_times(db, "j1") == ("2026-08-22T14:30:05.123Z",) * 2


async def test_owed_plays_survive_a_restart(tmp_path: Path) -> None:
    conn = await open_db(tmp_path / "cache.db", MIGRATIONS)
    play_id = await PlayLog(conn).record(
        track("j1"), at=T0, network=NetworkKind.WIFI, from_local=False
    )
    await conn.close()
    conn = await open_db(tmp_path / "cache.db", MIGRATIONS)
    try:
        assert [p.id for p in await PlayLog(conn).owed()] == [play_id]
        # The reopened connection gets its trigger again on first use.
        await add_download(conn, "j1", "completed")
        await PlayLog(conn).record(track("j1"), at=T0, network=NetworkKind.WIFI, from_local=True)
        assert (await download_times(conn, "j1"))[1] == "2026-08-22T14:30:05.123Z"
    finally:
        await conn.close()
