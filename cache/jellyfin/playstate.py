"""The bodies of Jellyfin's playback reports (PlaybackStartInfo, PlaybackProgressInfo, PlaybackStopInfo).

Positions are .NET ticks: 10,000,000 per second. `SessionId` is left out because the server fills it
in from the token's session; `MediaSourceId` is the item id, as an audio item has one media source.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cache.models import ItemId

TICKS_PER_SECOND = 10_000_000


class PlayMethod(StrEnum):
    """How the bytes reach the player: our own complete copy, or the server's stream."""

    DIRECT_PLAY = "DirectPlay"
    DIRECT_STREAM = "DirectStream"
    TRANSCODE = "Transcode"


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

    def progress_body(self) -> dict[str, Any]:
        """PlaybackProgressInfo (PlaybackStartInfo has the same fields)."""
        return {
            "ItemId": self.item_id,
            "MediaSourceId": self.item_id,
            "PlaySessionId": self.play_session_id,
            "PositionTicks": ticks(self.position),
            "IsPaused": self.paused,
            "CanSeek": True,
            "PlayMethod": str(self.method),
        }

    def stop_body(self, *, failed: bool = False) -> dict[str, Any]:
        """PlaybackStopInfo; `failed` tells the server to leave the user's play data alone."""
        return {
            "ItemId": self.item_id,
            "MediaSourceId": self.item_id,
            "PlaySessionId": self.play_session_id,
            "PositionTicks": ticks(self.position),
            "Failed": failed,
        }
