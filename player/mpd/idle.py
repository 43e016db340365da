"""MPD's idle subsystems, fed by the controller's change and play listeners.

The controller says only "player" or "queue"; the hub compares what MPD clients can see (state,
song, volume, options, output) to tell `player` from `mixer`, `options` and `output`, and ignores
the once-a-second position ticks (a seek is heard from the play listener instead).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from enum import StrEnum

from player.playback import playevents as pe
from player.playback.commands import PlayState
from player.playback.controller import PlayerController


class Subsystem(StrEnum):
    DATABASE = "database"
    UPDATE = "update"
    STORED_PLAYLIST = "stored_playlist"
    PLAYLIST = "playlist"
    PLAYER = "player"
    MIXER = "mixer"
    OUTPUT = "output"
    OPTIONS = "options"


class IdleClient:
    """One connection's pending changes (they pile up while it is not idle)."""

    def __init__(self) -> None:
        self.pending: set[Subsystem] = set()
        self.woken = asyncio.Event()

    def add(self, changed: Iterable[Subsystem]) -> None:
        self.pending.update(changed)
        self.woken.set()

    def take(self, wanted: frozenset[Subsystem]) -> list[Subsystem]:
        """The pending changes among `wanted`, removed from the pile, in a stable order."""
        hits = sorted(self.pending & wanted)
        self.pending -= set(hits)
        if not self.pending:
            self.woken.clear()
        return hits


class IdleHub:
    def __init__(self, controller: PlayerController) -> None:
        self._controller = controller
        self._clients: set[IdleClient] = set()
        # MPD keeps a "current song" from the first play until the queue empties, also when
        # stopped; a queue that was only filled has none.
        self.has_current = False
        self.clock = PlayClock()
        self._seen = self._visible()

    def attach(self) -> None:
        self._controller.add_listener(self._on_change)
        self._controller.add_play_listener(self._on_play)

    def join(self) -> IdleClient:
        client = IdleClient()
        self._clients.add(client)
        return client

    def leave(self, client: IdleClient) -> None:
        self._clients.discard(client)

    def publish(self, *changed: Subsystem) -> None:
        for client in self._clients:
            client.add(changed)

    def _visible(self) -> tuple[object, ...]:
        c = self._controller
        current = c.queue.current
        # A stopped player has no song for MPD clients until it plays (a filled queue's first
        # entry is not "the current song" yet).
        entry = current.entry_id if current is not None and self._playing_once() else None
        return (c.state, entry, c.volume, c.repeat, c.shuffle, c.muted, c.stream_title)

    def _playing_once(self) -> bool:
        return self._controller.state is not PlayState.STOPPED or getattr(
            self, "has_current", False
        )

    def _on_change(self, what: str) -> None:
        c = self._controller
        if c.state is not PlayState.STOPPED:
            self.has_current = True
        elif not c.queue.entries:
            self.has_current = False
        if what == "queue":
            if self._controller.queue.last_change.structural:
                self.publish(Subsystem.PLAYLIST)
            return
        now, seen = self._visible(), self._seen
        self._seen = now
        changed: list[Subsystem] = []
        if now[:2] != seen[:2]:
            changed.append(Subsystem.PLAYER)
        if now[2] != seen[2]:
            changed.append(Subsystem.MIXER)
        if now[3:5] != seen[3:5]:
            changed.append(Subsystem.OPTIONS)
        if now[5] != seen[5]:
            changed.append(Subsystem.OUTPUT)
        if now[6] != seen[6]:
            # A station's new ICY title changes the current song's tags: MPD says `playlist`;
            # `player` too, for the clients that reread currentsong only on that.
            changed.extend((Subsystem.PLAYLIST, Subsystem.PLAYER))
        if changed:
            self.publish(*changed)

    def _on_play(self, event: pe.PlayEvent) -> None:
        if isinstance(event, pe.Seeked):
            self.publish(Subsystem.PLAYER)
        self.clock.heard(event)


class PlayClock:
    """Seconds of music played since the start (`stats` playtime), from the play events."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._total = 0.0
        self._since: float | None = None  # when the running stretch began

    def heard(self, event: pe.PlayEvent) -> None:
        running = isinstance(event, pe.Resumed) or (
            isinstance(event, pe.TrackStarted) and not event.paused
        )
        stopping = isinstance(event, pe.Paused | pe.TrackEnded)
        if stopping or running:
            self._stop()
        if running:
            self._since = self._now()

    def _stop(self) -> None:
        if self._since is not None:
            self._total += self._now() - self._since
            self._since = None

    @property
    def seconds(self) -> float:
        running = self._now() - self._since if self._since is not None else 0.0
        return self._total + running
