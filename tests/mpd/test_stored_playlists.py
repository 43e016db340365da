"""MPD's stored playlists are the library's playlists: listed by name, read song by song, loaded
into the queue (whole, a range, at a position); an unknown name is ACK 50."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from cache.local.ids import track_id
from cache.models import PlaylistId, SourceKind
from cache.playlists import PlaylistRecord
from player.web.keys import SERVICES
from tests.mpd.conftest import Line
from tests.mpd.music import SONGS

Deck = tuple[TestClient[Any, Any], web.Application, int]
URIS = [f"{s.folder}/{s.name}" for s in SONGS]


def _fields(lines: list[str], key: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in lines if line.startswith(key + ": ")]


@pytest.fixture
async def mpd(deck: Deck) -> Any:
    picks = (URIS[2], URIS[0], URIS[2])
    same_name = (URIS[1],)
    await deck[1][SERVICES].media.playlists.upsert([
        PlaylistRecord(PlaylistId("lp1"), SourceKind.LOCAL, "Mix", tuple(map(track_id, picks))),
        PlaylistRecord(PlaylistId("lp2"), SourceKind.JELLYFIN, "Mix", tuple(map(track_id, same_name))),
    ])  # fmt: skip
    line = await Line.open(deck[2])
    yield line
    await line.close()


async def test_stored_playlists_list_read_and_load(mpd: Line) -> None:
    assert _fields(await mpd.command("listplaylists"), "playlist") == ["Mix", "Mix [jellyfin]"]
    assert _fields(await mpd.command("listplaylist Mix"), "file") == [URIS[2], URIS[0], URIS[2]]
    info = await mpd.command('listplaylistinfo "Mix [jellyfin]"')
    assert _fields(info, "file") == [URIS[1]] and _fields(info, "Title") == [SONGS[1].title]
    await mpd.command("clear")
    assert (await mpd.command("load Mix"))[-1] == "OK"
    assert (await mpd.command('load "Mix [jellyfin]" 0: 1'))[-1] == "OK"
    assert _fields(await mpd.command("playlistinfo"), "file") == [
        URIS[2],
        URIS[1],
        URIS[0],
        URIS[2],
    ]
    assert (await mpd.command("load Nothing"))[0].startswith("ACK [50@0] {load}")
    assert (await mpd.command("listplaylist Nothing"))[0].startswith("ACK [50@0]")
