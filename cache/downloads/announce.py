"""How rows leave the manager: as clients see them (the gate's reason for waiting, what the row's
source can do) and as typed events to the one sink."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Protocol

from cache.downloads.models import Download, DownloadEvent, DownloadEventKind, DownloadStatus
from cache.downloads.source import Sources
from cache.models import Origin

log = logging.getLogger(__name__)

EventSink = Callable[[DownloadEvent], None]


class DownloadGate(Protocol):
    """Says whether downloads of one origin may run now (the pre-cacher's network and disk policy).

    Per origin, because the limits differ: a user's explicit download may fill the cache past the
    automatic storage limit, and may use a metered network when the config allows it.
    """

    def wait_reason(self, origin: Origin) -> str | None:
        """None when downloads of `origin` may run, else a short sentence ("waiting for Wi-Fi")."""
        ...


class Announcer:
    """Views rows and publishes their events; the gate is read at every view."""

    def __init__(self, sources: Sources, on_event: EventSink | None) -> None:
        self._sources = sources
        self._on_event = on_event
        self.gate: DownloadGate | None = None

    def gate_reason(self, origin: Origin) -> str | None:
        return self.gate.wait_reason(origin) if self.gate is not None else None

    def view(self, row: Download) -> Download:
        """The row as clients see it: what its source can do, and for a queued row the manager
        fetches, the gate's reason for waiting."""
        caps = self._sources.capabilities(row.source)
        changes: dict[str, object] = {}
        if caps.can_pause != row.can_pause:
            changes["can_pause"] = caps.can_pause
        if caps.fetch and row.status == DownloadStatus.PENDING and row.wait_reason is None:
            reason = self.gate_reason(row.origin)
            if reason is not None:
                changes["wait_reason"] = reason
        return dataclasses.replace(row, **changes) if changes else row  # type: ignore[arg-type]

    def announce(self, kind: DownloadEventKind, row: Download) -> Download:
        """Publish one change; returns the row as viewed."""
        view = self.view(row)
        self.publish(DownloadEvent(kind, view))
        return view

    def feed(self, event: DownloadEvent) -> None:
        """An event of a source that transfers by itself, published like the manager's own."""
        self.publish(dataclasses.replace(event, download=self.view(event.download)))

    def publish(self, event: DownloadEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            log.exception("download event handler failed")
