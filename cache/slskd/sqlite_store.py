"""`SlskdDownloadStore` over cache.db's `downloads` table: the rows of this source, read as the one
Download row type (cache.downloads.store.row_of)."""

from __future__ import annotations

import sqlite3
from typing import Any

import aiosqlite

from cache.db import fetch_row, fetch_rows
from cache.downloads.models import Download, DownloadId, DownloadStatus
from cache.downloads.store import AWAITING_LIBRARY, row_of
from cache.slskd.store import AWAITING_LIBRARY_REASON, SOURCE, Change, NewTransfer

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


class SqliteStore:
    """Reads and writes slskd downloads in cache.db; every update is one atomic statement."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def followed(self) -> list[Download]:
        sql = (
            "SELECT * FROM downloads WHERE source = ? AND status IN ('pending', 'downloading')"
            " AND missing_polls >= 0 ORDER BY id"
        )
        return [row_of(r) for r in await fetch_rows(self._conn, sql, (SOURCE,))]

    async def awaiting(self) -> list[Download]:
        """Rows slskd finished whose file could not be read here: they wait for Jellyfin."""
        sql = (
            "SELECT * FROM downloads WHERE source = ? AND status IN ('pending', 'downloading')"
            " AND missing_polls = ? ORDER BY id"
        )
        return [row_of(r) for r in await fetch_rows(self._conn, sql, (SOURCE, AWAITING_LIBRARY))]

    async def get(self, download_id: DownloadId) -> Download | None:
        sql = "SELECT * FROM downloads WHERE id = ? AND source = ?"
        row = await fetch_row(self._conn, sql, (download_id, SOURCE))
        return row_of(row) if row is not None else None

    async def add(self, new: NewTransfer) -> Download:
        existing = await self._live(new.item_id)
        if existing is not None:
            return await self._reuse(existing, new)
        sql = (
            "INSERT INTO downloads (item_id, user_id, source, origin, title, album, album_id,"
            " status, file_size, remote_user, remote_filename, remote_transfer)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING *"
        )
        args = (
            new.item_id, new.user_id, SOURCE, new.origin.value, new.title, new.album, new.album_id,
            new.file_size, new.remote_user, new.remote_filename, new.remote_transfer,
        )  # fmt: skip
        try:
            row = await fetch_row(self._conn, sql, args)
        except sqlite3.IntegrityError:
            # Someone recorded the same file between our look and our insert: use theirs.
            raced = await self._live(new.item_id)
            if raced is None:
                raise
            return raced
        assert row is not None
        return row_of(row)

    async def _live(self, item_id: str) -> Download | None:
        sql = "SELECT * FROM downloads WHERE item_id = ? AND status != 'cancelled' LIMIT 1"
        row = await fetch_row(self._conn, sql, (item_id,))
        return row_of(row) if row is not None else None

    async def _reuse(self, row: Download, new: NewTransfer) -> Download:
        if row.status != DownloadStatus.FAILED:
            return row
        change = Change(
            status=DownloadStatus.PENDING, remote_transfer=new.remote_transfer, file_size=new.file_size,
            bytes_downloaded=0, progress=0.0, missing_polls=0, retry_count=0, error_message="",
        )  # fmt: skip
        updated = await self.update(row.id, DownloadStatus.FAILED, change)
        return updated if updated is not None else row

    async def update(
        self, download_id: DownloadId, expected: DownloadStatus, change: Change
    ) -> Download | None:
        sets, args = _set_clause(change)
        if not sets:
            current = await self.get(download_id)
            return current if current is not None and current.status == expected else None
        sql = (
            f"UPDATE downloads SET {', '.join(sets)}"
            " WHERE id = ? AND status = ? AND source = ? RETURNING *"
        )
        row = await fetch_row(self._conn, sql, (*args, download_id, str(expected), SOURCE))
        return row_of(row) if row is not None else None


def _set_clause(change: Change) -> tuple[list[str], list[Any]]:
    plain = {
        "progress": change.progress,
        "bytes_downloaded": change.bytes_downloaded,
        "file_size": change.file_size,
        "missing_polls": change.missing_polls,
        "retry_count": change.retry_count,
        "file_path": change.file_path,
    }
    if change.awaiting_library is not None:
        del plain["missing_polls"]  # the marker below owns the column (the reconciler sends both)
    sets = [f"{col} = ?" for col, value in plain.items() if value is not None]
    args: list[Any] = [value for value in plain.values() if value is not None]
    for col, text in (
        ("error_message", change.error_message),
        ("remote_transfer", change.remote_transfer),
    ):
        if text is not None:  # "" clears the column
            sets.append(f"{col} = ?")
            args.append(text or None)
    if change.awaiting_library is not None:
        # The download list reads wait_reason: a row waiting for Jellyfin says so there too.
        sets.append("wait_reason = ?")
        args.append(AWAITING_LIBRARY_REASON if change.awaiting_library else None)
        sets.append("missing_polls = ?")
        args.append(AWAITING_LIBRARY if change.awaiting_library else 0)
    if change.status is not None:
        sets.append("status = ?")
        args.append(str(change.status))
        if change.status == DownloadStatus.DOWNLOADING:
            sets.append(f"started_at = COALESCE(started_at, {_NOW})")
        if change.status == DownloadStatus.COMPLETED:
            sets.append(f"completed_at = {_NOW}")
    return sets, args
