"""Station URLs to streams: .pls and .m3u read from a real local server, bounded, http(s) only;
and the pre-cacher's view of a queue never holds a station."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from cache.models import ItemId
from cache.planner.snapshot import Origin
from cache.precache.inputs import local_files, to_item
from player.radio.playlists import FetchLimits, StationUnreachable, entries, stream_url
from player.radio.stations import Station
from tests.radio_origin import RadioOrigin


@pytest.fixture
async def origin(tmp_path: Path) -> AsyncIterator[RadioOrigin]:
    station = RadioOrigin(b"\xff\xfb" * 1000)
    await station.start()
    yield station
    await station.stop()


async def test_pls_and_m3u_resolve_to_the_stream(origin: RadioOrigin) -> None:
    stream = f"{origin.base}/stream"
    assert await stream_url(f"{origin.base}/station.pls") == stream
    assert await stream_url(f"{origin.base}/station.m3u") == stream
    assert await stream_url(stream) == stream  # a stream is itself
    assert await stream_url("https://radio.example/live.m3u8") == "https://radio.example/live.m3u8"


def test_entries_keep_http_streams_only() -> None:
    m3u = "#EXTM3U\nfile:///etc/passwd\n/etc/shadow\nrelative/live\nhttp://a.example/x\n"
    assert entries(m3u, "http://b.example/list.m3u") == [  # paths are the server's, not ours
        "http://b.example/etc/shadow", "http://b.example/relative/live", "http://a.example/x",
    ]  # fmt: skip
    pls = "[Playlist]\nFile2=http://two.example/\nFile1=ftp://one.example/\nFile3=http://c/\n"
    assert entries(pls, "http://b.example/a.pls") == ["http://two.example/", "http://c/"]
    assert entries("[playlist]\nnot ini at all ===", "http://b/") == []


async def test_bad_playlists_are_unreachable_stations(aiohttp_server: object) -> None:
    async def big(_: web.Request) -> web.Response:
        return web.Response(text="[playlist]\n" + "x" * 100_000)

    async def empty(_: web.Request) -> web.Response:
        return web.Response(text="#EXTM3U\n")

    async def loop(request: web.Request) -> web.Response:
        return web.Response(text=f"{request.url}\n")

    app = web.Application()
    for path, handler in (("/big.pls", big), ("/empty.m3u", empty), ("/loop.m3u", loop)):
        app.router.add_get(path, handler)
    server = await aiohttp_server(app)  # type: ignore[operator]
    base = f"http://127.0.0.1:{server.port}"
    for path, why in (("/big.pls", "larger"), ("/empty.m3u", "names no"), ("/missing.pls", "404"),
                      ("/loop.m3u", "too deep")):  # fmt: skip
        with pytest.raises(StationUnreachable, match=why):
            await stream_url(base + path, FetchLimits(max_bytes=65536, timeout=5))


def test_the_precacher_never_fetches_a_station() -> None:
    radio = Station("s1", "Test FM", "http://127.0.0.1:9/stream").track()
    files = local_files((radio,))  # "there" already, with no bytes, kept by nobody's plan
    assert files[ItemId(radio.id)].size == 0 and files[ItemId(radio.id)].origin is Origin.USER
    assert to_item(radio).size == 0
