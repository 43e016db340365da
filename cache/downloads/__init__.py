"""Downloads: one model for every source, the manager and its scheduler, offline lookups, reconcile."""

from cache.downloads.announce import DownloadGate
from cache.downloads.manager import DownloadManager
from cache.downloads.models import (
    Download,
    DownloadConfig,
    DownloadEvent,
    DownloadEventKind,
    DownloadId,
    DownloadList,
    DownloadSink,
    DownloadStatus,
    Origin,
    WaitReason,
)
from cache.downloads.offline import OfflineLibrary
from cache.downloads.reconcile import ReconcileReport
from cache.downloads.source import DownloadRequest, FetchSource, TransferSource

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
    "DownloadSink",
    "DownloadStatus",
    "FetchSource",
    "OfflineLibrary",
    "Origin",
    "ReconcileReport",
    "TransferSource",
    "WaitReason",
]
