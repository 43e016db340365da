"""The periodic Jellyfin sync reads the catalogue only when the server reports a change."""

from __future__ import annotations

import time

import aiosqlite

from cache.jellyfin.freshness import load_mark, refresh_catalogue
from tests.cache.dbutil import total_changes
from tests.cache.jellyfin.test_jf_client import Jf
from tests.fakes.jellyfin import FakeJellyfin


def _item_requests(fake: FakeJellyfin) -> int:
    return sum(1 for _, path in fake.requests if path == "/Items")


def _saved_long_ago(fake: FakeJellyfin) -> None:
    """Every item last saved in 2000 (the server's DateLastSaved), long before any sync here."""
    for item in [*fake.tracks.values(), *fake.albums.values()]:
        item.saved = item.saved.replace(year=2000)


async def test_an_unchanged_server_costs_two_empty_requests_and_no_writes(
    jf: Jf, fresh_db: aiosqlite.Connection
) -> None:
    fake = jf.fake
    fake.add_album("Kind of Blue", [10, 20])
    _saved_long_ago(fake)
    client = jf.client()
    first = await refresh_catalogue(client, fresh_db)
    assert first is not None and first.tracks == 2
    assert (await load_mark(fresh_db)) is not None
    requests, changes = _item_requests(fake), await total_changes(fresh_db)
    assert await refresh_catalogue(client, fresh_db) is None
    assert _item_requests(fake) == requests + 2
    assert await total_changes(fresh_db) == changes


async def test_an_addition_an_edit_or_a_removal_brings_a_full_sync(
    jf: Jf, fresh_db: aiosqlite.Connection
) -> None:
    fake = jf.fake
    _, tracks = fake.add_album("Kind of Blue", [10, 20])
    _saved_long_ago(fake)
    client = jf.client()
    # The device's clock an hour behind the server's: still within the margin, so nothing is missed.
    behind = lambda: time.time() - 3600  # noqa: E731
    assert await refresh_catalogue(client, fresh_db) is not None
    fake.change_file(tracks[0].id, new_size=11)
    assert await refresh_catalogue(client, fresh_db) is not None
    _saved_long_ago(fake)
    fake.add_album("Giant Steps", [30])
    assert await refresh_catalogue(client, fresh_db, clock=behind) is not None
    _saved_long_ago(fake)
    assert await refresh_catalogue(client, fresh_db) is None
    del fake.tracks[tracks[1].id]  # a removal leaves no saved item behind: the count tells
    result = await refresh_catalogue(client, fresh_db)
    assert result is not None and result.removed_tracks == 1


async def test_a_full_sync_comes_when_due_even_without_changes(
    jf: Jf, fresh_db: aiosqlite.Connection
) -> None:
    jf.fake.add_album("Kind of Blue", [10])
    _saved_long_ago(jf.fake)
    client = jf.client()
    now = [time.time()]
    clock = lambda: now[0]  # noqa: E731
    await refresh_catalogue(client, fresh_db, full_every=100.0, clock=clock)
    now[0] += 50
    assert await refresh_catalogue(client, fresh_db, full_every=100.0, clock=clock) is None
    now[0] += 60
    assert await refresh_catalogue(client, fresh_db, full_every=100.0, clock=clock) is not None
