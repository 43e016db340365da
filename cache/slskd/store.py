"""What the tracker needs from storage (a Protocol over the one Download row), and an in-memory store."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Protocol

from cache.downloads.models import Download, DownloadId, DownloadStatus, Origin, WaitReason
from cache.models import SourceKind
from cache.slskd.wire import TransferId, remote_basename, remote_parent

SOURCE = SourceKind.SLSKD.value  # the `source` of the rows this package writes
FOLLOWED = (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING)
AWAITING_LIBRARY_REASON = WaitReason.AWAITING_LIBRARY.value


def transfer_of(row: Download) -> TransferId | None:
    """The slskd transfer a row last knew of."""
    return TransferId(row.remote_transfer) if row.remote_transfer else None


def slskd_item_id(username: str, remote_filename: str) -> str:
    """A stable, opaque item id for a peer's file (32 hex digits, like Jellyfin's)."""
    digest = hashlib.sha256(f"slskd\0{username}\0{remote_filename}".encode())
    return digest.hexdigest()[:32]


def slskd_album_id(username: str, remote_directory: str) -> str:
    """The album of a peer's file: its directory (how candidates are grouped too); "s" + hex."""
    digest = hashlib.sha256(f"slskd-album\0{username}\0{remote_directory}".encode())
    return "s" + digest.hexdigest()[:23]


@dataclass(frozen=True, slots=True)
class NewTransfer:
    """A file just enqueued at slskd, to be recorded and followed."""

    remote_user: str
    remote_filename: str
    file_size: int
    remote_transfer: TransferId | None = None
    origin: Origin = Origin.USER
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

    async def followed(self) -> list[Download]:
        """Rows to poll for: pending or downloading, not yet handed to the library."""
        ...

    async def get(self, download_id: DownloadId) -> Download | None:
        """One row, whatever its state."""
        ...

    async def add(self, new: NewTransfer) -> Download:
        """Record an enqueued file; an existing live row for the same file is returned (a failed one reset)."""
        ...

    async def update(
        self, download_id: DownloadId, expected: DownloadStatus, change: Change
    ) -> Download | None:
        """Apply `change` if the row still has status `expected`; None when it moved on meanwhile."""
        ...


def apply_change(row: Download, change: Change) -> Download:
    """The row after `change` (shared by the in-memory store and tests)."""
    fields = {f.name: getattr(change, f.name) for f in dataclasses.fields(change)}
    updates = {k: v for k, v in fields.items() if v is not None}
    for name in ("error_message", "remote_transfer"):
        if updates.get(name) == "":
            updates[name] = None
    if change.awaiting_library is not None:
        # The download list reads wait_reason: a row waiting for Jellyfin says so there too.
        updates["wait_reason"] = AWAITING_LIBRARY_REASON if change.awaiting_library else None
    return dataclasses.replace(row, **updates)


class MemoryStore:
    """An in-memory `SlskdDownloadStore` for tests and the simulator."""

    def __init__(self) -> None:
        self.rows: dict[DownloadId, Download] = {}
        self._next = 1

    async def followed(self) -> list[Download]:
        return [r for r in self.rows.values() if r.status in FOLLOWED and not r.awaiting_library]

    async def get(self, download_id: DownloadId) -> Download | None:
        return self.rows.get(download_id)

    async def add(self, new: NewTransfer) -> Download:
        for row in self.rows.values():
            if row.item_id == new.item_id and row.status != DownloadStatus.CANCELLED:
                if row.status != DownloadStatus.FAILED:
                    return row
                return self._put(_reset(row, new))
        row = Download(
            id=DownloadId(self._next),
            item_id=new.item_id,
            source=SOURCE,
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
    ) -> Download | None:
        row = self.rows.get(download_id)
        if row is None or row.status != expected:
            return None
        return self._put(apply_change(row, change))

    def _put(self, row: Download) -> Download:
        self.rows[row.id] = row
        return row


def _reset(row: Download, new: NewTransfer) -> Download:
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
