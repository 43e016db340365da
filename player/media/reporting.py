"""Glue from the controller's play events to cache/'s PlayReporter (play log and Jellyfin reports).

The relay runs on the controller's task, so it only stamps each start with the wall-clock time
and the network kind and hands it on; the reporter does the I/O in a task of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cache.jellyfin.playstate import (
    PlaybackOrder,
    PlayerExtras,
    QueueItem,
    RepeatMode,
    queue_window,
)
from cache.jellyfin.reporting import PlayReporter
from cache.media import MediaCache
from cache.models import SourceKind
from cache.planner.snapshot import NetworkKind
from player.playback.controller import PlayerController
from player.playback.playevents import (
    Paused,
    PlayEvent,
    Resumed,
    Seeked,
    TrackEnded,
    TrackEndReason,
    TrackStarted,
)
from player.playback.queue import Repeat

if TYPE_CHECKING:
    from cache.subsonic.scrobble import Scrobbler

NetworkKindSource = Callable[[], NetworkKind]


def unknown_network() -> NetworkKind:
    """The network kind until the lead's watcher provides one."""
    return NetworkKind.UNKNOWN


def utc_now() -> datetime:
    """The wall-clock time, timezone-aware."""
    return datetime.now(UTC)


class PlayEventRelay:
    """A controller play listener that feeds a PlayReporter."""

    def __init__(
        self,
        reporter: PlayReporter,
        *,
        network_kind: NetworkKindSource = unknown_network,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._reporter = reporter
        self._network_kind = network_kind
        self._now = now

    def __call__(self, event: PlayEvent) -> None:
        r = self._reporter
        if event.track.source is SourceKind.RADIO:
            return  # live radio is no play of the library: not logged, not reported
        if isinstance(event, TrackStarted):
            r.track_started(
                event.track, at=self._now(), network=self._network_kind(),
                from_local=event.from_local, position=event.position, paused=event.paused,
                playlist_item_id=event.entry_id,
            )  # fmt: skip
        elif isinstance(event, Paused):
            r.paused(event.position)
        elif isinstance(event, Resumed):
            r.resumed(event.position)
        elif isinstance(event, Seeked):
            r.seeked(event.position)
        elif isinstance(event, TrackEnded):
            r.track_ended(event.position, failed=event.reason is TrackEndReason.ERROR)


REPEAT_MODE = {Repeat.OFF: RepeatMode.NONE, Repeat.ALL: RepeatMode.ALL, Repeat.ONE: RepeatMode.ONE}


def player_extras(controller: PlayerController) -> PlayerExtras:
    """The queue (capped around the current entry), volume and modes for a Jellyfin report.

    Only Jellyfin's own tracks go into NowPlayingQueue: the server knows no other ids.
    """
    queue = controller.queue
    window = queue_window(len(queue.entries), queue.index)
    entries = queue.entries[window.start : window.stop]
    items = tuple(
        QueueItem(e.item_id, e.entry_id) for e in entries if e.source is SourceKind.JELLYFIN
    )
    current = queue.current
    return PlayerExtras(
        queue=items,
        playlist_item_id=current.entry_id if current is not None else None,
        volume=controller.volume,
        muted=controller.muted,
        repeat=REPEAT_MODE[controller.repeat],
        order=PlaybackOrder.SHUFFLE if controller.shuffle else PlaybackOrder.DEFAULT,
    )


def _nudge_on_subsonic_start(scrobbler: Scrobbler, event: PlayEvent) -> None:
    if isinstance(event, TrackStarted) and event.track.source is SourceKind.SUBSONIC:
        scrobbler.nudge()


def play_reporter(
    media: MediaCache,
    controller: PlayerController,
    *,
    network_kind: NetworkKindSource = unknown_network,
    progress_interval: float = 10.0,
    replay_interval: float = 300.0,
) -> PlayReporter:
    """The reporter of the controller's plays (its `run()` is the caller's to supervise; the
    network watcher may call its `server_reachable()`)."""
    reporter = PlayReporter(
        media.plays,
        media.jellyfin,
        progress_interval=progress_interval,
        replay_interval=replay_interval,
        extras=lambda: player_extras(controller),
    )
    controller.add_play_listener(PlayEventRelay(reporter, network_kind=network_kind))
    scrobbler = media.scrobbler
    if scrobbler is not None:  # the scrobbler sends the play the log has just recorded
        controller.add_play_listener(lambda event: _nudge_on_subsonic_start(scrobbler, event))
    return reporter
