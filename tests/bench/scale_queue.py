"""The play queue's memory per entry, measured in the process: what the queue keeps.

The service's RSS after filling a 20,000-entry queue (scale_service.queue_figures) is mostly the
adds' passing peak (each POST's 10,000 Tracks and rows, freed into arenas that stay resident),
the same whatever an entry keeps; tracemalloc counts what is still held once they are gone.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Sequence

from cache.catalogue import Catalogue
from cache.models import Track
from player.playback.queue import PlayQueue

_FETCH = 1_000  # ids per catalogue query, as a POST's tracks are fetched in one


async def queue_memory(catalogue: Catalogue, ids: Sequence[str]) -> tuple[float, float]:
    """(bytes per queue entry, bytes per Track) for a queue of the catalogue's tracks `ids`."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracks: list[Track] = []
        for start in range(0, len(ids), _FETCH):
            tracks += await catalogue.tracks(ids[start : start + _FETCH])
        gc.collect()
        held_tracks = tracemalloc.get_traced_memory()[0] - base
        queue = PlayQueue()
        queue.append(tracks)
        queue.jump(0)  # the last change no longer holds the added entries
        count = len(tracks)
        del tracks
        gc.collect()
        held_queue = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert len(queue.entries) == count == len(ids)
    return held_queue / count, held_tracks / count
