"""Checkpointing the session so a power cut loses at most a few seconds, and resuming after one."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace

from cache.models import Track
from cache.timeouts import woken
from player.config import PlayerConfig
from player.playback import commands as c
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.playback.queue import Repeat
from player.playback.state_store import SavedSession, SessionState, StateStore

log = logging.getLogger(__name__)

# A position further than this from where playback alone would have carried it is a seek: save it now.
SEEK_TOLERANCE = 0.5


Trouble = Callable[[str | None], None]
"""Told a sentence when checkpoints start failing, None once one is written again."""


def _no_trouble(_message: str | None) -> None:
    pass


class Checkpointer:
    """Saves on every change (coalesced) and every `interval` seconds while playing.

    A save that fails (a full card, an I/O error) never stops playback: it is reported through
    `on_trouble` and tried again an interval later; the music plays on either way.
    """

    def __init__(
        self,
        controller: PlayerController,
        store: StateStore,
        interval: float,
        on_trouble: Trouble = _no_trouble,
    ) -> None:
        self._controller = controller
        self._store = store
        self._interval = interval
        self._on_trouble = on_trouble
        self.failing: str | None = None  # why the last save failed, while saves fail
        self._dirty = asyncio.Event()
        self._saved_version = -1
        self._saved: SessionState | None = None
        self._saved_at = 0.0  # loop time when the file last matched the session
        self._final_logged = False
        controller.add_listener(self._on_change)

    def _on_change(self, what: str) -> None:
        self._dirty.set()

    def _state(self) -> SessionState:
        ctl = self._controller
        position = ctl.engine.position() if ctl.state is PlayState.PLAYING else None
        return SessionState(
            queue_version=ctl.queue.version, queue_index=ctl.queue.index,
            position=round(position if position is not None else ctl.position, 2),
            state=str(ctl.state), volume=ctl.volume, muted=ctl.muted, repeat=str(ctl.repeat),
            shuffle=ctl.shuffle,
        )  # fmt: skip

    def _due(self, state: SessionState, now: float) -> bool:
        """Any change is due at once, except playback moving on: that waits for the interval."""
        saved = self._saved
        if saved is None or now - self._saved_at >= self._interval:
            return True
        if replace(state, position=saved.position) != saved:
            return True
        moved = now - self._saved_at if saved.state == PlayState.PLAYING else 0.0
        return abs(state.position - (saved.position + moved)) > SEEK_TOLERANCE

    async def save_now(self, *, force: bool = True) -> None:
        """Write the session if it changed; unless `force`, only when a write is due."""
        now = asyncio.get_running_loop().time()
        state = self._state()
        if state == self._saved:
            self._saved_at = now
            return
        if not force and not self._due(state, now):
            return
        queue, entries = self._controller.queue, None
        # A track change moves the index alone: the 20,000 rows stay as they are on the card.
        structure = queue.structure_version
        if structure != self._saved_version:
            entries = [(e.entry_id, e.item_id) for e in queue.entries]
        await self._store.save(state, entries)
        self._saved, self._saved_version, self._saved_at = state, structure, now

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            # Position ticks wake us every second; they are written only once the interval is up.
            timeout = max(0.0, self._saved_at + self._interval - loop.time())
            await woken(self._dirty, timeout)
            self._dirty.clear()
            if await self._save_guarded(force=False):
                await asyncio.sleep(0.2)  # coalesce bursts of changes into one transaction
            else:
                await asyncio.sleep(self._interval)  # the retry

    async def save_final(self) -> None:
        """The save at shutdown: a failure is logged, never raised (the exit must stay clean).

        Called first thing on the way down (a slow stop may be cut short after it) and again
        once the tasks have ended; the log line that says it is written comes once."""
        if await self._save_guarded(force=True) and not self._final_logged:
            self._final_logged = True
            log.info("stopping: the queue and the play position are saved for the next start")

    async def _save_guarded(self, *, force: bool) -> bool:
        try:
            await self.save_now(force=force)
        except (sqlite3.Error, OSError) as err:
            message = f"the play position cannot be saved: {err}"
            if self.failing is None:
                log.error("%s; playing on, trying again every %.0f s", message, self._interval)
            self.failing = message
            self._on_trouble(message)
            return False
        if self.failing is not None:
            log.warning("the play position is saved again")
            self.failing = None
            self._on_trouble(None)
        return True


def resume_command(
    saved: SavedSession, tracks: Sequence[Track], config: PlayerConfig
) -> c.Restore | None:
    """The Restore command for a saved session, given the tracks that still exist."""
    by_id: dict[str, Track] = {t.id: t for t in tracks}
    kept = [(eid, by_id[iid]) for eid, iid in saved.entries if iid in by_id]
    if not kept:
        return None
    st = saved.state
    index = st.queue_index
    if index is not None and (index >= len(saved.entries) or saved.entries[index][1] not in by_id):
        index, position = 0, 0.0
    else:
        index = None if index is None else _shifted(saved.entries, by_id, index)
        position = max(0.0, st.position - config.resume_rewind)
    start = _start_state(st.state, config.resume)
    return c.Restore(
        entries=tuple(kept), index=index, version=st.queue_version + 1, position=position,
        start=start, volume=min(st.volume, config.startup_volume_max), muted=st.muted,
        repeat=Repeat(st.repeat), shuffle=st.shuffle,
    )  # fmt: skip


def _shifted(entries: Sequence[tuple[str, str]], by_id: dict[str, Track], index: int) -> int:
    # Entries whose tracks vanished are dropped, so the current index moves up by that many.
    return sum(1 for _, iid in entries[:index] if iid in by_id)


def _start_state(saved_state: str, resume: str) -> PlayState:
    if saved_state == "stopped" or resume == "off":
        return PlayState.STOPPED
    return PlayState.PLAYING if resume == "playing" else PlayState.PAUSED
