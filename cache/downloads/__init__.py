"""Downloads: the manager and its workers, the downloads table, offline lookups and reconcile."""

from cache.downloads.manager import DownloadGate, DownloadManager, EventSink
from cache.downloads.models import (
    Download,
    DownloadConfig,
    DownloadEvent,
    DownloadEventKind,
    DownloadId,
    DownloadList,
    DownloadStatus,
    Origin,
    WaitReason,
)
from cache.downloads.offline import OfflineLibrary
from cache.downloads.reconcile import ReconcileReport
from cache.downloads.source import DownloadRequest, MediaSource

__all__ = [
    "Download",
    "DownloadConfig",
    "DownloadEvent",
    "DownloadEventKind",
    "DownloadGate",
    "DownloadId",
    "DownloadList",
    "DownloadManager",
    "DownloadRequest",
    "DownloadStatus",
    "EventSink",
    "MediaSource",
    "OfflineLibrary",
    "Origin",
    "ReconcileReport",
    "WaitReason",
]
