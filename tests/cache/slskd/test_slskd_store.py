"""One contract for both stores: the in-memory one and the one over cache.db's downloads table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cache.db import open_db
from cache.downloads import DownloadStatus
from cache.schema import MIGRATIONS
from cache.slskd.sqlite_store import SqliteStore
from cache.slskd.store import Change, MemoryStore, NewTransfer, SlskdDownloadStore
from cache.slskd.wire import TransferId

NEW = NewTransfer("peer", "@@s\\Music\\Album\\01 - Song.flac", 1234, TransferId("t1"))


@pytest.fixture(params=["memory", "sqlite"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[SlskdDownloadStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    conn = await open_db(tmp_path / "cache.db", MIGRATIONS)
    try:
        yield SqliteStore(conn)
    finally:
        await conn.close()


async def test_add_records_a_pending_row(store: SlskdDownloadStore) -> None:
    row = await store.add(NEW)
    assert row.status is DownloadStatus.PENDING
    assert (row.remote_user, row.remote_filename, row.remote_transfer) == (
        "peer",
        NEW.remote_filename,
        "t1",
    )
    assert (row.title, row.album, row.file_size) == ("01 - Song", "Album", 1234)
    assert len(row.item_id) == 32
    assert [r.id for r in await store.followed()] == [row.id]
    assert await store.add(NEW) == row  # the same file again: the existing row


async def test_update_is_compare_and_set(store: SlskdDownloadStore) -> None:
    row = await store.add(NEW)
    change = Change(status=DownloadStatus.DOWNLOADING, progress=0.5, bytes_downloaded=617)
    moved = await store.update(row.id, DownloadStatus.PENDING, change)
    assert (
        moved is not None and moved.status is DownloadStatus.DOWNLOADING and moved.progress == 0.5
    )
    stale = await store.update(row.id, DownloadStatus.PENDING, Change(status=DownloadStatus.FAILED))
    assert stale is None
    current = await store.get(row.id)
    assert current is not None and current.status is DownloadStatus.DOWNLOADING


async def test_clearing_and_awaiting_library(store: SlskdDownloadStore) -> None:
    row = await store.add(NEW)
    step = Change(remote_transfer=TransferId(""), error_message="why", missing_polls=2)
    cleared = await store.update(row.id, DownloadStatus.PENDING, step)
    assert cleared is not None
    assert (cleared.remote_transfer, cleared.error_message, cleared.missing_polls) == (
        None,
        "why",
        2,
    )
    cleared = await store.update(row.id, DownloadStatus.PENDING, Change(error_message=""))
    assert cleared is not None and cleared.error_message is None
    waiting = await store.update(row.id, DownloadStatus.PENDING, Change(awaiting_library=True))
    assert waiting is not None and waiting.awaiting_library
    assert waiting.wait_reason
    assert await store.followed() == []


async def test_failed_row_is_reset_on_re_add(store: SlskdDownloadStore) -> None:
    row = await store.add(NEW)
    change = Change(status=DownloadStatus.FAILED, retry_count=2, error_message="x")
    await store.update(row.id, DownloadStatus.PENDING, change)
    again = await store.add(NewTransfer("peer", NEW.remote_filename, 1234, TransferId("t2")))
    assert again.id == row.id
    assert (again.status, again.retry_count, again.remote_transfer) == (
        DownloadStatus.PENDING,
        0,
        "t2",
    )
    assert again.error_message is None


async def test_completed_records_path(store: SlskdDownloadStore) -> None:
    row = await store.add(NEW)
    change = Change(
        status=DownloadStatus.COMPLETED, file_path="media/slskd/ab/x.flac", progress=1.0
    )
    done = await store.update(row.id, DownloadStatus.PENDING, change)
    assert done is not None and done.file_path == "media/slskd/ab/x.flac"
    assert await store.followed() == []
