"""The Jellyfin client against the fake: auth, token keeping, browsing, catalogue sync."""

from __future__ import annotations

import asyncio
import logging
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from cache.db import open_db
from cache.errors import SourceAuthError, SourceNotFoundError
from cache.jellyfin import (
    JellyfinClient,
    JellyfinConfig,
    JellyfinState,
    auth_header,
    sync_catalogue,
    track_from_dto,
)
from cache.jellyfin.auth import ClientIdentity
from cache.models import AlbumId, ItemId
from cache.schema import MIGRATIONS
from tests.fakes.jellyfin import FakeJellyfin


@dataclass
class Jf:
    fake: FakeJellyfin
    session: aiohttp.ClientSession
    state_dir: Path

    def client(self, **config: str) -> JellyfinClient:
        settings = {"username": "alice", "password": "secret", "device_name": "Kitchen Pi"} | config
        return JellyfinClient(
            JellyfinConfig(self.fake.url, **settings),  # type: ignore[arg-type]
            JellyfinState(self.state_dir),
            self.session,
        )


@pytest.fixture
async def jf(tmp_path: Path) -> AsyncIterator[Jf]:
    fake = FakeJellyfin()
    fake.add_user("alice", "secret")
    await fake.start()
    session = aiohttp.ClientSession()
    try:
        yield Jf(fake, session, tmp_path / "state")
    finally:
        await session.close()
        await fake.close()


def test_auth_header_url_encodes_values() -> None:
    header = auth_header(ClientIdentity("tape deck", "Kitchen, Pi", "abc", "1.0"), "t0k")
    assert header == (
        'MediaBrowser Client="tape%20deck", Device="Kitchen%2C%20Pi", DeviceId="abc", '
        'Version="1.0", Token="t0k"'
    )


