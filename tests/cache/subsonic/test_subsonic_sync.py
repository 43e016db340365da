"""Subsonic catalogue sync (pages of getAlbumList2, getAlbum per new or changed album) and the
scrobbler (owed plays sent once, with their real times), on a real cache.db and the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import aiosqlite
import pytest

from cache.catalogue import Catalogue
from cache.models import SourceKind
from cache.planner.snapshot import NetworkKind
from cache.plays import PlayLog
from cache.subsonic import SubsonicConfig
from cache.subsonic.catalogue import sync_catalogue
from cache.subsonic.client import SubsonicClient
from cache.subsonic.scrobble import Scrobbler
from tests.fakes.subsonic import FakeSubsonic

USER, PASSWORD = "kitchen", "secret"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSubsonic]:
    server = FakeSubsonic()
    server.users[USER] = PASSWORD
    for n in range(5):
        server.add_album(f"Album {n}", "The Band", [f"Song {n}a", f"Song {n}b"])
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def client(fake: FakeSubsonic) -> AsyncIterator[SubsonicClient]:
    async with aiohttp.ClientSession() as session:
        yield SubsonicClient(SubsonicConfig(fake.url, USER, PASSWORD), session)


def list_pages(fake: FakeSubsonic) -> list[tuple[str, str]]:
    return [(p["size"][0], p["offset"][0]) for m, p in fake.calls if m == "getAlbumList2"]


async def test_sync_reads_pages_then_only_what_changed(
    fake: FakeSubsonic, client: SubsonicClient, fresh_db: aiosqlite.Connection
) -> None:
    first = await sync_catalogue(client, fresh_db, page=2)
    assert (first.albums, first.albums_read, first.tracks) == (5, 5, 10)
    assert list_pages(fake) == [("2", "0"), ("2", "2"), ("2", "4")]
    albums, total = await Catalogue(fresh_db).albums()
    assert total == 5 and all(a.id.startswith("s-al-") for a in albums)
    tracks, _ = await Catalogue(fresh_db).search("Song")
    assert {t.source for t in tracks} == {SourceKind.SUBSONIC}

    fake.calls.clear()
    again = await sync_catalogue(client, fresh_db, page=2)
    assert again.albums_read == 0 and again.tracks == 10  # nothing changed: no getAlbum
    assert "getAlbum" not in fake.methods()

    fake.albums["al-2"].songs.pop()  # one album lost a song; another album went away
    del fake.albums["al-5"]
    fake.calls.clear()
    third = await sync_catalogue(client, fresh_db, page=2)
    assert [p["id"][0] for m, p in fake.calls if m == "getAlbum"] == ["al-2"]
    assert (third.albums, third.tracks, third.removed_tracks) == (4, 7, 3)


async def test_sync_asks_for_500_albums_a_page(
    fake: FakeSubsonic, client: SubsonicClient, fresh_db: aiosqlite.Connection
) -> None:
    await sync_catalogue(client, fresh_db)
    assert list_pages(fake) == [("500", "0")]


async def test_owed_plays_are_scrobbled_once_with_their_real_times(
    fake: FakeSubsonic, client: SubsonicClient, fresh_db: aiosqlite.Connection
) -> None:
    await sync_catalogue(client, fresh_db)
    catalogue, plays = Catalogue(fresh_db), PlayLog(fresh_db)
    a, b = await catalogue.tracks(["s-tr-1-1", "s-tr-1-2"])
    t0 = datetime(2026, 8, 22, 14, 30, 5, 123000, tzinfo=UTC)
    for n, track in enumerate((a, b, a)):
        await plays.record(track, at=t0 + timedelta(minutes=n), network=NetworkKind.OFFLINE,
                           from_local=True)  # fmt: skip
    scrobbler = Scrobbler(plays, client)
    port = fake.url.rsplit(":", 1)[1]
    await fake.close()  # the server is away: the plays stay owed
    assert await scrobbler.send_owed() == 0
    await fake.start(int(port))
    assert await scrobbler.send_owed() == 3
    assert await scrobbler.send_owed() == 0  # once
    ms = int(t0.timestamp() * 1000)
    assert [(s.id, s.time, s.submission) for s in fake.scrobbles] == [
        ("tr-1-1", ms, True), ("tr-1-2", ms + 60_000, True), ("tr-1-1", ms + 120_000, True),
    ]  # fmt: skip
