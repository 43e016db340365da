"""Rows staged for a scan: written only by `write`, in one upsert per table, and never carried
past the stage that holds them (a cancelled scan leaves nothing for the next one)."""

from __future__ import annotations

from typing import Any

import pytest

from cache.catalogue import Catalogue
from tests.cache.dbutil import total_changes


def _rows(n: int) -> tuple[list[Any], list[list[Any]]]:
    """An album row and `n` track rows, in the column order of cache.catalogue_rows."""
    album = ["alx", "local", "Album", '["Artist"]', 2001, None, "album"]
    tracks = [_track(i) for i in range(n)]
    return album, tracks


def _track(i: int) -> list[Any]:
    tags = [f"lt{i}", "local", "alx", f"Song {i}", "Album", '["Artist"]', "Artist", 1.5, i, 1]
    return [*tags, "flac", 10, 2001, None, None, f"Artist/Album/{i:02d}.flac", 7]


async def test_rows_are_written_by_write_only(catalogue: Catalogue) -> None:
    album, tracks = _rows(3)
    async with catalogue.staged() as stage:
        await stage.add([album], tracks[:2])
        await stage.add([album], tracks[2:])
        assert stage.staged == 3
        assert (await catalogue.local_index()).ids == {}
        await stage.write()
        assert stage.staged == 0
    assert sorted((await catalogue.local_index()).ids) == [
        f"Artist/Album/{i:02d}.flac" for i in range(3)
    ]
    albums, total = await catalogue.albums()
    assert total == 1 and albums[0].track_count == 3
    assert [t.title for t in (await catalogue.search("song 2"))[0]] == ["Song 2"]


async def test_an_unwritten_stage_is_dropped(catalogue: Catalogue) -> None:
    album, tracks = _rows(2)
    with pytest.raises(RuntimeError):
        async with catalogue.staged() as stage:
            await stage.add([album], tracks)
            raise RuntimeError("scan cancelled")
    async with catalogue.staged() as stage:
        await stage.write()  # nothing staged: nothing written
    assert (await catalogue.local_index()).ids == {}


async def test_an_unchanged_row_is_not_written_again(catalogue: Catalogue) -> None:
    album, tracks = _rows(2)
    changes = []
    for _ in range(2):
        async with catalogue.staged() as stage:
            await stage.add([album], tracks)
            before = await total_changes(catalogue.db)
            await stage.write()
            changes.append(await total_changes(catalogue.db) - before)
    # The first write inserted 1 album and 2 tracks; the second changed no catalogue row: what
    # it counts are the 3 staged rows it cleared from the (in-memory) staging tables.
    assert changes[1] == 3 and changes[0] > changes[1]
