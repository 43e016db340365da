"""The one download model of every source: id, states, the row, its events and the manager's config.

A source the manager fetches over HTTP (Jellyfin) and a source that transfers by itself (slskd) write
the same rows of the same table; a self-transferring source only adds what it knows of its transfer
(the `remote_*` columns) and, in events, a `speed` and an `eta`. The JSON of a row is made in one
place, player/web/wire.py; nothing here knows a wire format.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

from cache.events import CacheEvent, EventSink
from cache.models import Origin as Origin  # re-exported with the download types

DownloadId = NewType("DownloadId", int)

MIB = 1024 * 1024


class DownloadStatus(StrEnum):
    """The `downloads.status` values (api.md's Download.status)."""

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
    """Sentences for `wait_reason` that the download code itself produces."""

    DISK_FULL = "disk full"
    RETRYING = "retrying after a network error"
    AWAITING_LIBRARY = "waiting for the file to appear in Jellyfin"


@dataclass(frozen=True, slots=True)
class Download:
    """One row of the downloads table; `file_path` is relative to the cache directory.

    `remote_*`, `missing_polls` and `awaiting_library` are a self-transferring source's view of its
    transfer (empty for the rest). `can_pause` is not a column: the manager fills it in from the
    row's source whenever it hands a row out, so clients never guess from the source's name.
    """

    id: DownloadId
    item_id: str
    status: DownloadStatus
    source: str = ""
    user_id: str = ""
    origin: Origin = Origin.USER
    title: str = ""
    album: str = ""
    album_id: str = ""
    progress: float = 0.0
    bytes_downloaded: int = 0
    file_size: int | None = None
    file_path: str | None = None
    mime_type: str | None = None
    priority: int = 0
    error_message: str | None = None
    retry_count: int = 0
    queued_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    last_modified: str | None = None
    wait_reason: str | None = None
    remote_user: str = ""
    remote_filename: str = ""
    remote_transfer: str | None = None
    missing_polls: int = 0
    awaiting_library: bool = False  # the source finished; the file is to come from the library
    quality: str = "original"  # the kind of copy: "original" or a transcode profile ("opus:128")
    can_pause: bool = True


@dataclass(frozen=True, slots=True)
class DownloadEvent(CacheEvent):
    """One change of one download: `{"type": "download", "event": kind, "download": ...}` on the
    wire; `speed` (bytes/s) and `eta` (s) when the source reports them."""

    kind: DownloadEventKind
    download: Download
    speed: float | None = None
    eta: float | None = None


DownloadSink = EventSink[DownloadEvent]


@dataclass(frozen=True, slots=True)
class DownloadList:
    """A page of downloads and the counts of api.md's list route."""

    downloads: tuple[Download, ...]
    active_count: int
    queued_count: int
    total: int


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