async def test_login_keeps_device_id_and_a_private_token(
    jf: Jf, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = jf.client()
    await client.albums()
    login = jf.fake.logins[0]
    assert login["Device"] == "Kitchen Pi" and login["Client"] == "tapedeck"
    session_file = jf.state_dir / "session.json"
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    token = client._token
    assert token and token not in caplog.text and token not in repr(client)
    again = jf.client()  # a restart: same device id, saved token reused, no new login
    assert again.device_id == client.device_id
    await again.albums()
    assert len(jf.fake.logins) == 1


async def test_revoked_token_leads_to_one_relogin(jf: Jf) -> None:
    client = jf.client()
    await client.albums()
    jf.fake.sessions.clear()  # revoked on the server
    await asyncio.gather(client.albums(), client.albums(), client.albums())
    assert len(jf.fake.logins) == 2


async def test_bad_password_is_an_auth_error(jf: Jf) -> None:
    with pytest.raises(SourceAuthError):
        await jf.client(password="wrong").albums()


async def test_api_key_needs_no_login(jf: Jf) -> None:
    jf.fake.api_keys.add("k" * 32)
    client = jf.client(api_key="k" * 32, username="", password="")
    await client.albums()
    assert jf.fake.logins == []
    jf.fake.api_keys.clear()
    with pytest.raises(SourceAuthError):
        await client.albums()


async def test_fake_enforces_header_rules(jf: Jf) -> None:
    url = jf.fake.url
    body = {"Username": "alice", "Pw": "secret"}
    partial = 'MediaBrowser Client="c", Device="d", Version="1"'
    async with jf.session.post(
        f"{url}/Users/AuthenticateByName", json=body, headers={"Authorization": partial}
    ) as resp:
        assert resp.status == 400
    full = partial + ', DeviceId="x"'
    async with jf.session.post(
        f"{url}/Users/AuthenticateByName", json=body, headers={"Authorization": full}
    ) as resp:
        token = (await resp.json())["AccessToken"]
    assert len(token) == 32
    async with jf.session.get(f"{url}/Items", headers={"X-Emby-Token": token}) as resp:
        assert resp.status == 401  # legacy header is off in 12.0
    async with jf.session.get(f"{url}/Items", params={"api_key": token}) as resp:
        assert resp.status == 401
    async with jf.session.get(f"{url}/Items", params={"ApiKey": token}) as resp:
        assert resp.status == 200


async def test_album_tracks_are_converted_in_order(jf: Jf) -> None:
    album, tracks = jf.fake.add_album("Order", [100, 200, 300], discs=[2, 1, 1], container="mp3")
    client = jf.client()
    got = await client.album_tracks(AlbumId(album.id))
    assert [t.id for t in got] == [tracks[1].id, tracks[2].id, tracks[0].id]
    first = got[0]
    assert (first.disc_number, first.track_number, first.size, first.container) == (
        1,
        2,
        200,
        "mp3",
    )
    assert first.duration == 180.0 and first.album == "Order" and first.album_id == album.id
    assert (await client.track(ItemId(tracks[0].id))).size == 100
    with pytest.raises(SourceNotFoundError):
        await client.track(ItemId("0" * 32))
    found_tracks, found_albums = await client.search("orde")
    assert [a.id for a in found_albums] == [album.id] and found_tracks == []
    image, ctype = await client.image(album.id)
    assert ctype == "image/png" and image.startswith(b"\x89PNG")


async def test_stream_and_download_requests(jf: Jf) -> None:
    _album, (track,) = jf.fake.add_album("Stream", [5000])
    client = jf.client()
    async with jf.session.get(await client.stream_url(ItemId(track.id))) as resp:
        assert resp.status == 200 and await resp.read() == track.data()
    request = await client.download_request(ItemId(track.id))
    assert "api" not in request.url.lower()
    headers = dict(request.headers) | {"Range": "bytes=100-"}
    async with jf.session.get(request.url, headers=headers) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Range"] == "bytes 100-4999/5000"
        assert "ETag" not in resp.headers
        assert resp.headers["Content-Disposition"].startswith('attachment; filename="01 - Song 1')
        assert await resp.read() == track.data(100)
        last_modified = resp.headers["Last-Modified"]
    cases = [
        ({"Range": "bytes=0-1,5-9"}, 200, None),
        ({"Range": "bytes=5000-"}, 416, "bytes */5000"),
        ({"Range": "bytes=-10"}, 206, "bytes 4990-4999/5000"),
        ({"Range": "bytes=10-", "If-Range": last_modified}, 206, "bytes 10-4999/5000"),
        ({"Range": "bytes=10-", "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200, None),
        ({"Range": "bytes=10-", "If-Range": '"etag"'}, 200, None),
    ]
    for extra, status, content_range in cases:
        async with jf.session.get(request.url, headers=dict(request.headers) | extra) as resp:
            assert resp.status == status, extra
            assert resp.headers.get("Content-Range") == content_range


async def test_catalogue_sync_fills_tables_and_prunes(jf: Jf, tmp_path: Path) -> None:
    db = await open_db(tmp_path / "cache.db", MIGRATIONS)
    try:
        album, tracks = jf.fake.add_album("Kind of Blue", [10, 20])
        client = jf.client()
        result = await sync_catalogue(client, db, page_size=1)
        assert (result.albums, result.tracks) == (1, 2)
        async with db.execute("SELECT source, title, size FROM tracks ORDER BY title") as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
        assert rows == [("jellyfin", "Song 1", 10), ("jellyfin", "Song 2", 20)]
        async with db.execute(
            "SELECT t.id FROM tracks_fts JOIN tracks t ON t.rowid = tracks_fts.rowid "
            "WHERE tracks_fts MATCH 'kind'"
        ) as cur:
            assert len(list(await cur.fetchall())) == 2
        del jf.fake.tracks[tracks[1].id]
        await asyncio.sleep(0.002)  # seen_at has millisecond resolution
        result = await sync_catalogue(client, db)
        assert result.removed_tracks == 1
        assert album.id
    finally:
        await db.close()


def test_track_from_minimal_dto() -> None:
    track = track_from_dto({"Id": "a" * 32, "Name": "x", "RunTimeTicks": 25_000_000})
    assert (track.duration, track.size, track.container, track.album_id) == (2.5, 0, "bin", "")
