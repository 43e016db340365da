"""The downloads table: rows in, rows out, nothing else.

Every write is a single statement, which SQLite runs as one transaction. The connection is shared
with other parts of `cache` (the catalogue sync), so explicit BEGIN/COMMIT is avoided on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from cache.db import fetch_row, fetch_rows
from cache.downloads.models import Download, DownloadId, DownloadStatus, Origin
from cache.downloads.schema import REQUIRED_COLUMNS
from cache.quality import ORIGINAL

_UPDATABLE = frozenset(
    {
        "status",
        "progress",
        "bytes_downloaded",
        "file_size",
        "file_path",
        "mime_type",
        "priority",
        "error_message",
        "retry_count",
        "queued_at",
        "started_at",
        "completed_at",
        "origin",
        "last_modified",
        "last_access",
        "wait_reason",
        "cleared_at",
        "quality",
    }
)
# A person's downloads first (cache/gate.py starts them before any automatic one), so a long
# automatic queue never pushes them past `pending()`'s limit; then priority, then the oldest.
_QUEUE_ORDER = "origin != 'user', priority DESC, queued_at ASC, id ASC"


def now_iso() -> str:
    """UTC now in the table's format (ISO-8601, milliseconds, Z)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True, slots=True)
class NewDownload:
    """What a new row needs; the rest takes the table's defaults."""

    item_id: str
    user_id: str
    source: str
    origin: Origin
    title: str
    album: str
    album_id: str
    file_size: int | None
    file_path: str
    priority: int = 0
    quality: str = ORIGINAL


# slskd's "finished, waiting for the library" has no column of its own: a negative missing_polls
# (which a real count never is) marks it.
AWAITING_LIBRARY = -1


