"""What the smart policy reads from the play history: does this device roam, which albums stick,
how much of each track this listener hears."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

from cache.models import AlbumId, ItemId
from cache.planner.snapshot import NetworkKind, PlayRecord

ROAM_RECENT_PLAYS = 200  # how far back to look for listening away from an unmetered network
SETTLED_AFTER = 10  # plays, all at home, before a device counts as stationary
OFFLINE_SHARE = 0.1  # this share of recent starts without any network makes a roaming device
PACE_PLAYS = 40  # recent plays that say how much of each track this listener hears
PACE_FLOOR = 0.25  # never count a track as less than this share of its length
LONG_PAUSE = 3600.0  # seconds without a start after which the queue is left, not paused
PAUSES = 10  # recent long pauses that say whether this listener comes back to a queue


def roams(history: Sequence[PlayRecord]) -> bool:
    """Whether the device should expect to lose its unmetered network while the queue plays.

    A device with little history is assumed to roam (the safe side: the queue is on disk). Any
    recent start on cellular, or a real share of starts with no network at all, says it leaves
    home; a box that has played a few albums' worth on steady Wi-Fi only needs its lookahead, and
    a fetched-but-never-played queue tail would be waste when the queue is replaced.
    """
    if not seen_enough(history):
        return True
    recent = history[-ROAM_RECENT_PLAYS:]
    if any(p.network is NetworkKind.CELLULAR for p in recent):
        return True
    offline = sum(1 for p in recent if p.network is NetworkKind.OFFLINE)
    return offline >= OFFLINE_SHARE * len(recent)


def seen_enough(history: Sequence[PlayRecord]) -> bool:
    """Whether the history is long enough to tell a roaming device from a stationary one."""
    return len(history[-ROAM_RECENT_PLAYS:]) >= SETTLED_AFTER


def album_streaks(history: Sequence[PlayRecord], threshold: int) -> list[AlbumId]:
    """Albums with at least `threshold` distinct tracks among the recent plays, latest first."""
    recent = history[-2 * threshold :]
    tracks: dict[AlbumId, set[ItemId]] = {}
    for p in reversed(recent):
        tracks.setdefault(p.album_id, set()).add(p.item_id)
    return [a for a, ids in tracks.items() if len(ids) >= threshold]


def listen_share(history: Sequence[PlayRecord], durations: Mapping[ItemId, float]) -> float:
    """The mean share of a track heard before the next start, over the recent consecutive plays
    whose duration is known; 1.0 without any. A listener who skips hears little of each track, so
    the same minutes of listening need more tracks on disk."""
    recent = history[-PACE_PLAYS - 1 :]
    shares: list[float] = []
    for a, b in pairwise(recent):
        duration = durations.get(a.item_id)
        if duration:
            shares.append(min(1.0, max(0.0, b.at - a.at) / duration))
    if not shares:
        return 1.0
    return max(PACE_FLOOR, sum(shares) / len(shares))


def albums_read(history: Sequence[PlayRecord], threshold: int) -> set[AlbumId]:
    """The albums whose track order the smart policy reads: those of the recent plays (album
    affinity) and those on either side of the recent long pauses (resume_share), so that the
    service hands the policy what the simulator has."""
    out = {p.album_id for p in history[-4 * threshold :]}
    pauses = [(a, b) for a, b in pairwise(history) if b.at - a.at >= LONG_PAUSE]
    for a, b in pauses[-PAUSES:]:
        out.update((a.album_id, b.album_id))
    return out


def resume_share(
    history: Sequence[PlayRecord],
    opens_album: Callable[[PlayRecord], bool],
    ends_album: Callable[[PlayRecord], bool],
) -> float:
    """The share of the recent long pauses after which the listener went on where they stopped
    (1.0 when none was seen yet). Going on is a start in the album of the last play, or a start that
    does not open an album; opening another album after a long pause is a new queue, unless the last
    play ended its album: a queue of albums goes on with the first track of its next one, so that
    pause says nothing either way and is not counted."""
    back: list[bool] = []
    for a, b in pairwise(history):
        if b.at - a.at < LONG_PAUSE:
            continue
        if b.album_id == a.album_id or not opens_album(b):
            back.append(True)
        elif not ends_album(a):
            back.append(False)
    recent = back[-PAUSES:]
    return sum(recent) / len(recent) if recent else 1.0
