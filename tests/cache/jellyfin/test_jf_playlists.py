"""Jellyfin playlists through the catalogue sync: order and repeats kept, video ones left out,
an edit seen by the freshness check, and an unchanged resync that writes nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import aiosqlite

from cache.catalogue import Catalogue
from cache.db import open_db
from cache.jellyfin.freshness import META_KEY, refresh_catalogue
from cache.models import PlaylistId
from cache.playlists import Playlists
from cache.schema import MIGRATIONS
from tests.cache.dbutil import total_changes
from tests.cache.jellyfin.test_jf_client import Jf


async def test_playlists_sync_in_order_with_repeats(jf: Jf, fresh_db: aiosqlite.Connection) -> None:
    fake = jf.fake
    _, tracks = fake.add_album("Kind of Blue", [10, 20, 30])
    a, b, c = (t.id for t in tracks)
    mix = fake.add_playlist("Evening", [c, a, c])
    fake.add_playlist("Holiday videos", [b], media_type="Video")
    client = jf.client()
    result = await refresh_catalogue(client, fresh_db)
    assert result is not None and result.playlists == 1
    store = Playlists(Catalogue(fresh_db))
    page, total = await store.page()
    assert total == 1 and page[0].name == "Evening" and page[0].track_count == 3
    found = await store.get(mix.id)
    assert found is not None and found.entries is not None
    assert [t.id for t in found.entries] == [c, a, c]
    assert found.source.value == "jellyfin"

    for item in [*fake.tracks.values(), *fake.albums.values(), *fake.playlists.values()]:
        item.saved = item.saved.replace(year=2000)
    changes = await total_changes(fresh_db)
    assert await refresh_catalogue(client, fresh_db, full_every=0.0) is not None  # a full resync
    # ... that found nothing new wrote one row: the sync's mark
    assert await total_changes(fresh_db) == changes + 1

    mix.set_items([b])  # edited on the server: its DateLastSaved moves
    assert await refresh_catalogue(client, fresh_db) is not None
    found = await store.get(mix.id)
    assert found is not None and [t.id for t in found.entries or ()] == [b]
    del fake.playlists[mix.id]
    await refresh_catalogue(client, fresh_db, full_every=0.0)
    assert await store.get(PlaylistId(mix.id)) is None


async def test_an_upgraded_database_reads_the_playlists_at_its_next_sync(
    jf: Jf, tmp_path: Path
) -> None:
    fake = jf.fake
    _, tracks = fake.add_album("Kind of Blue", [10])
    fake.add_playlist("Evening", [tracks[0].id])
    for item in [*fake.tracks.values(), *fake.albums.values(), *fake.playlists.values()]:
        item.saved = item.saved.replace(year=2000)  # nothing new on the server since that sync
    path = tmp_path / "cache.db"
    old = await open_db(path, MIGRATIONS[:7])  # a device that synced before playlists were kept
    mark = json.dumps({"started_at": time.time(), "tracks": 1})
    await old.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (META_KEY, mark))
    await old.commit()
    await old.close()
    db = await open_db(path, MIGRATIONS)
    try:
        result = await refresh_catalogue(jf.client(), db)
        assert result is not None and result.playlists == 1  # a full sync, not "unchanged"
    finally:
        await db.close()
