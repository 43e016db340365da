"""The play queue as pure data: no I/O, no asyncio, owned by the PlayerController."""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cache.models import Track
from player.playback.entry import Entry, EntryId

_RANGE_HISTORY = 256  # changes whose ranges are kept to answer "what changed since" cheaply


class Repeat(StrEnum):
    OFF = "off"
    ALL = "all"
    ONE = "one"


class QueueError(LookupError):
    """A queue operation named an entry or index that is not there."""


@dataclass(frozen=True, slots=True)
class QueueChange:
    """What one queue change did, to send as a change rather than the whole queue.

    `added` are the inserted entries, one block from position `added_at` in the new order
    (`inserted` pairs them with their positions); `removed` the entry ids that left;
    `moved` (entry id, new position) of entries moved on purpose (not those shifted by an insert
    or a removal). `reordered` is set when the whole order may have changed (shuffle, restore).
    """

    version: int
    added: tuple[Entry, ...] = ()
    added_at: int = 0
    removed: tuple[EntryId, ...] = ()
    moved: tuple[tuple[EntryId, int], ...] = ()
    reordered: bool = False

    @property
    def structural(self) -> bool:
        """False for a change of the current index alone."""
        return bool(self.added or self.removed or self.moved or self.reordered)

    @property
    def inserted(self) -> tuple[tuple[int, Entry], ...]:
        """(position, entry) of the inserted entries, made when read: a change kept a pair per
        entry (some 90 bytes each) until the next one, 20,000 of them after a big add."""
        return tuple(enumerate(self.added, self.added_at))


