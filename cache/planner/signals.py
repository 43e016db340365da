"""What the smart policy reads from the play history: does this device roam, which albums stick."""

from __future__ import annotations

from collections.abc import Sequence

from cache.models import AlbumId, ItemId
from cache.planner.snapshot import NetworkKind, PlayRecord

ROAM_RECENT_PLAYS = 200  # how far back to look for listening away from an unmetered network
SETTLED_AFTER = 20  # plays, all at home, before a device counts as stationary
OFFLINE_SHARE = 0.1  # this share of recent starts without any network makes a roaming device


def roams(history: Sequence[PlayRecord]) -> bool:
    """Whether the device should expect to lose its unmetered network while the queue plays.

    A device with little history is assumed to roam (the safe side: the queue is on disk). Any
    recent start on cellular, or a real share of starts with no network at all, says it leaves
    home; a box that has played many tracks on steady Wi-Fi only needs its lookahead, and a
    fetched-but-never-played queue tail would be waste when the queue is replaced.
    """
    recent = history[-ROAM_RECENT_PLAYS:]
    if len(recent) < SETTLED_AFTER:
        return True
    if any(p.network is NetworkKind.CELLULAR for p in recent):
        return True
    offline = sum(1 for p in recent if p.network is NetworkKind.OFFLINE)
    return offline >= OFFLINE_SHARE * len(recent)


def album_streaks(history: Sequence[PlayRecord], threshold: int) -> list[AlbumId]:
    """Albums with at least `threshold` distinct tracks among the recent plays, latest first."""
    recent = history[-2 * threshold :]
    tracks: dict[AlbumId, set[ItemId]] = {}
    for p in reversed(recent):
        tracks.setdefault(p.album_id, set()).add(p.item_id)
    return [a for a, ids in tracks.items() if len(ids) >= threshold]
