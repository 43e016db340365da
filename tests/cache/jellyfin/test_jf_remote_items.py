"""Cast item ids as tracks: the catalogue's, else fetched from the server once and kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import aiosqlite
import pytest

from cache.catalogue import Catalogue
from cache.jellyfin import JellyfinClient, JellyfinConfig, JellyfinState, sync_catalogue
from cache.jellyfin.remote.items import CastResolver
from cache.models import ItemId
from tests.fakes.jellyfin import FakeJellyfin


@pytest.fixture
async def parts(
    tmp_path: Path, fresh_db: aiosqlite.Connection
) -> AsyncIterator[tuple[FakeJellyfin, JellyfinClient, Catalogue]]:
    fake = FakeJellyfin()
    fake.add_user("alice", "secret")
    fake.add_album("Old", [1000, 2000])
    await fake.start()
    db = fresh_db
    http = aiohttp.ClientSession()
    client = JellyfinClient(
        JellyfinConfig(fake.url, username="alice", password="secret"), JellyfinState(tmp_path), http
    )
    try:
        await sync_catalogue(client, db)
        yield fake, client, Catalogue(db)
    finally:
        await http.close()
        await fake.close()


async def test_unknown_ids_are_fetched_stored_and_the_rest_reported(
    parts: tuple[FakeJellyfin, JellyfinClient, Catalogue],
) -> None:
    fake, client, catalogue = parts
    old = [ItemId(t) for t in fake.tracks]
    _album, new = fake.add_album("Added since the sync", [3000])  # on the server, not in cache.db
    stranger = ItemId("f" * 32)
    ids = [old[1], ItemId(new[0].id), stranger, old[0], old[1]]
    fake.requests.clear()
    found = await CastResolver(catalogue, client).resolve(ids)
    assert [t.id for t in found.tracks] == [old[1], new[0].id, old[0], old[1]]  # order and repeats
    assert found.unknown == (stranger,)
    assert fake.requests == [("GET", "/Items")]  # one request for the two missing ids
    kept = await catalogue.track(new[0].id)
    assert kept is not None and kept.album == "Added since the sync"
    assert await catalogue.album(new[0].album_id) is not None
    fake.requests.clear()
    again = await CastResolver(catalogue, client).resolve([ItemId(new[0].id)])
    assert [t.id for t in again.tracks] == [new[0].id] and fake.requests == []
