"""Downloads: states, the Download object of api.md, events and the manager's configuration."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NewType

from cache.models import Origin as Origin  # re-exported with the download types

DownloadId = NewType("DownloadId", int)

MIB = 1024 * 1024


class DownloadStatus(StrEnum):
    PENDING = "pending"
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATES = (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING, DownloadStatus.PAUSED)


class DownloadEventKind(StrEnum):
    QUEUED = "queued"
    STARTED = "started"
    PROGRESS = "progress"
    COMPLETED = "completed"
    FAILED = "failed"
    PAUSED = "paused"
    RESUMED = "resumed"
    CANCELLED = "cancelled"
    DELETED = "deleted"


class WaitReason(StrEnum):
    """Sentences for `wait_reason` that the manager itself produces."""

    DISK_FULL = "disk full"
    RETRYING = "retrying after a network error"


@dataclass(frozen=True, slots=True)
class Download:
    """One row of the downloads table; `file_path` is relative to the cache directory."""

    id: DownloadId
    item_id: str
    user_id: str
    source: str
    origin: Origin
    title: str
    album: str
    album_id: str
    status: DownloadStatus
    progress: float
    bytes_downloaded: int
    file_size: int | None
    file_path: str | None
    mime_type: str | None
    priority: int
    error_message: str | None
    retry_count: int
    queued_at: str
    started_at: str | None
    completed_at: str | None
    last_modified: str | None
    wait_reason: str | None

    def to_json(self) -> dict[str, Any]:
        """Exactly api.md's Download object."""
        return {
            "id": self.id,
            "item_id": self.item_id,
            "user_id": self.user_id,
            "source": self.source,
            "origin": str(self.origin),
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
            "wait_reason": self.wait_reason,
        }


@dataclass(frozen=True, slots=True)
class DownloadEvent:
    """What the WebSocket sends as `{"type": "download", "event": kind, "download": download}`."""

    kind: DownloadEventKind
    download: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"type": "download", "event": str(self.kind), "download": self.download}


@dataclass(frozen=True, slots=True)
class DownloadList:
    """A page of downloads and the counts of api.md's list route."""

    downloads: tuple[Download, ...]
    active_count: int
    queued_count: int
    total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "downloads": [d.to_json() for d in self.downloads],
            "active_count": self.active_count,
            "queued_count": self.queued_count,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class DownloadConfig:
    """Timings and limits; every delay is a parameter so tests and the simulator scale time."""

    concurrency: int = 2
    retry_delays: tuple[float, ...] = (5.0, 15.0, 45.0)
    max_retries: int = 3
    max_retry_after: float = 300.0  # a server's Retry-After is obeyed up to this many seconds
    connect_timeout: float = 15.0
    read_timeout: float = 30.0  # no byte for this long mid-body counts as a stall
    progress_bytes: int = MIB
    progress_interval: float = 0.25  # at most 4 progress events per second per download
    chunk_size: int = 4 * MIB  # the most bytes handed to one write() call
