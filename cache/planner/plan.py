"""The planner's output: what to fetch (in order), what to stop, what to delete, and why we wait."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cache.models import ItemId
from cache.planner.snapshot import Origin


class Reason(StrEnum):
    """Why an item is wanted."""

    QUEUE = "queue"
    ALBUM = "album_affinity"
    PIN = "pin"


class Wait(StrEnum):
    """Sentences for `wait_reason` / `Network.reason` (api.md)."""

    WIFI = "waiting for Wi-Fi"
    NETWORK = "waiting for a network"
    SERVER = "server unreachable"
    STORAGE = "storage limit reached"
    DISK = "disk almost full"


@dataclass(frozen=True, slots=True)
class Fetch:
    """Download `item_id`; lower `priority` numbers run first (the list is already in that order).
    A held fetch says what it waits for in `wait`."""

    item_id: ItemId
    priority: int
    reason: Reason
    origin: Origin = Origin.AUTO
    wait: Wait | None = None


@dataclass(frozen=True, slots=True)
class Cancel:
    """Stop a running download; the partial file stays on disk for a later Range resume."""

    item_id: ItemId
    reason: str


@dataclass(frozen=True, slots=True)
class Evict:
    """Delete the file (complete or partial) to make room or because nobody wants it."""

    item_id: ItemId
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    """`fetches` may run now, in order; `held` are wanted but wait for `wait_reason`."""

    fetches: tuple[Fetch, ...] = ()
    cancels: tuple[Cancel, ...] = ()
    evictions: tuple[Evict, ...] = ()
    held: tuple[Fetch, ...] = ()
    wait_reason: Wait | None = None
    recheck_after: float | None = None  # seconds; ask again even if nothing happens

    def fetch_ids(self) -> tuple[ItemId, ...]:
        """The item ids of `fetches`, in order."""
        return tuple(f.item_id for f in self.fetches)
