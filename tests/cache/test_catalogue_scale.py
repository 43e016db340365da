"""The catalogue at scale: pages chosen through indexes, and upserts that write only what changed."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import aiosqlite

from cache.catalogue import Catalogue
from cache.db import open_db
from cache.models import Availability, ItemId
from cache.schema import MIGRATIONS
from tests.bench.scale_catalogue import fill_catalogue
from tests.bench.scale_probes import write_bytes
from tests.cache.dbutil import total_changes
from tests.cache.test_catalogue import JELLYFIN, album, track


def _plan(db_path: Path, sql: str) -> str:
    with sqlite3.connect(db_path) as plain:
        return " | ".join(str(r[3]) for r in plain.execute(f"EXPLAIN QUERY PLAN {sql}"))


async def test_the_albums_page_walks_the_order_index_without_sorting(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "cache.db", MIGRATIONS)
    await db.close()
    order = (
        "json_extract(a.artists, '$[0]') COLLATE NOCASE, a.sort_title COLLATE NOCASE,"
        " a.title COLLATE NOCASE, a.id"
    )
    plan = _plan(tmp_path / "cache.db", f"SELECT a.id FROM albums a ORDER BY {order} LIMIT 50")
    assert "idx_albums_order" in plan and "TEMP B-TREE" not in plan
    sums = _plan(
        tmp_path / "cache.db",
        "SELECT album_id, count(*), total(duration) FROM tracks WHERE album_id IN ('x')"
        " GROUP BY album_id",
    )
    assert "COVERING INDEX idx_tracks_album_sums" in sums


async def test_upserting_the_same_rows_again_changes_nothing(
    fresh_db: aiosqlite.Connection,
) -> None:
    cat = Catalogue(fresh_db)
    a = album("a1", "Blue", "Band", JELLYFIN)
    tracks = [track(f"t{i}", a, f"Song {i}", i) for i in range(1, 4)]
    await cat.upsert([a], tracks)
    before = await total_changes(fresh_db)
    await cat.upsert([a], tracks)
    assert await total_changes(fresh_db) == before
    changed = dataclasses.replace(tracks[0].track, title="Renamed")
    await cat.upsert([a], [dataclasses.replace(tracks[0], track=changed), *tracks[1:]])
    assert await total_changes(fresh_db) > before
    found, _ = await cat.search("renamed")
    assert [t.id for t in found] == [ItemId("t1")]
    assert await cat.search("song 1") == ([], [])


async def test_a_page_counts_and_sums_only_its_albums(fresh_db: aiosqlite.Connection) -> None:
    offline = {ItemId("j1")}
    cat = Catalogue(fresh_db, offline)
    local, remote = album("a1", "Local", "A"), album("a2", "Remote", "B", JELLYFIN)
    await cat.upsert(
        [local, remote],
        [
            track("l1", local, "One", 1, duration=5.0),
            track("l2", local, "Two", 2, duration=7.0),
            track("j1", remote, "Three", 1),
            track("j2", remote, "Four", 2),
        ],
    )
    page, total = await cat.albums(limit=1, offset=1)
    assert total == 2
    assert [(a.title, a.track_count, a.available_offline) for a in page] == [
        ("Remote", 2, Availability.PARTIAL)
    ]
    first, _ = await cat.albums(limit=1)
    assert (first[0].duration, first[0].available_offline) == (12.0, Availability.FULL)


async def test_a_query_too_broad_to_rank_takes_the_first_matches_by_title(
    fresh_db: aiosqlite.Connection,
) -> None:
    cat = Catalogue(fresh_db, rank_limit=3)
    a = album("a1", "Sampler", "Various", JELLYFIN)
    await cat.upsert([a], [track(f"t{i}", a, f"Song {chr(ord('e') - i)}", i) for i in range(5)])
    broad, _ = await cat.search("s")  # 5 matches, more than 3: the first 3 found, by title
    assert [t.title for t in broad] == ["Song c", "Song d", "Song e"]
    narrow, _ = await cat.search("song e")
    assert [t.title for t in narrow] == ["Song e"]


async def test_an_unchanged_batch_of_thousands_writes_nothing_to_disk(
    fresh_db: aiosqlite.Connection,
) -> None:
    await fill_catalogue(fresh_db, 1_600, 20_000)
    await fresh_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = write_bytes()
    await fill_catalogue(fresh_db, 1_600, 20_000)  # the same rows again, in one statement
    # No row, no index page and no temporary file (temp_store=MEMORY) reaches the disk.
    assert write_bytes() - before < 64 * 1024


async def test_the_artists_page_walks_the_name_index_without_sorting(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "cache.db", MIGRATIONS)
    await db.close()
    page = (
        "SELECT ar.id, ar.name FROM artists ar WHERE EXISTS (SELECT 1 FROM album_artists aa"
        " WHERE aa.artist_id = ar.id) ORDER BY ar.name COLLATE NOCASE, ar.id LIMIT 50"
    )
    plan = _plan(tmp_path / "cache.db", page)
    assert "sqlite_autoindex_artists_1" in plan and "TEMP B-TREE" not in plan
    albums = _plan(
        tmp_path / "cache.db",
        "SELECT a.id FROM album_artists aa JOIN albums a ON a.id = aa.album_id"
        " WHERE aa.artist_id = 7",
    )
    assert "SEARCH aa USING PRIMARY KEY (artist_id=?)" in albums and "SCAN" not in albums
