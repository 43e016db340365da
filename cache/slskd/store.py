"""What the tracker needs from storage (a Protocol), its row type, and an in-memory implementation."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NewType, Protocol

from cache.slskd.wire import TransferId, remote_basename, remote_parent

DownloadId = NewType("DownloadId", int)


class DownloadStatus(StrEnum):
    """The `downloads.status` values (api.md's Download.status)."""

    PENDING = "pending"
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FOLLOWED = (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING)
AWAITING_LIBRARY_REASON = "waiting for the file to appear in Jellyfin"


def slskd_item_id(username: str, remote_filename: str) -> str:
    """A stable, opaque item id for a peer's file (32 hex digits, like Jellyfin's)."""
    digest = hashlib.sha256(f"slskd\0{username}\0{remote_filename}".encode())
    return digest.hexdigest()[:32]


def slskd_album_id(username: str, remote_directory: str) -> str:
    """The album of a peer's file: its directory (how candidates are grouped too); "s" + hex."""
    digest = hashlib.sha256(f"slskd-album\0{username}\0{remote_directory}".encode())
    return "s" + digest.hexdigest()[:23]


@dataclass(frozen=True, slots=True)
class NewDownload:
    """A file just enqueued at slskd, to be recorded and followed."""

    remote_user: str
    remote_filename: str
    file_size: int
    remote_transfer: TransferId | None = None
    origin: str = "user"
    user_id: str = ""

    @property
    def item_id(self) -> str:
        return slskd_item_id(self.remote_user, self.remote_filename)

    @property
    def title(self) -> str:
        name = remote_basename(self.remote_filename)
        return name.rpartition(".")[0] or name

    @property
    def album(self) -> str:
        return remote_basename(remote_parent(self.remote_filename))

    @property
    def album_id(self) -> str:
        return slskd_album_id(self.remote_user, remote_parent(self.remote_filename))


@dataclass(frozen=True, slots=True)
class TrackedDownload:
    """A `downloads` row with source 'slskd', as the tracker sees it."""

    id: DownloadId
    item_id: str
    remote_user: str
    remote_filename: str
    remote_transfer: TransferId | None
    status: DownloadStatus
    file_size: int | None = None
    bytes_downloaded: int = 0
    progress: float = 0.0
    missing_polls: int = 0
    retry_count: int = 0
    error_message: str | None = None
    file_path: str | None = None  # relative to cache_dir once landed
    awaiting_library: bool = (
        False  # slskd finished, the file is not readable here: wait for Jellyfin
    )
    title: str = ""
    album: str = ""
    origin: str = "user"
    user_id: str = ""
    album_id: str = ""
    priority: int = 0
    queued_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """api.md's Download object, with `source: "slskd"`."""
        return {
            "id": self.id,
            "item_id": self.item_id,
            "user_id": self.user_id,
            "source": "slskd",
            "origin": self.origin,
            "title": self.title,
            "album": self.album,
            "album_id": self.album_id,
            "status": str(self.status),
            "progress": self.progress,
            "bytes_downloaded": self.bytes_downloaded,
            "file_size": self.file_size,
            "priority": self.priority,
            "error_message": self.error_message,
            "retry_count": self.retry_count,
            "queued_at": self.queued_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "wait_reason": AWAITING_LIBRARY_REASON if self.awaiting_library else None,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """Fields to set on a row; None leaves a field alone ("" clears error_message / remote_transfer)."""

    status: DownloadStatus | None = None
    progress: float | None = None
    bytes_downloaded: int | None = None
    file_size: int | None = None
    remote_transfer: TransferId | None = None
    missing_polls: int | None = None
    retry_count: int | None = None
    error_message: str | None = None
    file_path: str | None = None
    awaiting_library: bool | None = None


class SlskdDownloadStore(Protocol):
    """Storage for slskd downloads; `update` is a compare-and-set on the status, so it is atomic."""

    async def followed(self) -> list[TrackedDownload]:
        """Rows to poll for: pending or downloading, not yet handed to the library."""
        ...

    async def get(self, download_id: DownloadId) -> TrackedDownload | None:
        """One row, whatever its state."""
        ...

    async def add(self, new: NewDownload) -> TrackedDownload:
        """Record an enqueued file; an existing live row for the same file is returned (a failed one reset)."""
        ...

    async def update(
        self, download_id: DownloadId, expected: DownloadStatus, change: Change
    ) -> TrackedDownload | None:
        """Apply `change` if the row still has status `expected`; None when it moved on meanwhile."""
        ...


def apply_change(row: TrackedDownload, change: Change) -> TrackedDownload:
    """The row after `change` (shared by the in-memory store and tests)."""
    fields = {f.name: getattr(change, f.name) for f in dataclasses.fields(change)}
    updates = {k: v for k, v in fields.items() if v is not None}
    for name in ("error_message", "remote_transfer"):
        if updates.get(name) == "":
            updates[name] = None
    return dataclasses.replace(row, **updates)


class MemoryStore:
    """An in-memory `SlskdDownloadStore` for tests and the simulator."""

    def __init__(self) -> None:
        self.rows: dict[DownloadId, TrackedDownload] = {}
        self._next = 1

    async def followed(self) -> list[TrackedDownload]:
        return [r for r in self.rows.values() if r.status in FOLLOWED and not r.awaiting_library]

    async def get(self, download_id: DownloadId) -> TrackedDownload | None:
        return self.rows.get(download_id)

    async def add(self, new: NewDownload) -> TrackedDownload:
        for row in self.rows.values():
            if row.item_id == new.item_id and row.status != DownloadStatus.CANCELLED:
                if row.status != DownloadStatus.FAILED:
                    return row
                return self._put(_reset(row, new))
        row = TrackedDownload(
            id=DownloadId(self._next),
            item_id=new.item_id,
            remote_user=new.remote_user,
            remote_filename=new.remote_filename,
            remote_transfer=new.remote_transfer,
            status=DownloadStatus.PENDING,
            file_size=new.file_size,
            title=new.title,
            album=new.album,
            origin=new.origin,
            user_id=new.user_id,
            album_id=new.album_id,
        )
        self._next += 1
        return self._put(row)

    async def update(
        self, download_id: DownloadId, expected: DownloadStatus, change: Change
    ) -> TrackedDownload | None:
        row = self.rows.get(download_id)
        if row is None or row.status != expected:
            return None
        return self._put(apply_change(row, change))

    def _put(self, row: TrackedDownload) -> TrackedDownload:
        self.rows[row.id] = row
        return row


def _reset(row: TrackedDownload, new: NewDownload) -> TrackedDownload:
    return dataclasses.replace(
        row,
        status=DownloadStatus.PENDING,
        remote_transfer=new.remote_transfer,
        file_size=new.file_size,
        bytes_downloaded=0,
        progress=0.0,
        missing_polls=0,
        retry_count=0,
        error_message=None,
        awaiting_library=False,
    )
