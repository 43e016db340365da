"""Long tracks (audiobooks, podcasts, DJ mixes) start again where they were left.

A track longer than `player.remember_position_over` keeps its position per track, in player.db,
whichever queue it is played from: noted when it pauses, stops, is skipped or seeked, forgotten
when it plays to its end. Started again from its top it begins there instead (the play reports
then carry that position to Jellyfin).
"""

from __future__ import annotations

import asyncio
import logging

from cache.models import Track
from player.playback import commands as c
from player.playback import playevents as pe
from player.playback.controller import PlayerController
from player.timers.store import TimerStore

log = logging.getLogger(__name__)
FROM_THE_START = 1.0  # a start this near 0 is "from the beginning", not a restored position
NEAR_THE_END = 5.0  # a stop this near the end counts as finished


class LongTrackPositions:
    """Hears the controller's play events; writes go through `run` so the listener never waits."""

    def __init__(self, controller: PlayerController, store: TimerStore, over: float) -> None:
        self._controller = controller
        self._store = store
        self._over = over
        self._known: dict[str, float] = {}
        self._writes: asyncio.Queue[tuple[str, float | None]] = asyncio.Queue()
        controller.add_play_listener(self._on_play)
        controller.start_at = (
            self.start_of
        )  # started from its top, a long track begins where it was

    async def load(self) -> None:
        self._known = await self._store.load_positions()

    def saved(self, item_id: str) -> float | None:
        return self._known.get(item_id)

    def start_of(self, track: Track) -> float | None:
        """Where `track` begins when started from its top (None: there)."""
        return self._known.get(track.id) if self._is_long(track) else None

    async def run(self) -> None:
        while True:
            item_id, position = await self._writes.get()
            await self._store.save_position(item_id, position)

    async def flush(self) -> None:
        """Write what is still queued (at shutdown)."""
        while not self._writes.empty():
            item_id, position = self._writes.get_nowait()
            await self._store.save_position(item_id, position)

    def _is_long(self, track: Track) -> bool:
        return track.duration > self._over

    def _on_play(self, event: pe.PlayEvent) -> None:
        if not self._is_long(event.track):
            return
        if isinstance(event, pe.TrackStarted):
            self._resume(event)
        elif isinstance(event, pe.TrackEnded):
            finished = event.reason is pe.TrackEndReason.FINISHED
            near_end = event.position >= event.track.duration - NEAR_THE_END
            self._note(event.track, None if finished or near_end else event.position)
        else:  # paused, resumed or seeked: where it is now
            self._note(event.track, event.position)

    def _resume(self, event: pe.TrackStarted) -> None:
        saved = self._known.get(event.track.id)
        if saved is None or event.position > FROM_THE_START:
            return  # a first play, or started at its place already (the controller asked us)
        # Only a gapless join gets here: the engine began it from the top by itself.
        log.info("resuming %s at %.1f s", event.track.title, saved)
        self._controller.submit_nowait(c.Seek(saved))

    def _note(self, track: Track, position: float | None) -> None:
        if position is not None and position <= FROM_THE_START:
            return  # the very start is nothing to remember (and a stop resets to 0)
        if self._known.get(track.id) == position:
            return
        if position is None:
            self._known.pop(track.id, None)
        else:
            self._known[track.id] = position
        self._writes.put_nowait((track.id, position))