def row_of(row: aiosqlite.Row) -> Download:
    """A table row as the one Download type (every source's columns)."""
    missing = int(row["missing_polls"] or 0)
    transfer = row["remote_transfer"]
    return Download(
        id=DownloadId(row["id"]),
        item_id=row["item_id"],
        user_id=row["user_id"],
        source=row["source"],
        origin=Origin(row["origin"]),
        title=row["title"],
        album=row["album"],
        album_id=row["album_id"],
        status=DownloadStatus(row["status"]),
        progress=row["progress"],
        bytes_downloaded=row["bytes_downloaded"],
        file_size=row["file_size"],
        file_path=row["file_path"],
        mime_type=row["mime_type"],
        priority=row["priority"],
        error_message=row["error_message"],
        retry_count=row["retry_count"],
        queued_at=row["queued_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        last_modified=row["last_modified"],
        wait_reason=row["wait_reason"],
        quality=row["quality"] or ORIGINAL,
        remote_user=row["remote_user"] or "",
        remote_filename=row["remote_filename"] or "",
        remote_transfer=transfer or None,
        missing_polls=max(0, missing),
        awaiting_library=missing == AWAITING_LIBRARY,
    )


def _placeholders(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


class DownloadStore:
    """Typed access to the downloads table of cache.db."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def check_schema(self) -> None:
        """Fail early, and clearly, when the migration this module needs is missing."""
        columns = {row[1] for row in await fetch_rows(self._db, "PRAGMA table_info(downloads)")}
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise RuntimeError(
                f"cache.db lacks downloads columns {missing}: open it with cache.schema.MIGRATIONS"
            )

    async def _one(self, sql: str, params: Sequence[object] = ()) -> Download | None:
        row = await fetch_row(self._db, sql, params)
        return row_of(row) if row is not None else None

    async def _many(self, sql: str, params: Sequence[object] = ()) -> list[Download]:
        return [row_of(r) for r in await fetch_rows(self._db, sql, params)]

    async def insert(self, new: NewDownload) -> Download:
        """Add a pending row and return it."""
        row = await self._one(
            "INSERT INTO downloads (item_id, user_id, source, origin, title, album, album_id, "
            "file_size, file_path, priority, quality, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,'pending') "
            "RETURNING *",
            (
                *(new.item_id, new.user_id, new.source, new.origin.value, new.title),
                *(new.album, new.album_id, new.file_size, new.file_path, new.priority, new.quality),
            ),
        )
        assert row is not None  # RETURNING always yields the inserted row
        return row

    async def get(self, download_id: int) -> Download | None:
        return await self._one("SELECT * FROM downloads WHERE id = ?", (download_id,))

    async def get_by_item(self, item_id: str) -> Download | None:
        """The item's row that is not cancelled (at most one, by the unique index)."""
        return await self._one(
            "SELECT * FROM downloads WHERE item_id = ? AND status != 'cancelled'", (item_id,)
        )

    async def update(self, download_id: int, **fields: Any) -> Download | None:
        """Set columns of one row in one statement; returns the new row (None if it is gone)."""
        bad = set(fields) - _UPDATABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        values = [v.value if isinstance(v, DownloadStatus | Origin) else v for v in fields.values()]
        return await self._one(
            f"UPDATE downloads SET {assignments} WHERE id = ? RETURNING *",
            (*values, download_id),
        )

    async def delete(self, download_id: int) -> None:
        await self._db.execute("DELETE FROM downloads WHERE id = ?", (download_id,))

    async def with_status(self, statuses: Iterable[DownloadStatus]) -> list[Download]:
        """Every row in one of `statuses`, in queue order."""
        values = [s.value for s in statuses]
        return await self._many(
            f"SELECT * FROM downloads WHERE status IN ({_placeholders(values)}) "
            f"ORDER BY {_QUEUE_ORDER}",
            values,
        )

    async def pending(
        self, exclude: Iterable[int], sources: Iterable[str], limit: int = 200
    ) -> list[Download]:
        """The first `limit` pending rows of `sources` in queue order (a person's first, then
        priority DESC, queued_at ASC), but the ones in `exclude`: rows of a source that transfers by itself are never the
        manager's to fetch."""
        skip, names = list(exclude), list(sources)
        return await self._many(
            "SELECT * FROM downloads WHERE status = 'pending'"
            f" AND source IN ({_placeholders(names)}) AND id NOT IN ({_placeholders(skip)})"
            f" ORDER BY {_QUEUE_ORDER} LIMIT ?",
            [*names, *skip, limit],
        )

    async def page(
        self,
        statuses: Sequence[DownloadStatus] = (),
        origin: Origin | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[Download], int]:
        """Listed rows (not cleared) matching the filters, queue order first; and their total."""
        where, params = ["cleared_at IS NULL"], list[object]()
        if statuses:
            where.append(f"status IN ({_placeholders(statuses)})")
            params.extend(s.value for s in statuses)
        if origin is not None:
            where.append("origin = ?")
            params.append(origin.value)
        clause = " AND ".join(where)
        total_row = await fetch_row(
            self._db, f"SELECT COUNT(*) FROM downloads WHERE {clause}", params
        )
        rows = await self._many(
            f"SELECT * FROM downloads WHERE {clause} ORDER BY "
            "CASE status WHEN 'downloading' THEN 0 WHEN 'pending' THEN 1 WHEN 'paused' THEN 2 "
            f"ELSE 3 END, {_QUEUE_ORDER} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return rows, int(total_row[0]) if total_row else 0

    async def counts(self) -> tuple[int, int]:
        """(active_count, queued_count): rows downloading, rows pending."""
        row = await fetch_row(
            self._db, "SELECT SUM(status = 'downloading'), SUM(status = 'pending') FROM downloads"
        )
        return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)

    async def clear_completed(self) -> int:
        """Hide completed rows from the list; rows and files stay (they prove the offline copy)."""
        cursor = await self._db.execute(
            "UPDATE downloads SET cleared_at = ? WHERE status = 'completed' AND cleared_at IS NULL",
            (now_iso(),),
        )
        return cursor.rowcount

    async def file_paths(self) -> dict[str, Download]:
        """Every row that names a file, by its relative path."""
        rows = await self._many("SELECT * FROM downloads WHERE file_path IS NOT NULL")
        return {r.file_path: r for r in rows if r.file_path}
