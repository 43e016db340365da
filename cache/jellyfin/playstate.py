"""The bodies of Jellyfin's playback reports (PlaybackStartInfo, PlaybackProgressInfo, PlaybackStopInfo).

Positions are .NET ticks: 10,000,000 per second. `SessionId` is left out because the server fills it
in from the token's session; `MediaSourceId` is the item id, as an audio item has one media source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cache.models import ItemId

TICKS_PER_SECOND = 10_000_000
QUEUE_REPORT_LIMIT = (
    950  # the server rejects bodies over about 1000 queue items (mopidy-jellyfin: 950)
)


class PlayMethod(StrEnum):
    """How the bytes reach the player: our own complete copy, or the server's stream."""

    DIRECT_PLAY = "DirectPlay"
    DIRECT_STREAM = "DirectStream"
    TRANSCODE = "Transcode"


class RepeatMode(StrEnum):
    NONE = "RepeatNone"
    ALL = "RepeatAll"
    ONE = "RepeatOne"


class PlaybackOrder(StrEnum):
    DEFAULT = "Default"
    SHUFFLE = "Shuffle"


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One entry of NowPlayingQueue: the track and the entry's own id (a track may appear twice)."""

    item_id: ItemId
    playlist_item_id: str


@dataclass(frozen=True, slots=True)
class PlayerExtras:
    """What a controlling app's remote shows beside the position: queue, volume, modes."""

    queue: tuple[QueueItem, ...] = ()
    playlist_item_id: str | None = None
    volume: int | None = None
    muted: bool = False
    repeat: RepeatMode = RepeatMode.NONE
    order: PlaybackOrder = PlaybackOrder.DEFAULT

    def queue_body(self) -> dict[str, Any]:
        """The fields PlaybackStopInfo shares with PlaybackProgressInfo."""
        body: dict[str, Any] = {
            "NowPlayingQueue": [
                {"Id": q.item_id, "PlaylistItemId": q.playlist_item_id}
                for q in self.queue[:QUEUE_REPORT_LIMIT]
            ]
        }
        if self.playlist_item_id is not None:
            body["PlaylistItemId"] = self.playlist_item_id
        return body

    def progress_body(self) -> dict[str, Any]:
        body = self.queue_body() | {
            "IsMuted": self.muted,
            "RepeatMode": str(self.repeat),
            "PlaybackOrder": str(self.order),
        }
        if self.volume is not None:
            body["VolumeLevel"] = self.volume
        return body


def queue_window(length: int, index: int | None, limit: int = QUEUE_REPORT_LIMIT) -> range:
    """The queue positions to report: all of a short queue, else `limit` around the current one
    (a few behind it, the rest ahead, where a remote's "up next" looks)."""
    if length <= limit:
        return range(length)
    behind = min(limit // 10, index or 0)
    start = min(max(0, (index or 0) - behind), length - limit)
    return range(start, start + limit)


def ticks(seconds: float) -> int:
    """Seconds as .NET ticks (never negative)."""
    return max(0, round(seconds * TICKS_PER_SECOND))


@dataclass(frozen=True, slots=True)
class PlaybackState:
    """One moment of one play session, as Jellyfin's reports describe it."""

    item_id: ItemId
    play_session_id: str
    position: float  # seconds
    paused: bool = False
    method: PlayMethod = PlayMethod.DIRECT_PLAY
    extras: PlayerExtras | None = field(default=None, compare=False)
    playlist_item_id: str | None = None  # the queue entry that started this play session

    def progress_body(self) -> dict[str, Any]:
        """PlaybackProgressInfo (PlaybackStartInfo has the same fields)."""
        extra = self.extras.progress_body() if self.extras is not None else {}
        return (
            extra
            | self._this_play()
            | {
                "IsPaused": self.paused,
                "CanSeek": True,
                "PlayMethod": str(self.method),
            }
        )

    def stop_body(self, *, failed: bool = False) -> dict[str, Any]:
        """PlaybackStopInfo; `failed` tells the server to leave the user's play data alone."""
        extra = self.extras.queue_body() if self.extras is not None else {}
        return extra | self._this_play() | {"Failed": failed}

    def _this_play(self) -> dict[str, Any]:
        """The fields every report of this play carries: which item, which session, where."""
        return self._own_entry() | {
            "ItemId": self.item_id,
            "MediaSourceId": self.item_id,
            "PlaySessionId": self.play_session_id,
            "PositionTicks": ticks(self.position),
        }

    def _own_entry(self) -> dict[str, Any]:
        # The entry of this play, not whatever the queue's current entry is by the time a report
        # goes out (a Stopped after "next" is about the entry that was left).
        return {"PlaylistItemId": self.playlist_item_id} if self.playlist_item_id else {}