class PlayQueue:
    """Entries, the current index and a version that increments on every change.

    Every entry also carries the version at which its position last changed (`stamp`), so a
    client that saw version V can be sent only what changed since (`changed_since`, MPD's
    `plchanges`); `last_change` says what the latest change did.
    """

    def __init__(self, rng: random.Random | None = None, first_entry: int = 1) -> None:
        self.entries: list[Entry] = []
        self.index: int | None = None
        self.version = 0
        self._ids = itertools.count(first_entry)
        self._rng = rng or random.Random()
        self._unshuffled: list[EntryId] | None = None
        self._stamps: dict[EntryId, int] = {}
        # (version, start, stop) of recent changes' ranges; older versions need a full scan.
        self._ranges: deque[tuple[int, int, int]] = deque(maxlen=_RANGE_HISTORY)
        self._ranges_from = 0
        self.last_change = QueueChange(0)
        # The version of the last change of the entries themselves (not of the index alone):
        # what a checkpoint compares before it rewrites the queue's rows.
        self.structure_version = 0

    # -- reading --------------------------------------------------------------------------
    @property
    def current(self) -> Entry | None:
        return self.entries[self.index] if self.index is not None else None

    def to_json(self) -> dict[str, Any]:
        return {
            "entries": [e.to_json() for e in self.entries],
            "index": self.index,
            "version": self.version,
        }

    def window_json(self, offset: int, limit: int) -> dict[str, Any]:
        """api.md's Queue holding the entries from `offset` (at most `limit`), with `offset` and
        `total` (the queue's length) so a client can tell a page from the whole queue."""
        page = self.entries[offset : offset + limit]
        return {
            "entries": [e.to_json() for e in page],
            "index": self.index,
            "version": self.version,
            "offset": offset,
            "total": len(self.entries),
        }

    def position_of(self, entry_id: str) -> int:
        for i, entry in enumerate(self.entries):
            if entry.entry_id == entry_id:
                return i
        raise QueueError(f"no queue entry {entry_id!r}")

    def stamp(self, entry_id: EntryId) -> int:
        """The queue version at which this entry was added or last changed position."""
        return self._stamps.get(entry_id, 0)

    def changed_since(self, version: int) -> list[tuple[int, Entry]]:
        """(position, entry) of the entries added or moved after `version`, in queue order."""
        if version >= self.version:
            return []
        lo, hi = self._span_since(version)
        stamp = self._stamps.get
        return [
            (i, e) for i, e in enumerate(self.entries[lo:hi], lo) if stamp(e.entry_id, 0) > version
        ]

    def _span_since(self, version: int) -> tuple[int, int]:
        """Positions that can hold an entry changed after `version`.

        An entry stamped by one change sits inside that change's range; a later change that
        shifts it stamps it again inside its own range. So every entry changed after `version`
        lies between the lowest start and the highest end of the later changes' ranges: after
        one move, two positions are looked at, not the whole queue.
        """
        if version < self._ranges_from:
            return 0, len(self.entries)
        spans = [(start, stop) for v, start, stop in self._ranges if v > version]
        if not spans:
            return 0, 0
        return min(a for a, _ in spans), min(len(self.entries), max(b for _, b in spans))

    def following(self, repeat: Repeat) -> int | None:
        """The index that plays after the current one ends by itself."""
        if self.index is None:
            return None
        if repeat is Repeat.ONE:
            return self.index
        if self.index + 1 < len(self.entries):
            return self.index + 1
        return 0 if repeat is Repeat.ALL and self.entries else None

    # -- changing ---------------------------------------------------------------------------
    def _new(self, tracks: Iterable[Track]) -> list[Entry]:
        return [Entry(EntryId(f"e{next(self._ids)}"), t) for t in tracks]

    def _changed(
        self,
        touched: tuple[int, int] | None = None,
        *,
        inserted: Sequence[Entry] = (),
        inserted_at: int = 0,
        removed: Sequence[EntryId] = (),
        moved: Sequence[tuple[EntryId, int]] = (),
        reordered: bool = False,
    ) -> None:
        """Bump the version; `touched` is the range of positions whose entry changed."""
        self.version += 1
        if touched is not None:
            for entry in self.entries[touched[0] : touched[1]]:
                self._stamps[entry.entry_id] = self.version
            if len(self._ranges) == self._ranges.maxlen:
                self._ranges_from = self._ranges[0][0]
            self._ranges.append((self.version, *touched))
        for entry_id in removed:
            self._stamps.pop(entry_id, None)
        structural = bool(inserted or removed or moved or reordered)
        if structural:
            self.structure_version = self.version
        self.last_change = QueueChange(
            self.version,
            # Inserted entries are always one block: positions are counted, never searched for.
            added=tuple(inserted),
            added_at=inserted_at,
            removed=tuple(removed),
            moved=tuple(moved),
            reordered=reordered,
        )

    def _everything(self) -> tuple[int, int]:
        return (0, len(self.entries))

    def replace(self, tracks: Sequence[Track], start_index: int = 0) -> None:
        if tracks and not 0 <= start_index < len(tracks):
            raise QueueError(f"start_index {start_index} is outside 0..{len(tracks) - 1}")
        gone = [e.entry_id for e in self.entries]
        self.entries = self._new(tracks)
        self.index = start_index if tracks else None
        self._unshuffled = None
        self._changed(self._everything(), inserted=self.entries, removed=gone)

    def append(self, tracks: Sequence[Track]) -> None:
        start, new = len(self.entries), self._new(tracks)
        self.entries.extend(new)
        if self.index is None and self.entries:
            self.index = 0
        self._changed((start, len(self.entries)), inserted=new, inserted_at=start)

    def insert_next(self, tracks: Sequence[Track]) -> None:
        at = 0 if self.index is None else self.index + 1
        new = self._new(tracks)
        self.entries[at:at] = new
        if self.index is None and self.entries:
            self.index = 0
        self._changed((at, len(self.entries)), inserted=new, inserted_at=at)

    def remove(self, entry_id: str) -> bool:
        """Remove an entry; True when it was the current one."""
        pos = self.position_of(entry_id)
        del self.entries[pos]
        was_current = pos == self.index
        if self.index is not None:
            if not self.entries:
                self.index = None
            elif pos < self.index or (was_current and self.index >= len(self.entries)):
                self.index -= 1
        self._changed((pos, len(self.entries)), removed=[EntryId(entry_id)])
        return was_current

    def move(self, entry_id: str, to: int) -> None:
        if not 0 <= to < len(self.entries):
            raise QueueError(f"'to' {to} is outside 0..{len(self.entries) - 1}")
        pos = self.position_of(entry_id)
        current = self.current
        entry = self.entries.pop(pos)
        self.entries.insert(to, entry)
        if current is not None:
            self.index = self.entries.index(current)
        self._changed((min(pos, to), max(pos, to) + 1), moved=[(entry.entry_id, to)])

    def jump(self, index: int) -> None:
        if not 0 <= index < len(self.entries):
            raise QueueError(f"index {index} is outside 0..{len(self.entries) - 1}")
        self.index = index
        self._changed()

    def clear(self) -> None:
        gone = [e.entry_id for e in self.entries]
        self.entries = []
        self.index = None
        self._unshuffled = None
        self._changed(removed=gone)

    def set_shuffle(self, on: bool) -> None:
        """Shuffle what comes after the current entry; turning it off restores the earlier order."""
        start = 0 if self.index is None else self.index + 1
        if on:
            self._unshuffled = [e.entry_id for e in self.entries]
            upcoming = self.entries[start:]
            self._rng.shuffle(upcoming)
            self.entries[start:] = upcoming
        elif self._unshuffled is not None:
            rank = {eid: i for i, eid in enumerate(self._unshuffled)}
            current = self.current
            self.entries.sort(key=lambda e: rank.get(e.entry_id, len(rank)))
            if current is not None:
                self.index = self.entries.index(current)
            self._unshuffled = None
        self._changed((start if on else 0, len(self.entries)), reordered=True)

    def restore(self, entries: Sequence[Entry], index: int | None, version: int) -> None:
        """Put back a checkpointed queue; new entry ids continue after the restored ones."""
        self.entries = list(entries)
        self.index = index if index is None or 0 <= index < len(entries) else None
        self.version = self.structure_version = version
        self._stamps = {e.entry_id: version for e in self.entries}
        self._ranges.clear()
        self._ranges_from = version
        self.last_change = QueueChange(version, reordered=True)
        numbers = [int(e.entry_id[1:]) for e in entries if e.entry_id[1:].isdigit()]
        self._ids = itertools.count(max(numbers, default=0) + 1)
