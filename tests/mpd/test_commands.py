"""Commands the conformance script does not cover, on the in-process service."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from player.web.keys import SERVICES
from tests.mpd.conftest import Line
from tests.mpd.music import COVER_PNG, SONGS

Deck = tuple[TestClient[Any, Any], web.Application, int]
FIRST = f"{SONGS[0].folder}/{SONGS[0].name}"


def _fields(lines: list[str], key: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in lines if line.startswith(key + ": ")]


@pytest.fixture
async def mpd(deck: Deck) -> Any:
    line = await Line.open(deck[2])
    yield line
    await line.close()


async def test_virtual_folders_browse_albums_and_artists(mpd: Line) -> None:
    albums = await mpd.command("lsinfo Albums")
    assert _fields(albums, "directory") == ["Albums/First Album", "Albums/Second Album",
                                            "Albums/Strings"]  # fmt: skip
    songs = await mpd.command('lsinfo "Albums/Strings"')
    assert _fields(songs, "Title") == ["Bow", "Pluck", "Morning Dew"]
    artist = await mpd.command('lsinfo "Artists/Alpha Band"')
    assert _fields(artist, "directory") == ["Artists/Alpha Band/First Album",
                                            "Artists/Alpha Band/Second Album"]  # fmt: skip
    assert (await mpd.command('lsinfo "Artists/Nobody"'))[0].startswith("ACK [50@0] {lsinfo}")
    assert (await mpd.command('lsinfo "../etc"'))[0].startswith("ACK [50@0]")
    everything = await mpd.command("listall")
    assert len(_fields(everything, "file")) == len(SONGS)
    assert _fields(everything, "directory")[:2] == ["Alpha Band", "Alpha Band/First Album"]
    assert len(_fields(await mpd.command('listallinfo "Cello Trio"'), "Title")) == 3
    assert (await mpd.command('add "Albums/Strings"'))[-1] == "OK"
    assert len(_fields(await mpd.command("playlistinfo"), "file")) == 3


async def test_queue_editing_commands(mpd: Line, deck: Deck) -> None:
    assert (await mpd.command('add "Alpha Band"'))[-1] == "OK"  # 5 songs
    ids = _fields(await mpd.command("playlistid"), "Id")
    assert (await mpd.command("play 1")) == ["OK"]
    added = await mpd.command(f'addid "{FIRST}" +0')  # right after the current song
    assert _fields(await mpd.command("playlistinfo 2"), "Id") == _fields(added, "Id")
    assert (await mpd.command("swap 0 4")) == ["OK"]
    assert (await mpd.command(f"swapid {ids[0]} {ids[3]}")) == ["OK"]  # back again
    assert _fields(await mpd.command("playlistinfo 0"), "Id") == [ids[0]]
    assert (await mpd.command("delete 3:5")) == ["OK"]
    assert (await mpd.command(f"deleteid {ids[0]}")) == ["OK"]
    assert (await mpd.command(f"moveid {ids[1]} 0")) == ["OK"]
    assert len(_fields(await mpd.command("playlistinfo"), "file")) == 3
    assert (await mpd.command("delete 99"))[0].startswith("ACK [2@0] {delete}")
    assert (await mpd.command("playid 999"))[0].startswith("ACK [50@0] {playid}")
    assert (await mpd.command("seekcur +2")) == ["OK"]
    status = await mpd.command("status")
    assert float(_fields(status, "elapsed")[0]) >= 2.0


async def test_options_outputs_and_tags(mpd: Line, deck: Deck) -> None:
    svc = deck[1][SERVICES]
    assert (await mpd.command("single 1")) == ["OK"]
    assert str(svc.controller.repeat) == "one"
    status = await mpd.command("status")
    assert _fields(status, "repeat") == ["1"] and _fields(status, "single") == ["1"]
    assert (await mpd.command("single 0")) == ["OK"] and str(svc.controller.repeat) == "all"
    assert (await mpd.command("consume 1"))[0].startswith("ACK [2@0] {consume}")
    assert (await mpd.command("single oneshot"))[0].startswith("ACK [2@0] {single}")
    assert (await mpd.command("disableoutput 0")) == ["OK"] and svc.controller.muted
    assert _fields(await mpd.command("outputs"), "outputenabled") == ["0"]
    assert (await mpd.command("toggleoutput 0")) == ["OK"] and not svc.controller.muted
    assert (await mpd.command("enableoutput 3"))[0].startswith("ACK [50@0]")
    assert (await mpd.command("tagtypes disable Artist Genre")) == ["OK"]
    song = await mpd.command(f'lsinfo "{FIRST}"')
    assert "Artist: Alpha Band" not in song and "Title: Morning" in song
    assert (await mpd.command("tagtypes disable Nonsense"))[0].startswith("ACK [2@0]")
    assert (await mpd.command("tagtypes clear")) == ["OK"]
    assert (await mpd.command("tagtypes")) == ["OK"]


async def test_album_art_comes_in_chunks(mpd: Line) -> None:
    assert (await mpd.command("binarylimit 64")) == ["OK"]
    data = b""
    while True:
        await mpd.send(f'albumart "{FIRST}" {len(data)}')
        size = int((await mpd.reader.readline()).split(b": ")[1])
        length = int((await mpd.reader.readline()).split(b": ")[1])
        data += await mpd.reader.readexactly(length)
        assert await mpd.reader.readexactly(4) == b"\nOK\n"
        if len(data) >= size:
            break
    assert data == COVER_PNG
    bare = f"{SONGS[5].folder}/{SONGS[5].name}"  # Strings has no cover
    assert (await mpd.command(f'readpicture "{bare}" 0')) == ["OK"]
    assert (await mpd.command(f'albumart "{bare}" 0'))[0].startswith("ACK [50@0] {albumart}")
    assert (await mpd.command(f'albumart "{FIRST}" 9999'))[0].startswith("ACK [2@0]")


async def test_update_is_announced_to_idlers(deck: Deck) -> None:
    watcher, actor = await Line.open(deck[2]), await Line.open(deck[2])
    try:
        await watcher.send("idle update database")
        await asyncio.sleep(0.05)
        answer = await actor.command("update")
        assert _fields(answer, "updating_db") == ["1"]
        assert "changed: update" in await asyncio.wait_for(watcher.answer(), 5)
        for _ in range(100):
            if not _fields(await actor.command("status"), "updating_db"):
                break
            await asyncio.sleep(0.05)
        assert _fields(await actor.command("status"), "updating_db") == []
        stats = await actor.command("stats")
        assert _fields(stats, "songs") == [str(len(SONGS))] and _fields(stats, "albums") == ["3"]
    finally:
        await watcher.close()
        await actor.close()


async def test_close_hangs_up_without_an_answer(mpd: Line) -> None:
    assert _fields(await mpd.command("commands"), "command")[:3] == ["add", "addid", "albumart"]
    assert _fields(await mpd.command("notcommands"), "command") == []
    await mpd.send("noidle")  # not idle: ignored, so the next answer is ping's
    assert await mpd.command("ping") == ["OK"]
    await mpd.send("close")
    assert await asyncio.wait_for(mpd.reader.read(), 5) == b""
