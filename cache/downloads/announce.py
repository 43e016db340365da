"""How rows leave the manager: as clients see them (the gate's reason for waiting, what the row's
source can do) and as typed events to the one sink."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Protocol

from cache.contain import notify_all
from cache.downloads.models import (
    Download,
    DownloadEvent,
    DownloadEventKind,
    DownloadSink,
    DownloadStatus,
)
from cache.downloads.source import Sources
from cache.gate import Turn
from cache.models import Origin

log = logging.getLogger(__name__)


class DownloadGate(Protocol):
    """Says which downloads may run now (cache/gate.py: network, free-space floor, storage limit,
    concurrency), the same rules the simulator's downloader obeys.

    Per origin, because the limits differ: a user's explicit download may fill the cache past the
    automatic storage limit, and may use a metered network when the config allows it.
    """

    def wait_reason(self, origin: Origin, remaining: int = 0) -> str | None:
        """None when downloads of `origin` may run, else a short sentence ("waiting for Wi-Fi");
        a running download of an origin with a reason is put back in the queue. With `remaining`
        (the bytes a queued row has still to fetch), also why that row would not fit."""
        ...

    def turn(
        self, queued: Sequence[Download], running: Sequence[Download], slots: int
    ) -> Turn[Download]:
        """One scheduling turn over `queued` (in queue order) and `running` (in the order they
        started; streamed rows are not in either): the running automatic rows to put back in the
        queue because a queued person's download needs their room, and the queued rows that may
        start now beside the others, at most `slots` running in all (a person's first)."""
        ...


class Announcer:
    """Views rows and publishes their events; the gate is read at every view."""

    def __init__(self, sources: Sources, on_event: DownloadSink | None) -> None:
        self._sources = sources
        self._on_event = on_event
        self.gate: DownloadGate | None = None

    def gate_reason(self, origin: Origin, remaining: int = 0) -> str | None:
        return self.gate.wait_reason(origin, remaining) if self.gate is not None else None

    def turn(
        self, queued: Sequence[Download], running: Sequence[Download], slots: int
    ) -> Turn[Download]:
        """The gate's turn (without a gate: start all that fit the free slots, stop none)."""
        if self.gate is None:
            return Turn([], list(queued[: max(0, slots - len(running))]))
        return self.gate.turn(queued, running, slots)

    def view(self, row: Download) -> Download:
        """The row as clients see it: what its source can do, and for a queued row the manager
        fetches, the gate's reason for waiting."""
        caps = self._sources.capabilities(row.source)
        changes: dict[str, object] = {}
        if caps.can_pause != row.can_pause:
            changes["can_pause"] = caps.can_pause
        if caps.fetch and row.status == DownloadStatus.PENDING and row.wait_reason is None:
            remaining = max(0, (row.file_size or 0) - row.bytes_downloaded)
            reason = self.gate_reason(row.origin, remaining)
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
        if self._on_event is not None:
            notify_all((self._on_event,), event, "download event handler", log)
