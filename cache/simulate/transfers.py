"""The simulated disk: files with (fractional) bytes, and the running transfers, which share the
network's bandwidth equally."""

from __future__ import annotations

from dataclasses import dataclass

from cache.models import ItemId
from cache.planner.snapshot import FileState, Item, Origin

DONE_EPSILON = 1e-3  # bytes; floating-point slack when a transfer finishes


@dataclass(slots=True)
class SimFile:
    """A file on the simulated disk."""

    item: Item
    origin: Origin
    fetched_at: float
    bytes: float = 0.0
    last_access: float = 0.0
    played: bool = False  # started while complete on disk

    @property
    def complete(self) -> bool:
        """Whether the whole file is there."""
        return self.bytes >= self.item.size

    def state(self, downloading: bool) -> FileState:
        """The planner's view of this file."""
        return FileState(
            self.item.id,
            self.item.size,
            min(self.item.size, int(self.bytes)),
            self.origin,
            self.fetched_at,
            self.last_access,
            self.played,
            downloading,
        )


class Disk:
    """The cache directory: files and the transfers that grow them. Which transfers run is the
    simulated downloader's choice (cache/simulate/downloader.py), made through the gate."""

    def __init__(self) -> None:
        self.files: dict[ItemId, SimFile] = {}
        self.running: list[ItemId] = []
        self.used = 0.0

    def start(self, item: Item, origin: Origin, now: float) -> None:
        """Run the transfer of `item` (a new file, or on from its partial bytes)."""
        if item.id not in self.files:
            self.files[item.id] = SimFile(item, origin, fetched_at=now)
        if item.id not in self.running:
            self.running.append(item.id)

    def stop(self, item_id: ItemId) -> None:
        """Stop a transfer; its partial bytes stay (a Range resume goes on from them)."""
        if item_id in self.running:
            self.running.remove(item_id)

    def remaining(self, item_id: ItemId, size: int) -> int:
        """Bytes still to write for a file of `size` bytes (all of them when there is none)."""
        f = self.files.get(item_id)
        return max(0, int(size - f.bytes + 0.999)) if f is not None else size

    def time_to_next_completion(self, bandwidth: float) -> float | None:
        """Seconds until the first running transfer finishes at `bandwidth`, or None."""
        if not self.running or bandwidth <= 0:
            return None
        rate = bandwidth / len(self.running)
        least = min(self._remaining(i) for i in self.running)
        return least / rate

    def advance(self, seconds: float, bandwidth: float) -> tuple[float, list[ItemId]]:
        """Progress every running transfer; return the bytes moved and the transfers that finished."""
        if not self.running or bandwidth <= 0 or seconds <= 0:
            return 0.0, []
        share = seconds * bandwidth / len(self.running)
        moved = 0.0
        finished: list[ItemId] = []
        for item_id in self.running:
            f = self.files[item_id]
            step = min(share, f.item.size - f.bytes)
            if f.item.size - f.bytes - share <= DONE_EPSILON:
                step = f.item.size - f.bytes
                finished.append(item_id)
            f.bytes += step
            moved += step
        self.used += moved
        self.running = [i for i in self.running if i not in finished]
        return moved, finished

    def delete(self, item_id: ItemId) -> SimFile | None:
        """Remove a file (and stop its transfer)."""
        f = self.files.pop(item_id, None)
        if f is not None:
            self.used -= f.bytes
            if item_id in self.running:
                self.running.remove(item_id)
        return f

    def snapshot_files(self) -> dict[ItemId, FileState]:
        """Every file as the planner sees it."""
        running = set(self.running)
        return {i: f.state(i in running) for i, f in self.files.items()}

    def _remaining(self, item_id: ItemId) -> float:
        f = self.files[item_id]
        return f.item.size - f.bytes
