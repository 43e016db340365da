"""The media-source Protocol: one contract run against every source behind it (the local folder,
Jellyfin and Subsonic, on the fake servers), and the data-driven registry that builds them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import aiosqlite
import pytest

from cache.catalogue import Catalogue
from cache.errors import SourceError
from cache.jellyfin import JellyfinConfig
from cache.local.demo import ensure_demo_library
from cache.media import MediaSettings
from cache.models import AlbumId, ItemId
from cache.sources import MediaSource, SourceContext, SourceEntry
from cache.sources.registry import ENTRIES, build_sources
from cache.subsonic import SubsonicConfig
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.subsonic import FakeSubsonic


@dataclass
class Built:
    source: MediaSource
    catalogue: Catalogue
    album_id: AlbumId


@pytest.fixture
async def jellyfin() -> AsyncIterator[FakeJellyfin]:
    fake = FakeJellyfin()
    fake.add_user("alice", "secret")
    fake.add_album("Two Songs", [3000, 4000])
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def subsonic() -> AsyncIterator[FakeSubsonic]:
    fake = FakeSubsonic()
    fake.users["alice"] = "secret"
    fake.add_album("Three Songs", "The Band", ["One", "Two", "Three"])
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as made:
        yield made


def _settings(
    tmp_path: Path, fake: FakeJellyfin | None, subsonic: FakeSubsonic | None = None
) -> MediaSettings:
    config = JellyfinConfig(fake.url, "alice", "secret") if fake is not None else None
    sub = SubsonicConfig(subsonic.url, "alice", "secret") if subsonic is not None else None
    return MediaSettings(
        tmp_path / "state", tmp_path / "cache", tmp_path / "music", jellyfin=config, subsonic=sub
    )


@pytest.fixture(params=["local", "jellyfin", "subsonic"])
async def built(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fresh_db: aiosqlite.Connection,
    session: aiohttp.ClientSession,
    jellyfin: FakeJellyfin,
    subsonic: FakeSubsonic,
) -> Built:
    settings = _settings(tmp_path, jellyfin, subsonic)
    await asyncio.to_thread(ensure_demo_library, settings.music_dir)
    catalogue = Catalogue(fresh_db)
    sources = build_sources(SourceContext(settings, fresh_db, session, catalogue))
    source = sources[request.param]
    await source.sync_catalogue()
    albums, _ = await catalogue.albums("", 0, 100)
    tracks = [await catalogue.album_tracks(a.id) for a in albums]
    album_id = next(a.id for a, t in zip(albums, tracks, strict=True) if t[0].source == source.name)
    return Built(source, catalogue, album_id)


async def test_every_source_keeps_the_catalogue_and_plays_its_tracks(built: Built) -> None:
    tracks = await built.source.album_tracks(built.album_id)
    assert tracks and all(t.source == built.source.name for t in tracks)
    assert [t.track_number for t in tracks] == sorted(t.track_number or 0 for t in tracks)
    first = await built.source.track(ItemId(tracks[0].id))
    assert (first.id, first.album_id) == (tracks[0].id, built.album_id)
    url = await built.source.stream_url(ItemId(first.id))
    if built.source.capabilities.local:
        assert await asyncio.to_thread(Path(url).is_file)  # played from the folder, not downloaded
        with pytest.raises(SourceError):
            await built.source.download_request(ItemId(first.id))
        assert built.source.play_reports is None
    else:
        assert url.startswith("http://127.0.0.1")
        request = await built.source.download_request(ItemId(first.id))
        assert request.url.startswith("http://127.0.0.1") and built.source.capabilities.fetch
        if built.source.name == "jellyfin":  # authorised by header; reports its plays live
            assert request.headers and built.source.play_reports is not None
        else:  # Subsonic: authorised in the query; its plays go out as scrobbles
            assert "c=tapedeck" in request.url and "t=" in request.url and not request.headers


async def test_the_registry_builds_what_the_settings_configure(
    tmp_path: Path, fresh_db: aiosqlite.Connection, session: aiohttp.ClientSession
) -> None:
    catalogue = Catalogue(fresh_db)
    context = SourceContext(_settings(tmp_path, None), fresh_db, session, catalogue)
    assert list(build_sources(context)) == ["local"]  # no [jellyfin] url: the folder alone
    extra = SourceEntry("elsewhere", lambda ctx: build_sources(ctx)["local"])
    assert list(build_sources(context, (*ENTRIES, extra))) == ["local", "elsewhere"]
