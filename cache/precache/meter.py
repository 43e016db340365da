"""Bytes fetched since the service started, and how many of them on a metered link (`GET
/api/v1/cache`): downloads and streams through the cache alike, counted from the download
manager's progress as it happens, each step on the link of that moment."""

from __future__ import annotations

from dataclasses import dataclass, field

from cache.downloads import DownloadEvent, DownloadEventKind

_FORGET = (DownloadEventKind.DELETED, DownloadEventKind.CANCELLED)
# A row picked up again reports the bytes it already had: where counting starts, not new bytes.
_BASELINE = (DownloadEventKind.QUEUED, DownloadEventKind.STARTED, DownloadEventKind.RESUMED)


@dataclass(slots=True)
class ByteMeter:
    downloaded: int = 0
    metered: int = 0
    _seen: dict[int, int] = field(default_factory=dict)  # bytes each row had at its last event

    def observe(self, event: DownloadEvent, metered: bool) -> int:
        """Count what `event`'s row fetched since its previous event; return that count."""
        row = event.download
        if event.kind in _FORGET:
            self._seen.pop(row.id, None)
            return 0
        now = row.bytes_downloaded
        before = self._seen.get(row.id)
        self._seen[row.id] = now
        if event.kind in _BASELINE or before is None:
            return 0
        step = now - before if now >= before else now  # a part started over from zero
        self.downloaded += step
        if metered:
            self.metered += step
        return step
