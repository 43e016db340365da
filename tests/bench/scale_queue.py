"""The play queue's memory per entry, measured in the process: what the queue keeps.

The service's RSS after filling a 20,000-entry queue (scale_service.queue_figures) is mostly the
adds' passing peak (each POST's 10,000 Tracks and rows, freed into arenas that stay resident),
the same whatever an entry keeps; tracemalloc counts what is still held once they are gone.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from unittest import mock

from cache.catalogue import Catalogue
from cache.models import Track
from player.playback import queue as queue_module
from player.playback.entry import EntryId
from player.playback.queue import PlayQueue

_FETCH = 1_000  # ids per catalogue query, as a POST's tracks are fetched in one


@dataclass(frozen=True, slots=True)
class TrackEntry:
    """The entry as it was before d4ffeba: its id and the Track itself."""

    entry_id: EntryId
    item: Track


async def queue_memory(catalogue: Catalogue, ids: Sequence[str]) -> tuple[float, float]:
    """Bytes per entry of a queue of the catalogue's tracks `ids`: (packed entries, entries
    holding a Track as before), the queue's own bookkeeping included in both."""
    # Once first, unmeasured: what the first fetch leaves for good is not the queue's (the
    # catalogue interns each album's strings, cache/catalogue_rows.py: the table of interned
    # strings grows by some 50 B per entry, and modules are imported on first use).
    await _held(catalogue, ids)
    packed = await _held(catalogue, ids)
    with mock.patch.object(queue_module, "Entry", TrackEntry):
        holding = await _held(catalogue, ids)
    return packed / len(ids), holding / len(ids)


async def _held(catalogue: Catalogue, ids: Sequence[str]) -> int:
    """Bytes still allocated by a queue of `ids` once the tracks it was given are freed."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        queue = PlayQueue()
        for start in range(0, len(ids), _FETCH):  # fresh tracks, as a POST's are
            queue.append(await catalogue.tracks(ids[start : start + _FETCH]))
        queue.jump(0)  # the last change no longer holds the added entries
        gc.collect()
        held: int = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert len(queue.entries) == len(ids)
    return held
